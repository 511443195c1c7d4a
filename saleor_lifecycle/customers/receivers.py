from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from ..events import types
from ..events.signals import lifecycle_event
from ..saleor_app.install import installation_registered
from ..saleor_app.models import Installation
from . import actions


@receiver(lifecycle_event, sender=types.OrderEvent, dispatch_uid="customers.order")
def on_order(installation: Installation, event: types.OrderEvent, **kwargs) -> None:
    actions.do_apply_order(installation, event.order, now=timezone.now())


@receiver(lifecycle_event, sender=types.CustomerEvent, dispatch_uid="customers.customer")
def on_customer(installation: Installation, event: types.CustomerEvent, **kwargs) -> None:
    if event.event_type == "CUSTOMER_DELETED":
        actions.do_erase_customer(installation, event.customer.id, now=timezone.now())
    else:
        actions.do_apply_customer(installation, event.customer, now=timezone.now())


@receiver(installation_registered, dispatch_uid="customers.backfill_after_install")
def backfill_after_install(installation: Installation, **kwargs) -> None:
    """A shop with years of history gets correct stages the day it installs."""
    from .tasks import backfill_task

    transaction.on_commit(lambda: backfill_task.delay(installation.pk))
