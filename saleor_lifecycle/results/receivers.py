from django.dispatch import receiver
from django.utils import timezone

from ..customers.models import Order
from ..events import types
from ..events.signals import lifecycle_event
from ..saleor_app.models import Installation
from .attribution import do_attribute_order


@receiver(lifecycle_event, sender=types.OrderEvent, dispatch_uid="results.attribute_order")
def attribute_order(installation: Installation, event: types.OrderEvent, **kwargs) -> None:
    order = Order.objects.filter(installation=installation, saleor_id=event.order.id).first()
    if order is not None:
        do_attribute_order(order, timezone.now())
