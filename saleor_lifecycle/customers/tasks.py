from celery import shared_task
from django.utils import timezone

from ..saleor_app.models import Installation
from . import actions, recompute


@shared_task(name="customers.advance_due_stages")
def advance_due_stages_task() -> int:
    return actions.advance_due_stages(timezone.now())


@shared_task(name="customers.recompute_all")
def recompute_all_task() -> None:
    """Daily: each shop's reorder interval, order totals, stages, RFM and predictions."""
    for installation_id in Installation.objects.active().values_list("pk", flat=True):
        recompute_installation_task.delay(installation_id)


@shared_task(name="customers.recompute_installation")
def recompute_installation_task(installation_id: int) -> int:
    """Totals, interval, stages and RFM, then the purchase models refitted on them."""
    from .predictions import refit

    installation = Installation.objects.get(pk=installation_id)
    changed = recompute.recompute_installation(installation, timezone.now())
    refit(installation, timezone.now())
    return changed


@shared_task(name="customers.backfill", bind=True, max_retries=10)
def backfill_task(self, installation_id: int) -> None:
    from ..saleor_client import SaleorRetryableError
    from .backfill import backfill

    installation = Installation.objects.get(pk=installation_id)
    try:
        backfill(installation)
    except SaleorRetryableError as exc:
        # Resumes from the stored cursors: nothing fetched so far is fetched again.
        raise self.retry(exc=exc, countdown=min(60 * 2**self.request.retries, 3600)) from exc


@shared_task(name="customers.sync_stage_metadata")
def sync_stage_metadata_task() -> int:
    """Every minute: write pending stages into each shop's Saleor user metadata."""
    from ..saleor_client import SaleorRetryableError
    from .saleor_sync import pending_installations, sync_stage_metadata

    written = 0
    for installation in pending_installations():
        try:
            written += sync_stage_metadata(installation)
        except SaleorRetryableError:
            continue  # still pending: the next run tries again
    return written
