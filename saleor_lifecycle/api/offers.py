"""The customer's offers: the voucher codes scenario steps issued to them (``offers.IssuedCode``).

The storefront sees what the customer can still use (``offers_for``); staff see every code
the customer was sent, with what became of it (``issued_offers``).
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import QuerySet

from ..customers.models import Customer
from ..offers.models import IssuedCode


class OfferStatus:
    """What became of a code (``OfferStatus`` in the schema)."""

    #: stored, not yet confirmed in Saleor (its email is not sent yet)
    PENDING = "pending"
    #: in Saleor and usable until it expires
    ACTIVE = "active"
    #: an order used it
    USED = "used"
    #: expired unused (still in Saleor until the nightly cleanup)
    EXPIRED = "expired"
    #: expired unused and deleted from Saleor
    DELETED = "deleted"

    CHOICES = [
        (PENDING, "Created, not yet in Saleor."),
        (ACTIVE, "In Saleor, usable until it expires."),
        (USED, "An order used it."),
        (EXPIRED, "Expired unused."),
        (DELETED, "Expired unused and deleted from Saleor."),
    ]


@dataclass(frozen=True)
class OfferView:
    #: the voucher code to type at checkout
    code: str
    #: free_shipping, percentage, fixed_amount or gift (scenarios.definitions.OfferKind)
    kind: str
    #: percent or amount in the channel's currency
    value: Decimal
    expires_at: datetime
    status: str
    issued_at: datetime

    @property
    def used(self) -> bool:
        return self.status == OfferStatus.USED


def status_of(code: IssuedCode, now: datetime) -> str:
    if code.redeemed_order_id is not None:
        return OfferStatus.USED
    if code.status == IssuedCode.Status.DELETED:
        return OfferStatus.DELETED
    if code.expires_at <= now:
        return OfferStatus.EXPIRED
    if code.status == IssuedCode.Status.PENDING:
        return OfferStatus.PENDING
    return OfferStatus.ACTIVE


def _view(code: IssuedCode, now: datetime) -> OfferView:
    return OfferView(
        code=code.code,
        kind=code.kind,
        value=code.value,
        expires_at=code.expires_at,
        status=status_of(code, now),
        issued_at=code.created_at,
    )


def _codes(customer: Customer) -> QuerySet:
    if customer.pk is None:  # a storefront customer the app has not stored yet
        return IssuedCode.objects.none()
    return IssuedCode.objects.filter(customer=customer, installation_id=customer.installation_id)


def offers_for(customer: Customer, now: datetime) -> list[OfferView]:
    """The codes the customer can use at ``now`` (in Saleor, not expired, not used), soonest to expire first."""
    usable = _codes(customer).filter(
        status=IssuedCode.Status.ACTIVE, expires_at__gt=now, redeemed_order__isnull=True
    ).order_by("expires_at", "pk")
    return [_view(code, now) for code in usable]


def issued_offers(customer: Customer, now: datetime) -> list[OfferView]:
    """Every code the customer was sent, newest first, with what became of it."""
    return [_view(code, now) for code in _codes(customer).order_by("-created_at", "-pk")]
