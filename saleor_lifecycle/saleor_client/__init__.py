from .client import Page, SaleorClient
from .documents import load_document
from .errors import SaleorError, SaleorPermanentError, SaleorRetryableError

__all__ = [
    "Page",
    "SaleorClient",
    "SaleorError",
    "SaleorPermanentError",
    "SaleorRetryableError",
    "load_document",
]
