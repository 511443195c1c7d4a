from django.contrib import admin, messages

from . import ingest
from .models import WebhookDelivery


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "event_type", "installation", "status", "attempts", "received_at", "last_error"]
    list_filter = ["status", "event_type", "installation"]
    date_hierarchy = "received_at"
    readonly_fields = [field.name for field in WebhookDelivery._meta.fields] + ["body_text"]
    exclude = ["body"]
    actions = ["replay"]

    @admin.display(description="body")
    def body_text(self, delivery: WebhookDelivery) -> str:
        return bytes(delivery.body).decode("utf-8", errors="replace")

    @admin.action(description="Process the selected deliveries again")
    def replay(self, request, queryset) -> None:
        count = ingest.replay(queryset)
        self.message_user(request, f"{count} deliveries queued again.", messages.SUCCESS)

    def has_add_permission(self, request) -> bool:
        return False
