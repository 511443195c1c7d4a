"""The seam between the API and the customer's offers (voucher codes issued to them).

Vouchers are built elsewhere (``saleor_lifecycle.offers``). Until that work exposes a
read function, customers have no offers here: ``offers_for`` answers an empty list, and
``me { offers }`` and ``customer { offers }`` already have the shape they will keep.
To connect them, make ``offers_for`` return the customer's usable codes (active, not
expired, not redeemed) as ``OfferView`` rows; nothing else in the API changes.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from ..customers.models import Customer


@dataclass(frozen=True)
class OfferView:
    #: the voucher code to type at checkout
    code: str
    #: free_shipping, percentage, fixed_amount or gift (scenarios.definitions.OfferKind)
    kind: str
    #: percent or amount in the channel's currency
    value: Decimal
    expires_at: datetime


def offers_for(customer: Customer, now: datetime) -> list[OfferView]:
    """The customer's usable offers at ``now``, soonest to expire first. None yet (see above)."""
    return []
