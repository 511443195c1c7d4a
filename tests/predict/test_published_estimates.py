"""The papers' own estimates on their own data: the CDNOW 1/10th sample.

The data: 2,357 customers who made their first purchase at CDNOW in the first 12 weeks of
1997, observed over a 39-week calibration period; per customer x (repeat purchases),
t_x and T in weeks, and zbar, the mean value of the repeat purchases. It is not kept in
this repository: the ``lifetimes`` package (a test-only extra, pinned) ships it as
``lifetimes/datasets/cdnow_customers_summary_with_transactions.csv``. The file is read
from the installed distribution's files, without importing the package (only its data
is used; our models are our own).

Published estimates:
* BG/NBD — Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way":
  r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, log-likelihood -9582.4.
* Gamma-Gamma — Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-Value Curves", and
  Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value", on the 946 repeat
  buyers: p = 6.25, q = 3.74, gamma = 15.44 (log-likelihood -4055.9, as also used as the
  reference by the CLVTools R package's correctness tests).
"""

from __future__ import annotations

import csv
import importlib.metadata
from pathlib import Path

import numpy as np
import pytest

from saleor_lifecycle.predict import bgnbd, gammagamma

DATA_FILE = "lifetimes/datasets/cdnow_customers_summary_with_transactions.csv"


def cdnow_summary() -> dict[str, np.ndarray]:
    """Columns x, t_x, T (weeks) and zbar of the CDNOW sample; skips the test when the
    data package is not installed (``pip install -e '.[test]'`` installs it)."""
    try:
        path = Path(str(importlib.metadata.distribution("lifetimes").locate_file(DATA_FILE)))
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("the CDNOW sample comes with the 'lifetimes' test extra, which is not installed")
    if not path.is_file():
        pytest.skip(f"the installed 'lifetimes' has no {DATA_FILE}")
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {column: np.array([float(row[column]) for row in rows]) for column in ("x", "t_x", "T", "zbar")}


def test_the_cdnow_sample_is_the_one_the_papers_used():
    data = cdnow_summary()
    assert len(data["x"]) == 2357
    assert int((data["x"] > 0).sum()) == 946
    assert data["T"].max() <= 39.0


def test_bgnbd_reproduces_the_published_cdnow_estimates():
    data = cdnow_summary()
    result = bgnbd.fit(data["x"], data["t_x"], data["T"])
    assert result.healthy, result.problems
    published = bgnbd.BGNBDParams(r=0.243, alpha=4.414, a=0.793, b=2.426)
    np.testing.assert_allclose(result.params, published, rtol=0.01)
    assert result.log_likelihood == pytest.approx(-9582.4, abs=0.1)


def test_gamma_gamma_reproduces_the_published_cdnow_estimates():
    data = cdnow_summary()
    result = gammagamma.fit(data["x"], data["zbar"])
    assert result.healthy, result.problems
    assert result.n_repeat_buyers == 946
    published = gammagamma.GammaGammaParams(p=6.25, q=3.74, gamma=15.44)
    np.testing.assert_allclose(result.params, published, rtol=0.01)
    assert result.log_likelihood == pytest.approx(-4055.9, abs=0.1)
