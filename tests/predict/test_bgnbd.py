"""BG/NBD: likelihood, fit, forecasts and at-risk moments (saleor_lifecycle.predict.bgnbd).

Reference values are computed independently of the module: by hand for simple parameter
values, by numerical integration over the latent (lambda, p) of the individual-level
model (FHL 2005 eq. 3), or by simulation.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats

from saleor_lifecycle.predict import BGNBDParams, NotEnoughData, bgnbd
from saleor_lifecycle.predict.summary import group_rows

from .simulated import SETTINGS, Setting

HAND = BGNBDParams(r=1.0, alpha=2.0, a=1.0, b=1.0)
# A customer with 2 repeat purchases, the last at 3, observed for 5.
HAND_CUSTOMER = (2.0, 3.0, 5.0)


def central_gradient(function, point: np.ndarray, relative_step: float = 1e-6) -> np.ndarray:
    gradient = np.empty(len(point))
    for k in range(len(point)):
        step = relative_step * max(abs(point[k]), 1.0)
        up, down = point.copy(), point.copy()
        up[k] += step
        down[k] -= step
        gradient[k] = (function(up) - function(down)) / (2 * step)
    return gradient


def latent_integral(params: BGNBDParams, p_part, rate_part) -> float:
    """E over the priors of p_part(p) * rate_part(lambda): p ~ Beta(a, b), lambda ~ Gamma(r, alpha)."""
    r, alpha, a, b = params
    over_p = integrate.quad(
        lambda p: p_part(p) * stats.beta.pdf(p, a, b), 0, 1, epsabs=0, epsrel=1e-11, limit=200
    )[0]
    over_rate = integrate.quad(
        lambda lam: rate_part(lam) * stats.gamma.pdf(lam, r, scale=1 / alpha),
        0,
        np.inf,
        epsabs=0,
        epsrel=1e-11,
        limit=200,
    )[0]
    return over_p * over_rate


def integrated_terms(params: BGNBDParams, x: int, t_x: float, T: float) -> tuple[float, float]:
    """The two terms of eq. 3 (alive at T; dropped out after the purchase at t_x),
    integrated over the priors numerically."""
    alive = latent_integral(params, lambda p: (1 - p) ** x, lambda lam: lam**x * math.exp(-lam * T))
    dropped = 0.0
    if x > 0:
        dropped = latent_integral(
            params, lambda p: p * (1 - p) ** (x - 1), lambda lam: lam**x * math.exp(-lam * t_x)
        )
    return alive, dropped


def alive_expectation_by_quadrature(params: BGNBDParams, x: int, T: float, t: float) -> float:
    """E[purchases in (T, T+t] | alive at T]: E[(1 - exp(-lambda p t)) / p] (FHL 2005 eq. 4's
    conditional mean) over the posterior lambda ~ Gamma(r+x, alpha+T), p ~ Beta(a, b+x);
    the lambda integral is done analytically, the p integral numerically."""
    r, alpha, a, b = params

    def integrand(p: float) -> float:
        return -math.expm1(-(r + x) * math.log1p(p * t / (alpha + T))) / p * stats.beta.pdf(p, a, b + x)

    return integrate.quad(integrand, 0, 1, epsabs=0, epsrel=1e-11, limit=200)[0]


# --- likelihood ----------------------------------------------------------------------------


def test_log_likelihood_matches_hand_computed_values():
    # r = 1, a = b = 1: B(1, 3)/B(1, 1) = 1/3, B(2, 2)/B(1, 1) = 1/6, Gamma(3) = 2:
    # L = 1/3 * 2 * 2 / 7^3 + 1/6 * 2 * 2 / 5^3 = 4/1029 + 2/375.
    value = bgnbd.log_likelihood_individual(HAND, *HAND_CUSTOMER)[0]
    assert value == pytest.approx(math.log(4 / 1029 + 2 / 375), rel=1e-13)
    # x = 0: only the first term, (alpha/(alpha+T))^r = (3/12)^0.5 = 1/2.
    no_repeat = bgnbd.log_likelihood_individual((0.5, 3.0, 0.7, 0.4), 0, 0, 9.0)[0]
    assert no_repeat == pytest.approx(-math.log(2), rel=1e-13)


@pytest.mark.parametrize(
    "params, customer",
    [
        (BGNBDParams(0.7, 3.0, 1.3, 2.2), (3, 4.5, 10.0)),
        (BGNBDParams(0.243, 4.414, 0.793, 2.426), (1, 1.71, 38.86)),
        (BGNBDParams(2.5, 40.0, 0.4, 0.6), (7, 300.0, 700.0)),
        (BGNBDParams(0.9, 12.0, 2.0, 0.5), (0, 0.0, 30.0)),
    ],
)
def test_log_likelihood_matches_integration_over_latent_rate_and_dropout(params, customer):
    x, t_x, T = customer
    alive, dropped = integrated_terms(params, x, t_x, T)
    assert bgnbd.log_likelihood_individual(params, x, t_x, T)[0] == pytest.approx(
        math.log(alive + dropped), rel=1e-9
    )


def test_log_likelihood_gradient_matches_finite_differences():
    setting = SETTINGS[1]
    x, t_x, T = setting.draw(3000, seed=11)
    for params in (setting.params, BGNBDParams(0.3, 150.0, 2.5, 0.6), BGNBDParams(3.0, 10.0, 0.2, 20.0)):
        value, gradient = bgnbd.log_likelihood_and_gradient(params, x, t_x, T)
        point = np.array(params, dtype=float)
        numerical = central_gradient(lambda p: bgnbd.log_likelihood(p, x, t_x, T), point)
        assert value == pytest.approx(bgnbd.log_likelihood(params, x, t_x, T), rel=1e-12)
        np.testing.assert_allclose(gradient, numerical, rtol=1e-5, atol=1e-7 * abs(value))


def test_grouped_weighted_likelihood_equals_the_per_customer_sum():
    x, t_x, T = SETTINGS[1].draw(5000, seed=12)
    grouped = group_rows(x, t_x, T)
    assert grouped.n_groups < len(x)
    params = SETTINGS[1].params
    per_customer = bgnbd.log_likelihood(params, x, t_x, T)
    assert bgnbd.log_likelihood(params, *grouped.columns, weights=grouped.weights) == pytest.approx(
        per_customer, rel=1e-12
    )
    assert bgnbd.log_likelihood_and_gradient(params, x, t_x, T)[0] == pytest.approx(per_customer, rel=1e-12)


# --- fit -----------------------------------------------------------------------------------


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_it_recovers_parameters_from_simulated_data(setting: Setting):
    """10,000 customers per setting. Each estimate must lie within 4 standard errors of
    the truth, in log space (where the MLE is closer to normal); the standard errors come
    from the inverse Hessian and are themselves checked against the spread of repeated
    fits in test_standard_errors_match_the_spread_of_repeated_fits. 4 SE makes a false
    failure odds of about 1 in 16,000 per parameter; the seeds are fixed anyway. The
    relative standard errors must be below 15 %, so the check has teeth."""
    x, t_x, T = setting.draw(10_000, seed=2024)
    result = bgnbd.fit(x, t_x, T)
    assert result.healthy, result.problems
    assert result.converged
    assert result.n_customers == 10_000
    assert result.n_repeat_buyers == int((x > 0).sum())
    for name, truth, estimate, se in zip(
        BGNBDParams._fields, setting.params, result.params, result.standard_errors
    ):
        relative_se = se / estimate
        assert relative_se < 0.15, f"{name}: relative standard error {relative_se:.2f}"
        z = (math.log(estimate) - math.log(truth)) / relative_se
        assert abs(z) < 4, f"{name}: estimate {estimate:.4g}, truth {truth}, z = {z:.2f}"


def test_standard_errors_match_the_spread_of_repeated_fits():
    """60 independent data sets of 2,000 customers: the standard deviation of the
    log-estimates across fits should equal the typical standard error. With 60 fits the
    ratio is known to about +-10 %, so [0.7, 1.4] only fails on a real miscalibration."""
    setting = SETTINGS[0]
    estimates, errors = [], []
    for seed in range(60):
        result = bgnbd.fit(*setting.draw(2000, seed=500 + seed))
        estimates.append(np.log(result.params))
        errors.append(np.array(result.standard_errors) / np.array(result.params))
    ratio = np.std(estimates, axis=0) / np.median(errors, axis=0)
    assert np.all((ratio > 0.7) & (ratio < 1.4)), ratio


def test_fitting_grouped_rows_with_weights_equals_fitting_every_customer():
    x, t_x, T = SETTINGS[1].draw(5000, seed=13)
    grouped = group_rows(x, t_x, T)
    direct = bgnbd.fit(x, t_x, T)
    weighted = bgnbd.fit(*grouped.columns, weights=grouped.weights)
    np.testing.assert_allclose(weighted.params, direct.params, rtol=1e-6)
    assert weighted.log_likelihood == pytest.approx(direct.log_likelihood, rel=1e-10)
    assert weighted.n_groups == direct.n_groups == grouped.n_groups


def test_the_time_unit_only_rescales_alpha():
    x, t_x, T = SETTINGS[0].draw(4000, seed=14)  # weeks
    in_weeks = bgnbd.fit(x, t_x, T)
    in_days = bgnbd.fit(x, t_x * 7, T * 7)
    expected = in_weeks.params._replace(alpha=in_weeks.params.alpha * 7)
    np.testing.assert_allclose(in_days.params, expected, rtol=1e-5)
    # Each purchase density gains a factor 1/7.
    assert in_days.log_likelihood == pytest.approx(in_weeks.log_likelihood - x.sum() * math.log(7), rel=1e-9)


def test_it_raises_not_enough_data_with_few_repeat_buyers():
    x, t_x, T = SETTINGS[0].draw(400, seed=15)
    repeat_buyers = int((x > 0).sum())
    assert 100 < repeat_buyers < 200
    with pytest.raises(NotEnoughData) as raised:
        bgnbd.fit(x, t_x, T)
    assert raised.value.n_repeat_buyers == repeat_buyers
    assert raised.value.n_customers == 400
    assert f"{repeat_buyers} repeat buyers among 400 customers, need at least 200" in str(raised.value)
    assert bgnbd.fit(x, t_x, T, min_repeat_buyers=100).n_repeat_buyers == repeat_buyers


def test_it_reports_an_unhealthy_fit_when_parameters_are_not_identified():
    """Every customer buys at exactly the same rate and nobody drops out: the Gamma
    heterogeneity r runs off to infinity and the dropout parameters are not identified."""
    rng = np.random.default_rng(16)
    T = rng.uniform(50, 100, 5000)
    x = rng.poisson(0.2 * T).astype(float)
    t_x = np.where(x > 0, T * rng.beta(np.maximum(x, 1), 1), 0.0)
    result = bgnbd.fit(x, t_x, T)
    assert not result.healthy
    assert any("outside the sane range" in problem for problem in result.problems), result.problems


@pytest.mark.parametrize(
    "x, t_x, T, message",
    [
        ([1, 2], [3.0, 6.0], [5.0, 5.0], "must not exceed T"),
        ([-1, 2], [0.0, 1.0], [5.0, 5.0], "non-negative whole numbers"),
        ([1.5, 2], [1.0, 1.0], [5.0, 5.0], "non-negative whole numbers"),
        ([1, 2], [1.0, np.nan], [5.0, 5.0], "non-finite"),
        ([1, 2], [1.0, 2.0, 3.0], [5.0, 5.0], "shape mismatch|broadcast"),
    ],
)
def test_it_rejects_invalid_summary_data(x, t_x, T, message):
    with pytest.raises(ValueError, match=message):
        bgnbd.probability_alive(HAND, x, t_x, T)


# --- forecasts -----------------------------------------------------------------------------


def test_p_alive_matches_hand_computed_values():
    # 1 / (1 + a/(b+x-1) * ((alpha+T)/(alpha+t_x))^(r+x)) = 1 / (1 + 1/2 * (7/5)^3) = 250/593
    assert bgnbd.probability_alive(HAND, *HAND_CUSTOMER)[0] == pytest.approx(250 / 593, rel=1e-13)
    # Nobody drops out before a repeat purchase in the BG/NBD model.
    np.testing.assert_array_equal(bgnbd.probability_alive(HAND, [0, 0], [0, 0], [1.0, 1000.0]), [1.0, 1.0])


@pytest.mark.parametrize(
    "params, customer",
    [
        (BGNBDParams(0.7, 3.0, 1.3, 2.2), (3, 4.5, 10.0)),
        (BGNBDParams(0.243, 4.414, 0.793, 2.426), (2, 30.43, 38.86)),
        (BGNBDParams(2.5, 40.0, 0.4, 0.6), (1, 20.0, 700.0)),
    ],
)
def test_p_alive_is_the_posterior_share_of_the_alive_term(params, customer):
    """Bayes: P(alive) = (alive term) / (alive term + dropped-out term), both integrated numerically."""
    alive, dropped = integrated_terms(params, *customer)
    assert bgnbd.probability_alive(params, *customer)[0] == pytest.approx(alive / (alive + dropped), rel=1e-9)


@pytest.mark.parametrize(
    "params, customer, t",
    [
        (BGNBDParams(0.243, 4.414, 0.793, 2.426), (2, 30.43, 38.86), 39.0),
        (BGNBDParams(0.243, 4.414, 0.793, 2.426), (0, 0.0, 38.86), 52.0),
        (BGNBDParams(0.8, 80.0, 0.7, 3.0), (5, 400.0, 700.0), 365.0),
        (BGNBDParams(2.0, 20.0, 1.5, 8.0), (30, 350.0, 360.0), 30.0),
        (BGNBDParams(0.5, 2.0, 3.0, 0.3), (1, 1.0, 2.0), 1000.0),
    ],
)
def test_expected_purchases_match_numerical_integration(params, customer, t):
    x, t_x, T = customer
    expected = bgnbd.probability_alive(params, x, t_x, T)[0] * alive_expectation_by_quadrature(
        params, x, T, t
    )
    assert bgnbd.expected_purchases(params, x, t_x, T, t)[0] == pytest.approx(expected, rel=1e-8)


def test_expected_purchases_start_at_the_posterior_mean_rate():
    """For a short horizon E[Y(t)] ~ P(alive) * E[lambda | alive] * t = P(alive) (r+x)/(alpha+T) t."""
    x, t_x, T = HAND_CUSTOMER
    params = HAND._replace(a=2.0, b=3.0)
    rate = bgnbd.probability_alive(params, x, t_x, T)[0] * (params.r + x) / (params.alpha + T)
    assert bgnbd.expected_purchases(params, x, t_x, T, 1e-5)[0] / 1e-5 == pytest.approx(rate, rel=1e-4)
    assert bgnbd.expected_purchases(params, x, t_x, T, 0.0)[0] == 0.0


def test_expected_purchases_of_a_new_customer_match_simulation():
    """Eq. 7 against the generative process: mean purchases of 400,000 simulated
    customers within 4 standard errors of the mean."""
    params = BGNBDParams(0.8, 80.0, 0.7, 3.0)
    t = 365.0
    x, _ = bgnbd.simulate(params, np.full(400_000, t), np.random.default_rng(17))
    expected = bgnbd.expected_purchases_new_customer(params, t)[0]
    assert abs(x.mean() - expected) < 4 * x.std() / math.sqrt(len(x))
    # The conditional expectation of a customer with no history at age 0 is eq. 7 too.
    assert bgnbd.expected_purchases(params, 0, 0, 0.0, t)[0] == pytest.approx(expected, rel=1e-12)


def test_forecasts_of_many_customers_equal_one_at_a_time():
    """Above a few thousand rows the forecasts de-duplicate (x, T); results must not change."""
    setting = SETTINGS[1]
    x, t_x, T = setting.draw(6000, seed=18)
    together = bgnbd.expected_purchases(setting.params, x, t_x, T, 90.0)
    sample = np.random.default_rng(0).choice(len(x), 50, replace=False)
    one_by_one = [bgnbd.expected_purchases(setting.params, x[i], t_x[i], T[i], 90.0)[0] for i in sample]
    np.testing.assert_allclose(together[sample], one_by_one, rtol=1e-13)


def test_discounted_expected_purchases_sum_the_discounted_monthly_increments():
    params = BGNBDParams(0.8, 80.0, 0.7, 3.0)
    x, t_x, T = np.array([0.0, 1.0, 4.0]), np.array([0.0, 10.0, 300.0]), np.array([20.0, 400.0, 365.0])
    month = 30.4375
    undiscounted = bgnbd.discounted_expected_purchases(
        params, x, t_x, T, periods=12, period_length=month, discount_rate=0.0
    )
    np.testing.assert_allclose(
        undiscounted, bgnbd.expected_purchases(params, x, t_x, T, 12 * month), rtol=1e-12
    )
    cumulative = [bgnbd.expected_purchases(params, x, t_x, T, k * month) for k in range(13)]
    by_hand = sum((cumulative[k] - cumulative[k - 1]) / 1.01**k for k in range(1, 13))
    discounted = bgnbd.discounted_expected_purchases(
        params, x, t_x, T, periods=12, period_length=month, discount_rate=0.01
    )
    np.testing.assert_allclose(discounted, by_hand, rtol=1e-12)
    assert np.all(discounted < undiscounted)


def test_time_to_next_purchase_and_interpurchase_time_match_hand_computed_values():
    x, t_x, T = HAND_CUSTOMER
    # (alpha + T) / (r + x) = 7/3 from now; (alpha + t_x) / (r + x) = 5/3 between purchases.
    assert bgnbd.expected_time_to_next_purchase(HAND, x, t_x, T)[0] == pytest.approx(7 / 3)
    assert bgnbd.expected_interpurchase_time(HAND, x, t_x)[0] == pytest.approx(5 / 3)
    # Without a repeat purchase: the population's alpha / r.
    assert bgnbd.expected_interpurchase_time(HAND, 0, 0)[0] == pytest.approx(2.0)


def test_overdue_moment_matches_hand_computed_values():
    x, t_x, T = HAND_CUSTOMER
    # factor 2: overdue 2 * 5/3 after the last purchase, which was 2 ago: in 4/3.
    assert bgnbd.time_until_overdue(HAND, x, t_x, T, factor=2.0)[0] == pytest.approx(4 / 3)
    # factor 1: 5/3 < 2, already overdue.
    assert bgnbd.time_until_overdue(HAND, x, t_x, T, factor=1.0)[0] == 0.0


def test_p_alive_moment_matches_hand_computed_values():
    x, t_x, T = HAND_CUSTOMER
    # P(alive) = 250/593 < 0.5 already.
    assert bgnbd.time_until_p_alive_below(HAND, x, t_x, T, threshold=0.5)[0] == 0.0
    # Below 0.3 when 1/2 ((2 + T')/5)^3 = 7/3, i.e. T' = 5 (14/3)^(1/3) - 2.
    expected = 5 * (14 / 3) ** (1 / 3) - 2 - T
    assert bgnbd.time_until_p_alive_below(HAND, x, t_x, T, threshold=0.3)[0] == pytest.approx(
        expected, rel=1e-12
    )
    # Never for customers without a repeat purchase.
    assert bgnbd.time_until_p_alive_below(HAND, 0, 0, T)[0] == math.inf


def test_p_alive_moment_agrees_with_bisection():
    """The closed form against a plain bisection on P(alive at T + s) with x, t_x fixed."""
    setting = SETTINGS[1]
    params = setting.params
    x, t_x, T = setting.draw(2000, seed=19)
    moment = bgnbd.time_until_p_alive_below(params, x, t_x, T, threshold=0.5)
    p_now = bgnbd.probability_alive(params, x, t_x, T)
    assert np.all(moment[(x > 0) & (p_now < 0.5)] == 0)
    future = (x > 0) & (p_now >= 0.5)
    assert future.sum() > 100
    low, high = np.zeros(future.sum()), np.full(future.sum(), 1e6)
    for _ in range(80):
        middle = (low + high) / 2
        below = bgnbd.probability_alive(params, x[future], t_x[future], T[future] + middle) < 0.5
        high = np.where(below, middle, high)
        low = np.where(below, low, middle)
    np.testing.assert_allclose(moment[future], high, rtol=1e-9, atol=1e-9)
    at_risk = bgnbd.at_risk_moment(params, x, t_x, T, threshold=0.5, factor=2.0)
    np.testing.assert_array_equal(at_risk.by_p_alive, moment)
    np.testing.assert_array_equal(at_risk.by_interval, bgnbd.time_until_overdue(params, x, t_x, T, 2.0))


def test_simulated_recency_lies_within_the_observation():
    x, t_x, T = SETTINGS[2].draw(20_000, seed=20)
    assert np.all((t_x >= 0) & (t_x <= T))
    assert np.all(t_x[x == 0] == 0)
    assert np.all(t_x[x > 0] > 0)


def test_group_rows_maps_every_row_to_its_group():
    rng = np.random.default_rng(21)
    columns = (
        rng.integers(0, 4, 1000).astype(float),
        rng.choice([0.5, 1.25, 3.0], 1000),
        rng.integers(5, 9, 1000) * 1.0,
    )
    grouped = group_rows(*columns, weights=np.full(1000, 2.0))
    assert grouped.n_groups == len({tuple(row) for row in np.stack(columns, axis=1)})
    for column, values in zip(columns, grouped.columns):
        np.testing.assert_array_equal(values[grouped.inverse], column)
    assert grouped.weights.sum() == 2000.0
