from celery import shared_task
from django.utils import timezone

from ..saleor_client import SaleorRetryableError
from .cleanup import delete_expired_codes, installations_with_expired_codes


@shared_task(name="offers.delete_expired_codes", bind=True, max_retries=5)
def delete_expired_codes_task(self) -> int:
    now = timezone.now()
    deleted = 0
    for installation in installations_with_expired_codes(now):
        try:
            deleted += delete_expired_codes(installation, now)
        except SaleorRetryableError as exc:
            raise self.retry(exc=exc, countdown=600) from exc
    return deleted
