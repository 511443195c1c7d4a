from django.db import models
from django.db.models import Q

from ..saleor_app.models import Installation
from .registry import EVENT_CHOICES


class DeliveryStatus(models.TextChoices):
    #: stored, waiting for a worker
    PENDING = "pending", "Pending"
    #: handled; its effects are in the database
    PROCESSED = "processed", "Processed"
    #: handling failed; a worker tries again at ``next_attempt_at``
    RETRYING = "retrying", "Retrying"
    #: handling failed ``MAX_ATTEMPTS`` times; ``replay_deliveries`` queues it again
    FAILED = "failed", "Failed"
    #: the body was not what the subscription asks for; answered 400, kept to inspect
    MALFORMED = "malformed", "Malformed"


class WebhookDelivery(models.Model):
    """One webhook body Saleor delivered, stored once however often Saleor sends it.

    Saleor retries a delivery with the same body and may deliver twice; every body
    carries the event's ``issuedAt``, so (installation, event, body hash) identifies an
    event. The row is also the outbox: a periodic task re-queues pending and retrying
    rows whose time has come, so a lost broker message delays an event, never drops it.
    """

    MAX_ATTEMPTS = 8

    installation = models.ForeignKey(Installation, on_delete=models.CASCADE, related_name="deliveries")
    event_type = models.CharField(max_length=64, choices=EVENT_CHOICES)
    body = models.BinaryField()
    body_sha256 = models.CharField(max_length=64)
    #: the Saleor-* request headers, signature included, as received
    headers = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["installation", "event_type", "body_sha256"], name="delivery_stored_once"
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_due",
                condition=Q(status__in=["pending", "retrying"]),
            ),
            models.Index(fields=["status", "-received_at"], name="delivery_status"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} #{self.pk} ({self.status})"
