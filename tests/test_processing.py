"""The worker's side: each stored delivery reaches the receivers, failures are retried."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from saleor_lifecycle.events import ingest, types
from saleor_lifecycle.events.models import DeliveryStatus, WebhookDelivery
from saleor_lifecycle.events.registry import WEBHOOKS
from saleor_lifecycle.events.signals import lifecycle_event
from saleor_lifecycle.saleor_app.models import Installation

from .saleor_events import render


@pytest.fixture
def received():
    events = []

    def receiver(sender, installation, event, **kwargs):
        events.append((installation, event))

    lifecycle_event.connect(receiver, dispatch_uid="test-receiver")
    yield events
    lifecycle_event.disconnect(dispatch_uid="test-receiver")


@pytest.fixture
def failing_receiver():
    def receiver(sender, **kwargs):
        raise ConnectionError("the database of a partner is down")

    lifecycle_event.connect(receiver, dispatch_uid="test-failing")
    yield
    lifecycle_event.disconnect(dispatch_uid="test-failing")


def store(installation, fake_saleor, event="ORDER_CREATED", **fields) -> WebhookDelivery:
    import json

    body = json.dumps(render(fake_saleor, event, **fields)).encode()
    delivery, created = ingest.store_delivery(installation, WEBHOOKS[event], body, {})
    assert created
    return delivery


def test_it_hands_the_typed_event_to_receivers_and_marks_it_processed(installation, fake_saleor, received):
    delivery = store(installation, fake_saleor)

    assert ingest.process_delivery(delivery.pk) == DeliveryStatus.PROCESSED

    [(for_installation, event)] = received
    assert for_installation == installation
    assert isinstance(event, types.OrderEvent)
    assert event.order.email == "ada@example.com"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PROCESSED
    assert delivery.attempts == 1
    assert delivery.processed_at is not None


def test_a_delivery_is_processed_once_even_when_queued_twice(installation, fake_saleor, received):
    delivery = store(installation, fake_saleor)
    ingest.process_delivery(delivery.pk)
    assert ingest.process_delivery(delivery.pk) is None
    assert len(received) == 1


def test_a_failure_is_recorded_and_retried_with_backoff(installation, fake_saleor, failing_receiver, queued):
    delivery = store(installation, fake_saleor)

    with time_machine.travel("2026-11-23 10:00:00+00:00", tick=False):
        assert ingest.process_delivery(delivery.pk) == DeliveryStatus.RETRYING

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.RETRYING
    assert delivery.attempts == 1
    assert delivery.last_error == "ConnectionError: the database of a partner is down"
    assert delivery.next_attempt_at == datetime(2026, 11, 23, 10, 0, 30, tzinfo=UTC)
    assert queued == [(delivery.pk, {"eta": delivery.next_attempt_at})]


def test_after_max_attempts_it_is_failed_visible_and_replayable(installation, fake_saleor, failing_receiver, queued, received):
    delivery = store(installation, fake_saleor)
    for _ in range(WebhookDelivery.MAX_ATTEMPTS):
        status = ingest.process_delivery(delivery.pk)
    assert status == DeliveryStatus.FAILED
    delivery.refresh_from_db()
    assert delivery.attempts == WebhookDelivery.MAX_ATTEMPTS
    assert delivery.next_attempt_at is None
    assert ingest.process_delivery(delivery.pk) is None  # no longer due

    lifecycle_event.disconnect(dispatch_uid="test-failing")  # "the bug is fixed"
    queued.clear()
    call_command("deliveries", "--replay")
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 0
    assert ingest.process_delivery(delivery.pk) == DeliveryStatus.PROCESSED
    assert len(received) == 1


def test_retry_delays_grow_to_an_hour():
    delays = [ingest.retry_delay(attempt).total_seconds() for attempt in range(1, 10)]
    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_deliveries_whose_queue_message_was_lost_are_queued_again(installation, fake_saleor, queued):
    late = store(installation, fake_saleor, "ORDER_CREATED")
    recent = store(installation, fake_saleor, "ORDER_UPDATED")
    WebhookDelivery.objects.filter(pk=late.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=10))

    assert ingest.requeue_due_deliveries() == 1
    assert queued == [(late.pk, {})]
    assert recent.pk not in [delivery_id for delivery_id, _ in queued]


def test_app_deleted_deactivates_the_installation(installation, fake_saleor):
    delivery = store(installation, fake_saleor, "APP_DELETED")
    ingest.process_delivery(delivery.pk)
    assert not Installation.objects.get().is_active


def test_the_deliveries_command_lists_status_and_errors(installation, fake_saleor, failing_receiver, queued, capsys):
    delivery = store(installation, fake_saleor)
    ingest.process_delivery(delivery.pk)

    call_command("deliveries", "--status", "retrying")

    output = capsys.readouterr().out
    assert "ORDER_CREATED" in output
    assert "retrying" in output
    assert "ConnectionError" in output
