from celery import shared_task

from . import ingest


@shared_task(name="events.process_delivery")
def process_delivery_task(delivery_id: int) -> str | None:
    return ingest.process_delivery(delivery_id)


@shared_task(name="events.process_deliveries")
def process_deliveries_task(delivery_ids: list[int]) -> list[str | None]:
    """Deliveries queued together (``ingest.enqueue``), each in its own transaction.

    A failure is recorded on its delivery and retried on its own (``record_failure``);
    the others in the batch go on. Redelivered after a worker crash, the batch skips
    what was processed already (``process_delivery`` locks and checks the status).
    """
    return [ingest.process_delivery(delivery_id) for delivery_id in delivery_ids]


@shared_task(name="events.requeue_due_deliveries")
def requeue_due_deliveries_task() -> int:
    return ingest.requeue_due_deliveries()
