"""Summary data, grouping and the maximum-likelihood machinery shared by the two models.

Both models are fitted on *summary data*, one row per customer:

* BG/NBD: frequency ``x`` (repeat purchases), recency ``t_x`` (time of the last purchase,
  counted from the first one) and age ``T`` (time from the first purchase to now);
* Gamma-Gamma: ``x`` and the mean spend per repeat purchase ``m_x``.

Customers with identical rows contribute identical likelihood terms, so the fit runs on
the distinct rows weighted by how many customers share them (:func:`group_rows`): with
times in whole days a million customers collapse to a few hundred thousand rows, and the
terms that depend on ``x`` alone collapse further to a few dozen (see the models).

Every function here is pure numpy/scipy; the time unit is whatever the caller uses
(the app uses days), as long as it is the same for every argument.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np
from scipy import optimize

FloatArray = np.ndarray

#: Bounds of every log-parameter during the optimisation, in the rescaled units the
#: models fit in (times divided by the mean age, spend by the mean spend), so the same
#: box suits days, weeks, cents or euros: 1e-6 .. 1e6.
LOG_BOUND = math.log(1e6)
#: A fitted parameter outside 1e-4 .. 1e4 (rescaled units) is reported as not sane:
#: the likelihood is flat in that direction (e.g. no heterogeneity left to estimate).
SANE_LOG_BOUND = math.log(1e4)


def as_array(name: str, values: object, *, allow_empty: bool = False) -> FloatArray:
    """``values`` as a 1-d float64 array; ValueError when not finite or empty."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 0:
        array = array.reshape(1)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    if not allow_empty and array.size == 0:
        raise ValueError(f"{name} is empty")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} has non-finite values")
    return array


def check_same_length(**arrays: FloatArray) -> int:
    """The common length of ``arrays``; ValueError naming the lengths otherwise."""
    lengths = {name: len(array) for name, array in arrays.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"arrays differ in length: {lengths}")
    return next(iter(lengths.values()))


def as_weights(weights: object | None, n: int) -> FloatArray:
    """Customer counts per row (ones when None); ValueError when negative."""
    if weights is None:
        return np.ones(n)
    array = as_array("weights", weights)
    if len(array) != n:
        raise ValueError(f"weights has length {len(array)}, expected {n}")
    if np.any(array < 0):
        raise ValueError("weights must be non-negative")
    return array


def dot(a: FloatArray, b: FloatArray) -> float:
    """sum(a * b) without BLAS: np.dot hands long vectors to a multi-threaded OpenBLAS,
    which on a busy 2-core machine is 10-20x slower than this single-threaded loop."""
    return float(np.einsum("i,i->", a, b))


def softplus_and_sigmoid(values: FloatArray) -> tuple[FloatArray, FloatArray]:
    """log(1 + e^v) and e^v / (1 + e^v), sharing one exp and one log (``-inf`` allowed).

    np.logaddexp and scipy's expit cost three times as much, and this runs on every
    group at every likelihood evaluation. log(1 + e) instead of log1p(e) loses only
    absolute precision below 1e-16, immaterial in a sum of log-likelihoods; above 700
    the exponent is capped and the excess added back, so large v gives v exactly.
    """
    capped = np.minimum(values, 700.0)
    exp_v = np.exp(capped)
    one_plus = 1.0 + exp_v
    softplus = np.log(one_plus)
    softplus += np.maximum(values, 700.0) - 700.0
    return softplus, exp_v / one_plus


def unique_levels(values: FloatArray) -> tuple[FloatArray, np.ndarray]:
    """The distinct values (sorted) and each entry's index into them."""
    levels, index = np.unique(values, return_inverse=True)
    return levels, index.reshape(-1)


# --- grouping ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupedRows:
    """Distinct rows of some columns, with how many customers share each.

    ``columns[k][g]`` is column k's value in group g, ``weights[g]`` the (weighted) number
    of customers in group g, and ``inverse[i]`` the group of input row i, so
    ``per_group[inverse]`` spreads a per-group result back to the customers.
    """

    columns: tuple[FloatArray, ...]
    weights: FloatArray
    inverse: np.ndarray

    @property
    def n_groups(self) -> int:
        return len(self.weights)


def _dense_codes(column: FloatArray) -> tuple[np.ndarray, int]:
    """Codes 0..k-1 that order ``column``'s values, and k (an upper bound of the distinct count).

    Integer-valued columns of a moderate range (whole days, counts) use ``value - min``
    directly: no sort, which is what keeps grouping a million rows fast.
    """
    lo, hi = float(column.min()), float(column.max())
    if hi - lo < 1e7 and np.array_equal(column, np.floor(column)):
        return (column - lo).astype(np.int64), int(hi - lo) + 1
    values, codes = np.unique(column, return_inverse=True)
    return codes.astype(np.int64).reshape(-1), len(values)


def group_rows(*columns: FloatArray, weights: FloatArray | None = None) -> GroupedRows:
    """Group identical rows of ``columns`` (equal-length 1-d float arrays).

    Each column is turned into integer codes, the codes are packed into one int64 key,
    and one argsort of the keys finds the groups: O(n log n), ~0.1 s for a million rows.
    """
    n = check_same_length(**{f"column {k}": c for k, c in enumerate(columns)})
    row_weights = as_weights(weights, n)
    if n == 0:
        return GroupedRows(tuple(np.empty(0) for _ in columns), np.empty(0), np.empty(0, np.intp))
    key = np.zeros(n, dtype=np.int64)
    span = 1
    for column in columns:
        codes, cardinality = _dense_codes(column)
        if span * cardinality >= 2**62:
            # Too many distinct combinations to pack into one int64: sort the rows instead.
            return _group_rows_lexsort(columns, row_weights)
        key = key * cardinality + codes
        span *= cardinality
    order = np.argsort(key)
    sorted_key = key[order]
    starts = np.empty(n, dtype=bool)
    starts[0] = True
    np.not_equal(sorted_key[1:], sorted_key[:-1], out=starts[1:])
    group_of_sorted = np.cumsum(starts) - 1
    inverse = np.empty(n, dtype=np.intp)
    inverse[order] = group_of_sorted
    first = order[starts]
    group_weights = np.bincount(inverse, weights=row_weights, minlength=len(first))
    return GroupedRows(tuple(column[first] for column in columns), group_weights, inverse)


def _group_rows_lexsort(columns: Sequence[FloatArray], row_weights: FloatArray) -> GroupedRows:
    stacked = np.stack(columns, axis=1)
    unique, inverse = np.unique(stacked, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    group_weights = np.bincount(inverse, weights=row_weights, minlength=len(unique))
    return GroupedRows(tuple(unique[:, k].copy() for k in range(unique.shape[1])), group_weights, inverse)


# --- fit results ---------------------------------------------------------------------------

P = TypeVar("P", bound=tuple)


@dataclass(frozen=True)
class FitResult(Generic[P]):
    """A maximum-likelihood fit and its health.

    ``params`` are in the caller's units. ``standard_errors`` come from the inverse of the
    observed information (numerical Hessian of the analytic gradient, in log-parameter
    space, mapped back with the delta method); NaN where the Hessian is not positive
    definite. ``healthy`` is True when the optimiser converged, every parameter is finite
    and inside the sane range, and the Hessian is positive definite; otherwise
    ``problems`` says why, in words fit for a log line.
    """

    params: P
    log_likelihood: float
    n_customers: int
    n_repeat_buyers: int
    n_groups: int
    converged: bool
    message: str
    iterations: int
    standard_errors: P
    problems: tuple[str, ...]

    @property
    def healthy(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class LogSpaceOptimum:
    """What :func:`maximize_in_log_space` found, in the rescaled log-parameter space."""

    theta: FloatArray
    neg_log_likelihood: float
    converged: bool
    message: str
    iterations: int
    covariance: FloatArray | None
    problems: tuple[str, ...]


NegLogLikelihood = Callable[[FloatArray], tuple[float, FloatArray]]


#: Convergence: the largest gradient component per customer, in log-parameters. At this
#: level the distance to the optimum is a small fraction of a standard error.
GRADIENT_TOLERANCE = 1e-6


def maximize_in_log_space(
    neg_ll_and_grad: NegLogLikelihood,
    theta0: FloatArray,
    names: Sequence[str],
    total_weight: float,
) -> LogSpaceOptimum:
    """Minimise ``neg_ll_and_grad`` (total negative log-likelihood and its gradient in
    log-parameters) inside ``[-LOG_BOUND, LOG_BOUND]``.

    SLSQP (a quasi-Newton method with bounds) runs first, and L-BFGS-B polishes when the
    gradient is not yet small. Why not L-BFGS-B alone: since SciPy 1.15 its C port calls
    LAPACK, and with a multi-threaded OpenBLAS on few busy cores each of its iterations
    costs milliseconds (scipy/scipy#22438, #23191): 10x slower than the likelihood itself
    on a few thousand customers, whereas SLSQP converges in as many steps without it.

    The objective is divided by the number of customers so the tolerances mean the same
    for 2,000 and 2,000,000 customers. Convergence is judged on the gradient itself
    (:data:`GRADIENT_TOLERANCE`), not on the optimiser's own message.
    """
    scale = 1.0 / max(total_weight, 1.0)

    def objective(theta: FloatArray) -> tuple[float, FloatArray]:
        value, gradient = neg_ll_and_grad(theta)
        if not np.isfinite(value):
            # Steer the line search back instead of failing on an overflow far from the optimum.
            return 1e300, np.zeros_like(theta)
        return value * scale, gradient * scale

    def small_gradient(gradient: FloatArray) -> bool:
        return bool(np.all(np.isfinite(gradient)) and np.max(np.abs(gradient * scale)) < GRADIENT_TOLERANCE)

    bounds = [(-LOG_BOUND, LOG_BOUND)] * len(theta0)
    result = optimize.minimize(
        objective, theta0, jac=True, method="SLSQP", bounds=bounds, options={"maxiter": 1000, "ftol": 1e-14}
    )
    iterations = int(result.nit)
    if not small_gradient(neg_ll_and_grad(result.x)[1]):
        polished = optimize.minimize(
            objective,
            result.x,
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options={"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-10, "maxcor": 20},
        )
        iterations += int(polished.nit)
        if polished.fun <= result.fun:
            result = polished

    theta = np.clip(np.asarray(result.x, dtype=np.float64), -LOG_BOUND, LOG_BOUND)
    value, gradient = neg_ll_and_grad(theta)
    problems: list[str] = []
    converged = bool(np.isfinite(value) and small_gradient(gradient))
    if not converged:
        problems.append(f"optimizer did not converge: {result.message}")
    if not np.all(np.isfinite(theta)):
        problems.append("a parameter is not finite")
    for name, value_k in zip(names, theta):
        if abs(value_k) > SANE_LOG_BOUND:
            problems.append(
                f"parameter {name} is outside the sane range (log {value_k:.1f} in rescaled units)"
            )
    covariance = _covariance(neg_ll_and_grad, theta)
    if covariance is None:
        problems.append("the Hessian is not positive definite (parameters not identified)")
    return LogSpaceOptimum(
        theta=theta,
        neg_log_likelihood=float(value),
        converged=converged,
        message=str(result.message),
        iterations=iterations,
        covariance=covariance,
        problems=tuple(problems),
    )


def _covariance(
    neg_ll_and_grad: NegLogLikelihood, theta: FloatArray, step: float = 1e-4
) -> FloatArray | None:
    """Inverse of the observed information: central differences of the analytic gradient."""
    k = len(theta)
    hessian = np.empty((k, k))
    for j in range(k):
        shift = np.zeros(k)
        shift[j] = step
        hessian[:, j] = (neg_ll_and_grad(theta + shift)[1] - neg_ll_and_grad(theta - shift)[1]) / (2 * step)
    hessian = (hessian + hessian.T) / 2
    if not np.all(np.isfinite(hessian)):
        return None
    try:
        cholesky = np.linalg.cholesky(hessian)
    except np.linalg.LinAlgError:
        return None
    inverse_factor = np.linalg.inv(cholesky)
    return inverse_factor.T @ inverse_factor


def log_space_standard_errors(optimum: LogSpaceOptimum, params: Sequence[float]) -> list[float]:
    """Delta method: se(exp(theta_k)) = exp(theta_k) * se(theta_k); NaN without a covariance."""
    if optimum.covariance is None:
        return [math.nan] * len(params)
    return [float(p * math.sqrt(v)) for p, v in zip(params, np.diag(optimum.covariance))]
