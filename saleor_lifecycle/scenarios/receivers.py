from django.dispatch import receiver
from django.utils import timezone

from ..customers.models import Customer, Order, StageTransition
from ..customers.signals import customer_erased, stage_changed
from ..customers.stages import Stage
from ..events import types
from ..events.signals import lifecycle_event
from ..saleor_app.install import installation_registered
from ..saleor_app.models import Installation
from . import carts
from .definitions import ExitWhen, TriggerKind
from .enrollment import enabled_scenarios, enroll, exit_enrollments, install_library
from .models import Checkout, CheckoutStatus, EnrollmentStatus

ACTIVE_STAGES = {Stage.NEW, Stage.RETURNING}


def triggered_by(transition: StageTransition, kind: str, stage: str | None) -> bool:
    if kind == TriggerKind.STAGE_ENTERED:
        return transition.to_stage == stage
    if kind == TriggerKind.FIRST_ORDER:
        return transition.from_stage == Stage.PROSPECT and transition.to_stage == Stage.NEW
    if kind == TriggerKind.CAME_BACK:
        return transition.from_stage in (Stage.LAPSED, Stage.SUNSET) and transition.to_stage in ACTIVE_STAGES
    return False


@receiver(stage_changed, sender=Customer, dispatch_uid="scenarios.enroll_on_stage_change")
def enroll_on_stage_change(customer: Customer, transition: StageTransition, **kwargs) -> None:
    """Customers enter scenarios as their stage changes (not when history is imported)."""
    if transition.reason == "backfill":
        return
    now = timezone.now()
    for scenario, definition in sorted(
        enabled_scenarios(customer.installation), key=lambda pair: -pair[1].priority
    ):
        if triggered_by(transition, definition.trigger.kind, definition.trigger.stage):
            enroll(scenario, customer, entry_key=f"transition:{transition.pk}", now=now)


@receiver(lifecycle_event, sender=types.OrderEvent, dispatch_uid="scenarios.order")
def on_order(installation: Installation, event: types.OrderEvent, **kwargs) -> None:
    """Every step stops as soon as the customer orders (the engine checks again anyway)."""
    carts.do_convert_checkout(installation, event.order)
    order = Order.objects.filter(installation=installation, saleor_id=event.order.id).select_related("customer").first()
    if order is None or order.customer is None or not order.counts:
        return
    now = timezone.now()
    exit_enrollments(order.customer, f"ordered (#{order.number})", now, exit_when=ExitWhen.ORDERED, ordered_at=order.created)
    if order.status == "FULFILLED":
        for scenario, definition in enabled_scenarios(installation):
            if definition.trigger.kind == TriggerKind.ORDER_FULFILLED:
                enroll(scenario, order.customer, entry_key=f"fulfilled:{order.saleor_id}", now=now)


@receiver(lifecycle_event, sender=types.CheckoutEvent, dispatch_uid="scenarios.checkout")
def on_checkout(installation: Installation, event: types.CheckoutEvent, **kwargs) -> None:
    carts.do_apply_checkout(installation, event.checkout, now=timezone.now())


@receiver(installation_registered, dispatch_uid="scenarios.library")
def give_the_shop_its_library(installation: Installation, **kwargs) -> None:
    install_library(installation)


@receiver(customer_erased, sender=Customer, dispatch_uid="scenarios.erase")
def forget_erased_customer(customer: Customer, **kwargs) -> None:
    """No more steps for them, and their carts lose the address and what was in them."""
    now = timezone.now()
    customer.enrollments.filter(status=EnrollmentStatus.ACTIVE).update(
        status=EnrollmentStatus.EXITED, exit_reason="customer erased", finished_at=now, next_run_at=None
    )
    Checkout.objects.filter(customer=customer).update(email="", lines=[], status=CheckoutStatus.EMPTIED, abandon_at=None)
