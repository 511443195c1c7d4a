"""The forecasts of :func:`saleor_lifecycle.predict.score_customers` for one customer, in floats.

A new order rescores its customer inside the order webhook, whose budget is a few
milliseconds at p99 (``bench/stages.py``). For one row, numpy's cost per call made the
array path ~0.3 ms; these are the same formulas (see :mod:`.bgnbd` and :mod:`.gammagamma`
for their derivations) with ``math`` and one ``hyp2f1`` call for all horizons, ~30 µs.
The same inputs are accepted and refused, and ``tests/predict/test_one.py`` holds both
paths to 1e-12 of each other on generated customers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

from scipy import special

from . import bgnbd, gammagamma
from .bgnbd import DAYS_PER_MONTH, BGNBDParams
from .gammagamma import GammaGammaParams


class Score(NamedTuple):
    """One customer's :class:`~saleor_lifecycle.predict.CustomerScores`, as floats."""

    p_alive: float
    #: horizon -> expected purchases in the next `horizon` time units
    expected_purchases: dict[float, float]
    time_to_next_purchase: float
    #: :class:`~saleor_lifecycle.predict.AtRiskMoment`'s two moments, from now
    at_risk_by_p_alive: float
    at_risk_by_interval: float
    expected_spend: float | None
    clv: float | None


def score_customer(
    purchase_params: BGNBDParams,
    spend_params: GammaGammaParams | None,
    x: float,
    t_x: float,
    T: float,
    m_x: float | None = None,
    *,
    horizons: Sequence[float] = (30.0, 90.0, 365.0),
    months: int = 12,
    month_length: float = DAYS_PER_MONTH,
    monthly_discount_rate: float = 0.01,
    alive_threshold: float = 0.5,
    overdue_factor: float = 2.0,
) -> Score:
    r, alpha, a, b = bgnbd.checked_params(purchase_params)
    bgnbd.check_at_risk_options(alive_threshold, overdue_factor)
    bgnbd.check_discounting(months, month_length, monthly_discount_rate)
    x, t_x, T = _summary(x, t_x, T)

    if x > 0:
        log_odds = math.log(a) - math.log(b + x - 1) + (r + x) * (math.log(alpha + T) - math.log(alpha + t_x))
        p_alive = _expit(-log_odds)
        log_target = math.log((1.0 - alive_threshold) / alive_threshold) + math.log(b + x - 1) - math.log(a)
        by_p_alive = max((alpha + t_x) * math.exp(log_target / (r + x)) - alpha - T, 0.0)
    else:
        p_alive, by_p_alive = 1.0, math.inf  # no dropout before a repeat purchase

    # Expected purchases of a customer known to be alive, FHL 2005 eq. (10) without P(alive).
    a_alive = 1.0 + math.copysign(1e-6, a - 1.0) if abs(a - 1.0) < 1e-6 else a
    scale = (a_alive + b + x - 1) / (a_alive - 1)

    # The curve at every horizon (and month end, for the CLV) from one hyp2f1 call: a
    # ufunc's cost is mostly per call.
    monthly = [k * month_length for k in range(1, months + 1)] if spend_params is not None else []
    times = [float(h) for h in horizons] + monthly
    ends = [alpha + T + t for t in times]
    hyps = special.hyp2f1(r + x, b + x, a_alive + b + x - 1, [t / end for t, end in zip(times, ends)]).tolist()
    log_start = math.log(alpha + T)
    curve = [scale * (1.0 - math.exp((r + x) * (log_start - math.log(end))) * hyp) for end, hyp in zip(ends, hyps)]

    expected = {t: p_alive * value for t, value in zip(times, curve[: len(horizons)])}
    expected_spend = clv = None
    if spend_params is not None:
        if m_x is None:
            raise ValueError("m_x is required with spend parameters")
        expected_spend = _expected_spend(spend_params, x, m_x)
        total, previous = 0.0, 0.0
        for k, current in enumerate(curve[len(horizons) :], start=1):
            total += (current - previous) * (1.0 + monthly_discount_rate) ** -k
            previous = current
        clv = p_alive * total * expected_spend
    return Score(
        p_alive=p_alive,
        expected_purchases=expected,
        time_to_next_purchase=(alpha + T) / (r + x),
        at_risk_by_p_alive=by_p_alive,
        at_risk_by_interval=max(overdue_factor * (alpha + t_x) / (r + x) - (T - t_x), 0.0),
        expected_spend=expected_spend,
        clv=clv,
    )


def _summary(x: float, t_x: float, T: float) -> tuple[float, float, float]:
    """:func:`.bgnbd.summary_arrays` for one customer."""
    x, t_x, T = float(x), float(t_x), float(T)
    if not all(math.isfinite(value) for value in (x, t_x, T)):
        raise ValueError("x, t_x and T must be finite")
    if x < 0 or x != math.floor(x):
        raise ValueError("x (repeat purchases) must be non-negative whole numbers")
    if t_x < 0:
        raise ValueError("t_x (recency) must be non-negative")
    if t_x > T * (1 + 1e-9) + 1e-12:
        raise ValueError("t_x (recency) must not exceed T (age)")
    return x, (min(t_x, T) if x > 0 else 0.0), T


def _expected_spend(params: GammaGammaParams, x: float, m_x: float) -> float:
    """:func:`.gammagamma.conditional_expected_spend` for one customer."""
    p, q, gamma = gammagamma.checked_params(params)
    m_x = float(m_x) if x > 0 else 0.0
    if not math.isfinite(m_x) or m_x < 0:
        raise ValueError("m_x (mean spend) must be non-negative and finite")
    denominator = p * x + q - 1
    return p * (gamma + x * m_x) / denominator if denominator > 0 else math.inf


def _expit(value: float) -> float:
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    exp = math.exp(value)
    return exp / (1.0 + exp)
