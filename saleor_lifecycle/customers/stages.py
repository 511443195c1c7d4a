"""The lifecycle stage rules: a pure function of (a customer's orders, now, the shop's config).

Stages follow the shop's own rhythm. With the shop's typical time between two orders
(``reorder_interval``) and the last counted order at ``L``:

    L ──────────── at risk ──────────────── lapsed ─────────────── sunset
    new/returning  L + 0.9 × min(interval,  L + min(2 × interval,  lapsed + 365 days
                             lapse threshold)    180 days)

A customer with no counted order is a prospect; one order makes them new, two or more
returning; any order brings them back. Unsubscribing for good makes them sunset at once.
Every number is per-installation configuration (``StageConfig``).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta


class Stage:
    """The stages, in the shop's words. Values are stored; keep them stable."""

    #: registered or subscribed, never ordered
    PROSPECT = "prospect"
    #: exactly one order, recent
    NEW = "new"
    #: two or more orders, recent
    RETURNING = "returning"
    #: past the retention window: intensify before they fall asleep
    AT_RISK = "at_risk"
    #: past the reactivation threshold: reactivation scenario
    LAPSED = "lapsed"
    #: reactivation window over, or unsubscribed for good: kept, never mailed
    SUNSET = "sunset"

    CHOICES = [
        (PROSPECT, "Prospect"),
        (NEW, "First purchase"),
        (RETURNING, "Returning"),
        (AT_RISK, "At risk"),
        (LAPSED, "Lapsed"),
        (SUNSET, "Sunset"),
    ]
    ALL = [value for value, _ in CHOICES]


@dataclass(frozen=True)
class StageConfig:
    """One shop's thresholds; defaults are the practitioners' (see DOMAIN.md)."""

    #: typical days between a customer's two orders (override, computed, or default)
    reorder_interval_days: float = 50.0
    at_risk_factor: float = 0.9
    lapsed_factor: float = 2.0
    lapsed_max_days: float = 180.0
    sunset_after_lapsed_days: float = 365.0
    #: where reorder_interval_days came from: "override", "computed" or "default"
    interval_source: str = "default"

    @property
    def _lapse_days(self) -> float:
        return min(self.lapsed_factor * self.reorder_interval_days, self.lapsed_max_days)

    @property
    def at_risk_after(self) -> timedelta:
        # Retain before the interval runs out, and before the lapse cap: a yearly shop
        # whose customers lapse at 180 days starts intensifying around month 5.
        return timedelta(days=self.at_risk_factor * min(self.reorder_interval_days, self._lapse_days))

    @property
    def lapsed_after(self) -> timedelta:
        # Lapsing never comes before being at risk, whatever the factors say.
        return max(timedelta(days=self._lapse_days), self.at_risk_after)

    @property
    def sunset_after(self) -> timedelta:
        return self.lapsed_after + timedelta(days=self.sunset_after_lapsed_days)


@dataclass(frozen=True)
class CustomerFacts:
    """What the stage depends on: counted orders only (cancelled/refunded ones are not)."""

    orders_count: int
    last_order_at: datetime | None
    unsubscribed: bool = False
    #: their own at-risk moment from the shop's purchase model, when it is fitted and healthy
    personal_at_risk_at: datetime | None = None


@dataclass(frozen=True)
class StageDecision:
    stage: str
    #: when the stage changes next if nothing happens (None: it does not, by time alone)
    due_at: datetime | None
    #: the stage it changes to at ``due_at``
    next_stage: str | None
    #: why, in words a shop owner reads
    reason: str


def decide_stage(facts: CustomerFacts, now: datetime, config: StageConfig) -> StageDecision:
    """The customer's stage at ``now`` and when it changes next."""
    if facts.unsubscribed:
        return StageDecision(Stage.SUNSET, None, None, "unsubscribed for good")
    if facts.orders_count <= 0 or facts.last_order_at is None:
        return StageDecision(Stage.PROSPECT, None, None, "no order yet")

    last = facts.last_order_at
    active = Stage.NEW if facts.orders_count == 1 else Stage.RETURNING
    lapsed_at = last + config.lapsed_after
    if facts.personal_at_risk_at is not None:
        # Their own clock, but never past the shop's lapse threshold.
        at_risk_at = min(max(facts.personal_at_risk_at, last), lapsed_at)
        at_risk_reason = "their own reorder clock ran out (purchase model)"
    else:
        at_risk_at = last + config.at_risk_after
        at_risk_reason = "no order for the retention window"
    timeline = [
        (last, active, "one order, recent" if facts.orders_count == 1 else f"{facts.orders_count} orders, the last one recent"),
        (at_risk_at, Stage.AT_RISK, at_risk_reason),
        (lapsed_at, Stage.LAPSED, "no order past the reactivation threshold"),
        (last + config.sunset_after, Stage.SUNSET, "reactivation window over"),
    ]
    # The timeline only moves forward: the current stage is the last one that began.
    current, following = timeline[0], timeline[1]
    for entry, after in zip(timeline[1:], [*timeline[2:], None]):
        if now < entry[0]:
            break
        current, following = entry, after
    return StageDecision(
        stage=current[1],
        due_at=following[0] if following else None,
        next_stage=following[1] if following else None,
        reason=current[2],
    )

