from django.db import models

from ..customers.models import Order
from ..saleor_app.models import Installation
from ..scenarios.models import Scenario, StepRun


class Attribution(models.Model):
    """An order credited to the scenario step that brought it: by its voucher code, or
    placed within the scenario's attribution window after an email was sent."""

    class Via(models.TextChoices):
        #: the order used the code this step sent
        CODE = "code", "Code redeemed"
        #: the order came within the window after the step's email
        WINDOW = "window", "Ordered within the window"

    installation = models.ForeignKey(Installation, on_delete=models.CASCADE, related_name="attributions")
    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="attribution")
    step_run = models.ForeignKey(StepRun, on_delete=models.CASCADE, related_name="attributions")
    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="attributions")
    via = models.CharField(max_length=8, choices=Via.choices)
    revenue = models.DecimalField(max_digits=14, decimal_places=2)
    discount = models.DecimalField(max_digits=14, decimal_places=2)
    attributed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["scenario", "attributed_at"], name="attribution_scenario")]
