"""What went wrong talking to Saleor, grouped by what the caller should do."""


class SaleorError(Exception):
    """Base error of the Saleor client."""


class SaleorRetryableError(SaleorError):
    """Try again later: network failure, timeout, 5xx or throttling (429)."""

    def __init__(self, message: str, *, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class SaleorPermanentError(SaleorError):
    """Retrying will not help: GraphQL errors, permission denied, a bad request."""

    def __init__(self, message: str, *, errors: list | None = None, status: int | None = None):
        super().__init__(message)
        self.errors = errors or []
        self.status = status


class SaleorPermissionDenied(SaleorPermanentError):
    """The app token lacks a permission (or was revoked)."""
