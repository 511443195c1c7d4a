"""Errors as Saleor shapes them, plus the class a generic GraphQL client understands.

Two kinds, as in Saleor:

* Top-level ``errors`` for requests that cannot be served: bad token, missing permission,
  bad arguments, query too deep or too costly. ``extensions.exception.code`` names the
  error like Saleor does (``PermissionDenied``, ``GraphQLError``); ``extensions.code``
  classifies it the way most GraphQL tooling reads (``FORBIDDEN``, ``BAD_USER_INPUT``,
  ``INTERNAL_SERVER_ERROR``).
* ``errors { field code message }`` in a mutation's payload for values a mutation
  refuses (see ``types.LifecycleError``).

Anything else a resolver raises is a bug: it is logged with its traceback and answered as
``Internal Server Error`` (the message is shown only with DEBUG).
"""

import logging

from django.conf import settings
from graphql import GraphQLError

logger = logging.getLogger(__name__)


class ErrorClass:
    """``extensions.code``: what the caller should do about the error."""

    #: fix the request (arguments, cursor, query shape)
    BAD_USER_INPUT = "BAD_USER_INPUT"
    #: the query was refused before running (too deep, too costly)
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    #: no valid token: log in again (customers) or reload the dashboard page (staff)
    UNAUTHENTICATED = "UNAUTHENTICATED"
    #: a valid token without the permission this needs
    FORBIDDEN = "FORBIDDEN"
    #: our bug; retrying will not help
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"


class ApiError(GraphQLError):
    """An error raised on purpose; subclasses set Saleor's code and the error class."""

    exception_code = "GraphQLError"
    error_class = ErrorClass.BAD_USER_INPUT

    def __init__(self, message: str, **kwargs) -> None:
        extensions = {"exception": {"code": self.exception_code}, "code": self.error_class}
        super().__init__(message, extensions=extensions, **kwargs)


class BadUserInput(ApiError):
    """Arguments the API cannot serve (page size, cursor, malformed id)."""


class PermissionDenied(ApiError):
    exception_code = "PermissionDenied"
    error_class = ErrorClass.FORBIDDEN

    def __init__(self, permissions: tuple[str, ...]) -> None:
        # Saleor's wording, so dashboards that match on it keep working.
        needed = ", ".join(permissions) or "AUTHENTICATED_STAFF_USER"
        super().__init__(f"To access this path, you need one of the following permissions: {needed}")


class QueryLimitError(ApiError):
    """A query refused by the depth or cost limit (a validation error: nothing ran)."""

    exception_code = "QueryCostError"
    error_class = ErrorClass.GRAPHQL_VALIDATION_FAILED


def format_error(error: Exception) -> dict:
    """Serialise one error for the response; hide and log what nobody meant to raise."""
    if not isinstance(error, GraphQLError):
        return {"message": str(error)}
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return error.formatted
    logger.error("GraphQL resolver failed", exc_info=original, extra={"path": error.path})
    formatted = error.formatted
    formatted["message"] = str(original) if settings.DEBUG else "Internal Server Error"
    formatted["extensions"] = {
        "exception": {"code": type(original).__name__ if settings.DEBUG else "InternalServerError"},
        "code": ErrorClass.INTERNAL_SERVER_ERROR,
    }
    return formatted
