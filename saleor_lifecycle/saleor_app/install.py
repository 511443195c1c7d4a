"""Registering a Saleor that installs the app (``tokenTargetUrl``)."""

import logging
from fnmatch import fnmatchcase
from urllib.parse import urlsplit

from django.conf import settings
from django.dispatch import Signal
from django.utils import timezone

from ..saleor_client import SaleorClient
from .models import Installation, jwks_url_for
from .signature import fetch_jwks

logger = logging.getLogger(__name__)

#: Sent after an installation is stored (first install or re-install); argument ``installation``.
installation_registered = Signal()


class RegistrationRefused(Exception):
    """This Saleor may not install the app, or its token does not hold."""


def is_allowed_saleor(api_url: str) -> bool:
    """Is this API URL allowed by ALLOWED_SALEOR_URLS (fnmatch patterns; empty allows all)?"""
    parts = urlsplit(api_url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return False
    patterns = settings.ALLOWED_SALEOR_URLS
    if not patterns:
        logger.warning(
            "ALLOWED_SALEOR_URLS is empty: any Saleor may install this app", extra={"saleor": api_url}
        )
        return True
    return any(fnmatchcase(api_url, pattern) for pattern in patterns)


def register_installation(api_url: str, domain: str, token: str, *, client=None) -> Installation:
    """Confirm the token with Saleor, fetch its keys and store (or renew) the installation.

    1. Refuse API URLs the configuration does not allow.
    2. Ask Saleor ``app { id }`` with the token: the request to us is unsigned, so the
       token is only trusted once the Saleor at that URL accepts it.
    3. Fetch the JWKS that will verify this Saleor's webhooks.
    4. Store one installation per API URL; a re-install replaces token and keys.
    Saleor errors (SaleorError) and JWKS errors propagate to the caller.
    """
    if not is_allowed_saleor(api_url):
        raise RegistrationRefused(f"{api_url} is not allowed to install this app")
    client = client or SaleorClient(api_url, token)
    app = client.execute("queries/app").get("app")
    if not app or not app.get("id"):
        raise RegistrationRefused("Saleor did not accept the app token")
    jwks = fetch_jwks(jwks_url_for(api_url))

    installation = Installation.objects.filter(saleor_api_url=api_url).first() or Installation(
        saleor_api_url=api_url
    )
    installation.saleor_domain = domain
    installation.app_id = app["id"]
    installation.token = token
    installation.jwks = jwks
    installation.jwks_fetched_at = timezone.now()
    installation.is_active = True
    installation.save()
    logger.info("installation registered", extra={"saleor": api_url, "app_id": app["id"]})
    installation_registered.send(sender=Installation, installation=installation)
    return installation
