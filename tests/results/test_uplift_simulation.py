"""Acceptance: synthetic shops with a planted uplift, 1,000 shops per setting.

Each shop has ``size`` customers, 10 % of them held out; a held-out customer converts with
probability ``base``, one who received the scenario with ``base + effect``. The 95 %
interval of the absolute uplift must cover the planted ``effect`` in 95 +- 3 % of the
shops of every setting, and at ``effect = 0`` must exclude 0 (a false "significant") in
at most 5 % of them up to binomial noise (see :data:`FALSE_POSITIVE_BOUND`).

Everything is drawn with a fixed seed (one stream per setting) and evaluated with the same
array functions :func:`uplift_report` runs, so the whole file takes a few seconds; the
report itself is run on every shop of the zero-effect settings and on a sample of the
others, and must agree. The observed rates are printed (``capsys.disabled``) even under
``-q``.
"""

import functools
import itertools
import math

import numpy as np
import pytest
from scipy import stats

from saleor_lifecycle.results.uplift import (
    GroupOutcome,
    holdout_size,
    katz_interval,
    newcombe_interval,
    uplift_report,
    welch_interval,
)

SEED = 20261123
SHOPS = 1_000
HOLDOUT_SHARE = 0.10
SIZES = (2_000, 10_000, 50_000)
BASES = (0.02, 0.08)
EFFECTS = (0.0, 0.01, 0.03)
SETTINGS = list(itertools.product(SIZES, BASES, EFFECTS))

#: coverage must be 95 +- 3 % in every setting
COVERAGE_RANGE = (0.92, 0.98)
#: A method whose false-positive rate is exactly 5 % shows more than this share of false
#: positives among 1,000 shops only 0.5 % of the time (binomial 99.5 % quantile, 6.9 %):
#: over the six zero-effect settings a correct method fails this test about 3 % of the
#: time at most, while a method at 7 % or more fails it half the time or more.
FALSE_POSITIVE_BOUND = stats.binom.ppf(0.995, SHOPS, 0.05) / SHOPS
#: the same over the 6,000 zero-effect shops pooled: 5.7 %
POOLED_FALSE_POSITIVE_BOUND = stats.binom.ppf(0.995, 6 * SHOPS, 0.05) / (6 * SHOPS)
#: shops per setting checked against the full uplift_report (all of them at zero effect)
REPORT_SAMPLE = 50

#: revenue per order: lognormal, median 60, sigma 1 (mean 99, coefficient of variation 1.3);
#: the scenario's discount takes 10 % off the treatment's orders
ORDER_MEDIAN, ORDER_SIGMA, TREATMENT_BASKET = 60.0, 1.0, 0.90
ORDER_MEAN = ORDER_MEDIAN * math.exp(ORDER_SIGMA**2 / 2)
REVENUE_SETTINGS = list(itertools.product(SIZES, BASES, (0.0, 0.03)))


def group_sizes(size: int) -> tuple[int, int]:
    holdout = round(size * HOLDOUT_SHARE)
    return size - holdout, holdout


@functools.cache
def conversions(size: int, base: float, effect: float) -> tuple[np.ndarray, np.ndarray]:
    """Converted customers per shop: (treatment, holdout), one array of SHOPS each."""
    rng = np.random.default_rng([SEED, SETTINGS.index((size, base, effect))])
    n_t, n_h = group_sizes(size)
    return rng.binomial(n_t, base + effect, SHOPS), rng.binomial(n_h, base, SHOPS)


@functools.cache
def revenues(size: int, base: float, effect: float) -> tuple[np.ndarray, ...]:
    """Per shop: converted, revenue and revenue² for treatment and holdout; one order per buyer."""
    rng = np.random.default_rng([SEED, 1_000 + REVENUE_SETTINGS.index((size, base, effect))])
    n_t, n_h = group_sizes(size)
    basket = TREATMENT_BASKET if effect else 1.0  # at zero effect nothing differs at all
    out = []
    for n, p, scale in ((n_t, base + effect, basket), (n_h, base, 1.0)):
        buyers = rng.binomial(n, p, SHOPS)
        orders = ORDER_MEDIAN * scale * rng.lognormal(0.0, ORDER_SIGMA, int(buyers.sum()))
        shop = np.repeat(np.arange(SHOPS), buyers)
        out += [buyers, np.bincount(shop, orders, SHOPS), np.bincount(shop, orders**2, SHOPS)]
    return tuple(out)


def planted_revenue_effect(base: float, effect: float) -> float:
    basket = TREATMENT_BASKET if effect else 1.0
    return (base + effect) * ORDER_MEAN * basket - base * ORDER_MEAN


def show(capsys, title: str, header: str, rows: list[str]) -> None:
    with capsys.disabled():
        print(f"\n{title}\n  {header}")
        for row in rows:
            print(f"  {row}")


# -- the absolute uplift ------------------------------------------------------------------


def test_absolute_uplift_interval_covers_the_planted_effect(capsys):
    rows, failures = [], []
    for size, base, effect in SETTINGS:
        x_t, x_h = conversions(size, base, effect)
        n_t, n_h = group_sizes(size)
        _, low, high = newcombe_interval(x_t, n_t, x_h, n_h)
        coverage = float(np.mean((low <= effect) & (effect <= high)))
        rows.append(f"{size:>6} {base:>5.0%} {effect:>+7.0%} {coverage:>9.1%}")
        if not COVERAGE_RANGE[0] <= coverage <= COVERAGE_RANGE[1]:
            failures.append((size, base, effect, coverage))
        # the report computes exactly these intervals
        for i in range(REPORT_SAMPLE):
            interval = uplift_report(GroupOutcome(n_t, int(x_t[i]), 0.0, 0.0), GroupOutcome(n_h, int(x_h[i]), 0.0, 0.0)).absolute_uplift
            assert (interval.low, interval.high) == pytest.approx((low[i], high[i]), rel=1e-12, abs=1e-15)
    show(capsys, "absolute uplift (Newcombe hybrid score): coverage of the planted effect", "  size  base  effect  coverage", rows)
    assert not failures, f"coverage outside {COVERAGE_RANGE}: {failures}"


def test_no_effect_is_called_significant_at_most_5_percent_of_the_time(capsys):
    rows, failures = [], []
    significant_total = claimed_total = 0
    for size, base in itertools.product(SIZES, BASES):
        x_t, x_h = conversions(size, base, 0.0)
        n_t, n_h = group_sizes(size)
        reports = [uplift_report(GroupOutcome(n_t, int(t), 0.0, 0.0), GroupOutcome(n_h, int(h), 0.0, 0.0)) for t, h in zip(x_t, x_h, strict=True)]
        significant = sum(r.absolute_uplift.significant for r in reports)
        # what the merchant would read: a verdict claiming an effect either way
        claimed = sum(r.enough_data and r.absolute_uplift.significant for r in reports)
        assert all(r.verdict.startswith(("The scenario", "No measurable", "Not enough data yet")) for r in reports)
        assert claimed == sum(r.verdict.startswith("The scenario") for r in reports)
        enough = sum(r.enough_data for r in reports)
        significant_total += significant
        claimed_total += claimed
        rows.append(f"{size:>6} {base:>5.0%} {significant / SHOPS:>12.1%} {enough / SHOPS:>12.1%} {claimed / SHOPS:>15.1%}")
        if significant / SHOPS > FALSE_POSITIVE_BOUND:
            failures.append((size, base, significant / SHOPS))
    pooled = significant_total / (len(rows) * SHOPS)
    rows.append(f"pooled over {len(rows) * SHOPS:,} shops: significant {pooled:.2%}, claimed in the verdict {claimed_total / (len(rows) * SHOPS):.2%}")
    rows.append(f"bounds: {FALSE_POSITIVE_BOUND:.1%} per setting, {POOLED_FALSE_POSITIVE_BOUND:.2%} pooled")
    show(capsys, "zero planted effect: false positives", "  size  base  significant  enough data  verdict claims", rows)
    assert not failures, f"false-positive rate above {FALSE_POSITIVE_BOUND:.1%}: {failures}"
    assert pooled <= POOLED_FALSE_POSITIVE_BOUND


#: shops per zero-effect setting for the long-run false-positive rate (standard error 0.05 %)
LONG_RUN_SHOPS = 200_000


def test_false_positive_rate_in_the_long_run_is_at_most_5_percent(capsys):
    """1,000 shops measure a 5 % rate to +-1.4 %; 200,000 pin down the method's own rate.

    Newcombe's interval is a little conservative on small holdouts and exactly 5 % on large
    ones, so the long-run rate must be at most 5 % up to three standard errors (5.15 %).
    """
    rows, failures = [], []
    for size, base in itertools.product(SIZES, BASES):
        rng = np.random.default_rng([SEED, 3_000, SIZES.index(size), BASES.index(base)])
        n_t, n_h = group_sizes(size)
        x_t, x_h = rng.binomial(n_t, base, LONG_RUN_SHOPS), rng.binomial(n_h, base, LONG_RUN_SHOPS)
        _, low, high = newcombe_interval(x_t, n_t, x_h, n_h)
        rate = float(np.mean((low > 0) | (high < 0)))
        rows.append(f"{size:>6} {base:>5.0%} {rate:>12.2%}")
        if rate > 0.05 + 3 * math.sqrt(0.05 * 0.95 / LONG_RUN_SHOPS):
            failures.append((size, base, rate))
    show(capsys, f"zero planted effect, {LONG_RUN_SHOPS:,} shops per setting", "  size  base  significant", rows)
    assert not failures


def test_relative_uplift_interval_covers_the_planted_ratio(capsys):
    rows, failures = [], []
    for size, base, effect in SETTINGS:
        x_t, x_h = conversions(size, base, effect)
        n_t, n_h = group_sizes(size)
        estimate, low, high = katz_interval(x_t, n_t, x_h, n_h)
        planted = (base + effect) / base - 1
        defined = ~np.isnan(estimate)
        coverage = float(np.mean(((low <= planted) & (planted <= high))[defined]))
        rows.append(f"{size:>6} {base:>5.0%} {effect:>+7.0%} {planted:>+8.0%} {coverage:>9.1%} {defined.mean():>8.1%}")
        if not COVERAGE_RANGE[0] <= coverage <= COVERAGE_RANGE[1]:
            failures.append((size, base, effect, coverage))
    show(capsys, "relative uplift (Katz log interval): coverage where defined", "  size  base  effect  planted  coverage  defined", rows)
    assert not failures, f"coverage outside {COVERAGE_RANGE}: {failures}"


# -- revenue per customer -----------------------------------------------------------------


def test_revenue_per_customer_interval_coverage(capsys):
    """Welch on zero-inflated, skewed revenue: good from ~100 holdout buyers, short below.

    Asserted: 91..98 % where the holdout expects at least 100 buyers (a correct 95 %
    interval would fail this about once in 2,000 runs; Welch's long-run coverage there
    is 93..95 %), and at least 75 % everywhere, so a regression shows. The short coverage
    of small holdouts is documented in the module, and the report's sample-size gate
    keeps verdicts out of that regime.
    """
    rows, failures = [], []
    for size, base, effect in REVENUE_SETTINGS:
        b_t, r_t, q_t, b_h, r_h, q_h = revenues(size, base, effect)
        n_t, n_h = group_sizes(size)
        _, low, high = welch_interval(n_t, r_t, q_t, n_h, r_h, q_h)
        planted = planted_revenue_effect(base, effect)
        coverage = float(np.mean((low <= planted) & (planted <= high)))
        buyers = n_h * base
        rows.append(f"{size:>6} {base:>5.0%} {effect:>+7.0%} {planted:>+8.2f} {buyers:>8.0f} {coverage:>9.1%}")
        floor = 0.91 if buyers >= 100 else 0.75
        if not floor <= coverage <= COVERAGE_RANGE[1]:
            failures.append((size, base, effect, coverage))
        for i in range(REPORT_SAMPLE):
            report = uplift_report(
                GroupOutcome(n_t, int(b_t[i]), float(r_t[i]), float(q_t[i])),
                GroupOutcome(n_h, int(b_h[i]), float(r_h[i]), float(q_h[i])),
            )
            assert report.revenue_per_customer_uplift.low == pytest.approx(low[i], rel=1e-12, abs=1e-12)
            assert report.revenue_per_customer_uplift.high == pytest.approx(high[i], rel=1e-12, abs=1e-12)
    show(
        capsys,
        f"revenue per customer (Welch), orders lognormal(median {ORDER_MEDIAN:.0f}, sigma {ORDER_SIGMA}), "
        f"treatment baskets x{TREATMENT_BASKET} when the effect is planted",
        "  size  base  effect  planted  holdout buyers  coverage",
        rows,
    )
    assert not failures, f"revenue coverage out of bounds: {failures}"


# -- the sample size ----------------------------------------------------------------------


@pytest.mark.parametrize("base", BASES)
def test_customers_needed_gives_the_promised_power(base, capsys):
    """Shops of exactly the size the report asks for detect the minimum effect ~80 % of the time."""
    ratio = (1 - HOLDOUT_SHARE) / HOLDOUT_SHARE
    mde = max(0.2 * base, 0.005)
    # the planned holdout, rounded up to a multiple of 50 so that base * n_h is a whole number
    n_h = 50 * math.ceil(float(holdout_size(base, mde, ratio)) / 50)
    n_t = round(n_h * ratio)
    empty = uplift_report(GroupOutcome(0, 0, 0, 0), GroupOutcome(0, 0, 0, 0), minimum_detectable_effect=mde)
    assert not empty.enough_data
    rng = np.random.default_rng([SEED, 2_000, BASES.index(base)])
    x_t, x_h = rng.binomial(n_t, base + mde, SHOPS), rng.binomial(n_h, base, SHOPS)
    _, low, _ = newcombe_interval(x_t, n_t, x_h, n_h)
    power = float(np.mean(low > 0))
    # at that size and the holdout's rate, the report says there is enough data
    report = uplift_report(GroupOutcome(n_t, round(n_t * base), 0, 0), GroupOutcome(n_h, round(n_h * base), 0, 0))
    assert report.minimum_detectable_effect == pytest.approx(mde)
    assert report.enough_data and report.customers_needed == 0
    # 50 held-out customers fewer (and 450 treated) is short of the plan: at most 500 more needed
    n_h_less, n_t_less = n_h - 50, n_t - 450
    smaller = uplift_report(GroupOutcome(n_t_less, round(n_t_less * base), 0, 0), GroupOutcome(n_h_less, round(n_h_less * base), 0, 0))
    assert not smaller.enough_data and 0 < smaller.customers_needed <= 500
    show(capsys, f"power at base {base:.0%}, effect {mde:+.1%}", "  holdout  treatment  power", [f"{n_h:>7,} {n_t:>10,} {power:>6.1%}"])
    assert 0.75 <= power <= 0.85
