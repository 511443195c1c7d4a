"""Exceptions raised by the CLV models."""

from __future__ import annotations


class PredictError(Exception):
    """Base class of every error this package raises on purpose."""


class NotEnoughData(PredictError):
    """Too few repeat buyers to fit a model: the caller falls back to the shop-wide interval.

    The message states the counts, so it can be shown to the merchant as it is
    ("fitted on too little data: 120 repeat buyers among 900 customers, need 200").
    """

    def __init__(self, model: str, n_customers: int, n_repeat_buyers: int, min_repeat_buyers: int) -> None:
        self.model = model
        self.n_customers = n_customers
        self.n_repeat_buyers = n_repeat_buyers
        self.min_repeat_buyers = min_repeat_buyers
        super().__init__(
            f"{model}: not enough data to fit: {n_repeat_buyers} repeat buyers among "
            f"{n_customers} customers, need at least {min_repeat_buyers}"
        )
