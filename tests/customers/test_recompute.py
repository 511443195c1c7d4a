"""The shop's own reorder interval, RFM scores and segments, the daily recompute."""

import threading
from functools import partial

import pytest
from django.db import connection, transaction

from saleor_lifecycle.customers import actions, recompute
from saleor_lifecycle.customers.models import Customer, CustomerRFM, LifecycleSettings, RFMSegment, StageTransition
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


# --- PostgreSQL: slices of customers, side by side on several connections ----------------

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the recompute works on several connections on PostgreSQL only"
)


@pytest.mark.parametrize(("ids", "size"), [(range(1, 11), 3), (range(5, 6), 3), (range(1, 101, 7), 4), (range(3, 9), 100)])
def test_customer_id_slices_cover_every_id_once_in_ranges_of_about_the_size(shop, ids, size):
    Customer.objects.bulk_create(Customer(pk=pk, installation=shop, stage_since=START) for pk in ids)

    slices = recompute.customer_id_slices(shop, size)

    assert slices[0][0] == min(ids) and slices[-1][1] == max(ids)
    assert all(high >= low and next_low == high + 1 for (low, high), (next_low, _) in zip(slices, slices[1:]))
    assert len(slices) == -(-len(ids) // size)


def test_a_shop_without_customers_has_no_slices(shop):
    assert recompute.customer_id_slices(shop) == []


def recomputed_state(shop) -> tuple:
    customers = sorted(Customer.objects.filter(installation=shop).values_list(
        "email", "stage", "stage_since", "stage_due_at", "saleor_metadata_pending"))
    transitions = sorted(StageTransition.objects.filter(customer__installation=shop).values_list(
        "customer__email", "from_stage", "to_stage", "at", "reason"))
    scores = sorted(CustomerRFM.objects.values_list("customer__email", "recency", "frequency", "monetary", "segment"))
    return customers, transitions, scores


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_recompute_on_several_connections_writes_what_one_connection_writes(shop, monkeypatch, settings):
    for user in range(1, 40):
        for index in range(user % 4):
            buy(shop, user * 100 + index, user, (user * 7 + index * 23) % 150, total=f"{user * 3}.00")
        if not user % 4:
            Customer.objects.create(installation=shop, email=f"prospect{user}@example.com", stage_since=START)
    shop_settings = LifecycleSettings.for_installation(shop)
    shop_settings.min_pairs_for_computed_interval = 2  # the shop's own interval moves due times
    shop_settings.save()
    now = START + days(160)
    monkeypatch.setattr(recompute, "STAGE_SLICE", 6)
    slice_threads = []
    original_slice = recompute.recompute_stage_slice

    def recorded_slice(*args, **kwargs):
        slice_threads.append(threading.current_thread().name)
        return original_slice(*args, **kwargs)

    monkeypatch.setattr(recompute, "recompute_stage_slice", recorded_slice)

    with transaction.atomic():  # inside a transaction: one connection, the caller's
        expected_changes = recompute.recompute_installation(shop, now)
        expected = recomputed_state(shop)
        transaction.set_rollback(True)
    assert all(name == threading.current_thread().name for name in slice_threads)
    slice_threads.clear()
    settings.RECOMPUTE_CONNECTIONS = 3
    changes = recompute.recompute_installation(shop, now)

    assert len(slice_threads) == len(recompute.customer_id_slices(shop)) > 3
    assert all(name.startswith("recompute") for name in slice_threads)
    assert expected_changes > 0 and changes == expected_changes
    assert recomputed_state(shop) == expected
    assert len(expected[2]) == Customer.objects.filter(orders_count__gt=0).count()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_when_one_job_fails_the_others_still_run_and_the_failure_is_raised():
    done = []

    def job(number):
        if number == 1:
            raise RuntimeError("job 1 failed")
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('work_mem')")
            done.append((number, cursor.fetchone()[0]))
        return number

    with pytest.raises(RuntimeError, match="job 1 failed"):
        recompute.on_connections([partial(job, number) for number in range(4)], connections=2)

    assert sorted(done) == [(number, recompute.RECOMPUTE_WORK_MEM) for number in (0, 2, 3)]
    assert recompute.on_connections([partial(int, number) for number in range(3)], connections=2) == [0, 1, 2]
