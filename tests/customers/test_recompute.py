"""The shop's own reorder interval, RFM scores and segments, the daily recompute."""

import pytest

from saleor_lifecycle.customers import actions, recompute
from saleor_lifecycle.customers.models import Customer, CustomerRFM, LifecycleSettings, RFMSegment
from saleor_lifecycle.customers.stages import Stage

from .conftest import START, days, make_order


def buy(shop, number, user, day, total="100.00"):
    actions.do_apply_order(
        shop,
        make_order(number, user_id=f"user-{user}", email=f"u{user}@example.com", created=START + days(day), total=total),
        now=START + days(day),
    )


def test_the_reorder_interval_is_the_median_gap_between_a_customers_orders(shop):
    for user, gaps in enumerate([[10, 20], [30], [40, 50, 60]]):
        day = 0
        buy(shop, user * 10, user, day)
        for offset, gap in enumerate(gaps, start=1):
            day += gap
            buy(shop, user * 10 + offset, user, day)

    median, pairs = recompute.compute_reorder_interval(shop)

    assert pairs == 6
    assert median == pytest.approx(35)  # median of 10, 20, 30, 40, 50, 60


def test_the_computed_interval_drives_stages_once_there_are_enough_pairs(shop):
    settings = LifecycleSettings.for_installation(shop)
    settings.min_pairs_for_computed_interval = 2
    settings.save()
    for user in range(3):
        buy(shop, user * 10, user, 0)
        buy(shop, user * 10 + 1, user, 10)

    recompute.recompute_installation(shop, START + days(10))

    config = LifecycleSettings.objects.get().stage_config()
    assert (config.reorder_interval_days, config.interval_source) == (10, "computed")
    assert Customer.objects.first().stage_due_at == START + days(10 + 9)


def test_a_shop_override_wins_over_the_computed_interval(shop):
    settings = LifecycleSettings.for_installation(shop)
    settings.reorder_interval_override_days = 90
    settings.computed_reorder_interval_days = 10
    settings.computed_from_pairs = 1000
    assert settings.stage_config().interval_source == "override"
    assert settings.stage_config().reorder_interval_days == 90


def test_recompute_moves_customers_whose_thresholds_moved(shop):
    buy(shop, 1, 1, 0)
    assert Customer.objects.get().stage == Stage.NEW
    settings = LifecycleSettings.for_installation(shop)
    settings.reorder_interval_override_days = 10
    settings.save()

    assert recompute.recompute_installation(shop, START + days(20)) == 1
    customer = Customer.objects.get()
    assert customer.stage == Stage.LAPSED
    assert customer.transitions.last().reason == "recomputed"
    assert customer.saleor_metadata_pending


def test_rfm_scores_are_quintiles_and_segments_are_named(shop):
    # Ten customers: user n ordered n times, the last time n*10 days ago, for n*10 each.
    for user in range(1, 11):
        for index in range(user):
            buy(shop, user * 100 + index, user, 200 - (10 - user) * 10 - index, total=f"{user * 10}.00")

    recompute.recompute_rfm(shop)

    scores = {
        s.customer.email: (s.recency, s.frequency, s.monetary, s.segment)
        for s in CustomerRFM.objects.select_related("customer")
    }
    assert scores["u10@example.com"] == (5, 5, 5, RFMSegment.CHAMPIONS)
    assert scores["u1@example.com"] == (1, 1, 1, RFMSegment.LOST)
    assert {score for (r, f, m, _) in scores.values() for score in (r, f, m)} == {1, 2, 3, 4, 5}


def test_ties_share_a_score(shop):
    for user in range(1, 11):
        buy(shop, user, user, 0)  # everyone ordered once, the same day
    recompute.recompute_rfm(shop)
    assert set(CustomerRFM.objects.values_list("frequency", flat=True)) == {5}


@pytest.mark.parametrize(
    ("recency", "frequency", "segment"),
    [
        (5, 5, RFMSegment.CHAMPIONS),
        (3, 5, RFMSegment.LOYAL),
        (5, 1, RFMSegment.PROMISING),
        (3, 3, RFMSegment.NEED_ATTENTION),
        (3, 1, RFMSegment.ABOUT_TO_SLEEP),
        (2, 4, RFMSegment.AT_RISK),
        (1, 5, RFMSegment.CANT_LOSE),
        (2, 1, RFMSegment.HIBERNATING),
        (1, 1, RFMSegment.LOST),
    ],
)
def test_every_named_segment_is_reachable(recency, frequency, segment):
    assert recompute.rfm_segment(recency, frequency) == segment


def test_the_daily_recompute_rescores_changed_buyers_and_drops_those_who_no_longer_count(shop):
    for user in range(1, 6):
        for index in range(user):
            buy(shop, user * 100 + index, user, 100 + index)
    recompute.recompute_installation(shop, START + days(200))
    before = dict(CustomerRFM.objects.values_list("customer__email", "frequency"))
    assert len(before) == 5

    buy(shop, 999, 1, 150)  # u1 orders again: a second order
    for index in range(5):  # u5's orders are all cancelled: no longer a buyer
        cancelled = make_order(500 + index, user_id="user-5", email="u5@example.com", created=START + days(100 + index),
                               status="CANCELED", updated_at=START + days(160))
        actions.do_apply_order(shop, cancelled, now=START + days(160))
    recompute.recompute_installation(shop, START + days(200))

    after = dict(CustomerRFM.objects.values_list("customer__email", "frequency"))
    assert "u5@example.com" not in after and len(after) == 4
    assert after["u1@example.com"] > before["u1@example.com"]
    expected = {email: (r, f, m) for email, r, f, m in CustomerRFM.objects.values_list(
        "customer__email", "recency", "frequency", "monetary")}
    recompute.recompute_rfm(shop)  # the portable statements agree with PostgreSQL's upsert
    assert {email: (r, f, m) for email, r, f, m in CustomerRFM.objects.values_list(
        "customer__email", "recency", "frequency", "monetary")} == expected
