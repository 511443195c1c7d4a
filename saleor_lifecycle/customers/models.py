from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from ..core import rows
from ..core.cache import PerProcess
from ..saleor_app.models import Installation
from .stages import Stage, StageConfig


class LifecycleSettings(models.Model):
    """One shop's lifecycle thresholds. Defaults are the practitioners' (DOMAIN.md)."""

    installation = models.OneToOneField(Installation, on_delete=models.CASCADE, related_name="lifecycle_settings")
    #: the shop's own typical days between orders; when set, it wins over the computed one
    reorder_interval_override_days = models.FloatField(null=True, blank=True)
    #: median days between a customer's consecutive orders, recomputed daily
    computed_reorder_interval_days = models.FloatField(null=True, blank=True)
    computed_from_pairs = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(null=True, blank=True)
    #: used until the shop has enough repeat orders to compute its own
    default_reorder_interval_days = models.FloatField(default=50.0)
    #: fewer consecutive-order pairs than this and the computed interval is not trusted
    min_pairs_for_computed_interval = models.PositiveIntegerField(default=30)
    at_risk_factor = models.FloatField(default=0.9)
    lapsed_factor = models.FloatField(default=2.0)
    lapsed_max_days = models.FloatField(default=180.0)
    sunset_after_lapsed_days = models.FloatField(default=365.0)
    #: write lifecycle.stage / lifecycle.stage_since into the Saleor user's metadata
    write_saleor_metadata = models.BooleanField(default=True)
    #: let each customer's own reorder clock (BG/NBD) time their at-risk moment
    use_predictions = models.BooleanField(default=True)
    #: fewer repeat buyers than this and the models are not fitted (shop-wide interval)
    min_repeat_buyers = models.PositiveIntegerField(default=200)
    #: at risk once P(alive) falls below this...
    alive_threshold = models.FloatField(default=0.5)
    #: ...or once silent for this many times their expected time between orders
    overdue_factor = models.FloatField(default=2.0)
    clv_months = models.PositiveSmallIntegerField(default=12)
    monthly_discount_rate = models.FloatField(default=0.01)

    class Meta:
        verbose_name_plural = "lifecycle settings"

    def __str__(self) -> str:
        return f"lifecycle settings of {self.installation}"

    def stage_config(self) -> StageConfig:
        if self.reorder_interval_override_days:
            interval, source = self.reorder_interval_override_days, "override"
        elif (
            self.computed_reorder_interval_days
            and self.computed_from_pairs >= self.min_pairs_for_computed_interval
        ):
            interval, source = self.computed_reorder_interval_days, "computed"
        else:
            interval, source = self.default_reorder_interval_days, "default"
        return StageConfig(
            reorder_interval_days=interval,
            at_risk_factor=self.at_risk_factor,
            lapsed_factor=self.lapsed_factor,
            lapsed_max_days=self.lapsed_max_days,
            sunset_after_lapsed_days=self.sunset_after_lapsed_days,
            interval_source=source,
        )

    @classmethod
    def for_installation(cls, installation: Installation) -> "LifecycleSettings":
        settings, _ = cls.objects.get_or_create(installation=installation)
        return settings

    @classmethod
    def cached(cls, installation: Installation) -> "LifecycleSettings":
        """The shop's settings as every order webhook reads them: kept a few seconds per
        process (``core.cache``); read them, never save them."""
        return cached_settings.get(installation.pk)


def _load_settings(installation_id: int) -> LifecycleSettings:
    found = rows.select(LifecycleSettings, "installation_id = %s", [installation_id])
    return found[0] if found else LifecycleSettings.objects.get_or_create(installation_id=installation_id)[0]


cached_settings = PerProcess(_load_settings, ttl=5.0)


@receiver([post_save, post_delete], sender=LifecycleSettings, dispatch_uid="forget-cached-lifecycle-settings")
def _forget_cached_settings(sender, instance: LifecycleSettings, **kwargs) -> None:
    cached_settings.forget(instance.installation_id)


class RFMSegment(models.TextChoices):
    CHAMPIONS = "champions", "Champions"
    LOYAL = "loyal", "Loyal"
    PROMISING = "promising", "Promising"
    NEED_ATTENTION = "need_attention", "Need attention"
    ABOUT_TO_SLEEP = "about_to_sleep", "About to sleep"
    AT_RISK = "at_risk", "At risk"
    CANT_LOSE = "cant_lose", "Can't lose them"
    HIBERNATING = "hibernating", "Hibernating"
    LOST = "lost", "Lost"


class Customer(models.Model):
    """A shop's customer as the lifecycle sees them.

    Registered customers are keyed by their Saleor user id; guest buyers by their
    normalised email, merged into the registered customer when one with that email
    appears. Order aggregates count only orders that count (not cancelled, not fully
    refunded) and can always be recomputed from ``Order`` rows.
    """

    # Found through customer_stage (installation, stage): its own index would only cost writes.
    installation = models.ForeignKey(
        Installation, on_delete=models.CASCADE, related_name="customers", db_index=False
    )
    saleor_user_id = models.CharField(max_length=255, null=True, blank=True)
    #: lower-cased; empty once erased
    email = models.CharField(max_length=320, blank=True)
    first_name = models.CharField(max_length=255, blank=True)
    last_name = models.CharField(max_length=255, blank=True)
    language_code = models.CharField(max_length=35, blank=True)
    #: Saleor's updatedAt of the last customer payload applied (older ones are ignored)
    saleor_updated_at = models.DateTimeField(null=True, blank=True)
    date_joined = models.DateTimeField(null=True, blank=True)

    stage = models.CharField(max_length=16, choices=Stage.CHOICES, default=Stage.PROSPECT)
    stage_since = models.DateTimeField()
    #: when the stage changes next if nothing happens; the periodic tick reads only these
    stage_due_at = models.DateTimeField(null=True, blank=True)
    #: set when they unsubscribed for good (sunset until they subscribe or order again)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    #: may we send marketing email? None: never said (not mailed unless the shop allows it)
    marketing_consent = models.BooleanField(null=True, blank=True)
    consent_updated_at = models.DateTimeField(null=True, blank=True)
    #: the address hard-bounced or complained: nothing is sent to it any more
    suppressed_at = models.DateTimeField(null=True, blank=True)
    suppression_reason = models.CharField(max_length=64, blank=True)
    #: staff paused this customer's emails: nothing is sent until they resume them (see
    #: ``actions.do_set_messages_paused``)
    messages_paused_at = models.DateTimeField(null=True, blank=True)
    #: the Saleor user's metadata as last received (consent is read from it)
    saleor_metadata = models.JSONField(default=dict, blank=True)

    orders_count = models.PositiveIntegerField(default=0)
    first_order_at = models.DateTimeField(null=True, blank=True)
    last_order_at = models.DateTimeField(null=True, blank=True)
    total_spent = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))

    #: BG/NBD and Gamma-Gamma scores (None until the shop's models are fitted)
    p_alive = models.FloatField(null=True, blank=True)
    expected_orders_30 = models.FloatField(null=True, blank=True)
    expected_orders_90 = models.FloatField(null=True, blank=True)
    expected_orders_365 = models.FloatField(null=True, blank=True)
    expected_next_order_at = models.DateTimeField(null=True, blank=True)
    clv = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    #: their own at-risk moment; when set, the stage rules use it instead of the shop's interval
    personal_at_risk_at = models.DateTimeField(null=True, blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)
    #: the stage changed and is not yet written into the Saleor user's metadata
    saleor_metadata_pending = models.BooleanField(default=False)
    erased_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["installation", "saleor_user_id"],
                condition=Q(saleor_user_id__isnull=False),
                name="customer_saleor_user_once",
            ),
            models.UniqueConstraint(
                fields=["installation", "email"],
                condition=~Q(email=""),
                name="customer_email_once",
            ),
        ]
        indexes = [
            models.Index(fields=["stage_due_at"], name="customer_stage_due", condition=Q(stage_due_at__isnull=False)),
            models.Index(fields=["installation", "stage"], name="customer_stage"),
            models.Index(
                fields=["installation"], name="customer_metadata_pending", condition=Q(saleor_metadata_pending=True)
            ),
        ]

    def __str__(self) -> str:
        return self.email or self.saleor_user_id or f"customer #{self.pk}"

    @property
    def rfm_scores(self) -> "CustomerRFM | None":
        """Their RFM scores, None until they order and the daily recompute scores them."""
        try:
            return self.rfm
        except CustomerRFM.DoesNotExist:
            return None


class CustomerRFM(models.Model):
    """A buyer's recency, frequency and monetary quintiles (1-5, 5 best) and named segment.

    In a table of their own: the daily recompute rewrites scores across much of a shop
    (after a backfill, every buyer's), and a narrow row with two indexes costs a fraction
    of rewriting the customer's row with all of its indexes (bench/stages.py). Customers
    who never ordered have none.
    """

    # Derived data, rewritten in bulk: no foreign key constraints, whose checks at COMMIT
    # cost a fifth of a recompute. Deleting a customer or an installation through Django
    # deletes these rows with them, and the recompute deletes any a raw DELETE left behind.
    customer = models.OneToOneField(
        Customer, on_delete=models.CASCADE, primary_key=True, related_name="rfm", db_constraint=False
    )
    # Found through rfm_segment (installation, segment).
    installation = models.ForeignKey(
        Installation, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    recency = models.PositiveSmallIntegerField()
    frequency = models.PositiveSmallIntegerField()
    monetary = models.PositiveSmallIntegerField()
    segment = models.CharField(max_length=16, choices=RFMSegment.choices)

    class Meta:
        verbose_name = "customer RFM scores"
        verbose_name_plural = "customer RFM scores"
        indexes = [models.Index(fields=["installation", "segment"], name="rfm_segment")]

    def __str__(self) -> str:
        return f"{self.customer_id}: R{self.recency} F{self.frequency} M{self.monetary} {self.segment}"


class StageTransition(models.Model):
    """Append-only history: a customer moved from one stage to another, when and why."""

    # Found through transition_customer_at (customer, at).
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="transitions", db_index=False)
    from_stage = models.CharField(max_length=16, choices=Stage.CHOICES, blank=True)
    to_stage = models.CharField(max_length=16, choices=Stage.CHOICES)
    #: when the change happened in the customer's life (an order's time, or a threshold)
    at = models.DateTimeField()
    reason = models.CharField(max_length=255)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["customer", "at"], name="transition_customer_at")]
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.customer}: {self.from_stage or '-'} -> {self.to_stage} at {self.at:%Y-%m-%d}"


class OrderStatus:
    """Saleor's OrderStatus values that matter here, and which orders count."""

    #: orders that never were (drafts), or that were called off
    NOT_COUNTED = frozenset({"DRAFT", "CANCELED", "EXPIRED"})
    #: for equal updatedAt, the later status in an order's life wins
    PRECEDENCE = {
        "DRAFT": 0,
        "UNCONFIRMED": 1,
        "UNFULFILLED": 2,
        "PARTIALLY_FULFILLED": 3,
        "FULFILLED": 4,
        "PARTIALLY_RETURNED": 5,
        "RETURNED": 6,
        "EXPIRED": 7,
        "CANCELED": 8,
    }


class Order(models.Model):
    """A Saleor order as last seen: the newest payload (by updatedAt, then status) wins."""

    # Found through order_saleor_id_once and order_customer_created, whose first columns they are.
    installation = models.ForeignKey(Installation, on_delete=models.CASCADE, related_name="orders", db_index=False)
    customer = models.ForeignKey(
        Customer, on_delete=models.SET_NULL, null=True, related_name="orders", db_index=False
    )
    saleor_id = models.CharField(max_length=255)
    number = models.CharField(max_length=64)
    created = models.DateTimeField()
    saleor_updated_at = models.DateTimeField()
    status = models.CharField(max_length=32)
    channel = models.CharField(max_length=255)
    currency = models.CharField(max_length=3)
    total = models.DecimalField(max_digits=14, decimal_places=2)
    subtotal = models.DecimalField(max_digits=14, decimal_places=2)
    refunded = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    #: what vouchers and promotions took off the undiscounted total
    discount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    voucher_code = models.CharField(max_length=255, blank=True)
    checkout_id = models.CharField(max_length=255, blank=True)
    email = models.CharField(max_length=320, blank=True)
    #: not cancelled, not a draft, not fully refunded: it counts for stages and RFM
    counts = models.BooleanField(default=True)
    #: orders the payloads arrive in: (updatedAt, status precedence, refunded, body digest)
    version_key = models.CharField(max_length=128)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["installation", "saleor_id"], name="order_saleor_id_once"),
        ]
        indexes = [
            models.Index(fields=["customer", "created"], name="order_customer_created"),
            models.Index(fields=["installation", "created"], name="order_installation_created"),
        ]

    def __str__(self) -> str:
        return f"order #{self.number}"


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    saleor_id = models.CharField(max_length=255)
    product_id = models.CharField(max_length=255, blank=True)
    product_slug = models.CharField(max_length=255, blank=True)
    variant_id = models.CharField(max_length=255, blank=True)
    category_id = models.CharField(max_length=255, blank=True)
    product_name = models.CharField(max_length=512)
    variant_name = models.CharField(max_length=255, blank=True)
    sku = models.CharField(max_length=255, blank=True)
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=14, decimal_places=2)
    thumbnail_url = models.URLField(max_length=1000, blank=True)

    class Meta:
        indexes = [models.Index(fields=["product_id"], name="order_line_product")]


class BackfillState(models.Model):
    """Where a backfill of one kind of Saleor object stopped, so it can resume."""

    class Kind(models.TextChoices):
        CUSTOMERS = "customers", "Customers"
        ORDERS = "orders", "Orders"

    installation = models.ForeignKey(Installation, on_delete=models.CASCADE, related_name="backfills")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    #: the end cursor of the last page stored; None = start from the beginning
    cursor = models.TextField(null=True, blank=True)
    fetched = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["installation", "kind"], name="backfill_state_once")]


class PredictionFit(models.Model):
    """One nightly fit of a shop's models: parameters, diagnostics, and whether it is used."""

    installation = models.ForeignKey(Installation, on_delete=models.CASCADE, related_name="prediction_fits")
    fitted_at = models.DateTimeField()
    #: BG/NBD r, alpha, a, b (days); empty when not fitted
    purchase_params = models.JSONField(default=dict)
    #: Gamma-Gamma p, q, gamma; empty when spend could not be fitted
    spend_params = models.JSONField(default=dict)
    healthy = models.BooleanField(default=False)
    n_customers = models.PositiveIntegerField(default=0)
    n_repeat_buyers = models.PositiveIntegerField(default=0)
    log_likelihood = models.FloatField(null=True, blank=True)
    #: why the models are not used (too few repeat buyers, failed checks), in plain words
    problems = models.JSONField(default=list)
    seconds = models.FloatField(default=0)

    class Meta:
        get_latest_by = "fitted_at"
        indexes = [models.Index(fields=["installation", "-fitted_at"], name="prediction_fit_latest")]
