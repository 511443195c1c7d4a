"""One customer's scores in floats equal the array path's, and bad input is refused alike."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saleor_lifecycle.predict import BGNBDParams, GammaGammaParams, score_customers
from saleor_lifecycle.predict.one import score_customer

positive = st.floats(0.05, 50.0)
purchase_params = st.builds(BGNBDParams, r=positive, alpha=st.floats(0.5, 300.0), a=positive, b=positive)
spend_params = st.builds(GammaGammaParams, p=positive, q=st.floats(0.5, 20.0), gamma=positive)


@st.composite
def customers(draw):
    x = draw(st.integers(0, 60))
    T = draw(st.floats(0.0, 2000.0))
    t_x = draw(st.floats(0.0, 1.0)) * T if x else 0.0
    return float(x), t_x, T, draw(st.floats(0.0, 500.0))


def close(one: float | None, array_value: float | None) -> bool:
    if one is None or array_value is None:
        return one is None and array_value is None
    if not math.isfinite(array_value):
        return one == array_value
    return math.isclose(one, array_value, rel_tol=1e-12, abs_tol=1e-12)


@settings(max_examples=300, deadline=None)
@given(
    purchases=purchase_params,
    spend=st.one_of(st.none(), spend_params),
    customer=customers(),
    threshold=st.floats(0.05, 0.95),
    factor=st.floats(0.5, 4.0),
    months=st.integers(0, 24),
    rate=st.floats(0.0, 0.1),
)
def test_one_customer_scores_as_the_array_path_scores_them(purchases, spend, customer, threshold, factor, months, rate):
    x, t_x, T, m_x = customer
    options = dict(months=months, monthly_discount_rate=rate, alive_threshold=threshold, overdue_factor=factor)
    with np.errstate(all="ignore"):
        arrays = score_customers(purchases, spend, [x], [t_x], [T], [m_x] if spend else None, **options)
    one = score_customer(purchases, spend, x, t_x, T, m_x if spend else None, **options)

    pairs = [
        (one.p_alive, arrays.p_alive[0]),
        (one.time_to_next_purchase, arrays.time_to_next_purchase[0]),
        (one.at_risk_by_p_alive, arrays.at_risk.by_p_alive[0]),
        (one.at_risk_by_interval, arrays.at_risk.by_interval[0]),
        (one.expected_spend, None if arrays.expected_spend is None else arrays.expected_spend[0]),
        (one.clv, None if arrays.clv is None else arrays.clv[0]),
        *((one.expected_purchases[h], arrays.expected_purchases[h][0]) for h in (30.0, 90.0, 365.0)),
    ]
    assert all(close(a, b) or (math.isnan(a) and math.isnan(b)) for a, b in pairs), pairs


@pytest.mark.parametrize(
    "customer",
    [(-1.0, 0.0, 10.0), (1.5, 1.0, 10.0), (2.0, -1.0, 10.0), (2.0, 11.0, 10.0), (2.0, math.nan, 10.0)],
)
def test_one_customer_refuses_what_the_array_path_refuses(customer):
    params = BGNBDParams(0.8, 80.0, 0.7, 3.0)
    with pytest.raises(ValueError):
        score_customers(params, None, *([value] for value in customer))
    with pytest.raises(ValueError):
        score_customer(params, None, *customer)
