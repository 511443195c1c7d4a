"""CLV models at scale: fit BG/NBD + Gamma-Gamma on a million customers and score them all.

    .venv/bin/python bench/clv_fit.py [--n 1000000] [--seed 7]

1. Draws N customers from the models' own generative processes (not timed): ages T in
   whole days, uniform over two years; purchases from BG/NBD with r=0.8, alpha=80 days,
   a=0.7, b=3 (about one order per 100 days while alive); mean repeat-order value from
   Gamma-Gamma with p=6, q=4, gamma=15 (population mean 30). Times are whole days, as
   the app computes them from order dates: that is what makes grouping pay.
2. Times, on the caller's path: grouping the customers by (x, t_x, T); the BG/NBD fit on
   the groups; the Gamma-Gamma fit on the repeat buyers; scoring every customer (P(alive),
   expected orders in 30/90/365 days, expected spend, 12-month CLV at 1 %/month, time to
   the next order, both at-risk moments).
3. Prints the fitted parameters next to the true ones and each step's time; the last line
   is ``clv_fit: <seconds> s`` (grouping + fits + scoring; data generation not counted).
   Target: under 10 s on the 2-core machine. Exit status 1 when a fit is unhealthy.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from saleor_lifecycle.predict import (  # noqa: E402
    BGNBDParams,
    GammaGammaParams,
    bgnbd,
    gammagamma,
    score_customers,
)
from saleor_lifecycle.predict.summary import group_rows  # noqa: E402

TRUE_PURCHASES = BGNBDParams(r=0.8, alpha=80.0, a=0.7, b=3.0)
TRUE_SPEND = GammaGammaParams(p=6.0, q=4.0, gamma=15.0)


def generate(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(x, t_x, T, m_x) for n customers; t_x and T in whole days."""
    rng = np.random.default_rng(seed)
    T = rng.integers(1, 731, n).astype(np.float64)
    x, t_x = bgnbd.simulate(TRUE_PURCHASES, T, rng)
    t_x = np.floor(t_x)
    m_x = gammagamma.simulate(TRUE_SPEND, x, rng)
    return x, t_x, T, m_x


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="customers (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    started = time.perf_counter()
    x, t_x, T, m_x = generate(args.n, args.seed)
    print(
        f"generated {args.n:,} customers in {time.perf_counter() - started:.1f} s (not timed): "
        f"{int((x > 0).sum()):,} repeat buyers, mean x {x.mean():.2f}"
    )

    timings: dict[str, float] = {}
    clock = time.perf_counter()
    grouped = group_rows(x, t_x, T)
    timings["grouping"] = time.perf_counter() - clock

    clock = time.perf_counter()
    purchases = bgnbd.fit(*grouped.columns, weights=grouped.weights)
    timings["BG/NBD fit"] = time.perf_counter() - clock

    clock = time.perf_counter()
    spend = gammagamma.fit(x, m_x)
    timings["Gamma-Gamma fit"] = time.perf_counter() - clock

    clock = time.perf_counter()
    scores = score_customers(purchases.params, spend.params, x, t_x, T, m_x)
    timings["scoring"] = time.perf_counter() - clock

    print(f"groups: {grouped.n_groups:,} distinct (x, t_x, T) for {args.n:,} customers")
    for name, fitted, truth in (("BG/NBD", purchases, TRUE_PURCHASES), ("Gamma-Gamma", spend, TRUE_SPEND)):
        shown = ", ".join(
            f"{k}={v:.4g} (true {t:g}, se {s:.2g})"
            for k, v, t, s in zip(truth._fields, fitted.params, truth, fitted.standard_errors)
        )
        print(
            f"{name}: {shown}; LL {fitted.log_likelihood:,.1f}; {fitted.iterations} iterations; "
            f"healthy {fitted.healthy} {list(fitted.problems) or ''}"
        )
    assert scores.clv is not None
    print(
        f"scores: mean P(alive) {scores.p_alive.mean():.3f}, "
        + ", ".join(f"E[orders {h:g}d] {v.mean():.3f}" for h, v in scores.expected_purchases.items())
        + f", mean CLV 12m {scores.clv.mean():.2f}, "
        f"at risk now by P(alive)<0.5 {np.mean(scores.at_risk.by_p_alive == 0):.1%}, "
        f"overdue now {np.mean(scores.at_risk.by_interval == 0):.1%}"
    )
    for name, seconds in timings.items():
        print(f"  {name:<16} {seconds:6.2f} s")
    total = sum(timings.values())
    print(f"clv_fit: {total:.1f} s")
    return 0 if purchases.healthy and spend.healthy else 1


if __name__ == "__main__":
    sys.exit(main())
