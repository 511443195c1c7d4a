from django.db import models

from ..customers.models import Customer, Order
from ..saleor_app.models import Installation
from ..scenarios.models import StepRun


class VoucherCohort(models.Model):
    """One Saleor voucher per offer and expiry day: Saleor codes have no expiry or owner
    of their own, so codes that share terms and end date share a voucher."""

    installation = models.ForeignKey(Installation, on_delete=models.CASCADE, related_name="voucher_cohorts")
    #: the offer's terms and channel, e.g. "percentage:10:min=:default-channel"
    terms = models.CharField(max_length=255)
    expires_on = models.DateField()
    saleor_voucher_id = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["installation", "terms", "expires_on"], name="voucher_cohort_once")
        ]


class IssuedCode(models.Model):
    """A single-use code sent to one customer by one step run (its idempotency key)."""

    class Status(models.TextChoices):
        #: stored, not yet confirmed in Saleor
        PENDING = "pending", "Pending"
        #: in Saleor, usable
        ACTIVE = "active", "Active"
        #: expired unused and deleted from Saleor
        DELETED = "deleted", "Deleted"

    installation = models.ForeignKey(Installation, on_delete=models.CASCADE, related_name="issued_codes")
    step_run = models.OneToOneField(StepRun, on_delete=models.PROTECT, related_name="issued_code")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="issued_codes")
    cohort = models.ForeignKey(VoucherCohort, on_delete=models.PROTECT, related_name="codes")
    code = models.CharField(max_length=64)
    kind = models.CharField(max_length=32)
    value = models.DecimalField(max_digits=12, decimal_places=2)
    expires_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    redeemed_order = models.ForeignKey(Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["installation", "code"], name="issued_code_unique")]
