from django.urls import path

from . import views

urlpatterns = [
    path("api/manifest", views.manifest, name="manifest"),
    path("api/register", views.register, name="register"),
    path("app/", views.app_page, name="app"),
    path("privacy", views.privacy, name="privacy"),
]
