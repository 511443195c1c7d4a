from django.contrib import admin

from .models import StorefrontAccess


@admin.register(StorefrontAccess)
class StorefrontAccessAdmin(admin.ModelAdmin):
    list_display = ("installation", "allowed_origins", "updated_at")
    readonly_fields = ("updated_at",)
