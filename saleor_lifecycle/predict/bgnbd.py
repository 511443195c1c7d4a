"""The BG/NBD model of purchase counts and dropout.

Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way: An Alternative to the
Pareto/NBD Model", Marketing Science 24(2) — "FHL 2005" below; equation numbers are the
paper's. P(alive) follows Fader, Hardie & Lee (2008), "Computing P(alive) Using the
BG/NBD Model" (note).

The model: while alive, a customer buys as a Poisson process with rate lambda; right after
each *repeat* purchase they drop out for good with probability p. Across customers
lambda ~ Gamma(r, alpha) (shape r, rate alpha) and p ~ Beta(a, b).

Data per customer (summary data): ``x`` repeat purchases, ``t_x`` the time of the last
purchase and ``T`` the customer's age, both counted from the first purchase. Any time
unit works as long as every argument uses it (``alpha`` and every returned time are then
in that unit): the app uses days. ``t_x`` is ignored, and taken as 0, when ``x`` is 0.

Every function is vectorised over numpy arrays (scalars broadcast).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from scipy import special

from .errors import NotEnoughData
from .summary import (
    FitResult,
    FloatArray,
    as_array,
    as_weights,
    check_same_length,
    dot,
    group_rows,
    log_space_standard_errors,
    maximize_in_log_space,
    softplus_and_sigmoid,
    unique_levels,
)

#: Mean days in a month: the default discounting period when times are in days.
DAYS_PER_MONTH = 365.25 / 12
#: Below this many customers the per-(x, T) de-duplication in the forecasts is not worth it.
DEDUPLICATE_FROM = 4096
#: Rows per block when a forecast evaluates several horizons at once (rows x horizons values).
_ROWS_PER_BLOCK = 8192


class BGNBDParams(NamedTuple):
    """r, alpha: Gamma heterogeneity of the purchase rate (alpha in the data's time unit);
    a, b: Beta heterogeneity of the dropout probability."""

    r: float
    alpha: float
    a: float
    b: float


PARAM_NAMES = BGNBDParams._fields


class AtRiskMoment(NamedTuple):
    """Two definitions of a customer's personal at-risk moment, as times from now.

    ``by_p_alive``: when P(alive) falls below the threshold if no purchase happens
    meanwhile (inf when it never does: customers without a repeat purchase are alive with
    probability 1 in the BG/NBD model). ``by_interval``: when the time since the last
    purchase exceeds ``factor`` times the expected inter-purchase time. 0 means "already".
    """

    by_p_alive: FloatArray
    by_interval: FloatArray


# --- input checks --------------------------------------------------------------------------


def summary_arrays(x: object, t_x: object, T: object) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Broadcast and check summary data; ``t_x`` is set to 0 where ``x`` is 0.

    ValueError unless x is a non-negative whole number and 0 <= t_x <= T.
    """
    x_arr, t_x_arr, T_arr = (np.asarray(v, dtype=np.float64) for v in (x, t_x, T))
    x_arr, t_x_arr, T_arr = (np.atleast_1d(v) for v in np.broadcast_arrays(x_arr, t_x_arr, T_arr))
    x_arr, t_x_arr, T_arr = (as_array(name, v) for name, v in (("x", x_arr), ("t_x", t_x_arr), ("T", T_arr)))
    if np.any(x_arr < 0) or not np.array_equal(x_arr, np.floor(x_arr)):
        raise ValueError("x (repeat purchases) must be non-negative whole numbers")
    if np.any(t_x_arr < 0):
        raise ValueError("t_x (recency) must be non-negative")
    # Small tolerance: t_x and T are often computed from the same timestamps in floats.
    if np.any(t_x_arr > T_arr * (1 + 1e-9) + 1e-12):
        raise ValueError("t_x (recency) must not exceed T (age)")
    t_x_arr = np.where(x_arr > 0, np.minimum(t_x_arr, T_arr), 0.0)
    return x_arr, t_x_arr, T_arr


def checked_params(params: BGNBDParams | tuple[float, float, float, float]) -> BGNBDParams:
    checked = BGNBDParams(*(float(v) for v in params))
    if not all(math.isfinite(v) and v > 0 for v in checked):
        raise ValueError(f"BG/NBD parameters must be positive and finite, got {checked}")
    return checked


def check_discounting(periods: int, period_length: float, discount_rate: float) -> None:
    if periods < 0 or period_length <= 0 or discount_rate <= -1:
        raise ValueError("periods >= 0, period_length > 0 and discount_rate > -1 are required")


def check_at_risk_options(threshold: float, factor: float) -> None:
    if not 0.0 < threshold < 1.0:
        raise ValueError("threshold must be strictly between 0 and 1")
    if factor <= 0:
        raise ValueError("factor must be positive")


# --- likelihood ----------------------------------------------------------------------------


def log_likelihood_individual(
    params: BGNBDParams | tuple[float, float, float, float], x: object, t_x: object, T: object
) -> FloatArray:
    """Each customer's log-likelihood, FHL 2005 eq. (6), in log space:

    L = B(a, b+x)/B(a, b) * Gamma(r+x) alpha^r / (Gamma(r) (alpha+T)^(r+x))
        + [x > 0] B(a+1, b+x-1)/B(a, b) * Gamma(r+x) alpha^r / (Gamma(r) (alpha+t_x)^(r+x))

    The ratio of the second term to the first is (a/(b+x-1)) ((alpha+T)/(alpha+t_x))^(r+x)
    (the Beta functions share Gamma(a+b+x)), so log L = log(first) + softplus(log ratio).
    """
    r, alpha, a, b = checked_params(params)
    x, t_x, T = summary_arrays(x, t_x, T)
    base = (
        special.gammaln(r + x)
        - special.gammaln(r)
        + r * math.log(alpha)
        + special.betaln(a, b + x)
        - special.betaln(a, b)
        - (r + x) * np.log(alpha + T)
    )
    return base + np.logaddexp(0.0, _log_dead_to_alive(r, alpha, a, b, x, t_x, T))


def log_likelihood(
    params: BGNBDParams | tuple[float, float, float, float],
    x: object,
    t_x: object,
    T: object,
    weights: object | None = None,
) -> float:
    """Total log-likelihood (eq. 6 summed); ``weights`` count customers per row."""
    terms = log_likelihood_individual(params, x, t_x, T)
    return dot(as_weights(weights, len(terms)), terms)


def _log_dead_to_alive(
    r: float, alpha: float, a: float, b: float, x: FloatArray, t_x: FloatArray, T: FloatArray
) -> FloatArray:
    """log of (a/(b+x-1)) ((alpha+T)/(alpha+t_x))^(r+x), the odds of "dropped out after the
    last purchase" against "still alive"; -inf where x = 0 (no dropout before a repeat purchase)."""
    x_safe = np.maximum(x, 1.0)  # b+x-1 may be <= 0 at x = 0, where the value is masked anyway
    log_odds = math.log(a) - np.log(b + x_safe - 1) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
    return np.where(x > 0, log_odds, -np.inf)


@dataclass(frozen=True)
class _FitData:
    """Grouped summary data in rescaled time (divided by ``time_scale``), with levels.

    Terms that depend on x alone (Gamma, Beta and digamma functions) are computed once per
    distinct x (``x_levels``, gathered with ``level``), and logs and reciprocals of
    alpha + T and alpha + t_x once per distinct T and t_x (``T_levels``/``T_index``,
    ``t_levels``/``t_index``): that keeps the per-group work to a few cheap operations.
    Terms that are linear in log(alpha + T) are summed per T level up front
    (``T_level_weights``, ``T_level_weighted_x``).
    """

    x: FloatArray
    t_x: FloatArray
    T: FloatArray
    weights: FloatArray
    level: np.ndarray
    x_levels: FloatArray
    level_weights: FloatArray
    T_levels: FloatArray
    T_index: np.ndarray
    T_level_weights: FloatArray
    T_level_weighted_x: FloatArray
    t_levels: FloatArray
    t_index: np.ndarray
    time_scale: float

    @property
    def total_weight(self) -> float:
        return float(self.weights.sum())


def _fit_data(x: FloatArray, t_x: FloatArray, T: FloatArray, weights: FloatArray) -> _FitData:
    grouped = group_rows(x, t_x, T, weights=weights)
    gx, gt_x, gT = grouped.columns
    keep = grouped.weights > 0
    gx, gt_x, gT, gw = gx[keep], gt_x[keep], gT[keep], grouped.weights[keep]
    # Rescaling time by the mean age changes alpha by the same factor and the
    # log-likelihood by a constant, and puts every parameter near 1 whatever the unit.
    time_scale = float(dot(gw, gT) / gw.sum()) or 1.0
    x_levels, level = unique_levels(gx)
    T_levels, T_index = unique_levels(gT / time_scale)
    t_levels, t_index = unique_levels(gt_x / time_scale)
    return _FitData(
        x=gx,
        t_x=gt_x / time_scale,
        T=gT / time_scale,
        weights=gw,
        level=level,
        x_levels=x_levels,
        level_weights=np.bincount(level, weights=gw, minlength=len(x_levels)),
        T_levels=T_levels,
        T_index=T_index,
        T_level_weights=np.bincount(T_index, weights=gw, minlength=len(T_levels)),
        T_level_weighted_x=np.bincount(T_index, weights=gw * gx, minlength=len(T_levels)),
        t_levels=t_levels,
        t_index=t_index,
        time_scale=time_scale,
    )


def _neg_log_likelihood_and_gradient(theta: FloatArray, data: _FitData) -> tuple[float, FloatArray]:
    """-sum(w * log L) (eq. 6) and its gradient with respect to log(r, alpha, a, b).

    log L = first + softplus(D), where first = log of eq. 6's first term and D = the log
    odds of its second term to its first (see _log_dead_to_alive); so
    d log L = d first + sigmoid(D) d D, sigmoid(D) being P(dropped out | data).
    """
    r, alpha, a, b = np.exp(theta)
    xl = data.x_levels
    positive = xl > 0
    xl_safe = np.maximum(xl, 1.0)
    wl = data.level_weights

    # Per distinct x: the parts of `first` and D that involve neither t_x nor T.
    first_level = (
        special.gammaln(r + xl)
        - special.gammaln(r)
        + r * math.log(alpha)
        + special.betaln(a, b + xl)
        - special.betaln(a, b)
    )
    odds_level = np.where(positive, math.log(a) - np.log(b + xl_safe - 1), -np.inf)
    # Per distinct T and t_x.
    log_aT, inv_aT = np.log(alpha + data.T_levels), 1.0 / (alpha + data.T_levels)
    log_at, inv_at = np.log(alpha + data.t_levels), 1.0 / (alpha + data.t_levels)
    # -(r + x) log(alpha + T), summed per T level.
    rx_by_T = r * data.T_level_weights + data.T_level_weighted_x

    # Per group: only what involves both t_x and T.
    rx = r + data.x
    log_ratio = log_aT[data.T_index] - log_at[data.t_index]
    D = odds_level[data.level] + rx * log_ratio
    softplus_D, dropped = softplus_and_sigmoid(D)
    w = data.weights
    total = dot(wl, first_level) - dot(log_aT, rx_by_T) + dot(w, softplus_D)

    ws = w * dropped  # 0 where x = 0
    ws_by_level = np.bincount(data.level, weights=ws, minlength=len(xl))
    psi_ab = special.digamma(a + b)
    psi_abx = special.digamma(a + b + xl)
    d_r = (
        dot(wl, special.digamma(r + xl) - special.digamma(r) + math.log(alpha))
        - dot(log_aT, data.T_level_weights)
        + dot(ws, log_ratio)
    )
    d_alpha = (
        wl.sum() * r / alpha
        - dot(inv_aT, rx_by_T)
        + dot(ws * rx, inv_aT[data.T_index] - inv_at[data.t_index])
    )
    d_a = dot(wl, psi_ab - psi_abx) + ws_by_level.sum() / a
    d_b = dot(wl, special.digamma(b + xl) - psi_abx - special.digamma(b) + psi_ab) - dot(
        ws_by_level[positive], 1.0 / (b + xl[positive] - 1)
    )
    gradient = np.array([d_r * r, d_alpha * alpha, d_a * a, d_b * b])
    return -total, -gradient


def log_likelihood_and_gradient(
    params: BGNBDParams | tuple[float, float, float, float],
    x: object,
    t_x: object,
    T: object,
    weights: object | None = None,
) -> tuple[float, FloatArray]:
    """Total log-likelihood (eq. 6) and its gradient in (r, alpha, a, b), computed the way
    :func:`fit` does (grouped rows, rescaled time, analytic derivatives).

    Undoing the rescaling: alpha' = alpha / s and t' = t / s leave r, a, b unchanged and
    shift the log-likelihood by -sum(w x) log s (each customer's x purchase densities).
    """
    checked = checked_params(params)
    x_arr, t_x_arr, T_arr = summary_arrays(x, t_x, T)
    data = _fit_data(x_arr, t_x_arr, T_arr, as_weights(weights, len(x_arr)))
    theta = np.log([checked.r, checked.alpha / data.time_scale, checked.a, checked.b])
    negative, negative_gradient = _neg_log_likelihood_and_gradient(theta, data)
    value = -negative - dot(data.weights, data.x) * math.log(data.time_scale)
    return value, -negative_gradient / np.array(checked)


def _starting_point(data: _FitData) -> FloatArray:
    """The best of a small grid of starting points (rescaled log space).

    alpha follows r so the prior mean rate r/alpha matches the observed purchases per unit
    of age; a and b span "few" to "many" dropouts. A dozen likelihood evaluations cost
    far less than an optimiser run that starts on a plateau.
    """
    repeat_rate = max(dot(data.weights, data.x) / dot(data.weights, data.T), 1e-3)
    best_theta, best_value = None, math.inf
    for r in (0.3, 1.0, 3.0):
        for a, b in ((0.5, 1.0), (0.5, 5.0), (2.0, 2.0), (2.0, 10.0)):
            theta = np.log([r, r / repeat_rate, a, b])
            value = _neg_log_likelihood_and_gradient(theta, data)[0]
            if value < best_value:
                best_theta, best_value = theta, value
    assert best_theta is not None
    return best_theta


def fit(
    x: object,
    t_x: object,
    T: object,
    *,
    weights: object | None = None,
    min_repeat_buyers: int = 200,
    initial: BGNBDParams | None = None,
) -> FitResult[BGNBDParams]:
    """Maximum-likelihood BG/NBD parameters from summary data (eq. 6).

    ``weights`` (optional) count customers per row, for data already grouped. Rows are
    grouped by identical (x, t_x, T) before fitting, so whole-day times make a million
    customers cheap. Parameters are optimised in log space (all positive) with L-BFGS-B
    and the analytic gradient; ``initial`` overrides the starting point.

    Raises :class:`NotEnoughData` when fewer than ``min_repeat_buyers`` customers (by
    weight) have a repeat purchase: with few repeat buyers the dropout process is not
    identified and the estimates are noise. The returned :class:`FitResult` says whether
    the fit is healthy; callers should not use an unhealthy fit.
    """
    x_arr, t_x_arr, T_arr = summary_arrays(x, t_x, T)
    check_same_length(x=x_arr, t_x=t_x_arr, T=T_arr)
    w = as_weights(weights, len(x_arr))
    n_customers = float(w.sum())
    n_repeat = float(w[x_arr > 0].sum())
    if n_repeat < min_repeat_buyers:
        raise NotEnoughData("BG/NBD", round(n_customers), round(n_repeat), min_repeat_buyers)
    if not np.any(T_arr > 0):
        raise ValueError("every customer has age T = 0: nothing to fit")

    data = _fit_data(x_arr, t_x_arr, T_arr, w)
    if initial is None:
        theta0 = _starting_point(data)
    else:
        start = checked_params(initial)
        theta0 = np.log([start.r, start.alpha / data.time_scale, start.a, start.b])
    optimum = maximize_in_log_space(
        lambda theta: _neg_log_likelihood_and_gradient(theta, data),
        theta0,
        PARAM_NAMES,
        data.total_weight,
    )
    r, alpha_scaled, a, b = np.exp(optimum.theta)
    params = BGNBDParams(float(r), float(alpha_scaled * data.time_scale), float(a), float(b))
    return FitResult(
        params=params,
        log_likelihood=log_likelihood(
            params, data.x, data.t_x * data.time_scale, data.T * data.time_scale, data.weights
        ),
        n_customers=round(n_customers),
        n_repeat_buyers=round(n_repeat),
        n_groups=len(data.x),
        converged=optimum.converged,
        message=optimum.message,
        iterations=optimum.iterations,
        standard_errors=BGNBDParams(*log_space_standard_errors(optimum, params)),
        problems=optimum.problems,
    )


# --- per-customer forecasts ------------------------------------------------------------------
#
# Each public forecast checks its inputs (``checked_params``, ``summary_arrays``) and hands
# them to its ``forecast_*`` twin, which trusts them: ``score_customers`` checks once and
# calls the twins, so rescoring one customer is not a dozen rounds of input checks.


def probability_alive(
    params: BGNBDParams | tuple[float, float, float, float], x: object, t_x: object, T: object
) -> FloatArray:
    """P(alive at T | x, t_x, T) = 1 / (1 + [x > 0] (a/(b+x-1)) ((alpha+T)/(alpha+t_x))^(r+x))

    (FHL 2008 note). It is 1 for x = 0: in the BG/NBD model nobody drops out before a
    repeat purchase.
    """
    return forecast_p_alive(checked_params(params), *summary_arrays(x, t_x, T))


def forecast_p_alive(params: BGNBDParams, x: FloatArray, t_x: FloatArray, T: FloatArray) -> FloatArray:
    return special.expit(-_log_dead_to_alive(*params, x, t_x, T))


def _alive_expected_purchases(params: BGNBDParams, x: FloatArray, T: FloatArray, t: float | FloatArray) -> FloatArray:
    """Expected purchases in (T, T+t] for a customer known to be alive at T (needs x, T only):

    (a+b+x-1)/(a-1) * [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; t/(alpha+T+t))]

    which is FHL 2005 eq. (10) without its P(alive) factor (the posterior given "alive at T"
    is lambda ~ Gamma(r+x, alpha+T), p ~ Beta(a, b+x), fed into eq. 7). At a = 1 the
    expression is 0/0; a within 1e-6 of 1 is moved to 1 +- 1e-6, where it is continuous.
    ``t`` may be an array of horizons that broadcasts against x and T.
    """
    r, alpha, a, b = params
    if abs(a - 1.0) < 1e-6:
        a = 1.0 + math.copysign(1e-6, a - 1.0)
    if np.ndim(t) == 0 and t <= 0:
        return np.zeros_like(x)
    horizon_end = alpha + T + t
    log_ratio = np.log(alpha + T) - np.log(horizon_end)
    hyp = special.hyp2f1(r + x, b + x, a + b + x - 1, t / horizon_end)
    return (a + b + x - 1) / (a - 1) * (1.0 - np.exp((r + x) * log_ratio) * hyp)


def _per_x_and_T(x: FloatArray, T: FloatArray) -> tuple[FloatArray, FloatArray, np.ndarray | None]:
    """Distinct (x, T) pairs and the map back (None when too few rows to bother).

    The hypergeometric term depends on x and T but not on t_x, and costs ~0.6 us per
    value: computing it once per distinct (x, T) makes scoring a million customers cheap.
    """
    if len(x) < DEDUPLICATE_FROM:
        return x, T, None
    grouped = group_rows(x, T)
    return grouped.columns[0], grouped.columns[1], grouped.inverse


def expected_purchases(
    params: BGNBDParams | tuple[float, float, float, float],
    x: object,
    t_x: object,
    T: object,
    t: float,
) -> FloatArray:
    """E[Y(t) | x, t_x, T]: expected purchases in the next ``t`` time units, FHL 2005 eq. (10).

    Equals P(alive) times the expectation for a customer known to be alive (see
    :func:`_alive_expected_purchases`).
    """
    return forecast_purchases(checked_params(params), *summary_arrays(x, t_x, T), float(t))


def forecast_purchases(params: BGNBDParams, x: FloatArray, t_x: FloatArray, T: FloatArray, t: float) -> FloatArray:
    return forecast_p_alive(params, x, t_x, T) * forecast_alive_purchases(params, x, T, [t])[:, 0]


def forecast_alive_purchases(params: BGNBDParams, x: FloatArray, T: FloatArray, horizons: Sequence[float]) -> FloatArray:
    """Expected purchases within each horizon for customers known to be alive, one column
    per horizon (multiply by P(alive) for eq. 10): every horizon in one evaluation, per
    distinct (x, T), a block of rows at a time."""
    ux, uT, inverse = _per_x_and_T(x, T)
    ends = np.asarray(horizons, dtype=np.float64)
    alive = np.zeros((len(ux), len(ends)))
    for start in range(0, len(ux) if len(ends) else 0, _ROWS_PER_BLOCK):
        rows = slice(start, start + _ROWS_PER_BLOCK)
        alive[rows] = _alive_expected_purchases(params, ux[rows, None], uT[rows, None], ends)
    return alive[inverse] if inverse is not None else alive


def month_ends(periods: int, period_length: float) -> FloatArray:
    """The horizons whose expected purchases :func:`discounted_sum` discounts."""
    return period_length * np.arange(1, periods + 1, dtype=np.float64)


def discounted_sum(cumulative: FloatArray, discount_rate: float) -> FloatArray:
    """sum_k (C_k - C_{k-1}) / (1 + d)^k over the columns of cumulative expectations C_1..C_n."""
    discount = (1.0 + discount_rate) ** -np.arange(1, cumulative.shape[1] + 1, dtype=np.float64)
    return np.einsum("ij,j->i", np.diff(cumulative, axis=1, prepend=0.0), discount)


def expected_purchases_new_customer(
    params: BGNBDParams | tuple[float, float, float, float], t: object
) -> FloatArray:
    """E[X(t)] for a customer just acquired (no history), FHL 2005 eq. (7):

    (a+b-1)/(a-1) * [1 - (alpha/(alpha+t))^r 2F1(r, b; a+b-1; t/(alpha+t))]
    """
    checked = checked_params(params)
    t_arr = np.atleast_1d(np.asarray(t, dtype=np.float64))
    zeros = np.zeros_like(t_arr)
    return np.array([_alive_expected_purchases(checked, zeros[:1], zeros[:1], float(v))[0] for v in t_arr])


def discounted_expected_purchases(
    params: BGNBDParams | tuple[float, float, float, float],
    x: object,
    t_x: object,
    T: object,
    *,
    periods: int = 12,
    period_length: float = DAYS_PER_MONTH,
    discount_rate: float = 0.01,
) -> FloatArray:
    """Expected purchases over ``periods`` periods, each discounted to today:

        sum_{k=1..periods} (E[Y(k L)] - E[Y((k-1) L)]) / (1 + d)^k

    with L = ``period_length`` (in the data's time unit; the default is a month in days),
    d = ``discount_rate`` per period and E[Y(t)] from eq. (10). Purchases in period k are
    discounted by the whole k periods (end-of-period convention, slightly conservative).
    Multiplied by the expected spend per purchase this is the CLV over the horizon.
    """
    check_discounting(periods, period_length, discount_rate)
    return forecast_discounted_purchases(
        checked_params(params), *summary_arrays(x, t_x, T), periods, float(period_length), float(discount_rate)
    )


def forecast_discounted_purchases(
    params: BGNBDParams,
    x: FloatArray,
    t_x: FloatArray,
    T: FloatArray,
    periods: int,
    period_length: float,
    discount_rate: float,
) -> FloatArray:
    cumulative = forecast_alive_purchases(params, x, T, month_ends(periods, period_length))
    return forecast_p_alive(params, x, t_x, T) * discounted_sum(cumulative, discount_rate)


def expected_time_to_next_purchase(
    params: BGNBDParams | tuple[float, float, float, float], x: object, t_x: object, T: object
) -> FloatArray:
    """Expected time from now (T) to the next purchase, *given the customer is alive*:
    1 / E[lambda | alive, x, T] = (alpha + T) / (r + x).

    Why this definition: a customer alive at T stays alive until their next purchase
    (dropout happens only right after a purchase), the wait is exponential with rate
    lambda (memoryless, so it is measured from now), and given "alive at T" lambda ~
    Gamma(r+x, alpha+T). The exact mean wait E[1/lambda] = (alpha+T)/(r+x-1) is infinite
    for r+x <= 1 (typical for one-time buyers), so we use the wait at the posterior mean
    rate instead; it grows as time passes without a purchase. Weigh it with
    :func:`probability_alive`: a customer who has dropped out never buys again.
    The next order date is now + this value. ``t_x`` is accepted for a uniform signature.
    """
    x_arr, _t_x_arr, T_arr = summary_arrays(x, t_x, T)
    return forecast_time_to_next_purchase(checked_params(params), x_arr, T_arr)


def forecast_time_to_next_purchase(params: BGNBDParams, x: FloatArray, T: FloatArray) -> FloatArray:
    return (params.alpha + T) / (params.r + x)


def expected_interpurchase_time(
    params: BGNBDParams | tuple[float, float, float, float], x: object, t_x: object
) -> FloatArray:
    """The customer's typical time between purchases, as known at their last purchase:
    1 / E[lambda | alive at t_x, x purchases by t_x] = (alpha + t_x) / (r + x).

    For x = 0 this is the population's alpha / r. Unlike the time to the next purchase it
    does not grow while the customer stays silent, which makes it a fixed yardstick for
    "overdue" (:func:`time_until_overdue`).
    """
    x_arr, t_x_arr, _T = summary_arrays(x, t_x, t_x)
    return forecast_interpurchase_time(checked_params(params), x_arr, t_x_arr)


def forecast_interpurchase_time(params: BGNBDParams, x: FloatArray, t_x: FloatArray) -> FloatArray:
    return (params.alpha + t_x) / (params.r + x)


def time_until_p_alive_below(
    params: BGNBDParams | tuple[float, float, float, float],
    x: object,
    t_x: object,
    T: object,
    threshold: float = 0.5,
) -> FloatArray:
    """The earliest s >= 0 such that P(alive at T + s) < ``threshold`` if no purchase
    happens meanwhile; 0 if already below, inf for x = 0 (P(alive) stays 1).

    P(alive) falls monotonically as T grows with x, t_x fixed, so the crossing solves
    (a/(b+x-1)) ((alpha+T+s)/(alpha+t_x))^(r+x) = (1-threshold)/threshold in closed form:
    s = (alpha+t_x) * ((1-threshold)/threshold * (b+x-1)/a)^(1/(r+x)) - alpha - T.
    """
    check_at_risk_options(threshold, 1.0)
    return forecast_p_alive_below(checked_params(params), *summary_arrays(x, t_x, T), threshold)


def forecast_p_alive_below(
    params: BGNBDParams, x: FloatArray, t_x: FloatArray, T: FloatArray, threshold: float
) -> FloatArray:
    r, alpha, a, b = params
    x_safe = np.maximum(x, 1.0)
    log_target = math.log((1.0 - threshold) / threshold) + np.log(b + x_safe - 1) - math.log(a)
    crossing_age = (alpha + t_x) * np.exp(log_target / (r + x_safe)) - alpha
    return np.where(x > 0, np.maximum(crossing_age - T, 0.0), np.inf)


def time_until_overdue(
    params: BGNBDParams | tuple[float, float, float, float],
    x: object,
    t_x: object,
    T: object,
    factor: float = 2.0,
) -> FloatArray:
    """The earliest s >= 0 at which the time since the last purchase, T + s - t_x, reaches
    ``factor`` times :func:`expected_interpurchase_time`; 0 if already overdue."""
    check_at_risk_options(0.5, factor)
    return forecast_overdue(checked_params(params), *summary_arrays(x, t_x, T), factor)


def forecast_overdue(params: BGNBDParams, x: FloatArray, t_x: FloatArray, T: FloatArray, factor: float) -> FloatArray:
    limit = factor * forecast_interpurchase_time(params, x, t_x)
    return np.maximum(limit - (T - t_x), 0.0)


def at_risk_moment(
    params: BGNBDParams | tuple[float, float, float, float],
    x: object,
    t_x: object,
    T: object,
    *,
    threshold: float = 0.5,
    factor: float = 2.0,
) -> AtRiskMoment:
    """Both at-risk moments (see :class:`AtRiskMoment`), as times from now; the caller chooses."""
    return AtRiskMoment(
        by_p_alive=time_until_p_alive_below(params, x, t_x, T, threshold),
        by_interval=time_until_overdue(params, x, t_x, T, factor),
    )


# --- simulation ----------------------------------------------------------------------------


def simulate(
    params: BGNBDParams | tuple[float, float, float, float],
    T: object,
    rng: np.random.Generator,
) -> tuple[FloatArray, FloatArray]:
    """Draw (x, t_x) for customers of ages ``T`` from the BG/NBD generative process.

    Per customer: lambda ~ Gamma(r, rate alpha), p ~ Beta(a, b); the number of repeat
    purchases until dropout is K ~ Geometric(p) on {1, 2, ...}; the Poisson process would
    put N ~ Poisson(lambda T) purchases in (0, T], so x = min(N, K). Given N, purchase times
    are N sorted uniforms on (0, T], hence t_x = T * Beta(x, N - x + 1) (the x-th order
    statistic) — exact, and vectorised without simulating each purchase.
    """
    r, alpha, a, b = checked_params(params)
    T_arr = as_array("T", T)
    n = len(T_arr)
    rate = rng.gamma(r, 1.0 / alpha, n)
    dropout = np.clip(rng.beta(a, b, n), 1e-12, 1.0)
    purchases_until_dropout = rng.geometric(dropout)
    possible = rng.poisson(rate * T_arr)
    x = np.minimum(possible, purchases_until_dropout)
    buyers = x > 0
    t_x = np.zeros(n)
    t_x[buyers] = T_arr[buyers] * rng.beta(x[buyers], possible[buyers] - x[buyers] + 1)
    return x.astype(np.float64), t_x
