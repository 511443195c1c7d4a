"""Gamma-Gamma spend model, CLV and scoring every customer (saleor_lifecycle.predict)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats

from saleor_lifecycle.predict import (
    BGNBDParams,
    GammaGammaParams,
    NotEnoughData,
    bgnbd,
    customer_lifetime_value,
    gammagamma,
    score_customers,
)

from .simulated import SETTINGS

HAND = GammaGammaParams(p=1.0, q=2.0, gamma=3.0)


def draw_spend(params: GammaGammaParams, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """n repeat buyers: x = 1 + Poisson(2) repeat purchases, m_x their mean value."""
    rng = np.random.default_rng(seed)
    x = 1.0 + rng.poisson(2.0, n)
    return x, gammagamma.simulate(params, x, rng)


def mixture_integral(params: GammaGammaParams, x: float, m_x: float, weight=lambda nu: 1.0) -> float:
    """E over nu ~ Gamma(q, rate gamma) of weight(nu) * density of m_x ~ Gamma(p x, rate nu x)."""
    p, q, gamma = params
    return integrate.quad(
        lambda nu: (
            weight(nu)
            * stats.gamma.pdf(m_x, p * x, scale=1 / (nu * x))
            * stats.gamma.pdf(nu, q, scale=1 / gamma)
        ),
        0,
        np.inf,
        epsabs=0,
        epsrel=1e-11,
        limit=200,
    )[0]


# --- likelihood ----------------------------------------------------------------------------


def test_log_likelihood_matches_hand_computed_values():
    # Gamma(3)/(Gamma(1) Gamma(2)) * 3^2 * 2^0 * 1^1 / (3 + 2)^3 = 18/125
    assert gammagamma.log_likelihood_individual(HAND, 1, 2.0)[0] == pytest.approx(
        math.log(18 / 125), rel=1e-13
    )


@pytest.mark.parametrize(
    "params, x, m_x",
    [
        (GammaGammaParams(6.25, 3.74, 15.44), 3, 22.35),
        (GammaGammaParams(0.8, 1.5, 200.0), 1, 45.0),
        (GammaGammaParams(20.0, 9.0, 2.0), 12, 0.9),
    ],
)
def test_log_likelihood_matches_integration_over_the_spend_rate(params, x, m_x):
    assert gammagamma.log_likelihood_individual(params, x, m_x)[0] == pytest.approx(
        math.log(mixture_integral(params, x, m_x)), rel=1e-9
    )


def test_log_likelihood_gradient_matches_finite_differences():
    x, m_x = draw_spend(GammaGammaParams(6.0, 4.0, 15.0), 3000, seed=31)
    for params in (
        GammaGammaParams(6.0, 4.0, 15.0),
        GammaGammaParams(0.5, 20.0, 300.0),
        GammaGammaParams(30.0, 1.2, 0.5),
    ):
        value, gradient = gammagamma.log_likelihood_and_gradient(params, x, m_x)
        assert value == pytest.approx(gammagamma.log_likelihood(params, x, m_x), rel=1e-12)
        point = np.array(params, dtype=float)
        numerical = np.empty(3)
        for k in range(3):
            step = 1e-6 * point[k]
            up, down = point.copy(), point.copy()
            up[k] += step
            down[k] -= step
            numerical[k] = (
                gammagamma.log_likelihood(up, x, m_x) - gammagamma.log_likelihood(down, x, m_x)
            ) / (2 * step)
        np.testing.assert_allclose(gradient, numerical, rtol=1e-5, atol=1e-7 * abs(value))


# --- fit -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "truth",
    [GammaGammaParams(6.0, 4.0, 15.0), GammaGammaParams(1.5, 10.0, 2000.0), GammaGammaParams(3.0, 2.5, 3.0)],
    ids=["cdnow-like", "cents, customers alike", "noisy orders, customers differ"],
)
def test_it_recovers_parameters_from_simulated_data(truth: GammaGammaParams):
    """5,000 repeat buyers per setting; each estimate within 4 standard errors of the
    truth in log space (standard errors from the inverse Hessian), and those standard
    errors below 25 % so the check has teeth (p and gamma are strongly correlated in
    this model, which keeps their individual errors wide)."""
    x, m_x = draw_spend(truth, 5000, seed=32)
    result = gammagamma.fit(x, m_x)
    assert result.healthy, result.problems
    assert result.n_repeat_buyers == 5000
    for name, true_value, estimate, se in zip(
        GammaGammaParams._fields, truth, result.params, result.standard_errors
    ):
        relative_se = se / estimate
        assert relative_se < 0.25, f"{name}: relative standard error {relative_se:.2f}"
        z = (math.log(estimate) - math.log(true_value)) / relative_se
        assert abs(z) < 4, f"{name}: estimate {estimate:.4g}, truth {true_value}, z = {z:.2f}"


def test_standard_errors_match_the_spread_of_repeated_fits():
    """60 data sets of 1,000 repeat buyers: the spread of the log-estimates across fits
    should equal the typical standard error (ratio known to about +-10 % with 60 fits)."""
    truth = GammaGammaParams(6.0, 4.0, 15.0)
    estimates, errors = [], []
    for seed in range(60):
        result = gammagamma.fit(*draw_spend(truth, 1000, seed=700 + seed))
        estimates.append(np.log(result.params))
        errors.append(np.array(result.standard_errors) / np.array(result.params))
    ratio = np.std(estimates, axis=0) / np.median(errors, axis=0)
    assert np.all((ratio > 0.7) & (ratio < 1.4)), ratio


def test_the_currency_unit_only_rescales_gamma():
    x, m_x = draw_spend(GammaGammaParams(6.0, 4.0, 15.0), 3000, seed=33)
    in_euros = gammagamma.fit(x, m_x)
    in_cents = gammagamma.fit(x, m_x * 100)
    np.testing.assert_allclose(
        in_cents.params, in_euros.params._replace(gamma=in_euros.params.gamma * 100), rtol=1e-5
    )


def test_it_leaves_out_customers_without_repeat_purchases():
    x, m_x = draw_spend(GammaGammaParams(6.0, 4.0, 15.0), 1000, seed=34)
    with_one_timers = gammagamma.fit(np.concatenate([x, np.zeros(500)]), np.concatenate([m_x, np.zeros(500)]))
    only_repeat = gammagamma.fit(x, m_x)
    np.testing.assert_allclose(with_one_timers.params, only_repeat.params, rtol=1e-8)
    assert with_one_timers.n_customers == 1500
    assert with_one_timers.n_repeat_buyers == 1000


def test_it_raises_not_enough_data_with_few_repeat_buyers():
    x, m_x = draw_spend(GammaGammaParams(6.0, 4.0, 15.0), 150, seed=35)
    with pytest.raises(NotEnoughData, match="150 repeat buyers among 150 customers, need at least 200"):
        gammagamma.fit(x, m_x)
    assert gammagamma.fit(x, m_x, min_repeat_buyers=100).n_repeat_buyers == 150


def test_it_reports_a_fit_without_a_population_mean_as_unhealthy():
    x, m_x = draw_spend(GammaGammaParams(3.0, 0.7, 10.0), 5000, seed=36)
    result = gammagamma.fit(x, m_x)
    assert result.params.q < 1
    assert not result.healthy
    assert "q <= 1: the population mean spend does not exist" in result.problems


# --- expected spend ------------------------------------------------------------------------


def test_conditional_expected_spend_matches_hand_computed_values():
    # p (gamma + x m_x) / (p x + q - 1) = (3 + 2) / (1 + 2 - 1) = 2.5
    assert gammagamma.conditional_expected_spend(HAND, 1, 2.0)[0] == pytest.approx(2.5)
    # No repeat purchase: the population mean p gamma / (q - 1) = 3.
    assert gammagamma.conditional_expected_spend(HAND, 0, 0.0)[0] == pytest.approx(3.0)
    assert gammagamma.population_mean_spend(HAND) == pytest.approx(3.0)


@pytest.mark.parametrize("x, m_x", [(1, 2.0), (4, 0.5), (25, 7.0)])
def test_conditional_expected_spend_is_the_posterior_mean(x, m_x):
    """E[p / nu | m_x, x] by integrating over nu's posterior numerically."""
    p = HAND.p
    posterior_mean = mixture_integral(HAND, x, m_x, weight=lambda nu: p / nu) / mixture_integral(HAND, x, m_x)
    assert gammagamma.conditional_expected_spend(HAND, x, m_x)[0] == pytest.approx(posterior_mean, rel=1e-9)


# --- CLV and scoring -----------------------------------------------------------------------

PURCHASES = BGNBDParams(0.8, 80.0, 0.7, 3.0)
SPEND = GammaGammaParams(6.0, 4.0, 15.0)


def test_clv_is_discounted_expected_purchases_times_expected_spend():
    x, t_x, T, m_x = (
        np.array([0.0, 3.0]),
        np.array([0.0, 200.0]),
        np.array([100.0, 300.0]),
        np.array([0.0, 40.0]),
    )
    # One month: E[Y(L)] * E[M] / (1 + d).
    one_month = customer_lifetime_value(
        PURCHASES, SPEND, x, t_x, T, m_x, months=1, month_length=30.0, monthly_discount_rate=0.02
    )
    by_hand = (
        bgnbd.expected_purchases(PURCHASES, x, t_x, T, 30.0)
        * gammagamma.conditional_expected_spend(SPEND, x, m_x)
        / 1.02
    )
    np.testing.assert_allclose(one_month, by_hand, rtol=1e-12)
    year = customer_lifetime_value(PURCHASES, SPEND, x, t_x, T, m_x)
    assert np.all(year > one_month)


def test_score_customers_equals_the_individual_forecasts():
    """More than a few thousand customers, so every de-duplication path is taken."""
    x, t_x, T = SETTINGS[1].draw(6000, seed=37)
    m_x = gammagamma.simulate(SPEND, x, np.random.default_rng(38))
    scores = score_customers(
        PURCHASES, SPEND, x, t_x, T, m_x, horizons=(30, 365), alive_threshold=0.4, overdue_factor=1.5
    )
    np.testing.assert_allclose(scores.p_alive, bgnbd.probability_alive(PURCHASES, x, t_x, T), rtol=1e-13)
    for horizon in (30, 365):
        np.testing.assert_allclose(
            scores.expected_purchases[horizon],
            bgnbd.expected_purchases(PURCHASES, x, t_x, T, horizon),
            rtol=1e-13,
        )
    np.testing.assert_allclose(
        scores.time_to_next_purchase, bgnbd.expected_time_to_next_purchase(PURCHASES, x, t_x, T)
    )
    at_risk = bgnbd.at_risk_moment(PURCHASES, x, t_x, T, threshold=0.4, factor=1.5)
    np.testing.assert_array_equal(scores.at_risk.by_p_alive, at_risk.by_p_alive)
    np.testing.assert_array_equal(scores.at_risk.by_interval, at_risk.by_interval)
    np.testing.assert_allclose(scores.expected_spend, gammagamma.conditional_expected_spend(SPEND, x, m_x))
    np.testing.assert_allclose(
        scores.clv, customer_lifetime_value(PURCHASES, SPEND, x, t_x, T, m_x), rtol=1e-13
    )
    # Without a spend model there is no spend nor CLV, the rest stays.
    without_spend = score_customers(PURCHASES, None, x, t_x, T)
    assert without_spend.clv is None and without_spend.expected_spend is None
    np.testing.assert_array_equal(without_spend.p_alive, scores.p_alive)
