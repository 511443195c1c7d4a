from django.urls import include, path

from . import views

urlpatterns = [
    path("m/o/<str:token>.gif", views.opened, name="mail-opened"),
    path("m/c/<str:token>", views.clicked, name="mail-clicked"),
    path("m/u/<str:token>", views.unsubscribe, name="mail-unsubscribe"),
    # ESPs' delivery, bounce and complaint webhooks (django-anymail), e.g. /anymail/postmark/tracking/
    path("anymail/", include("anymail.urls")),
]
