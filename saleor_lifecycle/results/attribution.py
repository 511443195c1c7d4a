"""Crediting orders to scenario steps, and taking the credit back when they stop counting."""

from datetime import datetime, timedelta

from django.db import transaction

from ..customers.models import Order
from ..offers.models import IssuedCode
from ..scenarios.models import StepRun, StepRunStatus
from .models import Attribution


def do_attribute_order(order: Order, now: datetime) -> Attribution | None:
    """Idempotent: the order's attribution after this call matches its current state.

    1. An order that no longer counts (cancelled, refunded) loses its attribution and
       frees the code it used.
    2. An order with one of our codes is credited to the step that sent the code.
    3. Otherwise the last email sent to the customer within the scenario's window
       before the order gets the credit (last touch).
    """
    with transaction.atomic():
        if not order.counts or order.customer_id is None:
            Attribution.objects.filter(order=order).delete()
            IssuedCode.objects.filter(redeemed_order=order).update(redeemed_order=None)
            return None
        code = None
        if order.voucher_code:
            code = (
                IssuedCode.objects.filter(installation_id=order.installation_id, code__iexact=order.voucher_code)
                .select_related("step_run__enrollment__scenario")
                .first()
            )
        if code is not None:
            IssuedCode.objects.filter(pk=code.pk).update(redeemed_order=order)
            step_run, via = code.step_run, Attribution.Via.CODE
        else:
            step_run, via = last_touch(order), Attribution.Via.WINDOW
        if step_run is None:
            Attribution.objects.filter(order=order).delete()
            return None
        attribution, _ = Attribution.objects.update_or_create(
            order=order,
            defaults={
                "installation_id": order.installation_id,
                "step_run": step_run,
                "scenario": step_run.enrollment.scenario,
                "via": via,
                "revenue": order.total - order.refunded,
                "discount": order.discount,
                "attributed_at": now,
            },
        )
        return attribution


def last_touch(order: Order) -> StepRun | None:
    candidates = (
        StepRun.objects.filter(
            customer_id=order.customer_id,
            status=StepRunStatus.SENT,
            sent_at__lte=order.created,
            sent_at__gte=order.created - timedelta(days=30),
        )
        .select_related("enrollment__scenario")
        .order_by("-sent_at")
    )
    for run in candidates[:10]:
        window = timedelta(days=run.enrollment.scenario.attribution_window_days)
        if run.sent_at >= order.created - window:
            return run
    return None
