from django.urls import path

from .registry import WEBHOOKS
from .views import SaleorWebhookView

urlpatterns = [
    path(
        f"api/webhooks/{definition.slug}",
        SaleorWebhookView.as_view(definition=definition),
        name=f"webhook-{definition.slug}",
    )
    for definition in WEBHOOKS.values()
]
