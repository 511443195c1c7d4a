from django.dispatch import receiver

from ..saleor_app.models import Installation
from .signals import lifecycle_event
from .types import AppDeletedEvent


@receiver(lifecycle_event, sender=AppDeletedEvent, dispatch_uid="deactivate_installation")
def deactivate_installation(installation: Installation, event: AppDeletedEvent, **kwargs) -> None:
    """The shop uninstalled the app: stop accepting its deliveries, keep its data."""
    Installation.objects.filter(pk=installation.pk).update(is_active=False)
