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


@shared_task(name="scenarios.mark_abandoned_in_saleor")
def mark_abandoned_in_saleor_task() -> int:
    from ..saleor_app.models import Installation
    from ..saleor_client import SaleorRetryableError
    from .models import Checkout

    written = 0
    for installation in Installation.objects.active().filter(pk__in=Checkout.objects.filter(saleor_mark_pending=True).values("installation")):
        try:
            written += carts.mark_abandoned_in_saleor(installation)
        except SaleorRetryableError:
            continue  # still pending: the next run tries again
    return written


@shared_task(name="scenarios.enroll_anniversaries")
def enroll_anniversaries_task() -> int:
    from ..saleor_app.models import Installation
    from .enrollment import enroll_first_order_anniversaries

    now = timezone.now()
    return sum(enroll_first_order_anniversaries(installation, now) for installation in Installation.objects.active())
