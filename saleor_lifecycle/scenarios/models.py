import functools
from datetime import time

from django.db import models
from django.db.models import Q

from ..customers.models import Customer
from ..saleor_app.models import Installation
from .definitions import ScenarioDefinition, parse_definition


class Scenario(models.Model):
    """One scenario of one shop; its steps live in versions, the current one is edited."""

    installation = models.ForeignKey(Installation, on_delete=models.CASCADE, related_name="scenarios")
    key = models.SlugField(max_length=64)
    enabled = models.BooleanField(default=False)
    #: share of customers who go through silently (nothing sent) to measure the uplift
    holdout_share = models.FloatField(default=0.10)
    #: an order this many days after an email counts as converted by it
    attribution_window_days = models.FloatField(default=5)
    current_version = models.ForeignKey(
        "ScenarioVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["installation", "key"], name="scenario_key_once")]

    def __str__(self) -> str:
        return f"{self.key} ({'on' if self.enabled else 'off'})"

    @property
    def definition(self) -> ScenarioDefinition:
        return self.current_version.parsed


class ScenarioVersion(models.Model):
    """An immutable scenario definition. Enrollments finish on the version they started."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    definition = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scenario", "number"], name="scenario_version_once")]

    @functools.cached_property
    def parsed(self) -> ScenarioDefinition:
        return parse_definition(self.definition)


class ContactPolicy(models.Model):
    """How hard a shop may press a customer: frequency budget and quiet hours."""

    installation = models.OneToOneField(Installation, on_delete=models.CASCADE, related_name="contact_policy")
    #: at most one marketing email this often
    min_hours_between = models.FloatField(default=16)
    #: and at most this many in any 7 days
    max_per_week = models.PositiveSmallIntegerField(default=3)
    #: no email between these local times (the shop's time zone)
    quiet_start = models.TimeField(default=time(21, 0))
    quiet_end = models.TimeField(default=time(8, 0))
    time_zone = models.CharField(max_length=64, default="UTC")
    #: a checkout idle this long with an email and lines, and no order, is abandoned
    cart_idle_minutes = models.PositiveIntegerField(default=60)

    @classmethod
    def for_installation(cls, installation: Installation) -> "ContactPolicy":
        policy, _ = cls.objects.get_or_create(installation=installation)
        return policy


class EnrollmentStatus(models.TextChoices):
    #: on its way through the steps
    ACTIVE = "active", "Active"
    #: ran to the end
    COMPLETED = "completed", "Completed"
    #: left early: ordered, left the stage, unsubscribed, preempted...
    EXITED = "exited", "Exited"


class Enrollment(models.Model):
    """A customer's way through one scenario version: where they are and when next."""

    installation = models.ForeignKey(Installation, on_delete=models.CASCADE, related_name="enrollments")
    # Found through enrollment_entry_once (scenario, customer, entry_key) and
    # enrollment_customer (customer, status): no index of their own, fewer to write.
    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="enrollments", db_index=False)
    version = models.ForeignKey(ScenarioVersion, on_delete=models.PROTECT, related_name="enrollments")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="enrollments", db_index=False)
    #: the checkout a cart scenario is about
    checkout = models.ForeignKey("Checkout", on_delete=models.SET_NULL, null=True, blank=True, related_name="enrollments")
    #: what made them enter, e.g. "stage:lapsed:1234" (one entry per cause, ever)
    entry_key = models.CharField(max_length=255)
    status = models.CharField(max_length=16, choices=EnrollmentStatus.choices, default=EnrollmentStatus.ACTIVE)
    #: the step to run next (None: at the end)
    step_key = models.CharField(max_length=64, null=True, blank=True)
    #: when the next step is due; while a worker holds it, the end of its lease
    next_run_at = models.DateTimeField(null=True, blank=True)
    #: in the control group: the same steps at the same times, nothing sent
    held_out = models.BooleanField(default=False)
    entered_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    exit_reason = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scenario", "customer", "entry_key"], name="enrollment_entry_once"),
            models.UniqueConstraint(
                fields=["scenario", "customer"],
                condition=Q(status="active"),
                name="enrollment_one_active_per_scenario",
            ),
        ]
        indexes = [
            models.Index(fields=["next_run_at"], name="enrollment_due", condition=Q(status="active")),
            models.Index(fields=["customer", "status"], name="enrollment_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.customer} in {self.scenario.key} at {self.step_key} ({self.status})"


class StepRunStatus(models.TextChoices):
    #: committed with its round, not yet handed to the sender: whichever worker marks it
    #: "sending" first sends it, so a worker that dies before that loses nothing
    QUEUED = "queued", "Queued"
    #: the send is under way (committed before sending, so a crash never sends twice)
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    #: a retryable failure: the enrollment tries this step again later
    RETRYING = "retrying", "Retrying"
    #: refused for good (bad address, bad template): recorded, the scenario goes on
    FAILED = "failed", "Failed"
    #: a worker died while sending: maybe sent, so never sent again
    UNCERTAIN = "uncertain", "Uncertain"
    #: not sent on purpose (no consent, no address)
    SKIPPED = "skipped", "Skipped"
    #: the customer is in the holdout: this is when it would have been sent
    HELD_OUT = "held_out", "Held out"


class StepRun(models.Model):
    """An executed step: the idempotency key of its email and its voucher code."""

    # Found through step_run_once (enrollment, step_key) and step_run_customer_sent (customer,
    # sent_at): no index of their own, fewer to write for every send.
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="step_runs", db_index=False)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="step_runs", db_index=False)
    step_key = models.CharField(max_length=64)
    template = models.CharField(max_length=64, blank=True)
    marketing = models.BooleanField(default=True)
    status = models.CharField(max_length=16, choices=StepRunStatus.choices, default=StepRunStatus.SENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    #: the Message-ID (or the ESP's id): tracking events find the step run by it
    message_id = models.CharField(max_length=255, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrollment", "step_key"], name="step_run_once")]
        indexes = [
            models.Index(fields=["customer", "sent_at"], name="step_run_customer_sent"),
            # Equality lookups only: no LIKE index beside it (db_index=True would add one).
            models.Index(fields=["message_id"], name="step_run_message_id"),
        ]


class CheckoutStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    #: idle with an email and lines and no order: reminders may go
    ABANDONED = "abandoned", "Abandoned"
    #: an order carries its checkout id (or the customer ordered)
    CONVERTED = "converted", "Converted"
    EMPTIED = "emptied", "Emptied"
    #: the same customer started a newer checkout
    SUPERSEDED = "superseded", "Superseded"


class Checkout(models.Model):
    """A Saleor checkout as seen through CHECKOUT_CREATED/UPDATED (Saleor has no
    "abandoned" event: we infer it from idleness and the absence of an order)."""

    installation = models.ForeignKey(Installation, on_delete=models.CASCADE, related_name="checkouts")
    customer = models.ForeignKey(Customer, on_delete=models.SET_NULL, null=True, blank=True, related_name="checkouts")
    saleor_id = models.CharField(max_length=255)
    token = models.CharField(max_length=64)
    email = models.CharField(max_length=320, blank=True)
    channel = models.CharField(max_length=255)
    currency = models.CharField(max_length=3)
    total = models.DecimalField(max_digits=14, decimal_places=2)
    lines = models.JSONField(default=list)
    last_change = models.DateTimeField()
    status = models.CharField(max_length=16, choices=CheckoutStatus.choices, default=CheckoutStatus.ACTIVE)
    #: when it counts as abandoned if nothing happens (indexed: the detector reads only these)
    abandon_at = models.DateTimeField(null=True, blank=True)
    abandoned_at = models.DateTimeField(null=True, blank=True)
    #: cart reminders sent so far (the "reminder stage" shown in Saleor)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    #: lifecycle.abandoned_at / lifecycle.reminder_stage not yet written to Saleor
    saleor_mark_pending = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["installation", "saleor_id"], name="checkout_saleor_id_once")]
        indexes = [
            models.Index(fields=["abandon_at"], name="checkout_abandon_due", condition=Q(status="active")),
            models.Index(fields=["installation"], name="checkout_mark_pending", condition=Q(saleor_mark_pending=True)),
        ]
