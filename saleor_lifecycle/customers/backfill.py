"""Importing a shop's history from Saleor: customers, then orders, resumably.

Each page is stored with the cursor after it in one transaction, so an interrupted
backfill resumes after the last stored page: nothing is skipped, and anything fetched
twice is absorbed by the projections' version keys.
"""

import logging
import time
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from ..events.parsers import PayloadError, customer_from, order_from
from ..saleor_app.models import Installation
from ..saleor_client import SaleorClient
from . import actions
from .models import BackfillState
from .recompute import recompute_installation

logger = logging.getLogger(__name__)

Progress = Callable[[BackfillState], None]

KINDS = [
    # kind, document, connection, parser, projection
    (BackfillState.Kind.CUSTOMERS, "queries/customers", "customers", customer_from, actions.do_apply_customer),
    (BackfillState.Kind.ORDERS, "queries/orders", "orders", order_from, actions.do_apply_order),
]


def backfill(
    installation: Installation,
    *,
    client: SaleorClient | None = None,
    page_size: int = 100,
    pages_per_second: float = 4.0,
    progress: Progress | None = None,
    restart: bool = False,
) -> dict[str, int]:
    """Fetch every customer and order of the shop, then recompute stages and RFM.

    1. For customers, then orders: continue from the stored cursor (or the start).
    2. Apply each page through the same projections as webhooks, and store the page's
       end cursor in the same transaction.
    3. Wait between pages to stay within ``pages_per_second`` (be polite to the shop).
    4. When both are done, recompute the shop's interval, stages and RFM.
    Network errors and Saleor outages propagate (SaleorRetryableError): run it again
    and it resumes.
    """
    client = client or SaleorClient.for_installation(installation)
    counts = {}
    for kind, document, connection, parse, apply in KINDS:
        state, _ = BackfillState.objects.get_or_create(installation=installation, kind=kind)
        if restart:
            state.cursor, state.fetched, state.finished_at = None, 0, None
        if state.finished_at and not restart:
            counts[kind] = state.fetched
            continue
        state.started_at = state.started_at or timezone.now()
        state.save()
        last_page_at = 0.0
        for page in client.paginate(document, connection, after=state.cursor, page_size=page_size):
            with transaction.atomic():
                now = timezone.now()
                for node in page.nodes:
                    try:
                        apply(installation, parse(node), now=now)
                    except PayloadError as exc:
                        logger.warning("skipping an unreadable %s", kind, extra={"error": str(exc)})
                state.cursor = page.end_cursor
                state.fetched += len(page.nodes)
                state.total = page.total_count
                state.save(update_fields=["cursor", "fetched", "total"])
            if progress:
                progress(state)
            wait = 1 / pages_per_second - (time.monotonic() - last_page_at)
            if wait > 0:
                time.sleep(wait)
            last_page_at = time.monotonic()
        state.finished_at = timezone.now()
        state.save(update_fields=["finished_at"])
        counts[kind] = state.fetched
    recompute_installation(installation, timezone.now(), reason="backfill", announce=False)
    return counts

