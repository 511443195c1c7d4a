"""Uplift of a scenario against its holdout: intervals, sample size and a verdict in plain words.

Pure numpy/scipy/stdlib (no Django): :func:`uplift_report` takes two
:class:`GroupOutcome` summaries (the customers who went through the scenario, and the
held-out ones who walked it silently) and says what the scenario changed, with 95 %
confidence intervals, and whether there is enough data to say anything yet.

Everything works from per-group *sums* -- customers, converted customers, revenue and the
sum of squared revenue per customer -- so no per-customer rows are needed.

Methods
=======

Difference in conversion rates (``absolute_uplift``)
    Newcombe's hybrid score interval (Newcombe 1998, method 10) built on the Wilson score
    interval of each rate: with ``p_t in [l_t, u_t]`` and ``p_h in [l_h, u_h]``,
    ``d = p_t - p_h``, ``low = d - sqrt((p_t - l_t)**2 + (u_h - p_h)**2)`` and
    ``high = d + sqrt((u_t - p_t)**2 + (p_h - l_h)**2)``. The plain Wald interval
    under-covers when a rate is near 0 or a group is small -- exactly the holdout of a
    small shop (200 customers converting at 2 % is 4 conversions). Measured by Monte Carlo
    (200,000 shops per setting; sizes 2,000 / 10,000 / 50,000 with a 10 % holdout, base
    rates 2 % and 8 %, planted effects 0, +1 and +3 points) the coverage of the 95 %
    interval is 94.9 %..95.5 %; at zero effect the false-positive rate is 4.5 % at the
    smallest size and 4.9..5.0 % at the others: conservative on small holdouts, exactly
    5 % on large ones, as any method of the right size must be. (The continuity-corrected
    variant, method 11, over-covers up to 97.5 % at the small size -- wider intervals,
    less power -- and Agresti-Caffo up to 96.7 %; Miettinen-Nurminen matches method 10
    but needs a root search.) ``tests/results/test_uplift_simulation.py`` checks this on
    1,000 shops per setting, and the false-positive rate on 200,000.

Relative uplift (``relative_uplift``, the ratio of the rates minus 1)
    Katz's log interval: ``log(p_t/p_h) +- z*sqrt(1/x_t - 1/n_t + 1/x_h - 1/n_h)``;
    coverage 95 %..96.8 % in the same settings (where it exists). It is ``None`` when no
    held-out customer converted (``p_h = 0``: the ratio is undefined); when the treatment
    has no conversion (ratio 0, log undefined) the interval is computed with 0.5 added to
    every count, the usual correction for a zero cell.

Difference in revenue per customer (``revenue_per_customer_uplift``)
    Welch's t interval from the sums and sums of squares (sample variances with ``n - 1``,
    Welch-Satterthwaite degrees of freedom). Revenue per customer is mostly zeros with a
    long right tail, so Welch under-covers when the holdout has few buyers: with orders
    drawn from a lognormal (sigma 1) the 95 % interval covers 81..90 % of the time with 4
    expected buyers in the holdout, 89..93 % with 16..20 and 93..95 % from about 100 on
    (Monte Carlo, 40,000 shops per setting; the simulation test reports its own run).
    Only sums and sums of squares are available, so no skewness correction is possible.
    The sample-size gate below asks for well over 100 held-out buyers at the default
    minimum effect (about 160 at a 2 % base rate, 220 at 8 %), so verdicts stay in the
    regime where the interval holds.

Incremental revenue (``incremental_revenue``)
    ``revenue_per_customer_uplift * treatment.customers`` minus the discounts the
    scenario cost beyond what the holdout's rate would have cost, i.e.
    ``treatment.discount_cost - holdout.discount_cost * n_t / n_h`` (the holdout usually
    has none). The discount is an observed, fixed amount: it shifts the interval, it does
    not widen it. Pass ``discounts_in_revenue=True`` when ``revenue`` is already net of
    the discounts (Saleor's order ``total`` is): the uplift in revenue then already pays
    for them, and subtracting them again would count them twice.

Sample size (``customers_needed``, ``enough_data``)
    The standard two-proportion sample size (normal approximation, pooled variance under
    the null, unpooled under the alternative, Fleiss without continuity correction) for a
    two-sided test at ``1 - confidence`` with the requested ``power``, at the allocation
    ratio of the current split (or ``holdout_share`` when given)::

        n_h = (z_a * sqrt(pbar * (1 - pbar) * (1 + 1/k)) + z_b * sqrt(p0*(1-p0) + p1*(1-p1)/k))**2 / mde**2

    with ``k = n_t / n_h``, ``p0`` the holdout's conversion rate (the pooled rate while
    the holdout has no conversion), ``p1 = p0 + mde`` and ``pbar = (p0 + k*p1) / (1+k)``.
    The default minimum detectable effect is 20 % of ``p0``, at least half a percentage
    point. Each group must also reach ``min_customers_per_group``. ``customers_needed`` is
    how many more customers, across both groups and arriving at the split, until both
    groups reach their size; ``enough_data`` is ``customers_needed == 0``. Until then the
    verdict says "not enough data yet", whatever the interval says: stopping as soon as an
    interval excludes 0 would inflate the false positives.

All intervals are two-sided at ``confidence`` (default 95 %). The array functions
(:func:`wilson_interval`, :func:`newcombe_interval`, :func:`katz_interval`,
:func:`welch_interval`, :func:`holdout_size`) accept numpy arrays, so a simulation can
evaluate thousands of shops at once with the same code :func:`uplift_report` runs.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, replace
from statistics import NormalDist

import numpy as np
from scipy import special

__all__ = [
    "GroupOutcome",
    "Interval",
    "UpliftReport",
    "holdout_assignment",
    "holdout_size",
    "katz_interval",
    "newcombe_interval",
    "uplift_report",
    "welch_interval",
    "wilson_interval",
    "z_value",
]

#: the default minimum detectable effect is this share of the holdout's conversion rate ...
DEFAULT_RELATIVE_MDE = 0.20
#: ... and at least this many (absolute) conversion points: 0.5 percentage points
MDE_FLOOR = 0.005
#: the split assumed while a group is still empty and no ``holdout_share`` is given
DEFAULT_HOLDOUT_SHARE = 0.10

ArrayLike = float | int | np.ndarray


# -- inputs and outputs --------------------------------------------------------------------


@dataclass(frozen=True)
class GroupOutcome:
    """What one group (treatment or holdout) did during the measurement window.

    ``revenue_sq`` is the sum over the group's customers of the square of each customer's
    revenue (0 for those who did not order): with ``revenue`` it gives the variance of the
    revenue per customer without per-customer rows.
    """

    #: customers in the group
    customers: int
    #: of them, how many ordered within the window
    converted: int
    #: total revenue of those orders (net of refunds; see ``discounts_in_revenue``)
    revenue: float
    #: sum over customers of (revenue of the customer) ** 2
    revenue_sq: float
    #: total discounts the scenario granted (usually the treatment only)
    discount_cost: float = 0.0

    def __post_init__(self) -> None:
        if self.customers < 0 or int(self.customers) != self.customers:
            raise ValueError(f"customers must be a whole number >= 0, got {self.customers!r}")
        if not 0 <= self.converted <= self.customers or int(self.converted) != self.converted:
            raise ValueError(f"converted must be a whole number in 0..{self.customers}, got {self.converted!r}")
        for name in ("revenue", "revenue_sq", "discount_cost"):
            if not math.isfinite(getattr(self, name)):
                raise ValueError(f"{name} must be finite, got {getattr(self, name)!r}")
        if self.revenue_sq < 0:
            raise ValueError(f"revenue_sq is a sum of squares, it cannot be negative: {self.revenue_sq!r}")
        if self.discount_cost < 0:
            raise ValueError(f"discount_cost cannot be negative: {self.discount_cost!r}")
        if self.customers == 0 and (self.revenue or self.revenue_sq):
            raise ValueError("a group without customers cannot have revenue")
        # Cauchy-Schwarz: sum(r**2) >= sum(r)**2 / n, up to rounding of the sums
        if self.customers and self.revenue**2 / self.customers > self.revenue_sq * (1 + 1e-9) + 1e-9:
            raise ValueError(
                f"revenue_sq={self.revenue_sq!r} is smaller than revenue**2 / customers="
                f"{self.revenue**2 / self.customers!r}: it must be the sum of squared revenue per customer"
            )

    @property
    def conversion_rate(self) -> float:
        """Share of the group that ordered; NaN for an empty group."""
        return self.converted / self.customers if self.customers else math.nan

    @property
    def revenue_per_customer(self) -> float:
        """Mean revenue per customer (0 for those who did not order); NaN for an empty group."""
        return self.revenue / self.customers if self.customers else math.nan


@dataclass(frozen=True)
class Interval:
    """An estimate with its two-sided confidence interval ``[low, high]``.

    ``null`` is the value of "no effect": 0 for every interval of :class:`UpliftReport`
    (the relative uplift is the ratio of the rates *minus one*). The estimate is NaN when
    it is undefined (an empty group); the bounds are then as wide as they can be.
    """

    estimate: float
    low: float
    high: float
    null: float = 0.0

    @property
    def significant(self) -> bool:
        """The interval excludes "no effect" (``null``)."""
        return self.low > self.null or self.high < self.null

    def contains(self, value: float) -> bool:
        """``low <= value <= high``."""
        return self.low <= value <= self.high


@dataclass(frozen=True)
class UpliftReport:
    """The scenario's effect on its customers, measured against the holdout."""

    treatment: GroupOutcome
    holdout: GroupOutcome
    conversion_treatment: float
    conversion_holdout: float
    #: difference in conversion rates, treatment - holdout, as a fraction (0.031 = 3.1 points)
    absolute_uplift: Interval
    #: (p_t / p_h) - 1; None when no held-out customer converted (the verdict says so)
    relative_uplift: Interval | None
    #: difference in mean revenue per customer, treatment - holdout
    revenue_per_customer_uplift: Interval
    #: revenue_per_customer_uplift * treatment.customers, net of the scenario's discounts
    incremental_revenue: Interval
    #: both groups are large enough to detect the minimum effect with the requested power
    enough_data: bool
    #: more customers (both groups, at the split) until then; 0 when enough_data
    customers_needed: int
    #: the absolute effect the sample size is planned for (a fraction)
    minimum_detectable_effect: float
    confidence: float
    #: the result in plain words
    verdict: str


# -- the array functions -------------------------------------------------------------------


def z_value(confidence: float) -> float:
    """The standard normal quantile of a two-sided ``confidence`` interval (1.96 at 95 %)."""
    _check_probability("confidence", confidence)
    return NormalDist().inv_cdf((1 + confidence) / 2)


def wilson_interval(successes: ArrayLike, trials: ArrayLike, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a proportion: ``(low, high)``; ``[0, 1]`` where ``trials == 0``."""
    z = z_value(confidence)
    x = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        z2n = z * z / n
        centre = (p + z2n / 2) / (1 + z2n)
        half = z / (1 + z2n) * np.sqrt(np.maximum(p * (1 - p) / n, 0.0) + z2n / (4 * n))
        low = np.where(n > 0, np.clip(centre - half, 0.0, 1.0), 0.0)
        high = np.where(n > 0, np.clip(centre + half, 0.0, 1.0), 1.0)
    # exact at the edges (the formula gives 0 and 1 up to rounding)
    low = np.where(x == 0, 0.0, low)
    high = np.where((x == n) & (n > 0), 1.0, high)
    return low, high


def newcombe_interval(
    converted_t: ArrayLike, customers_t: ArrayLike, converted_h: ArrayLike, customers_h: ArrayLike, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Newcombe's hybrid score interval of ``p_t - p_h``: ``(estimate, low, high)``.

    Where a group is empty the estimate is NaN and the interval is ``[-1, 1]``.
    """
    x_t, n_t = np.asarray(converted_t, dtype=float), np.asarray(customers_t, dtype=float)
    x_h, n_h = np.asarray(converted_h, dtype=float), np.asarray(customers_h, dtype=float)
    l_t, u_t = wilson_interval(x_t, n_t, confidence)
    l_h, u_h = wilson_interval(x_h, n_h, confidence)
    empty = (n_t == 0) | (n_h == 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_t, p_h = x_t / n_t, x_h / n_h
        d = p_t - p_h
        low = d - np.sqrt((p_t - l_t) ** 2 + (u_h - p_h) ** 2)
        high = d + np.sqrt((u_t - p_t) ** 2 + (p_h - l_h) ** 2)
    return np.where(empty, np.nan, d), np.where(empty, -1.0, low), np.where(empty, 1.0, high)


def katz_interval(
    converted_t: ArrayLike, customers_t: ArrayLike, converted_h: ArrayLike, customers_h: ArrayLike, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Katz log interval of the relative uplift ``p_t / p_h - 1``: ``(estimate, low, high)``.

    NaN (all three) where it is undefined: no held-out conversion or an empty group. Where
    the treatment has no conversion, 0.5 is added to each count for the bounds.
    """
    z = z_value(confidence)
    x_t, n_t = np.asarray(converted_t, dtype=float), np.asarray(customers_t, dtype=float)
    x_h, n_h = np.asarray(converted_h, dtype=float), np.asarray(customers_h, dtype=float)
    undefined = (x_h == 0) | (n_t == 0) | (n_h == 0)
    zero = x_t == 0
    # the zero-cell correction, only where the treatment has no conversion
    ax_t, an_t = np.where(zero, x_t + 0.5, x_t), np.where(zero, n_t + 0.5, n_t)
    ax_h, an_h = np.where(zero, x_h + 0.5, x_h), np.where(zero, n_h + 0.5, n_h)
    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = (x_t / n_t) / (x_h / n_h) - 1
        log_ratio = np.log((ax_t / an_t) / (ax_h / an_h))
        se = np.sqrt(np.maximum(1 / ax_t - 1 / an_t + 1 / ax_h - 1 / an_h, 0.0))
        low = np.exp(log_ratio - z * se) - 1
        high = np.exp(log_ratio + z * se) - 1
    nan = np.full(np.broadcast(estimate, low).shape, np.nan)
    return np.where(undefined, nan, estimate), np.where(undefined, nan, low), np.where(undefined, nan, high)


def welch_interval(
    customers_t: ArrayLike,
    revenue_t: ArrayLike,
    revenue_sq_t: ArrayLike,
    customers_h: ArrayLike,
    revenue_h: ArrayLike,
    revenue_sq_h: ArrayLike,
    confidence: float = 0.95,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Welch's t interval of the difference in means from sums and sums of squares.

    Returns ``(estimate, low, high)`` of ``revenue_t/customers_t - revenue_h/customers_h``.
    With fewer than two customers in a group the variance is unknown: the bounds are
    infinite (the estimate is NaN for an empty group). When both sample variances are 0
    the interval is the estimate itself.
    """
    _check_probability("confidence", confidence)
    n_t, n_h = np.asarray(customers_t, dtype=float), np.asarray(customers_h, dtype=float)
    s_t, s_h = np.asarray(revenue_t, dtype=float), np.asarray(revenue_h, dtype=float)
    q_t, q_h = np.asarray(revenue_sq_t, dtype=float), np.asarray(revenue_sq_h, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        m_t, m_h = s_t / n_t, s_h / n_h
        # sample variances; max(., 0) absorbs the rounding of sum(r^2) - n*mean^2
        v_t = np.maximum(q_t - s_t * m_t, 0.0) / (n_t - 1)
        v_h = np.maximum(q_h - s_h * m_h, 0.0) / (n_h - 1)
        a, b = v_t / n_t, v_h / n_h
        se = np.sqrt(a + b)
        df = (a + b) ** 2 / (a * a / (n_t - 1) + b * b / (n_h - 1))
        t = special.stdtrit(np.where(se > 0, df, 1.0), (1 + confidence) / 2)  # Student's t quantile
        d = m_t - m_h
        low = np.where(se > 0, d - t * se, d)
        high = np.where(se > 0, d + t * se, d)
    unknown = (n_t < 2) | (n_h < 2)
    return d, np.where(unknown, -np.inf, low), np.where(unknown, np.inf, high)


def holdout_size(
    baseline: ArrayLike,
    effect: ArrayLike,
    ratio: ArrayLike,
    confidence: float = 0.95,
    power: float = 0.8,
) -> np.ndarray:
    """Holdout customers needed to detect ``effect`` (absolute) over ``baseline``.

    Two-sided two-proportion test, ``ratio`` treatment customers per holdout customer
    (normal approximation, no continuity correction; Fleiss). The treatment needs
    ``ratio`` times as many. Where ``baseline + effect`` would exceed 1, the effect is
    taken downwards. Not rounded.
    """
    _check_probability("power", power)
    z_a, z_b = z_value(confidence), NormalDist().inv_cdf(power)
    p0 = np.asarray(baseline, dtype=float)
    d = np.abs(np.asarray(effect, dtype=float))
    k = np.asarray(ratio, dtype=float)
    p1 = np.where(p0 + d <= 1, p0 + d, p0 - d)
    p_bar = (p0 + k * p1) / (1 + k)
    root = z_a * np.sqrt(p_bar * (1 - p_bar) * (1 + 1 / k)) + z_b * np.sqrt(p0 * (1 - p0) + p1 * (1 - p1) / k)
    return root**2 / d**2


# -- the report ----------------------------------------------------------------------------


def uplift_report(
    treatment: GroupOutcome,
    holdout: GroupOutcome,
    *,
    confidence: float = 0.95,
    minimum_detectable_effect: float | None = None,
    power: float = 0.8,
    min_customers_per_group: int = 100,
    holdout_share: float | None = None,
    discounts_in_revenue: bool = False,
) -> UpliftReport:
    """Compare the scenario's customers with its holdout. See the module docstring for the methods.

    ``minimum_detectable_effect`` is an absolute difference in conversion rates (0.01 =
    one percentage point); by default 20 % of the holdout's rate, at least 0.005.
    ``holdout_share`` is the planned split (the scenario's setting); by default the
    current split (10 % while a group is empty). ``discounts_in_revenue``: ``revenue`` is
    already net of the discounts, so they are not subtracted again from the incremental
    revenue.
    """
    _check_probability("confidence", confidence)
    _check_probability("power", power)
    if minimum_detectable_effect is not None and not 0 < minimum_detectable_effect < 1:
        raise ValueError(f"minimum_detectable_effect is an absolute difference in (0, 1), got {minimum_detectable_effect!r}")
    if holdout_share is not None and not 0 < holdout_share < 1:
        raise ValueError(f"holdout_share must be in (0, 1), got {holdout_share!r}")
    if min_customers_per_group < 2:
        raise ValueError("min_customers_per_group must be at least 2 (a variance needs two customers)")

    n_t, x_t, n_h, x_h = treatment.customers, treatment.converted, holdout.customers, holdout.converted

    absolute = Interval(*_floats(newcombe_interval(x_t, n_t, x_h, n_h, confidence)))
    relative_values = _floats(katz_interval(x_t, n_t, x_h, n_h, confidence))
    relative = None if math.isnan(relative_values[0]) else Interval(*relative_values)
    revenue = Interval(
        *_floats(
            welch_interval(
                n_t, treatment.revenue, treatment.revenue_sq, n_h, holdout.revenue, holdout.revenue_sq, confidence
            )
        )
    )
    discounts = 0.0
    if not discounts_in_revenue:
        discounts = treatment.discount_cost - (holdout.discount_cost * n_t / n_h if n_h else 0.0)
    if n_t and n_h:
        incremental = Interval(
            revenue.estimate * n_t - discounts, revenue.low * n_t - discounts, revenue.high * n_t - discounts
        )
    else:  # nothing to compare yet
        incremental = Interval(math.nan, -math.inf, math.inf)

    # -- how many customers it takes
    if holdout_share is None:
        holdout_share = n_h / (n_t + n_h) if n_t and n_h else DEFAULT_HOLDOUT_SHARE
    if x_h:
        baseline = x_h / n_h
    elif n_t + n_h:
        baseline = (x_t + x_h) / (n_t + n_h)
    else:
        baseline = 0.0
    mde = minimum_detectable_effect or max(DEFAULT_RELATIVE_MDE * baseline, MDE_FLOOR)
    ratio = (1 - holdout_share) / holdout_share
    need_h = float(holdout_size(baseline, mde, ratio, confidence, power))
    need_h = max(need_h, min_customers_per_group)
    need_t = max(need_h * ratio, min_customers_per_group)
    more = max((need_h - n_h) / holdout_share, (need_t - n_t) / (1 - holdout_share), 0.0)
    customers_needed = math.ceil(more - 1e-9) if more > 0 else 0
    # a group still short of its size always needs at least one more customer
    if customers_needed == 0 and (n_h < math.ceil(need_h - 1e-9) or n_t < math.ceil(need_t - 1e-9)):
        customers_needed = 1
    enough = customers_needed == 0

    report = UpliftReport(
        treatment=treatment,
        holdout=holdout,
        conversion_treatment=treatment.conversion_rate,
        conversion_holdout=holdout.conversion_rate,
        absolute_uplift=absolute,
        relative_uplift=relative,
        revenue_per_customer_uplift=revenue,
        incremental_revenue=incremental,
        enough_data=enough,
        customers_needed=customers_needed,
        minimum_detectable_effect=mde,
        confidence=confidence,
        verdict="",
    )
    return _with_verdict(report)


def holdout_assignment(scenario_key: str, customer_key: str, share: float) -> bool:
    """Is the customer held out of the scenario? Deterministic: always the same answer.

    The first 8 bytes of ``sha256(f"{scenario_key}:{customer_key}")``, read big-endian,
    are a uniform number in [0, 1); the customer is held out when it is below ``share``.
    Different scenarios draw independent holdouts.
    """
    if not 0 <= share <= 1:
        raise ValueError(f"share must be in [0, 1], got {share!r}")
    digest = hashlib.sha256(f"{scenario_key}:{customer_key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


# -- words ---------------------------------------------------------------------------------


def _with_verdict(report: UpliftReport) -> UpliftReport:
    return replace(report, verdict=_verdict(report))


def _verdict(r: UpliftReport) -> str:
    level = f"{_number(100 * r.confidence, 0)} % CI"
    n_t, n_h = r.treatment.customers, r.holdout.customers
    groups = f"{_count(n_t)} received the scenario, {_count(n_h)} held out"
    if not r.enough_data:
        text = f"Not enough data yet: ~{_count(_round_up(r.customers_needed))} more customers needed ({groups})."
        if not math.isnan(r.absolute_uplift.estimate) and n_t >= 2 and n_h >= 2:
            text += f" So far: {_per_100(r.absolute_uplift, level, signed=True)}."
        return text + _relative_note(r)

    a, rev, inc = r.absolute_uplift, r.revenue_per_customer_uplift, r.incremental_revenue
    money = (
        f"revenue per customer {_signed_money(rev.estimate)} ({level} {_money_range(rev)}), "
        f"{_signed_money(inc.estimate)} in total net of discounts ({level} {_money_range(inc)})"
    )
    if a.significant and a.estimate > 0:
        extra = a.estimate * n_t
        text = (
            f"The scenario brings back {_per_100(a, level)}: about {_count(extra)} extra ordering customers "
            f"among the {_count(n_t)} who received it{_relative_words(r)}; {money}."
        )
    elif a.significant:
        text = (
            f"The scenario loses customers: {_per_100(a, level, signed=True)} against the holdout "
            f"({groups}){_relative_words(r)}; {money}."
        )
    else:
        text = f"No measurable effect so far: {_per_100(a, level, signed=True)} ({groups}); {money}."
    return text + _relative_note(r)


def _relative_words(r: UpliftReport) -> str:
    rel = r.relative_uplift
    if rel is None:
        return ""
    return (
        f", {_signed(100 * rel.estimate, 0)} % relative to the holdout's {_number(100 * r.conversion_holdout, 1)} % "
        f"({_range(100 * rel.low, 100 * rel.high, 0)} %)"
    )


def _relative_note(r: UpliftReport) -> str:
    if r.relative_uplift is None and r.holdout.customers and r.treatment.customers:
        return " No relative uplift yet: no held-out customer has ordered."
    return ""


def _per_100(a: Interval, level: str, *, signed: bool = False) -> str:
    points = 100 * a.estimate
    if signed:
        head = f"{_signed(points, 1)} customers per 100"
    else:
        head = f"{_number(abs(points), 1)} {'more' if points >= 0 else 'fewer'} customers per 100"
    return f"{head} ({level} {_range(100 * a.low, 100 * a.high, 1)})"


def _range(low: float, high: float, digits: int) -> str:
    if low >= 0:
        return f"{_number(low, digits)}–{_number(high, digits)}"
    return f"{_number(low, digits)} to {_number(high, digits)}"


def _money_range(i: Interval) -> str:
    return f"{_money(i.low)}–{_money(i.high)}" if i.low >= 0 else f"{_money(i.low)} to {_money(i.high)}"


def _money(value: float) -> str:
    if math.isinf(value):
        return "unbounded"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


def _signed_money(value: float) -> str:
    return ("+" if value >= 0 else "") + _money(value)


def _number(value: float, digits: int) -> str:
    text = f"{value:,.{digits}f}"
    return "0" + text[2:] if text.startswith("-0") and float(text) == 0 else text


def _signed(value: float, digits: int) -> str:
    text = _number(value, digits)
    return text if text.startswith("-") else "+" + text


def _count(value: float) -> str:
    return f"{round(value):,}"


def _round_up(value: int) -> int:
    """Up to two significant figures, for "~N more customers": 7,925 -> 8,000."""
    if value < 100:
        return value
    step = 10 ** (len(str(value)) - 2)
    return -(-value // step) * step


# -- helpers -------------------------------------------------------------------------------


def _floats(values: tuple[np.ndarray, ...]) -> tuple[float, ...]:
    return tuple(float(v) for v in values)


def _check_probability(name: str, value: float) -> None:
    if not 0 < value < 1:
        raise ValueError(f"{name} must be in (0, 1), got {value!r}")
