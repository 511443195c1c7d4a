from anymail.signals import EventType, tracking
from django.dispatch import receiver
from django.utils import timezone

from ..customers.models import Customer
from ..events import types
from ..events.signals import lifecycle_event
from ..saleor_app.models import Installation
from ..scenarios.models import StepRun
from .consent import apply_saleor_consent
from .models import MailSettings
from .suppression import suppress

#: ESP events -> the StepRun timestamp they set
TIMESTAMPS = {
    EventType.DELIVERED: "delivered_at",
    EventType.OPENED: "opened_at",
    EventType.CLICKED: "clicked_at",
    EventType.BOUNCED: "bounced_at",
    EventType.REJECTED: "bounced_at",
}
#: ESP events after which nothing more may go to the address
SUPPRESSING = {EventType.BOUNCED: "bounced", EventType.REJECTED: "rejected", EventType.COMPLAINED: "complaint"}


@receiver(tracking, dispatch_uid="mail.esp_tracking")
def on_esp_event(sender, event, esp_name, **kwargs) -> None:
    """Delivery, opens, clicks, hard bounces and complaints reported by the ESP (anymail)."""
    now = event.timestamp or timezone.now()
    run = StepRun.objects.filter(message_id=event.message_id).first() if event.message_id else None
    field = TIMESTAMPS.get(event.event_type)
    if run is not None and field:
        StepRun.objects.filter(pk=run.pk, **{f"{field}__isnull": True}).update(**{field: now})
        if event.event_type == EventType.CLICKED:
            StepRun.objects.filter(pk=run.pk, opened_at__isnull=True).update(opened_at=now)
    customers = (
        Customer.objects.filter(pk=run.customer_id)
        if run is not None
        else Customer.objects.filter(email=(event.recipient or "").lower()).exclude(email="")
    )
    if event.event_type in SUPPRESSING:
        for customer in customers:
            suppress(customer, SUPPRESSING[event.event_type], now)
    elif event.event_type == EventType.UNSUBSCRIBED:
        from ..customers.actions import do_unsubscribe_for_good

        for customer in customers:
            do_unsubscribe_for_good(customer, now)


@receiver(lifecycle_event, sender=types.CustomerEvent, dispatch_uid="mail.consent")
def take_consent_from_saleor(installation: Installation, event: types.CustomerEvent, **kwargs) -> None:
    customer = Customer.objects.filter(installation=installation, saleor_user_id=event.customer.id).first()
    if customer is not None:
        apply_saleor_consent(customer, MailSettings.for_installation(installation), timezone.now())
