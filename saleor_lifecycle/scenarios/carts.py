"""Abandoned carts, inferred: Saleor has no "checkout abandoned" event.

A checkout with an email and lines that stays idle for ``cart_idle_minutes`` while no
order carries its id is abandoned. It stops being a reminder target when an order with
its id (or any order by that customer) arrives, when it is emptied, or when the same
customer starts a newer checkout.
"""

from datetime import datetime, timedelta

from django.db import transaction

from ..customers.actions import find_or_create_customer
from ..customers.models import Order
from ..events import types
from ..saleor_app.models import Installation
from .definitions import TriggerKind
from .enrollment import enabled_scenarios, enroll
from .models import Checkout, CheckoutStatus, ContactPolicy, Enrollment, EnrollmentStatus


def line_summary(line: types.CheckoutLine) -> dict:
    return {
        "product_name": line.product_name,
        "variant_name": line.variant_name,
        "quantity": line.quantity,
        "total": str(line.total),
        "thumbnail_url": line.thumbnail_url,
        "product_id": line.product_id,
        "product_slug": line.product_slug,
    }


def do_apply_checkout(installation: Installation, checkout: types.Checkout, *, now: datetime) -> Checkout | None:
    """CHECKOUT_CREATED/UPDATED: keep the newest state and when it would count as abandoned."""
    idle = timedelta(minutes=ContactPolicy.for_installation(installation).cart_idle_minutes)
    with transaction.atomic():
        row = Checkout.objects.select_for_update().filter(installation=installation, saleor_id=checkout.id).first()
        if row is not None and row.last_change >= checkout.last_change:
            return None  # an older or repeated payload
        if row is not None and row.status in (CheckoutStatus.CONVERTED, CheckoutStatus.SUPERSEDED):
            return row
        customer = None
        if checkout.user_id or checkout.email:
            customer = find_or_create_customer(installation, user_id=checkout.user_id, email=checkout.email, now=now)
        row = row or Checkout(installation=installation, saleor_id=checkout.id)
        row.customer = customer
        row.token = checkout.token
        row.email = (checkout.email or "").lower()
        row.channel = checkout.channel
        row.currency = checkout.currency
        row.total = checkout.total
        row.lines = [line_summary(line) for line in checkout.lines]
        row.last_change = checkout.last_change
        if not checkout.lines:
            row.status, row.abandon_at = CheckoutStatus.EMPTIED, None
        else:
            row.status, row.abandon_at = CheckoutStatus.ACTIVE, checkout.last_change + idle
        row.save()
        if row.status == CheckoutStatus.EMPTIED:
            stop_reminders([row.pk], "checkout emptied", now)
        if customer is not None:
            # A newer checkout of the same customer supersedes the older ones.
            older = (
                Checkout.objects.filter(customer=customer, status__in=[CheckoutStatus.ACTIVE, CheckoutStatus.ABANDONED])
                .exclude(pk=row.pk)
                .filter(last_change__lt=row.last_change)
            )
            older_ids = list(older.values_list("pk", flat=True))
            Checkout.objects.filter(pk__in=older_ids).update(status=CheckoutStatus.SUPERSEDED, abandon_at=None)
            stop_reminders(older_ids, "checkout superseded", now)
        return row


def stop_reminders(checkout_ids: list[int], reason: str, now: datetime) -> int:
    """End the reminder series of these checkouts at once (not at their next step):
    a customer runs one cart series at a time, and a newer cart must be able to start."""
    return Enrollment.objects.filter(checkout_id__in=checkout_ids, status=EnrollmentStatus.ACTIVE).update(
        status=EnrollmentStatus.EXITED, exit_reason=reason, finished_at=now, next_run_at=None
    )


def do_convert_checkout(installation: Installation, order: types.Order) -> int:
    """An order from this checkout arrived: no more reminders for it."""
    if not order.checkout_id:
        return 0
    return Checkout.objects.filter(installation=installation, saleor_id=order.checkout_id).update(
        status=CheckoutStatus.CONVERTED, abandon_at=None
    )


def detect_abandoned(now: datetime, *, batch_size: int = 500) -> int:
    """Mark idle checkouts abandoned and enroll their customers; return how many."""
    abandoned = 0
    due = Checkout.objects.filter(status=CheckoutStatus.ACTIVE, abandon_at__lte=now).select_related(
        "customer", "installation"
    )
    for checkout in due.order_by("abandon_at")[:batch_size]:
        with transaction.atomic():
            ordered = Order.objects.filter(installation=checkout.installation, checkout_id=checkout.saleor_id).exists()
            status = CheckoutStatus.CONVERTED if ordered else CheckoutStatus.ABANDONED
            claimed = Checkout.objects.filter(pk=checkout.pk, status=CheckoutStatus.ACTIVE, abandon_at=checkout.abandon_at).update(
                status=status, abandoned_at=None if ordered else now, abandon_at=None, saleor_mark_pending=not ordered
            )
            if not claimed or ordered or checkout.customer is None:
                continue
            abandoned += 1
            checkout.status = status
            for scenario, definition in enabled_scenarios(checkout.installation):
                if definition.trigger.kind == TriggerKind.CART_ABANDONED:
                    enroll(scenario, checkout.customer, entry_key=f"checkout:{checkout.pk}", now=now, checkout=checkout)
    return abandoned


def checkout_metadata(checkout: Checkout) -> list[dict[str, str]]:
    return [
        {"key": "lifecycle.abandoned_at", "value": checkout.abandoned_at.isoformat()},
        {"key": "lifecycle.reminder_stage", "value": str(checkout.reminders_sent)},
    ]


def mark_abandoned_in_saleor(installation: Installation, *, client=None, limit: int = 200) -> int:
    """Write lifecycle.abandoned_at and the reminder stage into Saleor's checkout metadata,
    so other apps and the storefront can react (Saleor has no abandoned-checkout event)."""
    from ..saleor_client import SaleorClient, SaleorPermanentError

    client = client or SaleorClient.for_installation(installation)
    written = 0
    pending = Checkout.objects.filter(installation=installation, saleor_mark_pending=True, abandoned_at__isnull=False)
    for checkout in pending[:limit]:
        try:
            data = client.execute(
                "mutations/update_lifecycle_metadata", {"id": checkout.saleor_id, "input": checkout_metadata(checkout)}
            )
            written += not (data.get("updateMetadata") or {}).get("errors")
        except SaleorPermanentError:
            pass  # Saleor deleted the checkout meanwhile: nothing left to mark
        Checkout.objects.filter(pk=checkout.pk, reminders_sent=checkout.reminders_sent).update(saleor_mark_pending=False)
    return written
