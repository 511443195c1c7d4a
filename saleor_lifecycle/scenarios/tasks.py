from celery import shared_task
from django.utils import timezone

from . import carts, engine


@shared_task(name="scenarios.run_due")
def run_due_task() -> int:
    """Every 30 s: run the enrollments whose next step is due (leased, in batches)."""
    ran, total = None, 0
    while ran != 0 and total < 5000:
        ran = engine.run_due(timezone.now())
        total += ran
    return total


@shared_task(name="scenarios.detect_abandoned")
def detect_abandoned_task() -> int:
    return carts.detect_abandoned(timezone.now())
