"""Who is calling the API: a shop's customer, its staff, the app itself, or nobody.

``Authorization: Bearer <token>`` carries one of:

* a customer's **access token** (``tokenCreate``; JWT ``type: "access"``) → a customer,
  who sees only ``me``;
* the dashboard's **app token** for this app (JWT ``type: "thirdparty"``, ``app`` = the
  installation's app id) → staff, with the token's ``user_permissions``;
* the installation's **app token** itself (the long-lived secret Saleor gave at install,
  not a JWT) → the app, with every permission (server-side scripts, support).

Which installation: a JWT names its Saleor in ``iss``; the active installation with that
API URL verifies it with its JWKS. An app token is compared, in constant time, with the
token of every active installation (there are few), or only with the one named by a
``Saleor-Api-Url`` header when the caller sends it.

No header means anonymous. A header that does not authenticate fails the whole request
(HTTP 401): a client with a broken token learns it at once instead of getting nulls.
"""

import base64
import hmac
import json
import logging
from dataclasses import dataclass, field

from ..core.crypto import DecryptionError
from ..saleor_app.headers import SaleorHeaders
from ..saleor_app.models import Installation
from ..saleor_app.signature import ExpiredTokenError, SignatureError, verify_jwt
from .errors import ErrorClass

logger = logging.getLogger(__name__)


class AuthenticationError(Exception):
    """The bearer token does not authenticate: answer 401, run nothing."""

    #: Saleor's name for it, in ``extensions.exception.code``
    code = "InvalidTokenError"

    def formatted(self) -> dict:
        return {
            "message": str(self),
            "extensions": {"exception": {"code": self.code}, "code": ErrorClass.UNAUTHENTICATED},
        }


class ExpiredToken(AuthenticationError):
    code = "ExpiredSignatureError"


class ViewerKind:
    #: no Authorization header
    ANONYMOUS = "anonymous"
    #: a customer's access token: ``me`` only
    CUSTOMER = "customer"
    #: a staff user through the dashboard (thirdparty token): their permissions
    STAFF = "staff"
    #: the installation's own app token: everything
    APP = "app"


class JWTType:
    """Saleor's JWT ``type`` claims this API accepts (refresh tokens are not among them)."""

    ACCESS = "access"
    THIRDPARTY = "thirdparty"


@dataclass(frozen=True)
class Viewer:
    kind: str
    installation: Installation | None = None
    #: Saleor permission codes held; the app token holds all
    permissions: frozenset[str] = field(default_factory=frozenset)
    #: the Saleor user id (graphene global id) of a customer or staff user
    user_id: str | None = None
    email: str = ""

    def has_any(self, permissions: tuple[str, ...]) -> bool:
        if self.installation is None:
            return False
        return self.kind == ViewerKind.APP or bool(self.permissions.intersection(permissions))

    @property
    def customer_user_id(self) -> str | None:
        return self.user_id if self.kind == ViewerKind.CUSTOMER else None


ANONYMOUS = Viewer(kind=ViewerKind.ANONYMOUS)


def authenticate(request) -> Viewer:
    """The viewer behind ``request``'s Authorization header; AuthenticationError if bad."""
    header = request.headers.get("Authorization", "").strip()
    if not header:
        return ANONYMOUS
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise AuthenticationError("Authorization must be 'Bearer <token>'")
    if token.count(".") == 2:
        return _viewer_from_jwt(token)
    return _viewer_from_app_token(token, request.headers.get(SaleorHeaders.API_URL, ""))


def unverified_issuer(token: str) -> str:
    """The ``iss`` a JWT claims, read before verification only to pick the keys."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (ValueError, IndexError) as exc:
        raise AuthenticationError("token is not a JWT") from exc
    issuer = claims.get("iss") if isinstance(claims, dict) else None
    if not isinstance(issuer, str) or not issuer:
        raise AuthenticationError("token names no issuer")
    return issuer


def _viewer_from_jwt(token: str) -> Viewer:
    installation = Installation.objects.active().filter(saleor_api_url=unverified_issuer(token)).first()
    if installation is None:
        raise AuthenticationError("token was not issued by a Saleor that installed this app")
    try:
        claims = verify_jwt(installation, token)
    except ExpiredTokenError as exc:
        raise ExpiredToken(str(exc)) from exc
    except SignatureError as exc:  # TokenError, or a header that is not JSON
        logger.info("JWT refused", extra={"saleor": str(installation), "reason": str(exc)})
        raise AuthenticationError(f"invalid token: {exc}") from exc

    token_type = claims.get("type")
    user_id = claims.get("user_id")
    email = claims.get("email") if isinstance(claims.get("email"), str) else ""
    if not isinstance(user_id, str) or not user_id:
        raise AuthenticationError("token names no user")
    if token_type == JWTType.ACCESS:
        return Viewer(kind=ViewerKind.CUSTOMER, installation=installation, user_id=user_id, email=email)
    if token_type == JWTType.THIRDPARTY:
        if not installation.app_id or claims.get("app") != installation.app_id:
            raise AuthenticationError("token was issued for another app")
        permissions = claims.get("user_permissions")
        if not isinstance(permissions, list) or not all(isinstance(p, str) for p in permissions):
            raise AuthenticationError("token has no user_permissions")
        return Viewer(
            kind=ViewerKind.STAFF,
            installation=installation,
            permissions=frozenset(permissions),
            user_id=user_id,
            email=email,
        )
    raise AuthenticationError(f"tokens of type {token_type!r} are not accepted")


def _viewer_from_app_token(token: str, api_url: str) -> Viewer:
    candidates = Installation.objects.active()
    if api_url:
        candidates = candidates.filter(saleor_api_url=api_url)
    found = None
    for installation in candidates:
        try:
            stored = installation.token
        except DecryptionError:  # encrypted with a key no longer configured
            logger.warning("cannot decrypt an app token", extra={"saleor": str(installation)})
            continue
        # Compare with every installation, not stopping at the first match.
        if hmac.compare_digest(stored.encode(), token.encode()) and found is None:
            found = installation
    if found is None:
        raise AuthenticationError("unknown app token")
    return Viewer(kind=ViewerKind.APP, installation=found)
