"""Per-customer predictions: BG/NBD for purchases and dropout, Gamma-Gamma for spend, CLV.

Pure numpy/scipy (no Django): the caller builds summary arrays from its orders, fits,
checks ``FitResult.healthy`` and scores. Times may be in any unit used consistently; the
app uses **days** (``DAYS_PER_MONTH`` is the default discounting period).

    from saleor_lifecycle import predict

    try:
        purchases = predict.bgnbd.fit(x, t_x, T)           # x, t_x, T per customer
        spend = predict.gammagamma.fit(x, m_x)              # m_x: mean repeat-order value
    except predict.NotEnoughData as error:
        ...                                                 # shop-wide interval; say why: str(error)
    scores = predict.score_customers(purchases.params, spend.params, x, t_x, T, m_x)

Modules: :mod:`.bgnbd`, :mod:`.gammagamma`, :mod:`.summary` (grouping, fit results), :mod:`.one`
(the scores of one customer, in floats: a new order rescores its customer).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from . import bgnbd, gammagamma, one
from .bgnbd import DAYS_PER_MONTH, AtRiskMoment, BGNBDParams
from .errors import NotEnoughData, PredictError
from .gammagamma import GammaGammaParams
from .summary import FitResult, FloatArray, group_rows

__all__ = [
    "DAYS_PER_MONTH",
    "AtRiskMoment",
    "BGNBDParams",
    "CustomerScores",
    "FitResult",
    "GammaGammaParams",
    "NotEnoughData",
    "PredictError",
    "bgnbd",
    "customer_lifetime_value",
    "gammagamma",
    "one",
    "score_customers",
]


def customer_lifetime_value(
    purchase_params: BGNBDParams,
    spend_params: GammaGammaParams,
    x: object,
    t_x: object,
    T: object,
    m_x: object,
    *,
    months: int = 12,
    month_length: float = DAYS_PER_MONTH,
    monthly_discount_rate: float = 0.01,
) -> FloatArray:
    """Discounted expected revenue over the next ``months`` months, per customer:

        CLV = sum_{k=1..months} (E[Y(k L)] - E[Y((k-1) L)]) / (1 + d)^k  *  E[M | x, m_x]

    with L = ``month_length`` in the data's time unit (default: days), d the monthly
    discount rate, E[Y] from BG/NBD eq. (10) and E[M] the Gamma-Gamma conditional expected
    spend — the FHL 2005 (RFM and CLV) approach, which relies on spend being independent
    of the purchase process. Revenue, not margin: multiply by the shop's margin for profit.
    """
    transactions = bgnbd.discounted_expected_purchases(
        purchase_params,
        x,
        t_x,
        T,
        periods=months,
        period_length=month_length,
        discount_rate=monthly_discount_rate,
    )
    return transactions * gammagamma.conditional_expected_spend(spend_params, x, m_x)


@dataclass(frozen=True)
class CustomerScores:
    """Every prediction for a set of customers, one array entry per customer (input order).

    Times are from now (the end of the observation, T), in the data's time unit.
    ``expected_spend`` and ``clv`` are None when no spend model was given.
    """

    p_alive: FloatArray
    #: horizon -> expected purchases in the next `horizon` time units
    expected_purchases: dict[float, FloatArray]
    time_to_next_purchase: FloatArray
    at_risk: AtRiskMoment
    expected_spend: FloatArray | None
    clv: FloatArray | None


def score_customers(
    purchase_params: BGNBDParams,
    spend_params: GammaGammaParams | None,
    x: object,
    t_x: object,
    T: object,
    m_x: object | None = None,
    *,
    horizons: Sequence[float] = (30.0, 90.0, 365.0),
    months: int = 12,
    month_length: float = DAYS_PER_MONTH,
    monthly_discount_rate: float = 0.01,
    alive_threshold: float = 0.5,
    overdue_factor: float = 2.0,
) -> CustomerScores:
    """All predictions for all customers in one pass (defaults assume days).

    The inputs are checked once, here. The BG/NBD forecasts depend on (x, t_x, T) only,
    so for a large base they are computed once per distinct row and spread back: with
    whole-day times a million customers are a few hundred thousand rows (and the costly
    hypergeometric terms depend on (x, T) alone, fewer still; see :mod:`.bgnbd`). One
    customer (a new order rescores them) costs about a tenth of a millisecond.
    """
    purchases = bgnbd.checked_params(purchase_params)
    bgnbd.check_at_risk_options(alive_threshold, overdue_factor)
    bgnbd.check_discounting(months, month_length, monthly_discount_rate)
    x_arr, t_x_arr, T_arr = bgnbd.summary_arrays(x, t_x, T)
    if len(x_arr) >= bgnbd.DEDUPLICATE_FROM:
        grouped = group_rows(x_arr, t_x_arr, T_arr)
        (gx, gt_x, gT), spread = grouped.columns, grouped.inverse
    else:
        (gx, gt_x, gT), spread = (x_arr, t_x_arr, T_arr), slice(None)

    # P(alive) once, and every horizon's expectation (the forecasts', then each month's
    # for the CLV) in one evaluation.
    p_alive = bgnbd.forecast_p_alive(purchases, gx, gt_x, gT)
    with_spend = spend_params is not None
    ends = [*horizons, *(bgnbd.month_ends(months, float(month_length)) if with_spend else ())]
    alive = bgnbd.forecast_alive_purchases(purchases, gx, gT, ends)
    expected = {float(h): (p_alive * alive[:, index])[spread] for index, h in enumerate(horizons)}
    expected_spend = clv = None
    if with_spend:
        if m_x is None:
            raise ValueError("m_x is required with spend parameters")
        expected_spend = gammagamma.conditional_expected_spend(spend_params, x_arr, m_x)
        transactions = p_alive * bgnbd.discounted_sum(alive[:, len(horizons):], float(monthly_discount_rate))
        clv = transactions[spread] * expected_spend
    return CustomerScores(
        p_alive=p_alive[spread],
        expected_purchases=expected,
        time_to_next_purchase=bgnbd.forecast_time_to_next_purchase(purchases, gx, gT)[spread],
        at_risk=AtRiskMoment(
            bgnbd.forecast_p_alive_below(purchases, gx, gt_x, gT, alive_threshold)[spread],
            bgnbd.forecast_overdue(purchases, gx, gt_x, gT, overdue_factor)[spread],
        ),
        expected_spend=expected_spend,
        clv=clv,
    )
