from functools import cache

from django.db import connections, models, router
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


class WebhookDeliveryQuerySet(models.QuerySet):
    def insert_once(self, delivery: "WebhookDelivery") -> bool:
        """Insert ``delivery`` unless its event is stored already; return whether it was new.

        One statement, ``INSERT ... ON CONFLICT (installation, event_type, body_sha256) DO
        NOTHING RETURNING id`` (PostgreSQL and SQLite alike): no transaction of its own, no
        IntegrityError to recover from when Saleor delivers the same event twice at once,
        and the new row's id comes back in the same round trip. Sets ``delivery.pk`` when
        it inserted; ``save()`` would take a transaction, a savepoint and an exception.
        """
        using = self._db or router.db_for_write(self.model, instance=delivery)
        connection = connections[using]
        sql, fields = _insert_once_statement(using)
        values = [field.get_db_prep_save(field.pre_save(delivery, True), connection) for field in fields]
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
            row = cursor.fetchone()
        if row is None:
            return False
        delivery.pk = row[0]
        delivery._state.adding, delivery._state.db = False, using
        return True


@cache
def _insert_once_statement(using: str) -> tuple[str, list[models.Field]]:
    """The SQL of ``insert_once`` on database ``using``, and the fields it takes, in order."""
    meta = WebhookDelivery._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    [stored_once] = [c for c in meta.constraints if c.name == "delivery_stored_once"]
    quote = connections[using].ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    conflict = ", ".join(quote(meta.get_field(name).column) for name in stored_once.fields)
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT ({conflict}) DO NOTHING RETURNING {quote(meta.pk.column)}"
    )
    return sql, fields


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

    objects = WebhookDeliveryQuerySet.as_manager()

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
