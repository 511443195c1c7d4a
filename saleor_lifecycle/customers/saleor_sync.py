"""Writing each customer's stage into their Saleor metadata (``lifecycle.*`` keys).

Transitions only mark the customer (``saleor_metadata_pending``); this periodic job
writes the marks in batches, rate-limited, so a burst of transitions never floods the
shop's API and a Saleor outage only delays the writes.
"""

import logging
import time

from ..saleor_app.models import Installation
from ..saleor_client import SaleorClient, SaleorPermanentError
from .models import Customer, LifecycleSettings

logger = logging.getLogger(__name__)

METADATA_PREFIX = "lifecycle."


def stage_metadata(customer: Customer) -> list[dict[str, str]]:
    return [
        {"key": f"{METADATA_PREFIX}stage", "value": customer.stage},
        {"key": f"{METADATA_PREFIX}stage_since", "value": customer.stage_since.isoformat()},
    ]


def sync_stage_metadata(
    installation: Installation, *, client: SaleorClient | None = None, limit: int = 200, per_second: float = 5.0
) -> int:
    """Write up to ``limit`` pending stages into Saleor; return how many were written.

    A write that Saleor refuses for good (e.g. the user was deleted meanwhile) is logged
    and not retried; a retryable failure stops the batch and leaves the rest pending.
    """
    pending = Customer.objects.filter(installation=installation, saleor_metadata_pending=True)
    if not LifecycleSettings.for_installation(installation).write_saleor_metadata:
        return 0
    # Guests have no Saleor user to write to.
    pending.filter(saleor_user_id__isnull=True).update(saleor_metadata_pending=False)
    client = client or SaleorClient.for_installation(installation)
    written = 0
    for customer in pending.exclude(saleor_user_id__isnull=True).order_by("updated_at")[:limit]:
        started = time.monotonic()
        try:
            data = client.execute(
                "mutations/update_lifecycle_metadata",
                {"id": customer.saleor_user_id, "input": stage_metadata(customer)},
            )
            errors = (data.get("updateMetadata") or {}).get("errors") or []
            if errors:
                raise SaleorPermanentError(f"updateMetadata: {errors}", errors=errors)
            written += 1
        except SaleorPermanentError:
            logger.warning("could not write the stage to Saleor", exc_info=True, extra={"customer": customer.pk})
        # Only clear the mark if the stage did not move again meanwhile.
        Customer.objects.filter(pk=customer.pk, stage=customer.stage, stage_since=customer.stage_since).update(
            saleor_metadata_pending=False
        )
        wait = 1 / per_second - (time.monotonic() - started)
        if wait > 0:
            time.sleep(wait)
    return written


def pending_installations():
    return Installation.objects.active().filter(customers__saleor_metadata_pending=True).distinct()
