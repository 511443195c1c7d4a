"""Each customer's own reorder clock: the shop's BG/NBD and Gamma-Gamma fits, applied.

Nightly, per shop: summarise customers (x repeat orders, t_x, T in days), fit the models
(``saleor_lifecycle.predict``), score everyone set-based and store the fit with its
diagnostics. With too few repeat buyers, or a fit that fails its health checks, scores
are cleared and every customer falls back to the shop-wide interval; the stored fit says
why. A customer's new order rescores them at once from the stored parameters.
"""

import logging
import math
import time
from datetime import datetime, timedelta
from decimal import Decimal

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from .. import predict
from ..saleor_app.models import Installation
from .models import Customer, LifecycleSettings, PredictionFit

logger = logging.getLogger(__name__)

DAY = 86400.0
SCORE_FIELDS = [
    "p_alive",
    "expected_orders_30",
    "expected_orders_90",
    "expected_orders_365",
    "expected_next_order_at",
    "clv",
    "personal_at_risk_at",
    "scored_at",
]


def summary(rows, now: datetime) -> tuple[np.ndarray, ...]:
    """(ids, x, t_x, T, m_x) in days from (id, orders_count, first, last, total_spent) rows."""
    ids, counts, first, last, spent = zip(*rows) if rows else ((),) * 5
    now_ts = now.timestamp()
    first_ts = np.array([value.timestamp() for value in first], dtype=float)
    last_ts = np.array([value.timestamp() for value in last], dtype=float)
    counts = np.array(counts, dtype=float)
    x = counts - 1
    t_x = np.maximum(last_ts - first_ts, 0) / DAY
    T = np.maximum(now_ts - first_ts, t_x * DAY) / DAY
    # Gamma-Gamma wants the mean value of repeat orders; the mean order value stands in.
    m_x = np.array([float(value) for value in spent], dtype=float) / np.maximum(counts, 1)
    return np.array(ids), x, t_x, T, m_x


def summary_one(customer: Customer, now: datetime) -> tuple[float, float, float, float]:
    """:func:`summary` of one customer, in floats: (x, t_x, T, m_x)."""
    first, last = customer.first_order_at.timestamp(), customer.last_order_at.timestamp()
    t_x = max(last - first, 0) / DAY
    T = max(now.timestamp() - first, t_x * DAY) / DAY
    return customer.orders_count - 1, t_x, T, float(customer.total_spent) / max(customer.orders_count, 1)


def _models(fit: PredictionFit) -> tuple[predict.BGNBDParams, predict.GammaGammaParams | None]:
    spend = predict.GammaGammaParams(**fit.spend_params) if fit.spend_params else None
    return predict.BGNBDParams(**fit.purchase_params), spend


def _options(settings: LifecycleSettings) -> dict:
    return {
        "months": settings.clv_months,
        "monthly_discount_rate": settings.monthly_discount_rate,
        "alive_threshold": settings.alive_threshold,
        "overdue_factor": settings.overdue_factor,
    }


def score(fit: PredictionFit, settings: LifecycleSettings, x, t_x, T, m_x, now: datetime) -> list[dict]:
    """The score fields for each customer of the arrays."""
    purchase, spend = _models(fit)
    scores = predict.score_customers(purchase, spend, x, t_x, T, m_x if spend else None, **_options(settings))
    return [
        _fields(
            now,
            p_alive=scores.p_alive[index],
            expected={horizon: values[index] for horizon, values in scores.expected_purchases.items()},
            next_order_in=scores.time_to_next_purchase[index],
            clv=scores.clv[index] if scores.clv is not None else None,
            at_risk_in=min(scores.at_risk.by_p_alive[index], scores.at_risk.by_interval[index]),
        )
        for index in range(len(x))
    ]


def score_one(fit: PredictionFit, settings: LifecycleSettings, customer: Customer, now: datetime) -> dict:
    """:func:`score` for one customer (``predict.one``: no arrays for one row)."""
    purchase, spend = _models(fit)
    x, t_x, T, m_x = summary_one(customer, now)
    scores = predict.one.score_customer(purchase, spend, x, t_x, T, m_x if spend else None, **_options(settings))
    return _fields(
        now,
        p_alive=scores.p_alive,
        expected=scores.expected_purchases,
        next_order_in=scores.time_to_next_purchase,
        clv=scores.clv,
        at_risk_in=min(scores.at_risk_by_p_alive, scores.at_risk_by_interval),
    )


def _fields(now: datetime, *, p_alive, expected, next_order_in, clv, at_risk_in) -> dict:
    return {
        "p_alive": float(p_alive),
        "expected_orders_30": float(expected[30]),
        "expected_orders_90": float(expected[90]),
        "expected_orders_365": float(expected[365]),
        "expected_next_order_at": _after(now, next_order_in),
        "clv": Decimal(f"{clv:.2f}") if clv is not None else None,
        "personal_at_risk_at": _after(now, at_risk_in),
        "scored_at": now,
    }


def _after(now: datetime, days: float) -> datetime | None:
    if not math.isfinite(days) or days > 36500:
        return None
    return now + timedelta(days=float(max(days, 0)))


_fits: dict[int, tuple[float, PredictionFit | None]] = {}


def usable_fit(installation_id: int) -> PredictionFit | None:
    """The shop's latest healthy fit, cached for a minute per process (the order path asks)."""
    cached = _fits.get(installation_id)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    fit = PredictionFit.objects.filter(installation_id=installation_id).order_by("-fitted_at").first()
    fit = fit if fit is not None and fit.healthy else None
    _fits[installation_id] = (time.monotonic() + 60, fit)
    return fit


def rescore_customer(
    customer: Customer, now: datetime | None = None, *, settings: LifecycleSettings | None = None
) -> None:
    """Set the customer's score fields (not saved) from the shop's fit, or clear them.

    ``settings``: the shop's, when the caller has them already (the order path does).
    """
    fit = usable_fit(customer.installation_id) if customer.orders_count else None
    if fit is not None:
        settings = settings or LifecycleSettings.for_installation(customer.installation)
    if fit is None or not settings.use_predictions:
        for field in SCORE_FIELDS:
            setattr(customer, field, None)
        return
    for field, value in score_one(fit, settings, customer, now or timezone.now()).items():
        setattr(customer, field, value)


def refit(installation: Installation, now: datetime | None = None) -> PredictionFit:
    """The nightly fit and scoring of one shop; stages follow the new clocks."""
    from .recompute import recompute_stages

    now = now or timezone.now()
    started = time.monotonic()
    settings = LifecycleSettings.for_installation(installation)
    customers = Customer.objects.filter(installation=installation, orders_count__gt=0)
    ids, x, t_x, T, m_x = summary(
        list(customers.values_list("pk", "orders_count", "first_order_at", "last_order_at", "total_spent")), now
    )
    fit = PredictionFit(installation=installation, fitted_at=now, n_customers=len(ids), n_repeat_buyers=int((x > 0).sum()))
    try:
        purchases = predict.bgnbd.fit(x, t_x, T, min_repeat_buyers=settings.min_repeat_buyers)
        fit.purchase_params = purchases.params._asdict()
        fit.log_likelihood = purchases.log_likelihood
        fit.problems = list(purchases.problems)
        fit.healthy = purchases.healthy and settings.use_predictions
        if not settings.use_predictions:
            fit.problems.append("the shop turned personal clocks off")
        try:
            spend = predict.gammagamma.fit(x, m_x, min_repeat_buyers=settings.min_repeat_buyers)
            if spend.healthy:
                fit.spend_params = spend.params._asdict()
            else:
                fit.problems.extend(f"spend model: {problem}" for problem in spend.problems)
        except predict.PredictError as error:
            fit.problems.append(f"spend model: {error}")
    except predict.PredictError as error:
        fit.problems = [f"{error}: using the shop-wide reorder interval"]
    fit.seconds = time.monotonic() - started
    with transaction.atomic():
        fit.save()
        _fits.pop(installation.pk, None)
        if fit.healthy:
            write_scores(ids, score(fit, settings, x, t_x, T, m_x, now))
        else:
            customers.exclude(scored_at=None).update(**{field: None for field in SCORE_FIELDS})
        recompute_stages(installation, now)
    logger.info(
        "predictions refitted",
        extra={"installation": installation.pk, "healthy": fit.healthy, "customers": fit.n_customers, "seconds": fit.seconds},
    )
    return fit


def write_scores(ids, rows: list[dict], chunk: int = 2000) -> None:
    """UPDATE … FROM (VALUES …) in chunks: one statement per chunk, on both databases."""
    table = Customer._meta.db_table
    columns = SCORE_FIELDS
    stamp = "CAST({} AS timestamp with time zone)" if connection.vendor == "postgresql" else "{}"
    number = "CAST({} AS double precision)" if connection.vendor == "postgresql" else "{}"
    casts = {
        "expected_next_order_at": stamp, "personal_at_risk_at": stamp, "scored_at": stamp,
        "clv": "CAST({} AS numeric)" if connection.vendor == "postgresql" else "{}",
    }
    assignments = ", ".join(
        f"{name} = " + casts.get(name, number).format(f"v.column{index + 2}") for index, name in enumerate(columns)
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), chunk):
            part = list(zip(ids[start : start + chunk], rows[start : start + chunk]))
            values = ", ".join(["(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"] * len(part))
            params = [value for pk, row in part for value in (int(pk), *(row[name] for name in columns))]
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM (VALUES {values}) AS v WHERE {table}.id = v.column1", params
            )


def calibration_table(installation: Installation, *, holdout_days: int, now: datetime | None = None) -> list[dict]:
    """Predicted vs actual orders in the last ``holdout_days``, by repeat-order bucket.

    The models are fitted on the orders before the holdout period only, then asked how
    many orders each customer would place in it; buckets compare the means.
    """
    from .models import Order

    now = now or timezone.now()
    cutoff = now - timedelta(days=holdout_days)
    history: dict[int, list[datetime]] = {}
    actual: dict[int, int] = {}
    for customer_id, created in Order.objects.filter(installation=installation, counts=True).values_list(
        "customer_id", "created"
    ):
        if created < cutoff:
            history.setdefault(customer_id, []).append(created)
        else:
            actual[customer_id] = actual.get(customer_id, 0) + 1
    rows = [(pk, len(dates), min(dates), max(dates), Decimal(0)) for pk, dates in history.items()]
    ids, x, t_x, T, _ = summary(rows, cutoff)
    purchases = predict.bgnbd.fit(x, t_x, T)
    predicted = predict.bgnbd.expected_purchases(purchases.params, x, t_x, T, float(holdout_days))
    buckets: dict[str, list[tuple[float, int]]] = {}
    for pk, repeat, expected in zip(ids, x, predicted):
        label = str(int(repeat)) if repeat < 7 else "7+"
        buckets.setdefault(label, []).append((float(expected), actual.get(int(pk), 0)))
    order = [str(n) for n in range(7)] + ["7+"]
    return [
        {
            "repeat_orders": label,
            "customers": len(buckets[label]),
            "predicted": sum(p for p, _ in buckets[label]) / len(buckets[label]),
            "actual": sum(a for _, a in buckets[label]) / len(buckets[label]),
        }
        for label in order
        if label in buckets
    ]
