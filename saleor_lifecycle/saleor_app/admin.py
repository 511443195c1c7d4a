from django.contrib import admin

from .models import Installation


@admin.register(Installation)
class InstallationAdmin(admin.ModelAdmin):
    list_display = ["saleor_api_url", "app_id", "is_active", "installed_at", "jwks_fetched_at"]
    list_filter = ["is_active"]
    exclude = ["encrypted_token"]
    readonly_fields = ["saleor_api_url", "saleor_domain", "app_id", "jwks", "jwks_fetched_at", "installed_at"]
