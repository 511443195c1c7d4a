from datetime import datetime

from ..customers.models import Customer
from ..scenarios.enrollment import exit_enrollments
from ..scenarios.definitions import ExitWhen


def suppress(customer: Customer, reason: str, now: datetime) -> None:
    """A hard bounce or a complaint: never mail this address again, stop its scenarios."""
    Customer.objects.filter(pk=customer.pk, suppressed_at__isnull=True).update(
        suppressed_at=now, suppression_reason=reason
    )
    if reason == "complaint":
        Customer.objects.filter(pk=customer.pk).update(marketing_consent=False, consent_updated_at=now)
    exit_enrollments(customer, f"address {reason}", now, exit_when=ExitWhen.BOUNCED)
