"""saleor-lifecycle: customer lifecycle stages and win-back scenarios for Saleor shops."""

from .config.celery import app as celery_app

__all__ = ["celery_app"]
__version__ = "0.1.0"
