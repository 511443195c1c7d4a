"""An in-process stand-in for a Saleor 3.24 server, faithful at the edges the app touches.

What it does, like Saleor:

* installs the app: POSTs ``{"auth_token": ...}`` to the app's ``tokenTargetUrl`` with
  ``Saleor-Api-Url`` / ``Saleor-Domain`` headers and no signature (:meth:`FakeSaleor.register`);
* delivers webhooks signed with a detached RS256 JWS (``b64: false``) whose keys it publishes
  at ``/.well-known/jwks.json`` (:meth:`FakeSaleor.deliver`, :meth:`FakeSaleor.jwks`);
* renders webhook bodies by executing the app's subscription document against the real
  3.24 schema (:meth:`FakeSaleor.render_event`), so a document Saleor would reject fails here;
* answers the app's GraphQL calls at ``/graphql/`` after validating them against the real
  schema, authenticating the app token and checking the app's permissions, over in-memory
  customers, orders, vouchers and channels (:attr:`FakeSaleor.queries`,
  :attr:`FakeSaleor.mutations` hold the root-field resolvers; tests may add more);
* issues RS256 JWTs with the same keys (customer ``access`` and dashboard ``thirdparty``
  tokens).

What it does not pretend to do: Saleor's business logic (checkout, discounts, stock), cost
limits, query batching, keyset cursors (cursors here are opaque indexes into the filtered and
sorted list, so rows inserted between two page requests shift later pages).

HTTP status of the GraphQL endpoint: 400 with ``{"errors": [...]}`` and no ``data`` when the
request cannot be executed at all (unparsable body, syntax error, document invalid against the
schema, bad variables) — like Saleor's GraphQL view; 200 with ``data`` (and ``errors`` when a
resolver failed, e.g. ``PermissionDenied``) otherwise.

Only the standard library's ``http.server`` serves; ``httpx`` is the client side.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import decimal
import itertools
import json
import os
import secrets
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import graphql
import httpx
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from graphql import GraphQLError, GraphQLResolveInfo, GraphQLSchema
from graphql.execution.execute import default_field_resolver
from jwcrypto import jwk
from jwcrypto import jwt as jwcrypto_jwt

__all__ = [
    "SALEOR_VERSION",
    "FakeSaleor",
    "FakeSaleorError",
    "RequestContext",
    "default_schema_path",
    "event_typename",
    "from_global_id",
    "global_id",
    "load_schema",
    "money",
    "new_signing_key",
    "paginate",
    "permission_denied",
    "taxed_money",
]

#: The version the schema file describes; sent as the ``version`` of rendered events.
SALEOR_VERSION = "3.24.0"

#: Saleor refuses to return more than this many rows from one connection page.
MAX_PAGE_SIZE = 100

#: What Saleor's webhook sender allows an app (FACTS.md): 2 s to connect, 18 s to answer.
DELIVERY_TIMEOUT = httpx.Timeout(18.0, connect=2.0)

#: Permissions the app asks for in its manifest; the fake grants them all by default.
DEFAULT_APP_PERMISSIONS = ("MANAGE_ORDERS", "MANAGE_CHECKOUTS", "MANAGE_USERS", "MANAGE_DISCOUNTS")

_PERMISSION_NAMES = {
    "MANAGE_ORDERS": "Manage orders.",
    "MANAGE_CHECKOUTS": "Manage checkouts",
    "MANAGE_USERS": "Manage customers.",
    "MANAGE_DISCOUNTS": "Manage sales and vouchers.",
}


class FakeSaleorError(Exception):
    """The fake was asked for something Saleor would refuse (e.g. an invalid document)."""


# --------------------------------------------------------------------------- ids & money


def global_id(type_name: str, pk: object) -> str:
    """Return Saleor's (graphene relay) global id: standard base64 of ``"TypeName:pk"``."""
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode("ascii")


def from_global_id(value: str) -> tuple[str, str]:
    """Split a global id into ``(type_name, pk)``; raise ``ValueError`` if it is not one."""
    try:
        decoded = base64.b64decode(value.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise ValueError(f"not a global id: {value!r}") from exc
    type_name, sep, pk = decoded.partition(":")
    if not sep or not type_name or not pk:
        raise ValueError(f"not a global id: {value!r}")
    return type_name, pk


def money(amount: float | int | decimal.Decimal | str, currency: str = "USD") -> dict[str, Any]:
    """A ``Money`` object as Saleor serialises it (2 fraction digits, like USD/EUR)."""
    value = decimal.Decimal(str(amount))
    return {
        "currency": currency,
        "amount": float(value),
        "fractionalAmount": int((value * 100).to_integral_value()),
        "fractionDigits": 2,
    }


def taxed_money(
    gross: float | int | decimal.Decimal | str, currency: str = "USD", *, tax: float | int | str = 0
) -> dict[str, Any]:
    """A ``TaxedMoney`` object; ``net`` is ``gross - tax``."""
    gross_value = decimal.Decimal(str(gross))
    tax_value = decimal.Decimal(str(tax))
    return {
        "currency": currency,
        "gross": money(gross_value, currency),
        "net": money(gross_value - tax_value, currency),
        "tax": money(tax_value, currency),
    }


def event_typename(event: str) -> str:
    """Map a webhook event enum (``"ORDER_CREATED"``) to its schema type (``"OrderCreated"``)."""
    return "".join(part.capitalize() for part in event.lower().split("_"))


def _isoformat(value: dt.datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.isoformat()


def _parse_datetime(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime.combine(value, dt.time())
    else:
        parsed = dt.datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return _isoformat(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _compact_json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), default=_json_default).encode("utf-8")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


# --------------------------------------------------------------------------- schema


_schema_cache: dict[Path, GraphQLSchema] = {}
_schema_lock = threading.Lock()


def default_schema_path() -> Path:
    """``$SALEOR_SCHEMA_PATH``, else ``<repo>/../shared/saleor/schema.graphql``."""
    configured = os.environ.get("SALEOR_SCHEMA_PATH")
    if configured:
        return Path(configured)
    repo_root = Path(__file__).resolve().parent.parent.parent
    return repo_root.parent / "shared" / "saleor" / "schema.graphql"


def _serialize_datetime(value: Any) -> Any:
    # Fixtures may hold real datetimes; Saleor sends ISO 8601 with an offset.
    if isinstance(value, dt.datetime):
        return _isoformat(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _serialize_decimal(value: Any) -> Any:
    return float(value) if isinstance(value, decimal.Decimal) else value


def _serialize_uuid(value: Any) -> Any:
    return str(value) if isinstance(value, uuid.UUID) else value


def load_schema(path: str | os.PathLike[str] | None = None) -> GraphQLSchema:
    """Build (once per process and path) the graphql-core schema from Saleor's SDL.

    The SDL is Saleor's own, so its SDL-level validation (the slow half of
    ``build_schema`` on ~39k lines) is skipped; the schema itself is still validated the
    first time a document is validated against it.
    """
    resolved = Path(path or default_schema_path()).resolve()
    with _schema_lock:
        schema = _schema_cache.get(resolved)
        if schema is None:
            if not resolved.is_file():
                raise FakeSaleorError(
                    f"Saleor schema not found at {resolved}; set SALEOR_SCHEMA_PATH"
                )
            schema = graphql.build_schema(
                resolved.read_text(encoding="utf-8"), assume_valid_sdl=True, no_location=True
            )
            for name, serialize in (
                ("DateTime", _serialize_datetime),
                ("Date", _serialize_datetime),
                ("Decimal", _serialize_decimal),
                ("PositiveDecimal", _serialize_decimal),
                ("UUID", _serialize_uuid),
            ):
                scalar = schema.type_map.get(name)
                if isinstance(scalar, graphql.GraphQLScalarType):
                    scalar.serialize = serialize  # type: ignore[method-assign]
            _schema_cache[resolved] = schema
        return schema


# --------------------------------------------------------------------------- keys


_key_pool: list[jwk.JWK] = []
_key_lock = threading.Lock()


def new_signing_key() -> jwk.JWK:
    """A fresh RSA 2048 signing key whose ``kid`` is its RFC 7638 thumbprint.

    Use it directly for "signed by a key Saleor never published" tests.
    """
    generated = jwk.JWK.generate(kty="RSA", size=2048, use="sig", alg="RS256")
    return jwk.JWK(**{**generated.export_private(as_dict=True), "kid": generated.thumbprint()})


def _pooled_key(index: int) -> jwk.JWK:
    # RSA generation costs ~0.1 s; every FakeSaleor of the process shares the n-th key of
    # the pool, so a test suite pays for each distinct key once.
    with _key_lock:
        while len(_key_pool) <= index:
            _key_pool.append(new_signing_key())
        return _key_pool[index]


def _kid(key: jwk.JWK) -> str:
    return str(key.get("kid") or key.thumbprint())


# --------------------------------------------------------------------------- GraphQL helpers


class RequestContext:
    """Who is calling ``/graphql/``: the GraphQL ``context`` of every resolver.

    ``app`` is the installed app's record when the bearer token is the app token, else
    ``None`` (anonymous: Saleor treats an unknown token like no token for app tokens).
    """

    def __init__(self, *, token: str | None, app: dict[str, Any] | None, permissions: set[str],
                 headers: Mapping[str, str]) -> None:
        self.token = token
        self.app = app
        self.permissions = permissions
        self.headers = headers

    @property
    def is_app(self) -> bool:
        return self.app is not None


def permission_denied(*permissions: str) -> GraphQLError:
    """The error Saleor returns when the caller lacks a permission for a field."""
    needed = ", ".join(permissions) or "AUTHENTICATED_APP"
    return GraphQLError(
        f"To access this path, you need one of the following permissions: {needed}",
        extensions={"exception": {"code": "PermissionDenied"}},
    )


def _encode_cursor(index: int) -> str:
    return base64.b64encode(f"fake-saleor:{index}".encode()).decode("ascii")


def _decode_cursor(cursor: str) -> int:
    try:
        prefix, _, index = base64.b64decode(cursor, validate=True).decode().partition(":")
        if prefix != "fake-saleor":
            raise ValueError(cursor)
        return int(index)
    except (binascii.Error, UnicodeError, ValueError):
        raise GraphQLError("Received cursor is invalid.") from None


def paginate(
    items: list[Any],
    *,
    connection: str,
    first: int | None = None,
    last: int | None = None,
    after: str | None = None,
    before: str | None = None,
    **_ignored: Any,
) -> dict[str, Any]:
    """Slice ``items`` into a Relay connection (``edges``, ``pageInfo``, ``totalCount``).

    Enforces Saleor's rules: ``first`` or ``last`` is required and at most 100.
    ``_ignored`` swallows the connection's filter/sort arguments, applied by the caller.
    """
    if first is None and last is None:
        raise GraphQLError(
            f"You must provide a `first` or `last` value to properly paginate the "
            f"`{connection}` connection."
        )
    for label, size in (("first", first), ("last", last)):
        if size is not None and size > MAX_PAGE_SIZE:
            raise GraphQLError(
                f"Requesting {size} records on the `{connection}` connection exceeds the "
                f"`{label}` limit of {MAX_PAGE_SIZE} records."
            )
        if size is not None and size < 0:
            raise GraphQLError(f"Argument `{label}` must be a non-negative integer.")
    start, end = 0, len(items)
    if after is not None:
        start = max(start, _decode_cursor(after) + 1)
    if before is not None:
        end = min(end, _decode_cursor(before))
    if first is not None:
        end = min(end, start + first)
    if last is not None:
        start = max(start, end - last)
    indexes = range(start, max(start, end))
    edges = [{"node": items[i], "cursor": _encode_cursor(i)} for i in indexes]
    return {
        "edges": edges,
        "pageInfo": {
            "hasNextPage": end < len(items),
            "hasPreviousPage": start > 0,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
        "totalCount": len(items),
    }


class _ApiRoot:
    """Marks the root value of ``/graphql/`` requests (root fields go to the resolver tables)."""


_API_ROOT = _ApiRoot()

_METAFIELD_READERS = {
    "metafield": ("metadata", False),
    "metafields": ("metadata", True),
    "privateMetafield": ("privateMetadata", False),
    "privateMetafields": ("privateMetadata", True),
}

RootResolver = Callable[..., Any]
"""``resolver(info, **field_args) -> value``; ``info.context`` is a :class:`RequestContext`."""


def _unsupported(what: str) -> GraphQLError:
    # Silently ignoring a filter would return rows Saleor would not: fail loudly instead.
    return GraphQLError(f"FakeSaleor does not implement {what}; extend it in fake_saleor.py")


def _in_range(value: Any, bounds: Mapping[str, Any] | None, *, dates: bool = False) -> bool:
    if not bounds:
        return True
    moment = _parse_datetime(value)
    if moment is None:
        return False
    for op, limit in bounds.items():
        bound = _parse_datetime(limit)
        if bound is None:
            continue
        left, right = (moment.date(), bound.date()) if dates else (moment, bound)
        if op == "gte" and left < right:
            return False
        if op == "lte" and left > right:
            return False
    return True


def _matches_value(value: Any, condition: Mapping[str, Any] | None) -> bool:
    """``StringFilterInput``/``GlobalIDFilterInput``-style ``{eq, oneOf}`` matching."""
    if condition is None:
        return True
    for op, expected in condition.items():
        if op == "eq" and value != expected:
            return False
        if op == "oneOf" and value not in expected:
            return False
        if op not in ("eq", "oneOf"):
            raise _unsupported(f"the `{op}` operator")
    return True


def _sorted(items: list[dict[str, Any]], sort_by: Mapping[str, Any] | None,
            keys: Mapping[str, Callable[[dict[str, Any]], Any]], what: str) -> list[dict[str, Any]]:
    if not sort_by:
        return items
    key = keys.get(sort_by["field"])
    if key is None:
        raise _unsupported(f"{what}(sortBy: {{field: {sort_by['field']}}})")
    return sorted(items, key=key, reverse=sort_by.get("direction") == "DESC")


# --------------------------------------------------------------------------- the fake


class FakeSaleor:
    """One fake Saleor shop: HTTP server, signing keys, app token and in-memory data.

    Usable without :meth:`start` for signing, rendering and building requests; the HTTP
    endpoints (``/graphql/``, ``/.well-known/jwks.json``) need :meth:`start`.
    All data access from the server threads happens under :attr:`lock`; tests that mutate
    :attr:`customers` etc. while a request may run should hold it too.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        schema_path: str | os.PathLike[str] | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.schema: GraphQLSchema = load_schema(schema_path)
        self.lock = threading.RLock()

        self._key_index = 0
        self._keys: list[jwk.JWK] = [_pooled_key(0)]

        self.app_token: str = secrets.token_urlsafe(30)
        self.app_id: str = global_id("App", 1)
        self.app_permissions: set[str] = set(DEFAULT_APP_PERMISSIONS)
        #: Source of "now" for defaults and issued tokens; replace for deterministic tests.
        self.clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)

        self.customers: list[dict[str, Any]] = []
        self.orders: list[dict[str, Any]] = []
        #: checkouts the tests want Saleor to know (for metadata writes); add dicts with "id"
        self.checkouts: list[dict[str, Any]] = []
        #: products, for availability questions: dicts with "id", "slug", "isAvailable"
        self.products: list[dict[str, Any]] = []
        self.vouchers: list[dict[str, Any]] = []
        self.channels: list[dict[str, Any]] = []
        self.app: dict[str, Any] = self._make_app()
        self.add_channel()

        #: Every ``/graphql/`` request: ``query``, ``variables``, ``operationName``,
        #: ``headers`` (names lower-cased) and the HTTP ``status`` answered.
        self.requests: list[dict[str, Any]] = []
        self.jwks_fetches = 0
        self._failures: deque[int] = deque()

        self.queries: dict[str, RootResolver] = {
            "app": self._resolve_app,
            "customers": self._resolve_customers,
            "orders": self._resolve_orders,
            "channel": self._resolve_channel,
            "voucher": self._resolve_voucher,
            "products": self._resolve_products,
        }
        self.mutations: dict[str, RootResolver] = {
            "updateMetadata": self._resolve_update_metadata,
            "updatePrivateMetadata": self._resolve_update_private_metadata,
            "voucherCreate": self._resolve_voucher_create,
            "voucherUpdate": self._resolve_voucher_update,
            "voucherChannelListingUpdate": self._resolve_voucher_channel_listing_update,
            "voucherCodeBulkDelete": self._resolve_voucher_code_bulk_delete,
            "voucherDelete": self._resolve_voucher_delete,
        }
        #: Resolvers for non-root fields that are not plain dict keys, by
        #: ``(type name, field name)``: ``resolver(source, info, **args)``.
        self.computed_fields: dict[tuple[str, str], Callable[..., Any]] = {
            ("User", "orders"): self._resolve_user_orders,
            ("Voucher", "code"): lambda voucher, info: (
                voucher["codes"][0]["code"] if voucher.get("codes") else None
            ),
        }

        self._pk_counters: dict[str, itertools.count[int]] = {}
        self._order_numbers = itertools.count(1001)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ server lifecycle

    def start(self) -> FakeSaleor:
        """Serve ``/graphql/`` and ``/.well-known/jwks.json`` from a daemon thread."""
        if self._server is not None:
            return self
        server = ThreadingHTTPServer((self.host, self.port), _make_handler(self))
        server.daemon_threads = True
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(
            # A short poll interval keeps stop() (shutdown) fast in test teardown.
            target=server.serve_forever, kwargs={"poll_interval": 0.05},
            name=f"fake-saleor:{self.port}", daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port; safe to call twice."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeSaleor:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def domain(self) -> str:
        """``host:port`` as Saleor sends it in ``Saleor-Domain``."""
        return f"{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        """The GraphQL endpoint, with the trailing slash Saleor uses."""
        return f"http://{self.domain}/graphql/"

    @property
    def jwks_url(self) -> str:
        return f"http://{self.domain}/.well-known/jwks.json"

    # ------------------------------------------------------------------ keys & signing

    @property
    def signing_key(self) -> jwk.JWK:
        """The private key currently used for webhooks and tokens."""
        return self._keys[-1]

    @property
    def kid(self) -> str:
        return _kid(self.signing_key)

    def rotate_key(self) -> str:
        """Start signing with a new key and return its ``kid``; old keys stay in the JWKS."""
        with self.lock:
            self._key_index += 1
            self._keys.append(_pooled_key(self._key_index))
            return self.kid

    def jwks(self) -> dict[str, Any]:
        """The public JWKS Saleor serves: every key this shop has signed with."""
        with self.lock:
            return {"keys": [key.export_public(as_dict=True) for key in self._keys]}

    def sign(self, body: bytes, *, crit: bool = True, key: jwk.JWK | None = None) -> str:
        """Detached JWS (RFC 7515 + RFC 7797 unencoded payload) over ``body``, RS256.

        Returns ``"<b64url(header)>..<b64url(signature)>"``; the signing input is
        ``b"<b64url(header)>." + body``. The header is
        ``{"alg": "RS256", "kid": ..., "b64": false, "crit": ["b64"]}``; ``crit=False``
        drops ``crit``, as Saleor does with some PyJWT versions.
        """
        key = key or self.signing_key
        header: dict[str, Any] = {"alg": "RS256", "kid": _kid(key), "b64": False}
        if crit:
            header["crit"] = ["b64"]
        header_b64 = _b64url(json.dumps(header, separators=(",", ":")).encode("utf-8"))
        signature = key.get_op_key("sign").sign(
            header_b64.encode("ascii") + b"." + body, padding.PKCS1v15(), hashes.SHA256()
        )
        return f"{header_b64}..{_b64url(signature)}"

    # ------------------------------------------------------------------ tokens

    def issue_jwt(self, claims: Mapping[str, Any], *, key: jwk.JWK | None = None,
                  alg: str = "RS256") -> str:
        """A compact JWT signed like Saleor's (header ``alg``, ``kid``, ``typ: JWT``).

        ``iss`` (this shop's API URL), ``iat`` and ``exp`` (``iat`` + 300 s) are filled in
        unless ``claims`` has them. ``alg="none"`` yields an unsigned token, for negative
        tests.
        """
        key = key or self.signing_key
        now = int(self.clock().timestamp())
        full_claims = {"iss": self.api_url, "iat": now, "exp": now + 300, **claims}
        if alg == "none":
            header = _b64url(_compact_json({"alg": "none", "typ": "JWT"}))
            return f"{header}.{_b64url(_compact_json(full_claims))}."
        token = jwcrypto_jwt.JWT(
            header={"alg": alg, "kid": _kid(key), "typ": "JWT"},
            claims=json.dumps(full_claims, default=_json_default),
        )
        token.make_signed_token(key)
        return token.serialize()

    def issue_access_token(self, customer: Mapping[str, Any], *, audience: str | None = None,
                           **claims: Any) -> str:
        """A customer's ``access`` token as ``tokenCreate`` would return it."""
        _, pk = from_global_id(customer["id"])
        base: dict[str, Any] = {
            "owner": "saleor",
            "type": "access",
            "user_id": customer["id"],
            "email": customer["email"],
            "token": secrets.token_urlsafe(8),
            "is_staff": bool(customer.get("isStaff", False)),
        }
        if audience is not None:
            base["aud"] = f"custom:{audience}"
        return self.issue_jwt({**base, **claims})

    def issue_thirdparty_token(self, *, user_permissions: Iterable[str] = ("MANAGE_USERS",),
                               email: str = "staff@example.com", **claims: Any) -> str:
        """The ``thirdparty`` token the dashboard hands this app's pages."""
        base = {
            "owner": "saleor",
            "type": "thirdparty",
            "app": self.app_id,
            "user_id": global_id("User", 999),
            "email": email,
            "is_staff": True,
            "user_permissions": list(user_permissions),
            "token": secrets.token_urlsafe(8),
        }
        return self.issue_jwt({**base, **claims})

    # ------------------------------------------------------------------ talking to the app

    def register_request(self, *, api_url: str | None = None,
                         domain: str | None = None) -> tuple[bytes, dict[str, str]]:
        """Body and headers of the install call, without sending it (unsigned, like Saleor)."""
        body = _compact_json({"auth_token": self.app_token})
        headers = {
            "Content-Type": "application/json",
            "Saleor-Api-Url": api_url or self.api_url,
            "Saleor-Domain": domain or self.domain,
        }
        return body, headers

    def register(self, token_target_url: str, *, api_url: str | None = None,
                 domain: str | None = None, client: httpx.Client | None = None) -> httpx.Response:
        """POST ``{"auth_token": app_token}`` to the app's ``tokenTargetUrl``."""
        body, headers = self.register_request(api_url=api_url, domain=domain)
        return self._post(token_target_url, body, headers, client)

    def delivery_request(
        self,
        event: str,
        payload: Mapping[str, Any] | bytes,
        *,
        key: jwk.JWK | None = None,
        crit: bool = True,
        tamper: Callable[[bytes], bytes] | None = None,
        headers: Mapping[str, str | None] | None = None,
    ) -> tuple[bytes, dict[str, str]]:
        """Body and headers of one webhook delivery, without sending it.

        ``payload`` is the rendered event (dict, JSON-encoded compactly) or raw bytes.
        The signature covers the body *before* ``tamper`` rewrites it, so
        ``tamper=lambda b: b + b" "`` makes a delivery whose signature no longer matches.
        ``headers`` overrides headers; a ``None`` value removes one.
        """
        body = payload if isinstance(payload, bytes) else _compact_json(payload)
        result = {
            "Content-Type": "application/json",
            "Saleor-Event": event.lower(),
            "Saleor-Domain": self.domain,
            "Saleor-Api-Url": self.api_url,
            "Saleor-Signature": self.sign(body, crit=crit, key=key),
        }
        if tamper is not None:
            body = tamper(body)
        for name, value in (headers or {}).items():
            if value is None:
                result.pop(name, None)
            else:
                result[name] = value
        return body, result

    def deliver(
        self,
        target_url: str,
        event: str,
        payload: Mapping[str, Any] | bytes,
        *,
        key: jwk.JWK | None = None,
        crit: bool = True,
        tamper: Callable[[bytes], bytes] | None = None,
        headers: Mapping[str, str | None] | None = None,
        client: httpx.Client | None = None,
    ) -> httpx.Response:
        """POST one signed webhook delivery to the app (see :meth:`delivery_request`)."""
        body, request_headers = self.delivery_request(
            event, payload, key=key, crit=crit, tamper=tamper, headers=headers
        )
        return self._post(target_url, body, request_headers, client)

    def deliver_event(self, target_url: str, event: str, subscription_document: str,
                      **fields: Any) -> httpx.Response:
        """Render ``event`` (e.g. ``"ORDER_CREATED"``, ``order=...``) and deliver it."""
        payload = self.render_event(subscription_document, self.make_event(event, **fields))
        return self.deliver(target_url, event, payload)

    def _post(self, url: str, body: bytes, headers: Mapping[str, str],
              client: httpx.Client | None) -> httpx.Response:
        if client is not None:
            return client.post(url, content=body, headers=dict(headers))
        with httpx.Client(timeout=DELIVERY_TIMEOUT, follow_redirects=False) as own_client:
            return own_client.post(url, content=body, headers=dict(headers))

    # ------------------------------------------------------------------ webhook bodies

    def make_event(self, event: str, **fields: Any) -> dict[str, Any]:
        """The root ``event`` value for ``event`` (enum name or type name) with ``fields``.

        Fills the ``Event`` interface fields (``issuedAt`` now, ``version``, ``recipient``
        this app, ``issuingPrincipal`` none) unless given.
        """
        typename = event if "_" not in event and not event.isupper() else event_typename(event)
        if typename not in self.schema.type_map:
            raise FakeSaleorError(f"Saleor 3.24 has no event type {typename!r}")
        return {
            "__typename": typename,
            "issuedAt": _isoformat(self.clock()),
            "version": SALEOR_VERSION,
            "issuingPrincipal": None,
            "recipient": self.app,
            **fields,
        }

    def render_event(self, subscription_document: str, event: Mapping[str, Any]) -> Any:
        """Execute a webhook subscription document with ``event`` as the root ``event``.

        Returns ``data["event"]``: the webhook body Saleor would send. ``event`` is a dict
        with ``"__typename"`` (see :meth:`make_event`); nested abstract values are resolved
        by their ``__typename`` or, failing that, the type in their global ``id``.
        Raises :class:`FakeSaleorError` when the document does not parse or validate
        against the 3.24 schema, or when execution reports errors (e.g. a non-null field
        the fixture lacks).
        """
        document = self._parse_and_validate(subscription_document)
        result = graphql.execute(
            self.schema,
            document,
            root_value={"event": event},
            context_value=RequestContext(
                token=None, app=self.app, permissions=set(self.app_permissions), headers={}
            ),
            field_resolver=self._resolve_field,
            type_resolver=_resolve_type,
        )
        if result.errors:
            raise FakeSaleorError(
                "subscription execution failed: " + "; ".join(e.message for e in result.errors)
            )
        assert result.data is not None
        return result.data["event"]

    def _parse_and_validate(self, source: str) -> graphql.DocumentNode:
        try:
            document = graphql.parse(source)
        except GraphQLError as exc:
            raise FakeSaleorError(f"invalid GraphQL syntax: {exc.message}") from exc
        errors = graphql.validate(self.schema, document)
        if errors:
            raise FakeSaleorError(
                "document does not validate against Saleor 3.24: "
                + "; ".join(e.message for e in errors)
            )
        return document

    # ------------------------------------------------------------------ GraphQL endpoint

    def fail_next(self, n: int = 1, status: int = 503) -> None:
        """Make the next ``n`` GraphQL requests answer HTTP ``status`` with no GraphQL body."""
        with self.lock:
            self._failures.extend([status] * n)

    def execute(self, query: str, variables: Mapping[str, Any] | None = None, *,
                operation_name: str | None = None, token: str | None = None,
                headers: Mapping[str, str] | None = None) -> tuple[int, dict[str, Any]]:
        """Run one GraphQL request as ``/graphql/`` would; return ``(status, body)``.

        ``token`` is the bearer token (``None``: anonymous). Does not record the request.
        """
        try:
            document = graphql.parse(query)
        except GraphQLError as exc:
            return 400, {"errors": [exc.formatted]}
        validation_errors = graphql.validate(self.schema, document)
        if validation_errors:
            return 400, {"errors": [e.formatted for e in validation_errors]}
        with self.lock:
            is_app = token is not None and secrets.compare_digest(token, self.app_token)
            context = RequestContext(
                token=token,
                app=self.app if is_app else None,
                permissions=set(self.app_permissions) if is_app else set(),
                headers=dict(headers or {}),
            )
            result = graphql.execute(
                self.schema,
                document,
                root_value=_API_ROOT,
                context_value=context,
                variable_values=dict(variables or {}),
                operation_name=operation_name,
                field_resolver=self._resolve_field,
                type_resolver=_resolve_type,
            )
        assert isinstance(result, graphql.ExecutionResult)  # no async resolvers here
        if result.data is None and result.errors and all(e.path is None for e in result.errors):
            # Errors without a path never reached a resolver (bad variables, unknown
            # operation name): a bad request, like a validation error.
            return 400, {"errors": [e.formatted for e in result.errors]}
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [e.formatted for e in result.errors]
        return 200, body

    def _handle_graphql(self, raw_body: bytes, headers: dict[str, str]) -> tuple[int, bytes, str]:
        """Serve one ``POST /graphql/``: ``(status, body, content type)``."""
        try:
            request = json.loads(raw_body or b"null")
        except ValueError:
            request = None
        record: dict[str, Any] = {
            "query": request.get("query") if isinstance(request, dict) else None,
            "variables": request.get("variables") if isinstance(request, dict) else None,
            "operationName": request.get("operationName") if isinstance(request, dict) else None,
            "headers": headers,
            "status": None,
        }
        with self.lock:
            self.requests.append(record)
            failure = self._failures.popleft() if self._failures else None
        if failure is not None:
            record["status"] = failure
            return failure, b"Service Unavailable (FakeSaleor.fail_next)", "text/plain"

        if not isinstance(request, dict) or not isinstance(request.get("query"), str):
            status, body = 400, {"errors": [{"message": "Must provide a query string."}]}
        elif request.get("variables") is not None and not isinstance(request["variables"], dict):
            status, body = 400, {"errors": [{"message": "Variables are invalid JSON."}]}
        else:
            authorization = headers.get("authorization", "")
            scheme, _, credentials = authorization.partition(" ")
            token = credentials.strip() if scheme.lower() == "bearer" and credentials else None
            status, body = self.execute(
                request["query"],
                request.get("variables"),
                operation_name=request.get("operationName"),
                token=token,
                headers=headers,
            )
        record["status"] = status
        return status, _compact_json(body), "application/json"

    def _serve_jwks(self) -> bytes:
        with self.lock:
            self.jwks_fetches += 1
        return _compact_json(self.jwks())

    # ------------------------------------------------------------------ field resolution

    def _resolve_field(self, source: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
        """The one field resolver: root tables, computed fields, dict keys, connections."""
        type_name = info.parent_type.name
        if source is _API_ROOT:
            if info.parent_type is self.schema.mutation_type:
                table, kind = self.mutations, "Mutation"
            else:
                table, kind = self.queries, "Query"
            resolver = table.get(info.field_name)
            if resolver is None:
                raise _unsupported(f"{kind}.{info.field_name}")
            value = resolver(info, **args)
        elif (type_name, info.field_name) in self.computed_fields:
            value = self.computed_fields[(type_name, info.field_name)](source, info, **args)
        elif info.field_name in _METAFIELD_READERS and isinstance(source, Mapping):
            list_key, many = _METAFIELD_READERS[info.field_name]
            items = {item["key"]: item["value"] for item in source.get(list_key) or []}
            if many:
                keys = args.get("keys")
                value = items if keys is None else {k: v for k, v in items.items() if k in keys}
            else:
                value = items.get(args["key"])
        else:
            value = default_field_resolver(source, info, **args)

        # Fixtures hold plain lists; connection fields page them like Saleor would.
        return_type = graphql.get_nullable_type(info.return_type)
        if (
            isinstance(value, list)
            and isinstance(return_type, graphql.GraphQLObjectType)
            and return_type.name.endswith("Connection")
        ):
            value = paginate(value, connection=info.field_name, **args)
        return value

    def _require(self, info: GraphQLResolveInfo, *permissions: str) -> RequestContext:
        """Raise ``PermissionDenied`` unless the caller is the app holding a permission."""
        context: RequestContext = info.context
        if not context.is_app or (permissions and not context.permissions & set(permissions)):
            raise permission_denied(*permissions)
        return context

    # ------------------------------------------------------------------ queries

    def _resolve_app(self, info: GraphQLResolveInfo, id: str | None = None) -> Any:
        # Saleor answers `app` with null for callers that are not an app, and lets an app
        # read itself only (other apps need MANAGE_APPS, which an app cannot get).
        context: RequestContext = info.context
        if not context.is_app:
            return None
        if id is not None and id != self.app_id:
            raise permission_denied("MANAGE_APPS")
        return self.app

    def _resolve_channel(self, info: GraphQLResolveInfo, id: str | None = None, slug: str | None = None) -> Any:
        # Saleor shows a channel to apps (and staff); anonymous callers see active ones only.
        with self.lock:
            return next(
                (channel for channel in self.channels if channel["id"] == id or channel["slug"] == slug), None
            )

    def _resolve_customers(
        self,
        info: GraphQLResolveInfo,
        filter: Mapping[str, Any] | None = None,
        where: Mapping[str, Any] | None = None,
        search: str | None = None,
        sortBy: Mapping[str, Any] | None = None,  # noqa: N803 - GraphQL argument name
        **_page: Any,
    ) -> list[dict[str, Any]]:
        self._require(info, "MANAGE_USERS")
        rows = [c for c in self.customers if not c.get("isStaff")]
        filters = dict(filter or {})
        if search is not None or "search" in filters:
            needle = (search or filters.pop("search", "") or "").lower()
            rows = [
                c for c in rows
                if needle in " ".join((c["email"], c["firstName"], c["lastName"])).lower()
            ]
        for name, condition in filters.items():
            if condition is None:
                continue
            if name == "updatedAt":
                rows = [c for c in rows if _in_range(c["updatedAt"], condition)]
            elif name == "dateJoined":
                rows = [c for c in rows if _in_range(c["dateJoined"], condition, dates=True)]
            elif name == "ids":
                rows = [c for c in rows if c["id"] in condition]
            else:
                raise _unsupported(f"customers(filter: {{{name}}})")
        for name, condition in (where or {}).items():
            if condition is None:
                continue
            if name in ("updatedAt", "dateJoined"):
                rows = [c for c in rows if _in_range(c[name], condition)]
            elif name == "ids":
                rows = [c for c in rows if c["id"] in condition]
            elif name in ("email", "firstName", "lastName"):
                rows = [c for c in rows if _matches_value(c[name], condition)]
            elif name == "isActive":
                rows = [c for c in rows if c["isActive"] is condition]
            else:
                raise _unsupported(f"customers(where: {{{name}}})")
        return _sorted(rows, sortBy, {
            "EMAIL": lambda c: c["email"],
            "FIRST_NAME": lambda c: c["firstName"],
            "LAST_NAME": lambda c: c["lastName"],
            "CREATED_AT": lambda c: _parse_datetime(c["dateJoined"]),
            "LAST_MODIFIED_AT": lambda c: _parse_datetime(c["updatedAt"]),
        }, "customers")

    def _resolve_orders(
        self,
        info: GraphQLResolveInfo,
        filter: Mapping[str, Any] | None = None,
        where: Mapping[str, Any] | None = None,
        search: str | None = None,
        sortBy: Mapping[str, Any] | None = None,  # noqa: N803 - GraphQL argument name
        channel: str | None = None,
        **_page: Any,
    ) -> list[dict[str, Any]]:
        self._require(info, "MANAGE_ORDERS")
        rows = list(self.orders)
        if channel is not None:
            rows = [o for o in rows if o["channel"]["slug"] == channel]
        if search is not None:
            rows = [o for o in rows if search.lower() in (o.get("userEmail") or "").lower()
                    or search == o["number"]]
        for name, condition in (filter or {}).items():
            if condition is None:
                continue
            if name == "updatedAt":
                rows = [o for o in rows if _in_range(o["updatedAt"], condition)]
            elif name == "created":
                rows = [o for o in rows if _in_range(o["created"], condition, dates=True)]
            elif name == "ids":
                rows = [o for o in rows if o["id"] in condition]
            elif name == "numbers":
                rows = [o for o in rows if o["number"] in condition]
            elif name == "checkoutIds":
                rows = [o for o in rows if o.get("checkoutId") in condition]
            elif name == "customer":
                rows = [o for o in rows if condition.lower() in (o.get("userEmail") or "").lower()]
            else:
                raise _unsupported(f"orders(filter: {{{name}}})")
        for name, condition in (where or {}).items():
            if condition is None:
                continue
            if name == "updatedAt":
                rows = [o for o in rows if _in_range(o["updatedAt"], condition)]
            elif name == "createdAt":
                rows = [o for o in rows if _in_range(o["created"], condition)]
            elif name == "ids":
                rows = [o for o in rows if o["id"] in condition]
            elif name == "user":
                rows = [o for o in rows
                        if _matches_value((o.get("user") or {}).get("id"), condition)]
            elif name in ("userEmail", "checkoutId", "voucherCode", "status"):
                rows = [o for o in rows if _matches_value(o.get(name), condition)]
            else:
                raise _unsupported(f"orders(where: {{{name}}})")
        return _sorted(rows, sortBy, {
            "NUMBER": lambda o: int(o["number"]),
            "CREATED_AT": lambda o: _parse_datetime(o["created"]),
            "CREATION_DATE": lambda o: _parse_datetime(o["created"]),
            "LAST_MODIFIED_AT": lambda o: _parse_datetime(o["updatedAt"]),
        }, "orders")

    def _resolve_user_orders(self, user: Mapping[str, Any], info: GraphQLResolveInfo,
                             **_page: Any) -> list[dict[str, Any]]:
        if "orders" in user:
            return list(user["orders"])
        return [o for o in self.orders if (o.get("user") or {}).get("id") == user.get("id")]

    # ------------------------------------------------------------------ metadata mutations

    def _find_node(self, node_id: str) -> dict[str, Any] | None:
        """The stored object behind a global id (or a bare order token), else ``None``."""
        try:
            type_name, _ = from_global_id(node_id)
        except ValueError:
            # Saleor also accepts an order's token (its UUID) for metadata mutations.
            return next((o for o in self.orders if from_global_id(o["id"])[1] == node_id), None)
        collections = {
            "User": self.customers,
            "Order": self.orders,
            "Voucher": self.vouchers,
            "Channel": self.channels,
            "Checkout": self.checkouts,
            "App": [self.app],
        }
        return next((n for n in collections.get(type_name, []) if n["id"] == node_id), None)

    def _update_metadata(self, info: GraphQLResolveInfo, node_id: str,
                         items: list[Mapping[str, str]], list_key: str) -> dict[str, Any]:
        node = self._find_node(node_id)
        if node is None:
            self._require(info)
            return _metadata_payload(None, [{"field": "id", "code": "NOT_FOUND",
                                             "message": f"Couldn't resolve to a node: {node_id}"}])
        type_name = from_global_id(node["id"])[0]
        needed = {"User": "MANAGE_USERS", "Order": "MANAGE_ORDERS", "Checkout": "MANAGE_CHECKOUTS",
                  "Voucher": "MANAGE_DISCOUNTS", "Channel": "MANAGE_CHANNELS"}.get(type_name)
        if needed is not None:
            self._require(info, needed)
        elif node is not self._require(info).app:
            raise permission_denied("MANAGE_APPS")
        for item in items:
            if not item["key"].strip():
                return _metadata_payload(None, [{"field": "input", "code": "REQUIRED",
                                                 "message": "Metadata key cannot be empty."}])
        current = {entry["key"]: entry["value"] for entry in node.get(list_key) or []}
        current.update({item["key"]: item["value"] for item in items})
        node[list_key] = [{"key": k, "value": v} for k, v in current.items()]
        return _metadata_payload(node, [])

    def _resolve_update_metadata(self, info: GraphQLResolveInfo, id: str,
                                 input: list[Mapping[str, str]]) -> dict[str, Any]:
        return self._update_metadata(info, id, input, "metadata")

    def _resolve_update_private_metadata(self, info: GraphQLResolveInfo, id: str,
                                         input: list[Mapping[str, str]]) -> dict[str, Any]:
        return self._update_metadata(info, id, input, "privateMetadata")

    # ------------------------------------------------------------------ voucher mutations

    @staticmethod
    def _discount_error(field: str, code: str, message: str, **extra: Any) -> dict[str, Any]:
        return {"field": field, "code": code, "message": message, "products": None,
                "channels": extra.get("channels"), "voucherCodes": extra.get("voucherCodes")}

    def _discount_payload(self, voucher: dict[str, Any] | None,
                          errors: list[dict[str, Any]]) -> dict[str, Any]:
        return {"voucher": voucher if not errors else None, "errors": errors,
                "discountErrors": errors}

    def _code_errors(self, codes: list[str]) -> list[dict[str, Any]]:
        """Saleor's checks on ``addCodes``: no duplicates in the input or the shop."""
        duplicated = sorted({c for c in codes if codes.count(c) > 1})
        if duplicated:
            return [self._discount_error("codes", "DUPLICATED_INPUT_ITEM",
                                         "Codes must be unique.", voucherCodes=duplicated)]
        existing = {c["code"].upper() for v in self.vouchers for c in v["codes"]}
        taken = [c for c in codes if c.upper() in existing]
        if taken:
            return [self._discount_error("codes", "ALREADY_EXISTS",
                                         "Voucher code already exists.", voucherCodes=taken)]
        return []

    def _new_codes(self, codes: list[str]) -> list[dict[str, Any]]:
        now = _isoformat(self.clock())
        return [{"id": global_id("VoucherCode", uuid.uuid4()), "code": code, "used": 0,
                 "isActive": True, "createdAt": now} for code in codes]

    _VOUCHER_INPUT_FIELDS = (
        "name", "type", "startDate", "endDate", "discountValueType", "minCheckoutItemsQuantity",
        "applyOncePerOrder", "applyOncePerCustomer", "onlyForStaff", "singleUse", "usageLimit",
    )

    def _apply_voucher_input(self, voucher: dict[str, Any], data: Mapping[str, Any]) -> None:
        for name in self._VOUCHER_INPUT_FIELDS:
            if name in data and data[name] is not None:
                voucher[name] = data[name]
        if "countries" in data and data["countries"] is not None:
            voucher["countries"] = [{"code": c, "country": c, "vat": None}
                                    for c in data["countries"]]
        for relation in ("products", "variants", "collections", "categories"):
            if data.get(relation):
                raise _unsupported(f"VoucherInput.{relation}")

    def _resolve_voucher_create(self, info: GraphQLResolveInfo,
                                input: Mapping[str, Any]) -> dict[str, Any]:
        self._require(info, "MANAGE_DISCOUNTS")
        codes = list(input.get("addCodes") or [])
        if input.get("code"):
            codes.append(input["code"])
        errors = self._code_errors(codes)
        if errors:
            return self._discount_payload(None, errors)
        voucher = self.add_voucher(codes=codes)
        self._apply_voucher_input(voucher, input)
        return self._discount_payload(voucher, [])

    def _voucher_or_error(self, voucher_id: str) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        voucher = next((v for v in self.vouchers if v["id"] == voucher_id), None)
        if voucher is None:
            return None, [self._discount_error(
                "id", "NOT_FOUND", f"Couldn't resolve to a node: {voucher_id}")]
        return voucher, []

    def _resolve_voucher_update(self, info: GraphQLResolveInfo, id: str,
                                input: Mapping[str, Any]) -> dict[str, Any]:
        self._require(info, "MANAGE_DISCOUNTS")
        voucher, errors = self._voucher_or_error(id)
        if voucher is None:
            return self._discount_payload(None, errors)
        codes = list(input.get("addCodes") or [])
        errors = self._code_errors(codes)
        if errors:
            return self._discount_payload(None, errors)
        voucher["codes"].extend(self._new_codes(codes))
        self._apply_voucher_input(voucher, input)
        return self._discount_payload(voucher, [])

    def _resolve_voucher_channel_listing_update(self, info: GraphQLResolveInfo, id: str,
                                                input: Mapping[str, Any]) -> dict[str, Any]:
        self._require(info, "MANAGE_DISCOUNTS")
        voucher, errors = self._voucher_or_error(id)
        if voucher is None:
            return self._discount_payload(None, errors)
        channels = {c["id"]: c for c in self.channels}
        unknown = [a["channelId"] for a in input.get("addChannels") or []
                   if a["channelId"] not in channels]
        unknown += [c for c in input.get("removeChannels") or [] if c not in channels]
        if unknown:
            return self._discount_payload(None, [self._discount_error(
                "channelId", "NOT_FOUND", "Channel not found.", channels=unknown)])
        removed = set(input.get("removeChannels") or [])
        listings = {l["channel"]["id"]: l for l in voucher["channelListings"]
                    if l["channel"]["id"] not in removed}
        for add in input.get("addChannels") or []:
            channel = channels[add["channelId"]]
            currency = channel["currencyCode"]
            listing = listings.get(channel["id"]) or {
                "id": global_id("VoucherChannelListing", self._next_pk("VoucherChannelListing")),
                "channel": channel,
                "currency": currency,
                "discountValue": 0.0,
                "minSpent": None,
            }
            if add.get("discountValue") is not None:
                listing["discountValue"] = float(add["discountValue"])
            if add.get("minAmountSpent") is not None:
                listing["minSpent"] = money(add["minAmountSpent"], currency)
            listings[channel["id"]] = listing
        voucher["channelListings"] = list(listings.values())
        return self._discount_payload(voucher, [])

    def _resolve_voucher_code_bulk_delete(self, info: GraphQLResolveInfo,
                                          ids: list[str]) -> dict[str, Any]:
        self._require(info, "MANAGE_DISCOUNTS")
        known = {c["id"] for v in self.vouchers for c in v["codes"]}
        missing = [i for i in ids if i not in known]
        if missing:
            return {"count": 0, "errors": [{
                "path": "ids", "code": "NOT_FOUND", "voucherCodes": missing,
                "message": "Couldn't resolve to a node.",
            }]}
        doomed = set(ids)
        for voucher in self.vouchers:
            voucher["codes"] = [c for c in voucher["codes"] if c["id"] not in doomed]
        return {"count": len(doomed), "errors": []}

    def _resolve_products(self, info: GraphQLResolveInfo, channel: str | None = None,
                          filter: Mapping[str, Any] | None = None, **args: Any) -> Any:
        with self.lock:
            ids = set((filter or {}).get("ids") or [])
            found = [p for p in self.products if not ids or p["id"] in ids]
        return [{"isAvailableForPurchase": True, "isAvailable": True, **p} for p in found]

    def _resolve_voucher(self, info: GraphQLResolveInfo, id: str, channel: str | None = None) -> Any:
        self._require(info, "MANAGE_DISCOUNTS")
        with self.lock:
            return next((voucher for voucher in self.vouchers if voucher["id"] == id), None)

    def _resolve_voucher_delete(self, info: GraphQLResolveInfo, id: str) -> dict[str, Any]:
        self._require(info, "MANAGE_DISCOUNTS")
        voucher, errors = self._voucher_or_error(id)
        if voucher is not None:
            self.vouchers.remove(voucher)
        return {"voucher": voucher, "errors": errors}

    # ------------------------------------------------------------------ data helpers

    def _make_app(self) -> dict[str, Any]:
        return {
            "id": self.app_id,
            "name": "Saleor Lifecycle",
            "identifier": "saleor-lifecycle",
            "type": "THIRDPARTY",
            "isActive": True,
            "created": _isoformat(self.clock()),
            "version": "0.1.0",
            "metadata": [],
            "privateMetadata": [],
            # Callable: the default resolver calls it, so later permission edits show.
            "permissions": lambda info: [
                {"code": code, "name": _PERMISSION_NAMES.get(code, code)}
                for code in sorted(self.app_permissions)
            ],
            "tokens": [],
            "webhooks": [],
            "extensions": [],
            "breakerState": "CLOSED",
        }

    def _next_pk(self, type_name: str) -> int:
        """Per-type primary keys counting from 1, like separate database tables."""
        return next(self._pk_counters.setdefault(type_name, itertools.count(1)))

    def add_channel(self, **fields: Any) -> dict[str, Any]:
        """Add a ``Channel`` (the first one is ``default-channel`` in USD); returns it."""
        with self.lock:
            pk = len(self.channels) + 1
            slug = fields.get("slug", "default-channel" if pk == 1 else f"channel-{pk}")
            channel = {
                "id": global_id("Channel", pk),
                "slug": slug,
                "name": slug.replace("-", " ").title(),
                "isActive": True,
                "currencyCode": "USD",
                "hasOrders": False,
                "metadata": [],
                "privateMetadata": [],
                **fields,
            }
            self.channels.append(channel)
            return channel

    @property
    def default_channel(self) -> dict[str, Any]:
        return self.channels[0]

    def add_customer(self, **fields: Any) -> dict[str, Any]:
        """Add a ``User`` (a customer) in schema shape; ``fields`` override the defaults.

        ``pk`` picks the numeric id behind the global id ``base64("User:<pk>")``.
        """
        with self.lock:
            pk = fields.pop("pk", None) or self._next_pk("User")
            now = _isoformat(self.clock())
            customer = {
                "id": global_id("User", pk),
                "email": f"customer{pk}@example.com",
                "firstName": "Customer",
                "lastName": f"No. {pk}",
                "isActive": True,
                "isStaff": False,
                "isConfirmed": True,
                "dateJoined": now,
                "updatedAt": now,
                "lastLogin": None,
                "languageCode": "EN",
                "note": None,
                "externalReference": None,
                "addresses": [],
                "defaultShippingAddress": None,
                "defaultBillingAddress": None,
                "metadata": [],
                "privateMetadata": [],
                **fields,
            }
            self.customers.append(customer)
            return customer

    def order_line(self, **fields: Any) -> dict[str, Any]:
        """An ``OrderLine`` in schema shape; prices may be given as plain numbers."""
        currency = fields.pop("currency", self.default_channel["currencyCode"])
        quantity = fields.get("quantity", 1)
        unit = fields.pop("unitPrice", 25)
        unit_price = unit if isinstance(unit, Mapping) else taxed_money(unit, currency)
        gross = decimal.Decimal(str(unit_price["gross"]["amount"])) * quantity
        line = {
            "id": global_id("OrderLine", uuid.uuid4()),
            "productName": "Coffee beans",
            "variantName": "1 kg",
            "productSku": "COFFEE-1KG",
            "productVariantId": global_id("ProductVariant", 1),
            "variant": {
                "id": global_id("ProductVariant", 1),
                "name": "1 kg",
                "sku": "COFFEE-1KG",
                "product": {"id": global_id("Product", 1), "name": "Coffee beans",
                            "slug": "coffee-beans"},
            },
            "isShippingRequired": True,
            "quantity": quantity,
            "quantityFulfilled": 0,
            "quantityToFulfill": quantity,
            "taxRate": 0.0,
            "unitPrice": unit_price,
            "undiscountedUnitPrice": unit_price,
            "totalPrice": taxed_money(gross, currency),
            "undiscountedTotalPrice": taxed_money(gross, currency),
            "voucherCode": None,
            "metadata": [],
            "privateMetadata": [],
            **fields,
        }
        return line

    def add_order(self, **fields: Any) -> dict[str, Any]:
        """Add an ``Order`` in schema shape; ``fields`` override the defaults.

        ``user`` may be a customer dict (``userEmail`` follows it); ``lines`` may hold
        partial line dicts (completed by :meth:`order_line`); ``total`` may be a number.
        Without ``total`` it is the sum of the lines.
        """
        with self.lock:
            user = fields.get("user")
            channel = fields.get("channel", self.default_channel)
            currency = channel["currencyCode"]
            lines = [self.order_line(currency=currency, **dict(line))
                     for line in fields.pop("lines", [{}])]
            total = fields.pop("total", None)
            if total is None:
                total = sum((decimal.Decimal(str(line["totalPrice"]["gross"]["amount"]))
                             for line in lines), decimal.Decimal(0))
            total_money = total if isinstance(total, Mapping) else taxed_money(total, currency)
            number = fields.pop("number", None) or str(next(self._order_numbers))
            now = _isoformat(self.clock())
            order = {
                "id": global_id("Order", uuid.uuid4()),
                "number": str(number),
                "created": now,
                "updatedAt": now,
                "status": "UNFULFILLED",
                "origin": "CHECKOUT",
                "channel": channel,
                "user": user,
                "userEmail": user["email"] if user else f"guest{number}@example.com",
                "lines": lines,
                "total": total_money,
                "subtotal": total_money,
                "undiscountedTotal": total_money,
                "isPaid": True,
                "paymentStatus": "FULLY_CHARGED",
                "chargeStatus": "FULL",
                "authorizeStatus": "FULL",
                "voucherCode": None,
                "voucher": None,
                "checkoutId": None,
                "customerNote": "",
                "languageCodeEnum": "EN",
                "languageCode": "en",
                "metadata": [],
                "privateMetadata": [],
                **fields,
            }
            self.orders.append(order)
            return order

    def add_voucher(self, *, codes: Iterable[str] = (), **fields: Any) -> dict[str, Any]:
        """Add a ``Voucher`` holding ``codes``, as ``voucherCreate`` would; returns it."""
        with self.lock:
            voucher = {
                "id": global_id("Voucher", self._next_pk("Voucher")),
                "name": None,
                "type": "ENTIRE_ORDER",
                "discountValueType": "PERCENTAGE",
                "codes": self._new_codes(list(codes)),
                "startDate": _isoformat(self.clock()),
                "endDate": None,
                "usageLimit": None,
                "used": 0,
                "singleUse": False,
                "applyOncePerOrder": False,
                "applyOncePerCustomer": False,
                "onlyForStaff": False,
                "minCheckoutItemsQuantity": 0,
                "countries": [],
                "channelListings": [],
                "products": [],
                "variants": [],
                "collections": [],
                "categories": [],
                "discountValue": None,
                "currency": None,
                "minSpent": None,
                "metadata": [],
                "privateMetadata": [],
                **fields,
            }
            self.vouchers.append(voucher)
            return voucher

    def voucher_by_code(self, code: str) -> dict[str, Any] | None:
        """The voucher holding ``code`` (case-insensitive, like Saleor's lookup)."""
        with self.lock:
            return next((v for v in self.vouchers
                         if any(c["code"].upper() == code.upper() for c in v["codes"])), None)


def _metadata_payload(item: dict[str, Any] | None,
                      errors: list[dict[str, Any]]) -> dict[str, Any]:
    """``UpdateMetadata``/``UpdatePrivateMetadata`` payload (errors under both names)."""
    return {"item": item, "errors": errors, "metadataErrors": errors}


def _resolve_type(value: Any, info: GraphQLResolveInfo,
                  abstract_type: graphql.GraphQLAbstractType) -> str | None:
    """Concrete type of an interface/union value: ``__typename``, else its global id."""
    if isinstance(value, Mapping):
        if value.get("__typename"):
            return str(value["__typename"])
        node_id = value.get("id")
        if isinstance(node_id, str):
            try:
                return from_global_id(node_id)[0]
            except ValueError:
                return None
    return None


def _make_handler(fake: FakeSaleor) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "FakeSaleor/" + SALEOR_VERSION

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            if self.path.split("?", 1)[0] == "/.well-known/jwks.json":
                self._send(200, fake._serve_jwks(), "application/json")
            else:
                self._send(404, b"Not Found", "text/plain")

        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if self.path.split("?", 1)[0] not in ("/graphql/", "/graphql"):
                self._send(404, b"Not Found", "text/plain")
                return
            headers = {name.lower(): value for name, value in self.headers.items()}
            status, body, content_type = fake._handle_graphql(raw, headers)
            self._send(status, body, content_type)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            # Keep test output quiet; requests are recorded in fake.requests instead.
            pass

    return Handler
