"""Nightly: expired codes nobody used leave Saleor, and so do vouchers left empty."""

from datetime import datetime

from django.db.models import Q

from ..saleor_app.models import Installation
from ..saleor_client import SaleorClient
from .models import IssuedCode, VoucherCohort


def delete_expired_codes(installation: Installation, now: datetime, *, client: SaleorClient | None = None) -> int:
    """Delete expired, unredeemed codes from their Saleor vouchers; return how many.

    1. Per cohort with such codes, read the voucher's codes (Saleor needs their ids).
    2. Bulk-delete the ids of ours that expired unused; mark them DELETED here.
    3. A cohort voucher that expired and has no code left is deleted too.
    """
    client = client or SaleorClient.for_installation(installation)
    expired = IssuedCode.objects.filter(
        installation=installation, status=IssuedCode.Status.ACTIVE, expires_at__lt=now, redeemed_order__isnull=True
    )
    deleted = 0
    for cohort in VoucherCohort.objects.filter(pk__in=expired.values("cohort")).exclude(saleor_voucher_id=""):
        ours = set(expired.filter(cohort=cohort).values_list("code", flat=True))
        in_saleor = {
            node["code"]: node
            for page in client.paginate("queries/voucher_codes", "codes", {"id": cohort.saleor_voucher_id}, nested="voucher")
            for node in page.nodes
        }
        unused = [in_saleor[code]["id"] for code in ours if code in in_saleor and not in_saleor[code].get("used")]
        if unused:
            data = client.execute("mutations/voucher_code_bulk_delete", {"ids": unused})
            deleted += (data.get("voucherCodeBulkDelete") or {}).get("count", 0)
        expired.filter(cohort=cohort, code__in=ours).update(status=IssuedCode.Status.DELETED)
        if len(in_saleor) == len(unused) and cohort.expires_on < now.date():
            client.execute("mutations/voucher_delete", {"id": cohort.saleor_voucher_id})
            VoucherCohort.objects.filter(pk=cohort.pk).update(saleor_voucher_id="")
    return deleted


def installations_with_expired_codes(now: datetime):
    return Installation.objects.active().filter(
        Q(issued_codes__status=IssuedCode.Status.ACTIVE) & Q(issued_codes__expires_at__lt=now)
    ).distinct()
