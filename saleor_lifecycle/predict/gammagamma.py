"""The Gamma-Gamma model of spend per transaction.

Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-Value Curves for Customer Base
Analysis", Journal of Marketing Research 42(4), section on the spend sub-model, and
Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value" (note), which restates it.

The model: a customer's transaction values are i.i.d. Gamma(p, nu) (shape p, rate nu), so
their mean over x transactions is m_x | nu ~ Gamma(p x, nu x); across customers
nu ~ Gamma(q, gamma) (shape q, rate gamma). Spend is assumed independent of the purchase
process, which is what lets CLV multiply the BG/NBD's expected purchases by the expected
spend. It is fitted on customers with at least one repeat purchase, ``m_x`` being the
mean value of their *repeat* purchases and ``x`` how many there were, as in the papers.

Any currency unit works (``gamma`` and the expected spend are then in that unit).
"""

from __future__ import annotations

import math
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
    unique_levels,
)


class GammaGammaParams(NamedTuple):
    """p: shape of the transaction values; q, gamma: shape and rate of the heterogeneity
    in their rate nu (gamma in the currency unit)."""

    p: float
    q: float
    gamma: float


PARAM_NAMES = GammaGammaParams._fields


def checked_params(params: GammaGammaParams | tuple[float, float, float]) -> GammaGammaParams:
    checked = GammaGammaParams(*(float(v) for v in params))
    if not all(math.isfinite(v) and v > 0 for v in checked):
        raise ValueError(f"Gamma-Gamma parameters must be positive and finite, got {checked}")
    return checked


def spend_arrays(x: object, m_x: object) -> tuple[FloatArray, FloatArray]:
    """Broadcast and check (x, m_x): x a non-negative whole number, m_x >= 0 (ignored at x = 0)."""
    x_arr, m_arr = (
        np.atleast_1d(v) for v in np.broadcast_arrays(np.asarray(x, float), np.asarray(m_x, float))
    )
    x_arr = as_array("x", x_arr)
    if np.any(x_arr < 0) or not np.array_equal(x_arr, np.floor(x_arr)):
        raise ValueError("x (repeat purchases) must be non-negative whole numbers")
    m_arr = np.where(x_arr > 0, np.asarray(m_arr, dtype=np.float64), 0.0)
    m_arr = as_array("m_x", m_arr)
    if np.any(m_arr < 0):
        raise ValueError("m_x (mean spend) must be non-negative")
    return x_arr, m_arr


# --- likelihood ----------------------------------------------------------------------------


def log_likelihood_individual(
    params: GammaGammaParams | tuple[float, float, float], x: object, m_x: object
) -> FloatArray:
    """log f(m_x | p, q, gamma, x), the marginal density of a customer's mean spend:

    f = Gamma(p x + q) / (Gamma(p x) Gamma(q)) * gamma^q m_x^(p x - 1) x^(p x) / (gamma + m_x x)^(p x + q)

    Defined for x >= 1 and m_x > 0 (ValueError otherwise).
    """
    p, q, gamma = checked_params(params)
    x_arr, m_arr = spend_arrays(x, m_x)
    if np.any(x_arr < 1) or np.any(m_arr <= 0):
        raise ValueError("the Gamma-Gamma likelihood needs x >= 1 and m_x > 0")
    px = p * x_arr
    return (
        special.gammaln(px + q)
        - special.gammaln(px)
        - special.gammaln(q)
        + q * math.log(gamma)
        + (px - 1) * np.log(m_arr)
        + px * np.log(x_arr)
        - (px + q) * np.log(gamma + m_arr * x_arr)
    )


def log_likelihood(
    params: GammaGammaParams | tuple[float, float, float],
    x: object,
    m_x: object,
    weights: object | None = None,
) -> float:
    """Total log-likelihood; ``weights`` count customers per row."""
    terms = log_likelihood_individual(params, x, m_x)
    return dot(as_weights(weights, len(terms)), terms)


@dataclass(frozen=True)
class _FitData:
    """Repeat buyers grouped by (x, m_x), spend rescaled by ``spend_scale``.

    The terms in x alone are computed per distinct x (``x_levels``). The parts of the
    log-density linear in p that do not involve gamma are summed once up front:
    ``sum_log_terms`` = sum w x (log m_x + log x) and ``sum_log_m`` = sum w log m_x.
    """

    x: FloatArray
    m_x: FloatArray
    total_spend: FloatArray  # x * m_x
    weights: FloatArray
    weighted_x: FloatArray  # w * x
    sum_log_terms: float
    sum_log_m: float
    x_levels: FloatArray
    level_weights: FloatArray
    spend_scale: float

    @property
    def total_weight(self) -> float:
        return float(self.weights.sum())


def _fit_data(x: FloatArray, m_x: FloatArray, weights: FloatArray) -> _FitData:
    grouped = group_rows(x, m_x, weights=weights)
    gx, gm = grouped.columns
    gw = grouped.weights
    # Rescaling spend by its mean changes gamma by the same factor and the
    # log-likelihood by a constant: every parameter starts near 1 in any currency.
    spend_scale = float(dot(gw, gm) / gw.sum())
    x_levels, level = unique_levels(gx)
    scaled = gm / spend_scale
    log_m = np.log(scaled)
    return _FitData(
        x=gx,
        m_x=scaled,
        total_spend=gx * scaled,
        weights=gw,
        weighted_x=gw * gx,
        sum_log_terms=dot(gw * gx, log_m + np.log(gx)),
        sum_log_m=dot(gw, log_m),
        x_levels=x_levels,
        level_weights=np.bincount(level, weights=gw, minlength=len(x_levels)),
        spend_scale=spend_scale,
    )


def _neg_log_likelihood_and_gradient(theta: FloatArray, data: _FitData) -> tuple[float, FloatArray]:
    """-sum(w * log f) and its gradient with respect to log(p, q, gamma).

    Per customer log f = level(x) + (p x - 1) log m + p x log x - (p x + q) log(gamma + x m);
    only the last term needs work per group at each evaluation.
    """
    p, q, gamma = np.exp(theta)
    xl, wl = data.x_levels, data.level_weights
    pxl = p * xl
    level_terms = special.gammaln(pxl + q) - special.gammaln(pxl) - special.gammaln(q) + q * math.log(gamma)

    w, wx = data.weights, data.weighted_x
    log_total = np.log(gamma + data.total_spend)
    inv_total = 1.0 / (gamma + data.total_spend)
    wx_log_total, w_log_total = dot(wx, log_total), dot(w, log_total)
    total = (
        dot(wl, level_terms) + p * data.sum_log_terms - data.sum_log_m - p * wx_log_total - q * w_log_total
    )

    psi_pxq = special.digamma(pxl + q)
    d_p = dot(wl * xl, psi_pxq - special.digamma(pxl)) + data.sum_log_terms - wx_log_total
    d_q = dot(wl, psi_pxq - special.digamma(q) + math.log(gamma)) - w_log_total
    d_gamma = wl.sum() * q / gamma - p * dot(wx, inv_total) - q * dot(w, inv_total)
    return -total, -np.array([d_p * p, d_q * q, d_gamma * gamma])


def log_likelihood_and_gradient(
    params: GammaGammaParams | tuple[float, float, float],
    x: object,
    m_x: object,
    weights: object | None = None,
) -> tuple[float, FloatArray]:
    """Total log-likelihood and its gradient in (p, q, gamma), computed the way :func:`fit`
    does (grouped rows, rescaled spend, analytic derivatives); needs x >= 1 and m_x > 0.

    Undoing the rescaling: m' = m / s and gamma' = gamma / s leave p and q unchanged and
    shift each customer's log-density by -log s (the Jacobian of m -> m').
    """
    checked = checked_params(params)
    x_arr, m_arr = spend_arrays(x, m_x)
    if np.any(x_arr < 1) or np.any(m_arr <= 0):
        raise ValueError("the Gamma-Gamma likelihood needs x >= 1 and m_x > 0")
    data = _fit_data(x_arr, m_arr, as_weights(weights, len(x_arr)))
    theta = np.log([checked.p, checked.q, checked.gamma / data.spend_scale])
    negative, negative_gradient = _neg_log_likelihood_and_gradient(theta, data)
    value = -negative - data.total_weight * math.log(data.spend_scale)
    return value, -negative_gradient / np.array(checked)


def _starting_point(data: _FitData) -> FloatArray:
    """Best of a small grid: p sets how noisy single transactions are, q the heterogeneity;
    gamma follows so the population mean spend p gamma / (q - 1) is the observed one (1)."""
    best_theta, best_value = None, math.inf
    for p in (1.0, 5.0):
        for q in (2.0, 5.0, 20.0):
            theta = np.log([p, q, (q - 1) / p])
            value = _neg_log_likelihood_and_gradient(theta, data)[0]
            if value < best_value:
                best_theta, best_value = theta, value
    assert best_theta is not None
    return best_theta


def fit(
    x: object,
    m_x: object,
    *,
    weights: object | None = None,
    min_repeat_buyers: int = 200,
    initial: GammaGammaParams | None = None,
) -> FitResult[GammaGammaParams]:
    """Maximum-likelihood Gamma-Gamma parameters from (x, m_x) per customer.

    Customers without a repeat purchase (x = 0) or with zero mean spend are left out (they
    carry no information on repeat spend; zero breaks the Gamma assumption); raises
    :class:`NotEnoughData` when fewer than ``min_repeat_buyers`` remain. Optimised in log
    space with L-BFGS-B and the analytic gradient. A fit with q <= 1 is reported unhealthy:
    the population mean spend p gamma / (q - 1) does not exist then.
    """
    x_arr, m_arr = spend_arrays(x, m_x)
    check_same_length(x=x_arr, m_x=m_arr)
    w = as_weights(weights, len(x_arr))
    usable = (x_arr > 0) & (m_arr > 0) & (w > 0)
    n_customers = float(w.sum())
    n_repeat = float(w[usable].sum())
    if n_repeat < min_repeat_buyers:
        raise NotEnoughData("Gamma-Gamma", round(n_customers), round(n_repeat), min_repeat_buyers)

    data = _fit_data(x_arr[usable], m_arr[usable], w[usable])
    if initial is None:
        theta0 = _starting_point(data)
    else:
        start = checked_params(initial)
        theta0 = np.log([start.p, start.q, start.gamma / data.spend_scale])
    optimum = maximize_in_log_space(
        lambda theta: _neg_log_likelihood_and_gradient(theta, data),
        theta0,
        PARAM_NAMES,
        data.total_weight,
    )
    p, q, gamma_scaled = np.exp(optimum.theta)
    params = GammaGammaParams(float(p), float(q), float(gamma_scaled * data.spend_scale))
    problems = optimum.problems
    if params.q <= 1:
        problems = (*problems, "q <= 1: the population mean spend does not exist")
    return FitResult(
        params=params,
        log_likelihood=log_likelihood(params, data.x, data.m_x * data.spend_scale, data.weights),
        n_customers=round(n_customers),
        n_repeat_buyers=round(n_repeat),
        n_groups=len(data.x),
        converged=optimum.converged,
        message=optimum.message,
        iterations=optimum.iterations,
        standard_errors=GammaGammaParams(*log_space_standard_errors(optimum, params)),
        problems=problems,
    )


# --- per-customer forecasts ------------------------------------------------------------------


def population_mean_spend(params: GammaGammaParams | tuple[float, float, float]) -> float:
    """E[M] = p gamma / (q - 1) for a customer we know nothing about; inf when q <= 1."""
    p, q, gamma = checked_params(params)
    return p * gamma / (q - 1) if q > 1 else math.inf


def conditional_expected_spend(
    params: GammaGammaParams | tuple[float, float, float], x: object, m_x: object
) -> FloatArray:
    """E[M | p, q, gamma, m_x, x] = p (gamma + x m_x) / (p x + q - 1), the expected value of
    the customer's future transactions, i.e. the weighted average

        (q - 1)/(p x + q - 1) * p gamma/(q - 1)  +  p x/(p x + q - 1) * m_x

    of the population mean and the customer's own mean. x = 0 gives the population mean.
    Returns inf where p x + q <= 1 (the posterior mean does not exist).
    """
    p, q, gamma = checked_params(params)
    x_arr, m_arr = spend_arrays(x, m_x)
    denominator = p * x_arr + q - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        spend = p * (gamma + x_arr * m_arr) / denominator
    return np.where(denominator > 0, spend, np.inf)


# --- simulation ----------------------------------------------------------------------------


def simulate(
    params: GammaGammaParams | tuple[float, float, float], x: object, rng: np.random.Generator
) -> FloatArray:
    """Draw each customer's mean spend over ``x`` transactions: nu ~ Gamma(q, rate gamma),
    m_x | nu ~ Gamma(p x, rate nu x); 0 where x = 0."""
    p, q, gamma = checked_params(params)
    x_arr = as_array("x", x)
    nu = rng.gamma(q, 1.0 / gamma, len(x_arr))
    buyers = x_arr > 0
    m_x = np.zeros(len(x_arr))
    m_x[buyers] = rng.gamma(p * x_arr[buyers], 1.0 / (nu[buyers] * x_arr[buyers]))
    return m_x
