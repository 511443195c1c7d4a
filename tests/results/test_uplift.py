"""The uplift statistics, case by case: every reference value is computed here independently
(score-test inversion, scipy's own tests, per-customer rows) or quoted from the literature."""

import hashlib
import math

import numpy as np
import pytest
from scipy import optimize, stats
from scipy.stats.contingency import relative_risk

from saleor_lifecycle.results.uplift import (
    GroupOutcome,
    Interval,
    holdout_assignment,
    holdout_size,
    katz_interval,
    newcombe_interval,
    uplift_report,
    welch_interval,
    wilson_interval,
)

Z95 = stats.norm.ppf(0.975)


def group(revenues, discount_cost=0.0) -> GroupOutcome:
    """A GroupOutcome from per-customer revenue (0 = did not order)."""
    values = np.asarray(revenues, dtype=float)
    return GroupOutcome(len(values), int((values > 0).sum()), float(values.sum()), float((values**2).sum()), discount_cost)


def score_limits(x: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson's interval by definition: the p whose score test |p̂ - p| / sqrt(p(1-p)/n) equals z."""
    p_hat = x / n

    def score(p):
        return (p_hat - p) ** 2 - z * z * p * (1 - p) / n

    low = 0.0 if x == 0 else optimize.brentq(score, 1e-15, p_hat if x < n else 1 - 1e-9, xtol=1e-15)
    high = 1.0 if x == n else optimize.brentq(score, p_hat if x > 0 else 1e-9, 1 - 1e-15, xtol=1e-15)
    return low, high


# -- Wilson and Newcombe ----------------------------------------------------------------


def test_wilson_10_of_100_is_the_score_test_inverted():
    low, high = wilson_interval(10, 100)
    expected = score_limits(10, 100)
    assert float(low) == pytest.approx(expected[0], abs=1e-12)
    assert float(high) == pytest.approx(expected[1], abs=1e-12)
    # and the textbook value
    assert (round(float(low), 4), round(float(high), 4)) == (0.0552, 0.1744)


@pytest.mark.parametrize("x, n", [(0, 20), (1, 20), (19, 20), (20, 20), (3, 7), (500, 1000)])
def test_wilson_matches_the_score_test_at_the_edges_too(x, n):
    low, high = wilson_interval(x, n)
    expected = score_limits(x, n)
    assert (float(low), float(high)) == pytest.approx(expected, abs=1e-12)


def test_wilson_is_vectorised_and_empty_groups_span_everything():
    low, high = wilson_interval(np.array([0, 10, 0]), np.array([10, 100, 0]))
    assert low.shape == high.shape == (3,)
    assert float(high[1]) == pytest.approx(score_limits(10, 100)[1])
    assert (float(low[2]), float(high[2])) == (0.0, 1.0)


@pytest.mark.parametrize(
    "x_t, n_t, x_h, n_h, expected",
    [
        # Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10
        (56, 70, 48, 80, (0.0524, 0.3339)),
        (9, 10, 3, 10, (0.1705, 0.8090)),
    ],
)
def test_newcombe_reproduces_the_published_examples(x_t, n_t, x_h, n_h, expected):
    estimate, low, high = newcombe_interval(x_t, n_t, x_h, n_h)
    assert float(estimate) == pytest.approx(x_t / n_t - x_h / n_h)
    assert (round(float(low), 4), round(float(high), 4)) == expected


def test_newcombe_is_built_from_independent_wilson_limits():
    x_t, n_t, x_h, n_h = 31, 900, 4, 100
    l_t, u_t = score_limits(x_t, n_t)
    l_h, u_h = score_limits(x_h, n_h)
    p_t, p_h = x_t / n_t, x_h / n_h
    expected_low = p_t - p_h - math.hypot(p_t - l_t, u_h - p_h)
    expected_high = p_t - p_h + math.hypot(u_t - p_t, p_h - l_h)
    report = uplift_report(GroupOutcome(n_t, x_t, 0.0, 0.0), GroupOutcome(n_h, x_h, 0.0, 0.0))
    assert report.absolute_uplift.low == pytest.approx(expected_low, abs=1e-12)
    assert report.absolute_uplift.high == pytest.approx(expected_high, abs=1e-12)


def test_a_wider_confidence_gives_a_wider_interval():
    t, h = GroupOutcome(900, 60, 0, 0), GroupOutcome(100, 4, 0, 0)
    narrow = uplift_report(t, h, confidence=0.90).absolute_uplift
    wide = uplift_report(t, h, confidence=0.99).absolute_uplift
    assert wide.low < narrow.low < narrow.estimate < narrow.high < wide.high


# -- Katz ----------------------------------------------------------------------------------


@pytest.mark.parametrize("x_t, n_t, x_h, n_h", [(30, 100, 20, 100), (120, 9000, 8, 1000), (5, 50, 9, 40)])
def test_relative_uplift_is_scipys_katz_interval_minus_one(x_t, n_t, x_h, n_h):
    reference = relative_risk(x_t, n_t, x_h, n_h)
    ci = reference.confidence_interval(0.95)
    estimate, low, high = katz_interval(x_t, n_t, x_h, n_h)
    assert float(estimate) == pytest.approx(reference.relative_risk - 1)
    assert float(low) == pytest.approx(ci.low - 1)
    assert float(high) == pytest.approx(ci.high - 1)


def test_no_treatment_conversion_still_gives_a_relative_interval():
    estimate, low, high = katz_interval(0, 500, 5, 100)
    assert float(estimate) == -1.0
    # 0.5 added to every count: log(0.5/500.5 / (5.5/100.5)) +- z * sqrt(...)
    log_ratio = math.log((0.5 / 500.5) / (5.5 / 100.5))
    se = math.sqrt(1 / 0.5 - 1 / 500.5 + 1 / 5.5 - 1 / 100.5)
    assert float(low) == pytest.approx(math.exp(log_ratio - Z95 * se) - 1)
    assert float(high) == pytest.approx(math.exp(log_ratio + Z95 * se) - 1)
    assert -1 < float(low) < float(high) < 0


# -- Welch ---------------------------------------------------------------------------------


def test_revenue_interval_is_welchs_t_interval_on_the_per_customer_rows():
    treatment_rows = [0, 0, 0, 42.5, 0, 120.0, 0, 0, 18.0, 0, 77.7, 0]
    holdout_rows = [0, 35.0, 0, 0, 0, 0, 60.0]
    expected = stats.ttest_ind(treatment_rows, holdout_rows, equal_var=False).confidence_interval(0.95)
    report = uplift_report(group(treatment_rows), group(holdout_rows))
    interval = report.revenue_per_customer_uplift
    assert interval.estimate == pytest.approx(np.mean(treatment_rows) - np.mean(holdout_rows))
    assert interval.low == pytest.approx(expected.low, rel=1e-10)
    assert interval.high == pytest.approx(expected.high, rel=1e-10)


def test_welch_from_sums_is_vectorised_and_matches_numpy():
    rng = np.random.default_rng(7)
    rows_t = [rng.lognormal(3, 1, 30) * (rng.random(30) < 0.3) for _ in range(5)]
    rows_h = [rng.lognormal(3, 1, 12) * (rng.random(12) < 0.3) + 1.0 for _ in range(5)]
    estimate, low, high = welch_interval(
        [len(r) for r in rows_t],
        [r.sum() for r in rows_t],
        [(r**2).sum() for r in rows_t],
        [len(r) for r in rows_h],
        [r.sum() for r in rows_h],
        [(r**2).sum() for r in rows_h],
    )
    for i, (t, h) in enumerate(zip(rows_t, rows_h, strict=True)):
        ci = stats.ttest_ind(t, h, equal_var=False).confidence_interval(0.95)
        assert (low[i], high[i]) == pytest.approx((ci.low, ci.high), rel=1e-9)
        assert estimate[i] == pytest.approx(t.mean() - h.mean())


def test_welch_needs_two_customers_per_group_and_zero_variance_is_exact():
    _, low, high = welch_interval(1, 10.0, 100.0, 50, 0.0, 0.0)
    assert (float(low), float(high)) == (-math.inf, math.inf)
    estimate, low, high = welch_interval(10, 50.0, 250.0, 5, 10.0, 20.0)  # everyone spent 5, resp. 2
    assert float(estimate) == float(low) == float(high) == 3.0


# -- incremental revenue --------------------------------------------------------------------


def test_incremental_revenue_is_the_per_customer_uplift_times_the_treatment_minus_discounts():
    treatment = group([0, 50, 0, 0, 80, 0, 0, 30, 0, 0] * 30, discount_cost=400.0)
    holdout = group([0, 0, 40, 0, 0, 0, 0, 0, 0, 0] * 10)
    report = uplift_report(treatment, holdout)
    rpc, inc = report.revenue_per_customer_uplift, report.incremental_revenue
    assert rpc.estimate == pytest.approx(16 - 4)
    assert inc.estimate == pytest.approx(rpc.estimate * 300 - 400)
    assert inc.low == pytest.approx(rpc.low * 300 - 400)
    assert inc.high == pytest.approx(rpc.high * 300 - 400)
    # the order totals already paid for the discount: not subtracted twice
    net = uplift_report(treatment, holdout, discounts_in_revenue=True).incremental_revenue
    assert net.estimate == pytest.approx(rpc.estimate * 300)
    # the holdout's discounts, at its rate, are not the scenario's doing
    holdout_with_sale = GroupOutcome(holdout.customers, holdout.converted, holdout.revenue, holdout.revenue_sq, 50.0)
    shared = uplift_report(treatment, holdout_with_sale).incremental_revenue
    assert shared.estimate == pytest.approx(rpc.estimate * 300 - (400 - 50 * 300 / 100))


# -- the report ----------------------------------------------------------------------------


def test_zero_conversion_holdout_has_no_relative_uplift_and_says_why():
    report = uplift_report(GroupOutcome(9000, 90, 9000.0, 1_800_000.0), GroupOutcome(1000, 0, 0.0, 0.0))
    assert report.conversion_holdout == 0.0
    assert report.relative_uplift is None
    assert report.absolute_uplift.estimate == pytest.approx(0.01)
    assert report.absolute_uplift.low < 0.01 < report.absolute_uplift.high
    assert "no held-out customer has ordered" in report.verdict


def test_identical_groups_show_no_measurable_effect():
    treatment = GroupOutcome(45_000, 3_600, 360_000.0, 72_000_000.0)
    holdout = GroupOutcome(5_000, 400, 40_000.0, 8_000_000.0)
    report = uplift_report(treatment, holdout)
    assert report.enough_data and report.customers_needed == 0
    for interval in (report.absolute_uplift, report.relative_uplift, report.revenue_per_customer_uplift):
        assert interval.estimate == pytest.approx(0, abs=1e-12)
        assert interval.contains(0) and not interval.significant
    assert report.verdict.startswith("No measurable effect so far")


def test_a_clear_effect_is_reported_in_plain_words():
    treatment = GroupOutcome(45_000, 5_000, 500_000.0, 100_000_000.0, discount_cost=20_000.0)
    holdout = GroupOutcome(5_000, 400, 40_000.0, 8_000_000.0)
    report = uplift_report(treatment, holdout)
    assert report.enough_data
    assert report.absolute_uplift.significant and report.absolute_uplift.low > 0
    assert report.relative_uplift.significant
    assert report.verdict.startswith("The scenario brings back 3.1 more customers per 100 (95 % CI 2.3–3.9)")
    assert "about 1,400 extra ordering customers" in report.verdict
    assert "net of discounts" in report.verdict


def test_a_harmful_scenario_is_called_so():
    report = uplift_report(GroupOutcome(45_000, 3_000, 0, 0), GroupOutcome(5_000, 400, 0, 0))
    assert report.absolute_uplift.high < 0
    assert report.verdict.startswith("The scenario loses customers")


def test_small_groups_are_not_enough_data():
    report = uplift_report(GroupOutcome(180, 9, 900.0, 90_000.0), GroupOutcome(20, 1, 100.0, 10_000.0))
    assert not report.enough_data
    assert report.customers_needed > 0
    assert report.verdict.startswith("Not enough data yet: ~")
    assert "more customers needed" in report.verdict


def test_even_a_significant_interval_waits_for_the_planned_sample():
    # 30 % vs 5 % on 200 customers: the interval excludes 0, but 1.6 points at 5 % needs thousands
    report = uplift_report(GroupOutcome(180, 54, 0, 0), GroupOutcome(20, 1, 0, 0))
    assert report.absolute_uplift.significant
    assert not report.enough_data
    assert report.verdict.startswith("Not enough data yet")


def test_empty_groups_do_not_break_the_report():
    report = uplift_report(GroupOutcome(0, 0, 0.0, 0.0), GroupOutcome(0, 0, 0.0, 0.0))
    assert math.isnan(report.absolute_uplift.estimate)
    assert (report.absolute_uplift.low, report.absolute_uplift.high) == (-1.0, 1.0)
    assert not report.absolute_uplift.significant
    assert report.relative_uplift is None
    assert not report.enough_data and report.customers_needed > 0
    assert report.verdict.startswith("Not enough data yet")
    assert math.isnan(report.incremental_revenue.estimate)
    only_treatment = uplift_report(GroupOutcome(500, 20, 900.0, 90_000.0, 100.0), GroupOutcome(0, 0, 0, 0))
    assert not only_treatment.enough_data and only_treatment.customers_needed > 0
    assert (only_treatment.incremental_revenue.low, only_treatment.incremental_revenue.high) == (-math.inf, math.inf)
    only_holdout = uplift_report(GroupOutcome(0, 0, 0, 0), GroupOutcome(50, 2, 90.0, 4050.0))
    assert not only_holdout.enough_data and only_holdout.verdict.startswith("Not enough data yet")
    one_each = uplift_report(GroupOutcome(1, 1, 50.0, 2500.0), GroupOutcome(1, 0, 0.0, 0.0))
    assert one_each.revenue_per_customer_uplift.estimate == 50.0
    assert math.isinf(one_each.revenue_per_customer_uplift.low) and math.isinf(one_each.incremental_revenue.high)


# -- sample size ---------------------------------------------------------------------------


def test_sample_size_matches_the_textbook_value():
    # two-sided 5 %, power 80 %, 10 % vs 15 %, equal groups: 686 per group (Fleiss, no correction)
    assert math.ceil(float(holdout_size(0.10, 0.05, 1.0))) == 686
    # computed independently, for a 1:9 split
    p0, p1, k = 0.08, 0.096, 9.0
    p_bar = (p0 + k * p1) / (1 + k)
    z_b = stats.norm.ppf(0.8)
    expected = (Z95 * math.sqrt(p_bar * (1 - p_bar) * (1 + 1 / k)) + z_b * math.sqrt(p0 * (1 - p0) + p1 * (1 - p1) / k)) ** 2 / 0.016**2
    assert float(holdout_size(p0, 0.016, k)) == pytest.approx(expected)


def test_customers_needed_is_what_the_current_split_still_lacks():
    treatment, holdout = GroupOutcome(9_000, 720, 0, 0), GroupOutcome(1_000, 80, 0, 0)
    report = uplift_report(treatment, holdout)
    # default effect: 20 % of 8 % = 1.6 points
    assert report.minimum_detectable_effect == pytest.approx(0.016)
    need_h = float(holdout_size(0.08, 0.016, 9.0))
    assert report.customers_needed == math.ceil(need_h / 0.1 - 10_000)
    # the same rates, with that many more customers at the same split: enough
    more = report.customers_needed
    grown_t = GroupOutcome(9_000 + math.ceil(more * 0.9), 0, 0, 0)
    grown_h = GroupOutcome(1_000 + math.ceil(more * 0.1), 0, 0, 0)
    grown_t = GroupOutcome(grown_t.customers, round(0.08 * grown_t.customers), 0, 0)
    grown_h = GroupOutcome(grown_h.customers, math.ceil(0.08 * grown_h.customers), 0, 0)
    grown = uplift_report(grown_t, grown_h)
    assert grown.enough_data and grown.customers_needed == 0


def test_the_minimum_effect_has_a_floor_and_can_be_set():
    tiny = uplift_report(GroupOutcome(9_000, 90, 0, 0), GroupOutcome(1_000, 10, 0, 0))
    assert tiny.minimum_detectable_effect == 0.005  # 20 % of 1 % would be 0.2 points
    bigger = uplift_report(GroupOutcome(9_000, 90, 0, 0), GroupOutcome(1_000, 10, 0, 0), minimum_detectable_effect=0.02)
    assert bigger.minimum_detectable_effect == 0.02
    assert bigger.customers_needed < tiny.customers_needed


def test_min_customers_per_group_is_a_floor():
    # a huge effect needs few customers, but each group still needs its minimum
    report = uplift_report(
        GroupOutcome(450, 200, 0, 0), GroupOutcome(50, 2, 0, 0), minimum_detectable_effect=0.4, min_customers_per_group=100
    )
    assert report.customers_needed == 500  # 50 more held out, at 10 % of arrivals
    assert not report.enough_data


# -- inputs and intervals -------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [(-1, 0, 0.0, 0.0), (10, 11, 0.0, 0.0), (10, 2, 100.0, 10.0), (10, 2, 10.0, -1.0), (10, 2, 1.0, 1.0, -5.0), (0, 0, 5.0, 25.0)],
)
def test_inconsistent_groups_are_refused(args):
    with pytest.raises(ValueError):
        GroupOutcome(*args)


def test_interval_significance():
    assert Interval(0.02, 0.01, 0.03).significant
    assert Interval(-0.02, -0.03, -0.01).significant
    assert not Interval(0.01, -0.01, 0.03).significant
    assert not Interval(0.0, 0.0, 0.03).significant  # touching 0 is not excluding it
    assert Interval(1.5, 1.1, 1.9, null=1.0).significant  # a ratio


def test_options_are_checked():
    group = GroupOutcome(100, 5, 0, 0)
    for options in ({"confidence": 1.0}, {"power": 0.0}, {"minimum_detectable_effect": -0.1}, {"holdout_share": 1.5}):
        with pytest.raises(ValueError):
            uplift_report(group, group, **options)


# -- holdout assignment ---------------------------------------------------------------------


def test_holdout_assignment_is_the_documented_hash():
    for customer in ("1", "42", "customer-xyz", "Q3VzdG9tZXI6MTA="):
        digest = hashlib.sha256(f"win-back:{customer}".encode()).hexdigest()
        position = int(digest[:16], 16) / 2**64
        assert holdout_assignment("win-back", customer, 0.1) is (position < 0.1)
        assert holdout_assignment("win-back", customer, position + 1e-12) is True
        assert holdout_assignment("win-back", customer, position) is False


def test_holdout_assignment_is_deterministic_and_close_to_the_share():
    keys = [str(i) for i in range(100_000)]
    first = [holdout_assignment("win-back", key, 0.10) for key in keys]
    assert first == [holdout_assignment("win-back", key, 0.10) for key in keys]
    assert abs(sum(first) / len(keys) - 0.10) < 0.005
    other = [holdout_assignment("vip-thanks", key, 0.10) for key in keys]
    assert abs(sum(other) / len(keys) - 0.10) < 0.005
    # another scenario draws another holdout: the overlap is what independence predicts (1 %)
    both = sum(a and b for a, b in zip(first, other, strict=True)) / len(keys)
    assert abs(both - 0.01) < 0.002
    # a larger share only adds customers to the holdout
    wider = [holdout_assignment("win-back", key, 0.20) for key in keys[:10_000]]
    assert all(w or not f for f, w in zip(first[:10_000], wider, strict=True))
    assert not any(holdout_assignment("win-back", key, 0.0) for key in keys[:1000])
    assert all(holdout_assignment("win-back", key, 1.0) for key in keys[:1000])
