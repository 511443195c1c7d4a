"""Issuing single-use voucher codes in Saleor for scenario steps.

1. The code is stored first (status PENDING), keyed by the step run: a retried step
   gets the same code, never a second one.
2. It goes into the Saleor voucher of its cohort (same terms, same expiry day): the
   first code of a cohort creates the voucher and its channel value, later ones are
   added to it.
3. Once Saleor has it, the code is ACTIVE. A code Saleor already knows (a retry after a
   crash) counts as added.
"""

import secrets
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction

from ..saleor_client import SaleorClient, SaleorError, SaleorRetryableError
from ..scenarios.definitions import Offer, OfferKind
from ..scenarios.engine import IssuedOffer
from ..scenarios.messages import SendError
from ..scenarios.models import StepRun
from .models import IssuedCode, VoucherCohort

#: no 0/O, 1/I/L: codes are read off phones and typed by hand
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
CODE_PREFIX = "LC-"

VOUCHER_TERMS = {
    OfferKind.FREE_SHIPPING: ("SHIPPING", "PERCENTAGE"),
    OfferKind.PERCENTAGE: ("ENTIRE_ORDER", "PERCENTAGE"),
    OfferKind.FIXED_AMOUNT: ("ENTIRE_ORDER", "FIXED"),
}


def new_code(prefix: str = CODE_PREFIX) -> str:
    return prefix + "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def describe(offer: Offer, currency: str = "") -> str:
    if offer.kind == OfferKind.FREE_SHIPPING:
        return "free shipping"
    if offer.kind == OfferKind.PERCENTAGE:
        return f"{offer.value:g}% off"
    return f"{offer.value:.2f} {currency} off".replace("  ", " ")


def offer_value(offer: Offer) -> Decimal:
    return Decimal("100") if offer.kind == OfferKind.FREE_SHIPPING else Decimal(str(offer.value))


def _raise_on_errors(data: dict, mutation: str) -> dict:
    payload = data.get(mutation) or {}
    errors = [error for error in payload.get("errors") or [] if error.get("code") != "ALREADY_EXISTS"]
    if errors:
        raise SendError(f"{mutation}: {errors}", permanent=True)
    return payload


class SaleorOfferIssuer:
    """Creates codes in the installation's Saleor (``OfferIssuer``)."""

    def __init__(self, client_factory=SaleorClient.for_installation):
        self.client_factory = client_factory

    def issue(self, step_run: StepRun, offer: Offer, *, channel: str, now: datetime) -> IssuedOffer:
        if offer.kind not in VOUCHER_TERMS:
            raise SendError(f"{offer.kind} offers need products chosen by the shop", permanent=True)
        installation = step_run.enrollment.installation
        expires_on = (now + timedelta(days=offer.valid_days)).astimezone(UTC).date()
        terms = f"{offer.kind}:{offer_value(offer)}:min={offer.min_order_value or ''}:{channel}"
        with transaction.atomic():
            cohort, _ = VoucherCohort.objects.get_or_create(installation=installation, terms=terms, expires_on=expires_on)
            issued, _ = IssuedCode.objects.get_or_create(
                step_run=step_run,
                defaults={
                    "installation": installation,
                    "customer": step_run.customer,
                    "cohort": cohort,
                    "code": new_code(),
                    "kind": offer.kind,
                    "value": offer_value(offer),
                    "expires_at": datetime.combine(expires_on, time(23, 59, 59), tzinfo=UTC),
                },
            )
        if issued.status == IssuedCode.Status.PENDING:
            try:
                self._add_to_saleor(issued, offer, channel)
            except SaleorRetryableError as exc:
                raise SendError(f"Saleor unavailable: {exc}") from exc
            except SaleorError as exc:
                raise SendError(f"Saleor refused the code: {exc}", permanent=True) from exc
            IssuedCode.objects.filter(pk=issued.pk).update(status=IssuedCode.Status.ACTIVE)
        return IssuedOffer(code=issued.code, expires_at=issued.expires_at, description=describe(offer))

    def _add_to_saleor(self, issued: IssuedCode, offer: Offer, channel_slug: str) -> None:
        client = self.client_factory(issued.installation)
        with transaction.atomic():
            cohort = VoucherCohort.objects.select_for_update().get(pk=issued.cohort_id)
            if cohort.saleor_voucher_id:
                data = client.execute("mutations/voucher_add_codes", {"id": cohort.saleor_voucher_id, "codes": [issued.code]})
                _raise_on_errors(data, "voucherUpdate")
                return
            voucher_type, value_type = VOUCHER_TERMS[offer.kind]
            data = client.execute(
                "mutations/voucher_create",
                {
                    "input": {
                        "name": f"Lifecycle {describe(offer)} until {cohort.expires_on:%Y-%m-%d}",
                        "type": voucher_type,
                        "discountValueType": value_type,
                        "addCodes": [issued.code],
                        "singleUse": True,
                        "applyOncePerCustomer": True,
                        "endDate": issued.expires_at.isoformat(),
                    }
                },
            )
            voucher_id = _raise_on_errors(data, "voucherCreate")["voucher"]["id"]
            channel = (client.execute("queries/channel", {"slug": channel_slug}).get("channel") or {})
            if not channel.get("id"):
                raise SendError(f"Saleor has no channel {channel_slug!r}", permanent=True)
            listing = {"channelId": channel["id"], "discountValue": str(offer_value(offer))}
            if offer.min_order_value:
                listing["minAmountSpent"] = str(offer.min_order_value)
            data = client.execute(
                "mutations/voucher_channel_listing_update", {"id": voucher_id, "input": {"addChannels": [listing]}}
            )
            _raise_on_errors(data, "voucherChannelListingUpdate")
            cohort.saleor_voucher_id = voucher_id
            cohort.save(update_fields=["saleor_voucher_id"])
