"""Storing webhook deliveries once and processing them at least once.

The webhook view only verifies, stores and enqueues (``store_delivery``); a Celery
worker parses the stored body again and hands the typed event to the receivers of
``signals.lifecycle_event`` (``process_delivery``).

Queueing is batched: the ids of deliveries stored within ``BATCH_LINGER`` seconds go to
the worker in one message (``batches.Batcher``), published from a background thread.
The stored row, not the message, is what makes a delivery happen: a message that never
reaches the broker (broker down, process killed with a batch waiting) is made up for
by ``requeue_due_deliveries``.
"""

import hashlib
import json
import logging
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from ..saleor_app.headers import SaleorHeaders
from ..saleor_app.models import Installation
from .batches import Batcher
from .definitions import WebhookDefinition
from .models import DeliveryStatus, WebhookDelivery
from .parsers import PayloadError
from .registry import WEBHOOKS
from .signals import lifecycle_event

logger = logging.getLogger(__name__)

KEPT_HEADERS = (SaleorHeaders.EVENT, SaleorHeaders.DOMAIN, SaleorHeaders.API_URL, SaleorHeaders.SIGNATURE)


def malformation(definition: WebhookDefinition, body: bytes, headers: dict[str, str]) -> str | None:
    """Why ``body`` cannot be the event ``definition`` describes, or None if it can."""
    event_header = headers.get(SaleorHeaders.EVENT)
    if event_header and event_header.lower() != definition.header_value:
        return f"{SaleorHeaders.EVENT} is {event_header!r}, this endpoint takes {definition.header_value!r}"
    try:
        definition.parse(json.loads(body))
    except ValueError as exc:  # PayloadError and JSON/UTF-8 decoding errors alike
        prefix = "" if isinstance(exc, PayloadError) else "body is not JSON: "
        return f"{prefix}{exc}"
    return None


def store_delivery(
    installation: Installation,
    definition: WebhookDefinition,
    body: bytes,
    headers: dict[str, str],
) -> tuple[WebhookDelivery, bool]:
    """Store a verified delivery once; return it and whether it was new.

    A well-formed new delivery is queued for processing when the transaction commits.
    A malformed one is kept with the reason (status MALFORMED) and never processed.
    A redelivery (same installation, event and body) returns the stored row.
    """
    reason = malformation(definition, body, headers)
    now = timezone.now()
    delivery = WebhookDelivery(
        installation=installation,
        event_type=definition.event,
        body=body,
        body_sha256=hashlib.sha256(body).hexdigest(),
        headers={name: headers[name] for name in KEPT_HEADERS if name in headers},
        status=DeliveryStatus.MALFORMED if reason else DeliveryStatus.PENDING,
        last_error=reason or "",
        next_attempt_at=None if reason else now,
    )
    if not WebhookDelivery.objects.insert_once(delivery):
        existing = WebhookDelivery.objects.get(
            installation=installation, event_type=definition.event, body_sha256=delivery.body_sha256
        )
        return existing, False
    if not reason:
        transaction.on_commit(lambda: enqueue(delivery.pk))
    return delivery, True


#: New deliveries wait this long (seconds) for others to share their queue message. A
#: Celery publish costs ~0.5 ms of CPU whatever it carries, as much as storing a delivery;
#: 50 ms more before a worker starts is nothing for lifecycle emails.
BATCH_LINGER = 0.05
#: At most this many deliveries share one message, so a batch is a few seconds of work
#: for one worker at most and a burst still spreads over several workers.
BATCH_MAX = 100


def _publish_batch(delivery_ids: list[int]) -> None:
    from .tasks import process_deliveries_task

    process_deliveries_task.apply_async((delivery_ids,))


batches: Batcher[int] = Batcher(_publish_batch, linger=BATCH_LINGER, max_size=BATCH_MAX)


def enqueue(delivery_id: int, **options: Any) -> None:
    """Queue processing; a broker outage only delays it (``requeue_due_deliveries``).

    Without options the delivery joins the next batch (see the module docstring); with
    options (a retry's ``eta``), or when Celery runs tasks eagerly, it is sent at once.
    """
    from .tasks import process_delivery_task

    if not options and not process_delivery_task.app.conf.task_always_eager:
        batches.add(delivery_id)
        return
    try:
        process_delivery_task.apply_async((delivery_id,), **options)
    except Exception:  # the row is stored: the periodic requeue picks it up
        logger.exception("could not queue delivery", extra={"delivery": delivery_id})


def retry_delay(attempts: int) -> timedelta:
    """30 s, 1, 2, 4, 8, 16, 32 min, then hourly: about two hours before giving up."""
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))


def process_delivery(delivery_id: int) -> DeliveryStatus | None:
    """Hand a stored delivery's event to its receivers; return the new status.

    1. Lock the row and skip it unless it is pending or retrying (another worker got
       there first, or it was processed before a redelivered task arrived).
    2. Parse the stored body and send ``lifecycle_event``; the receivers' writes commit
       together with status PROCESSED, or not at all.
    3. If anything raised, record the attempt and the error and schedule the next try;
       after ``MAX_ATTEMPTS`` the delivery is FAILED, visible and replayable.
    """
    try:
        with transaction.atomic():
            delivery = (
                WebhookDelivery.objects.select_for_update(of=("self",))  # not the installation row
                .select_related("installation")
                .filter(pk=delivery_id, status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING])
                .first()
            )
            if delivery is None:
                return None
            event = WEBHOOKS[delivery.event_type].parse(json.loads(bytes(delivery.body)))
            lifecycle_event.send(sender=type(event), installation=delivery.installation, event=event)
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                status=DeliveryStatus.PROCESSED,
                attempts=delivery.attempts + 1,
                processed_at=timezone.now(),
                next_attempt_at=None,
                last_error="",
            )
            return DeliveryStatus.PROCESSED
    except Exception as exc:
        return record_failure(delivery_id, exc)


def record_failure(delivery_id: int, exc: Exception) -> DeliveryStatus:
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    attempts = delivery.attempts + 1
    gave_up = attempts >= WebhookDelivery.MAX_ATTEMPTS
    status = DeliveryStatus.FAILED if gave_up else DeliveryStatus.RETRYING
    next_attempt_at = None if gave_up else timezone.now() + retry_delay(attempts)
    WebhookDelivery.objects.filter(pk=delivery_id).update(
        status=status,
        attempts=attempts,
        last_error=f"{exc.__class__.__name__}: {exc}",
        next_attempt_at=next_attempt_at,
    )
    log = logger.error if gave_up else logger.warning
    log(
        "processing a delivery failed",
        exc_info=exc,
        extra={"delivery": delivery_id, "event": delivery.event_type, "attempts": attempts, "status": status},
    )
    if next_attempt_at is not None:
        enqueue(delivery_id, eta=next_attempt_at)
    return status


#: A due delivery is re-queued only when its task should have run this long ago, so the
#: periodic sweep does not race a task that is merely waiting in the broker.
REQUEUE_GRACE = timedelta(minutes=5)


def requeue_due_deliveries(limit: int = 1000) -> int:
    """Queue pending or retrying deliveries whose time passed without being processed."""
    cutoff = timezone.now() - REQUEUE_GRACE
    due = list(
        WebhookDelivery.objects.filter(
            status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING], next_attempt_at__lte=cutoff
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for delivery_id in due:
        enqueue(delivery_id)
    batches.flush()  # a periodic task: publish now rather than leave it to the thread
    return len(due)


def replay(queryset) -> int:
    """Queue deliveries again (failed ones after a fix): they become pending, attempts reset."""
    ids = list(queryset.exclude(status=DeliveryStatus.MALFORMED).values_list("pk", flat=True))
    WebhookDelivery.objects.filter(pk__in=ids).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now(), processed_at=None
    )
    for delivery_id in ids:
        transaction.on_commit(lambda delivery_id=delivery_id: enqueue(delivery_id))
    return len(ids)
