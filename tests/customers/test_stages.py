"""The stage rules as a pure function of (orders, now, config)."""

from datetime import UTC, datetime, timedelta

import pytest

from saleor_lifecycle.customers.stages import CustomerFacts, Stage, StageConfig, decide_stage

LAST = datetime(2026, 1, 1, tzinfo=UTC)
CONFIG = StageConfig(reorder_interval_days=50)


def stage_after(days: float, orders: int = 1, config: StageConfig = CONFIG) -> str:
    return decide_stage(CustomerFacts(orders, LAST), LAST + timedelta(days=days), config).stage


def test_a_customer_without_orders_is_a_prospect_forever():
    decision = decide_stage(CustomerFacts(0, None), LAST, CONFIG)
    assert (decision.stage, decision.due_at) == (Stage.PROSPECT, None)


@pytest.mark.parametrize(
    ("days", "orders", "stage"),
    [
        (0, 1, Stage.NEW),
        (44.9, 1, Stage.NEW),
        (0, 2, Stage.RETURNING),
        (45, 2, Stage.AT_RISK),  # 0.9 x 50 days: retain before the interval runs out
        (99.9, 1, Stage.AT_RISK),
        (100, 1, Stage.LAPSED),  # 2 x 50 days
        (464.9, 3, Stage.LAPSED),
        (465, 3, Stage.SUNSET),  # a year after lapsing
    ],
)
def test_stages_follow_the_shops_reorder_interval(days, orders, stage):
    assert stage_after(days, orders) == stage


def test_a_yearly_shop_lapses_at_180_days_and_is_at_risk_from_month_five():
    yearly = StageConfig(reorder_interval_days=365)
    assert stage_after(161.9, config=yearly) == Stage.NEW
    assert stage_after(162, config=yearly) == Stage.AT_RISK  # 0.9 x 180 days
    assert stage_after(180, config=yearly) == Stage.LAPSED


def test_lapsing_never_comes_before_being_at_risk():
    odd = StageConfig(reorder_interval_days=300, at_risk_factor=1.5, lapsed_max_days=100)
    assert odd.lapsed_after == odd.at_risk_after == timedelta(days=150)
    assert stage_after(149, config=odd) == Stage.NEW
    assert stage_after(150, config=odd) == Stage.LAPSED


def test_it_says_when_and_to_what_the_stage_changes_next():
    decision = decide_stage(CustomerFacts(2, LAST), LAST + timedelta(days=10), CONFIG)
    assert decision.due_at == LAST + timedelta(days=45)
    assert decision.next_stage == Stage.AT_RISK
    sunset = decide_stage(CustomerFacts(2, LAST), LAST + timedelta(days=500), CONFIG)
    assert (sunset.stage, sunset.due_at, sunset.next_stage) == (Stage.SUNSET, None, None)


def test_unsubscribing_for_good_means_sunset_whatever_the_orders():
    decision = decide_stage(CustomerFacts(5, LAST, unsubscribed=True), LAST, CONFIG)
    assert (decision.stage, decision.due_at) == (Stage.SUNSET, None)
