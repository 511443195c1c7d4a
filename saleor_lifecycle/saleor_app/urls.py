from django.urls import path

from . import dashboard, views

urlpatterns = [
    path("api/manifest", views.manifest, name="manifest"),
    path("api/register", views.register, name="register"),
    path("app/", dashboard.app_page, name="app"),
    path("app/<path:subpath>", dashboard.app_page, name="app-page"),
    path("privacy", views.privacy, name="privacy"),
]
