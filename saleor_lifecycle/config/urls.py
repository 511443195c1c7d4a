from django.contrib import admin
from django.urls import include, path

from ..core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("saleor_lifecycle.saleor_app.urls")),
    path("", include("saleor_lifecycle.events.urls")),
    path("", include("saleor_lifecycle.mail.urls")),
    path("", include("saleor_lifecycle.api.urls")),
]
