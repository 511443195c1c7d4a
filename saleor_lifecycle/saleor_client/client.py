"""A small GraphQL client for one Saleor installation (httpx)."""

import logging
import random
import time
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import httpx
from django.conf import settings

from .documents import load_document
from .errors import (
    SaleorPermanentError,
    SaleorPermissionDenied,
    SaleorRetryableError,
)

logger = logging.getLogger(__name__)

RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


class Page(NamedTuple):
    nodes: list[dict]
    #: store it to resume after this page
    end_cursor: str | None
    #: the connection's totalCount, when the document selects it
    total_count: int | None


class SaleorClient:
    """Sends the documents in ``graphql/`` to one Saleor with the app's token.

    Short outages are absorbed here (``max_attempts`` tries with exponential backoff and
    jitter, honouring ``Retry-After``); if Saleor is still down the call raises
    ``SaleorRetryableError`` and the Celery task that made it retries on its own, longer
    schedule.
    """

    def __init__(
        self,
        api_url: str,
        token: str,
        *,
        timeout: float | None = None,
        max_attempts: int = 3,
        backoff: float = 0.5,
        http: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.api_url = api_url
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.sleep = sleep
        self.http = http or httpx.Client(
            timeout=timeout if timeout is not None else settings.SALEOR_TIMEOUT
        )
        self.http.headers["Authorization"] = f"Bearer {token}"

    @classmethod
    def for_installation(cls, installation, **kwargs) -> "SaleorClient":
        return cls(installation.saleor_api_url, installation.token, **kwargs)

    def execute(self, document: str, variables: dict[str, Any] | None = None) -> dict:
        """Run ``graphql/<document>.graphql`` and return its ``data``."""
        query = load_document(document)
        for attempt in range(1, self.max_attempts + 1):
            try:
                return self._post(document, query, variables or {})
            except SaleorRetryableError as exc:
                if attempt == self.max_attempts:
                    raise
                delay = exc.retry_after or self.backoff * 2 ** (attempt - 1)
                delay *= random.uniform(0.8, 1.2)
                logger.info(
                    "Saleor call failed, retrying",
                    extra={"document": document, "attempt": attempt, "delay": delay, "error": str(exc)},
                )
                self.sleep(delay)
        raise AssertionError("unreachable")

    def _post(self, document: str, query: str, variables: dict) -> dict:
        try:
            response = self.http.post(self.api_url, json={"query": query, "variables": variables})
        except httpx.TransportError as exc:
            raise SaleorRetryableError(f"{document}: {exc.__class__.__name__}: {exc}") from exc
        if response.status_code in RETRYABLE_STATUSES:
            raise SaleorRetryableError(
                f"{document}: HTTP {response.status_code}",
                retry_after=_retry_after(response),
            )
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise SaleorPermanentError(
                f"{document}: HTTP {response.status_code}, not a GraphQL response",
                status=response.status_code,
            )
        errors = body.get("errors") or []
        if errors:
            codes = {
                (error.get("extensions") or {}).get("exception", {}).get("code")
                for error in errors
                if isinstance(error, dict)
            }
            message = "; ".join(str(error.get("message")) for error in errors if isinstance(error, dict))
            error_class = SaleorPermissionDenied if "PermissionDenied" in codes else SaleorPermanentError
            raise error_class(f"{document}: {message}", errors=errors, status=response.status_code)
        if response.status_code >= 400:
            raise SaleorPermanentError(f"{document}: HTTP {response.status_code}", status=response.status_code)
        return body.get("data") or {}

    def paginate(
        self,
        document: str,
        connection: str,
        variables: dict[str, Any] | None = None,
        *,
        after: str | None = None,
        page_size: int = 100,
        nested: str | None = None,
    ) -> Iterator[Page]:
        """Walk a Relay connection page by page.

        The document must take ``$first`` and ``$after`` and select ``edges { node }`` and
        ``pageInfo { hasNextPage endCursor }`` on ``connection`` (a root field, or a field
        of the root field ``nested``, e.g. ``voucher { codes }``). Callers store each page's
        ``end_cursor`` to resume after an interruption.
        """
        while True:
            data = self.execute(document, {**(variables or {}), "first": page_size, "after": after})
            if nested:
                data = data.get(nested) or {}
            connection_data = data.get(connection) or {}
            info = connection_data.get("pageInfo") or {}
            after = info.get("endCursor") or after
            yield Page(
                nodes=[edge["node"] for edge in connection_data.get("edges", [])],
                end_cursor=after,
                total_count=connection_data.get("totalCount"),
            )
            if not info.get("hasNextPage"):
                return


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return float(response.headers["Retry-After"])
    except (KeyError, ValueError):
        return None
