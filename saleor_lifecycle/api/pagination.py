"""Keyset (cursor) pagination for Relay connections.

A cursor holds the last row's sort value and primary key, so the next page is one
indexed range query (``(key, pk) > (value, pk)``) however deep the page: no OFFSET that
scans everything before it. A cursor names its ordering; one from another ordering is
refused rather than silently misread.
"""

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db.models import Expression, F, Q, QuerySet

from .errors import BadUserInput

#: Primary keys and counts stay within a signed 64-bit integer (PostgreSQL bigint).
MAX_INT = 2**63 - 1
#: Money is stored with 14 digits, 2 of them decimals.
MAX_AMOUNT = Decimal("1e12")
MAX_TEXT = 320

INVALID_CURSOR = "Received cursor is invalid."


def parse_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_INT:
        raise ValueError(value)
    return value


def parse_amount(value: Any) -> Decimal:
    amount = Decimal(str(value))
    if not amount.is_finite() or abs(amount) >= MAX_AMOUNT:
        raise ValueError(value)
    return amount


def parse_datetime(value: Any) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_text(value: Any) -> str:
    if not isinstance(value, str) or len(value) > MAX_TEXT or "\x00" in value:
        raise ValueError(value)
    return value


def _dump(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


@dataclass(frozen=True)
class Ordering:
    """How rows are ordered: by ``key`` (an expression), then by primary key."""

    #: written into cursors, e.g. "LAST_ORDER_AT:DESC"
    name: str
    key: Expression | F
    #: turns a cursor's JSON value back into a value of ``key``; ValueError if it cannot
    parse: Callable[[Any], Any]
    descending: bool = False

    @classmethod
    def by(cls, field: str, parse: Callable[[Any], Any], *, name: str, descending: bool = False) -> "Ordering":
        return cls(name=name, key=F(field), parse=parse, descending=descending)


@dataclass
class Page:
    rows: list
    cursors: list[str]
    has_next_page: bool
    has_previous_page: bool


def encode_cursor(ordering: Ordering, value: Any, pk: int) -> str:
    raw = json.dumps([ordering.name, _dump(value), pk], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(ordering: Ordering, cursor: str) -> tuple[Any, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        name, value, pk = json.loads(raw)
        if name != ordering.name:
            raise ValueError(name)
        return ordering.parse(value), parse_int(pk)
    except (ValueError, TypeError, InvalidOperation, binascii.Error, OverflowError):
        raise BadUserInput(INVALID_CURSOR) from None


def _page_size(label: str, size: int | None, connection: str) -> int | None:
    if size is None:
        return None
    if size < 0:
        raise BadUserInput(f"Argument `{label}` must be a non-negative integer.")
    limit = settings.API_MAX_PAGE_SIZE
    if size > limit:
        raise BadUserInput(
            f"Requesting {size} records on the `{connection}` connection exceeds the `{label}` limit of {limit} records."
        )
    return size


def _beyond(ordering: Ordering, cursor: tuple[Any, int], *, forward: bool) -> Q:
    """Rows strictly after (``forward``) or before the cursor in ``ordering``."""
    value, pk = cursor
    greater = forward != ordering.descending
    op = "gt" if greater else "lt"
    return Q(**{f"_sort_key__{op}": value}) | Q(_sort_key=value, **{f"pk__{op}": pk})


def paginate(
    queryset: QuerySet,
    ordering: Ordering,
    *,
    connection: str,
    first: int | None = None,
    last: int | None = None,
    after: str | None = None,
    before: str | None = None,
) -> Page:
    """One page of ``queryset`` in ``ordering``, Relay style (``first``/``after`` or ``last``/``before``).

    1. Exactly one of ``first`` and ``last``, at most API_MAX_PAGE_SIZE, as Saleor requires.
    2. Narrow to the rows beyond ``after`` / before ``before``.
    3. Fetch one row more than asked to know whether another page follows.
    """
    if first is None and last is None:
        raise BadUserInput(
            f"You must provide a `first` or `last` value to properly paginate the `{connection}` connection."
        )
    if first is not None and last is not None:
        raise BadUserInput(f"Provide either `first` or `last` to paginate the `{connection}` connection, not both.")
    first = _page_size("first", first, connection)
    last = _page_size("last", last, connection)

    rows = queryset.annotate(_sort_key=ordering.key)
    if after:
        rows = rows.filter(_beyond(ordering, decode_cursor(ordering, after), forward=True))
    if before:
        rows = rows.filter(_beyond(ordering, decode_cursor(ordering, before), forward=False))

    forward = first is not None
    size = first if forward else last
    descending = ordering.descending != (not forward)
    order = ["-_sort_key", "-pk"] if descending else ["_sort_key", "pk"]
    fetched = list(rows.order_by(*order)[: size + 1])
    more = len(fetched) > size
    fetched = fetched[:size]
    if not forward:
        fetched.reverse()
    return Page(
        rows=fetched,
        cursors=[encode_cursor(ordering, row._sort_key, row.pk) for row in fetched],
        has_next_page=more if forward else bool(before),
        has_previous_page=bool(after) if forward else more,
    )
