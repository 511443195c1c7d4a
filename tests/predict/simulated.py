"""Simulated customer bases for the predict tests (fixed seeds, so every run is the same)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from saleor_lifecycle.predict import BGNBDParams, bgnbd


@dataclass(frozen=True)
class Setting:
    """A BG/NBD world: true parameters, how ages are drawn, and whether times are whole days."""

    name: str
    params: BGNBDParams
    min_age: float
    max_age: float
    whole_days: bool

    def draw(self, n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rng = np.random.default_rng(seed)
        if self.whole_days:
            T = rng.integers(int(self.min_age), int(self.max_age) + 1, n).astype(np.float64)
        else:
            T = rng.uniform(self.min_age, self.max_age, n)
        x, t_x = bgnbd.simulate(self.params, T, rng)
        if self.whole_days:
            t_x = np.floor(t_x)  # days between order dates, as the app computes them
        return x, t_x, T


SETTINGS = [
    # CDNOW-like, in weeks: few repeat buyers, strong heterogeneity, many dropouts.
    Setting("cdnow-like weeks", BGNBDParams(r=0.25, alpha=4.0, a=0.8, b=2.5), 27.0, 39.0, False),
    # A shop in whole days over two years: about one order per 100 days while alive.
    Setting("shop in days", BGNBDParams(r=0.8, alpha=80.0, a=0.7, b=3.0), 1.0, 730.0, True),
    # Frequent buyers who rarely drop out (a > 1: finite expected lifetime purchases).
    Setting("frequent buyers", BGNBDParams(r=2.0, alpha=20.0, a=1.5, b=8.0), 30.0, 365.0, False),
]
