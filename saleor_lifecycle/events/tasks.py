from celery import shared_task

from . import ingest


@shared_task(name="events.process_delivery")
def process_delivery_task(delivery_id: int) -> str | None:
    return ingest.process_delivery(delivery_id)


@shared_task(name="events.requeue_due_deliveries")
def requeue_due_deliveries_task() -> int:
    return ingest.requeue_due_deliveries()
