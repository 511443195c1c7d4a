from .client import SaleorClient
from .documents import load_document
from .errors import SaleorError, SaleorPermanentError, SaleorRetryableError

__all__ = [
    "SaleorClient",
    "SaleorError",
    "SaleorPermanentError",
    "SaleorRetryableError",
    "load_document",
]
