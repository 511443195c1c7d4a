"""Verifying what Saleor signs: webhook deliveries (detached JWS, RS256).

Saleor signs with RS256 keys it publishes as a JWKS at ``<origin>/.well-known/jwks.json``.
Keys rotate, so a key id we do not know makes us fetch the JWKS again (at most once per
``JWKS_REFETCH_INTERVAL`` seconds and installation, so forged key ids cannot turn us into
a load generator against the shop).
"""

import json
import logging
import threading
import time

import httpx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.conf import settings
from django.utils import timezone
from jwcrypto import jwk, jws
from jwcrypto.common import JWException, base64url_decode

from .models import Installation

logger = logging.getLogger(__name__)


class SignatureError(Exception):
    """The request is not provably from this Saleor: answer 401 and keep nothing."""


class JWKSFetchError(Exception):
    """Saleor's JWKS could not be fetched or is not a key set."""


def fetch_jwks(url: str) -> dict:
    try:
        response = httpx.get(url, timeout=settings.JWKS_TIMEOUT, follow_redirects=False)
        response.raise_for_status()
        keys = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise JWKSFetchError(f"cannot fetch JWKS from {url}: {exc}") from exc
    if not isinstance(keys, dict) or not isinstance(keys.get("keys"), list):
        raise JWKSFetchError(f"{url} did not return a JSON Web Key Set")
    return keys


class _KeyCache:
    """Parsed key sets per installation, shared by the threads of one process.

    Parsing a JWKS into RSA keys costs more than verifying a signature, so each
    process keeps the parsed set and reparses only when the stored JWKS changed
    (compared as dicts, which is cheaper than serialising them).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sets: dict[int, _ParsedKeys] = {}

    def get(self, installation: Installation) -> "_ParsedKeys":
        cached = self._sets.get(installation.pk)
        if cached is not None and cached.jwks == installation.jwks:
            return cached
        parsed = _ParsedKeys(installation.jwks)
        with self._lock:
            self._sets[installation.pk] = parsed
        return parsed

    def clear(self) -> None:
        with self._lock:
            self._sets.clear()


class _ParsedKeys:
    """One JWKS, parsed: the JWK set (for JWTs) and the RSA public keys by key id (webhooks)."""

    def __init__(self, jwks: dict) -> None:
        self.jwks = json.loads(json.dumps(jwks))  # a private copy: the model's dict may be mutated
        self.key_set = jwk.JWKSet()
        #: kid -> the key that verifies RS256 signatures; keys not allowed to verify are left out
        self.rsa_verifiers: dict[str, rsa.RSAPublicKey] = {}
        for key in self.jwks.get("keys", []) if isinstance(self.jwks, dict) else []:
            try:
                parsed = jwk.JWK(**key)
            except (JWException, ValueError, TypeError):
                kid = key.get("kid") if isinstance(key, dict) else None
                logger.warning("ignoring unusable JWK", extra={"kid": kid})
                continue
            self.key_set.add(parsed)
            kid = parsed.get("kid")
            if isinstance(kid, str) and parsed.get("kty") == "RSA":
                try:
                    # checks "use" and "key_ops" as jwcrypto's own verification does
                    self.rsa_verifiers.setdefault(kid, parsed.get_op_key("verify"))
                except (JWException, ValueError, TypeError):
                    pass


key_cache = _KeyCache()


def refresh_jwks(installation: Installation, *, force: bool = False) -> bool:
    """Fetch the installation's JWKS again; return False when rate-limited or failed."""
    if not force and installation.jwks_fetched_at is not None:
        age = (timezone.now() - installation.jwks_fetched_at).total_seconds()
        if age < settings.JWKS_REFETCH_INTERVAL:
            return False
    try:
        installation.jwks = fetch_jwks(installation.jwks_url)
    except JWKSFetchError:
        logger.warning("JWKS refetch failed", exc_info=True, extra={"saleor": str(installation)})
        return False
    installation.jwks_fetched_at = timezone.now()
    Installation.objects.filter(pk=installation.pk).update(
        jwks=installation.jwks, jwks_fetched_at=installation.jwks_fetched_at
    )
    return True


def _protected_header(token_header_b64: str) -> dict:
    try:
        header = json.loads(base64url_decode(token_header_b64))
    except (ValueError, TypeError) as exc:
        raise SignatureError("signature header is not base64url JSON") from exc
    if not isinstance(header, dict):
        raise SignatureError("signature header is not a JSON object")
    return header


def _find_key(installation: Installation, kid: str) -> jwk.JWK | None:
    return key_cache.get(installation).key_set.get_key(kid)


def _find_rsa_verifier(installation: Installation, kid: str) -> rsa.RSAPublicKey | None:
    return key_cache.get(installation).rsa_verifiers.get(kid)


#: JWS header parameters a webhook signature may mark critical (RFC 7515 4.1.11): Saleor
#: marks ``b64`` (RFC 7797) critical with some PyJWT versions, and nothing else.
UNDERSTOOD_CRITICAL = frozenset({"b64"})


def _verifying_key(installation: Installation, header: dict, error: type[SignatureError], what: str) -> jwk.JWK:
    """The key named by the header's ``kid``: from the cached JWKS, or after one refetch
    when Saleor has rotated its keys; ``error`` when it names none or one Saleor lacks."""
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise error(f"{what} header has no key id")
    key = _find_key(installation, kid)
    if key is None and refresh_jwks(installation):
        key = _find_key(installation, kid)
    if key is None:
        raise error(f"unknown signing key {kid!r}")
    return key


def verify_webhook_signature(installation: Installation, body: bytes, signature: str) -> None:
    """Check ``Saleor-Signature`` for ``body``; raise SignatureError unless it holds.

    1. The signature must be a detached compact JWS: ``<header>..<signature>``.
    2. Its header must say RS256, an unencoded payload (``"b64": false``) and a key id;
       ``crit``, if present, may only name ``b64``.
    3. The key comes from the cached JWKS; an unknown key id refetches the JWKS once.
    4. The signing input is ``<header>.`` followed by the raw body bytes, verified
       RSASSA-PKCS1-v1_5 with SHA-256 against that key (RFC 7518 3.3).

    Step 4 calls ``cryptography`` directly rather than through jwcrypto's JWS object,
    whose construction (a deep copy of its header registry) cost more CPU than the RSA
    verification itself on every delivery; jwcrypto still parses the keys.
    """
    header_b64, dot_dot, signature_b64 = (signature or "").partition("..")
    if not dot_dot or not header_b64 or not signature_b64 or "." in signature_b64:
        raise SignatureError("Saleor-Signature is not a detached JWS")
    header = _protected_header(header_b64)
    if header.get("alg") != "RS256":
        raise SignatureError("signature algorithm must be RS256")
    if header.get("b64") is not False:
        raise SignatureError("signature must be over the unencoded payload (b64: false)")
    critical = header.get("crit", [])
    if (
        not isinstance(critical, list)
        or ("crit" in header and not critical)
        or not all(isinstance(name, str) and name in header for name in critical)
        or not UNDERSTOOD_CRITICAL.issuperset(critical)
    ):
        raise SignatureError("signature header has critical parameters this app does not understand")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise SignatureError("signature header has no key id")

    key = _find_rsa_verifier(installation, kid)
    if key is None and refresh_jwks(installation):
        key = _find_rsa_verifier(installation, kid)
    if key is None:
        raise SignatureError(f"unknown signing key {kid!r}")

    try:
        signing_input = header_b64.encode("ascii") + b"." + body
        key.verify(base64url_decode(signature_b64), signing_input, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError, TypeError) as exc:
        raise SignatureError("signature does not match the body") from exc


# --- JWTs Saleor issues: customers' access tokens, the dashboard's app tokens ------------


class TokenError(SignatureError):
    """A bearer JWT is not provably this Saleor's, or not valid any more: refuse the request."""


class ExpiredTokenError(TokenError):
    """The JWT was Saleor's, but its ``exp`` has passed."""


def _jwt_claims(payload: bytes) -> dict:
    try:
        claims = json.loads(payload)
    except ValueError as exc:
        raise TokenError("token claims are not JSON") from exc
    if not isinstance(claims, dict):
        raise TokenError("token claims are not a JSON object")
    return claims


def verify_jwt(installation: Installation, token: str, *, now: float | None = None) -> dict:
    """Check a compact JWT signed by this installation's Saleor; return its claims.

    1. It must be a signed compact JWS (three non-empty parts): ``alg: none`` never passes.
    2. Its header must say RS256 and name a key id. HS256 and the other HMAC algorithms are
       refused before any key is looked at, so a token "signed" with Saleor's public key
       as an HMAC secret cannot pass.
    3. The key comes from the cached JWKS; an unknown key id refetches the JWKS once
       (rate-limited like webhook signatures).
    4. The claims must name this Saleor as ``iss`` and carry an ``exp`` that has not
       passed (``JWT_LEEWAY`` seconds of clock skew allowed), and an ``nbf``, if any, that has.

    What the token is for (``type``, ``app``, ``user_id``) is the caller's to check.
    Saleor can revoke a token before ``exp`` (logout, password change); that is not
    visible from here, which is why Saleor keeps these tokens short-lived (~5 minutes).
    """
    parts = (token or "").split(".")
    if len(parts) != 3 or not all(parts):
        raise TokenError("token is not a signed JWT")
    header = _protected_header(parts[0])
    if header.get("alg") != "RS256":
        raise TokenError("token algorithm must be RS256")
    key = _verifying_key(installation, header, TokenError, "token")

    signed = jws.JWS()
    try:
        signed.deserialize(token)
        signed.verify(key, alg="RS256")
    except JWException as exc:
        raise TokenError("token signature does not match") from exc
    claims = _jwt_claims(signed.payload)

    if claims.get("iss") != installation.saleor_api_url:
        raise TokenError("token was issued by another Saleor")
    now = time.time() if now is None else now
    leeway = settings.JWT_LEEWAY
    exp = claims.get("exp")
    if isinstance(exp, bool) or not isinstance(exp, int | float):
        raise TokenError("token has no expiry")
    if exp + leeway < now:
        raise ExpiredTokenError("Signature has expired")
    nbf = claims.get("nbf")
    if nbf is not None and (isinstance(nbf, bool) or not isinstance(nbf, int | float) or nbf - leeway > now):
        raise TokenError("token is not valid yet")
    return claims
