import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import models

from ..saleor_app.models import Installation

_HOSTNAME = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")
_IPV6 = re.compile(r"[0-9a-f:.]+")

#: More origins than this per shop is a configuration mistake, not a storefront fleet.
MAX_STOREFRONT_ORIGINS = 20


def normalize_origin(value: str) -> str:
    """``https://Shop.example.com/`` -> ``https://shop.example.com``; ValueError unless an origin.

    An origin is what a browser sends in ``Origin``: scheme, host and port only.
    """
    if not isinstance(value, str) or len(value) > 300:
        raise ValueError("an origin is a string of at most 300 characters")
    parts = urlsplit(value.strip())
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"{value!r} has an invalid port") from exc
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError(f"{value!r} is not an http(s) origin")
    if parts.path not in {"", "/"} or parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(f"{value!r} is not an origin: no path, query or credentials")
    host = parts.hostname.lower()
    if ":" in host:
        if not _IPV6.fullmatch(host):
            raise ValueError(f"{value!r} has an invalid host")
        host = f"[{host}]"
    elif not _HOSTNAME.fullmatch(host):
        raise ValueError(f"{value!r} has an invalid host (internationalised names go in punycode)")
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "")


class StorefrontAccess(models.Model):
    """Which storefronts may call the API from a browser, per shop (CORS).

    A storefront sends its customer's Saleor access token from the browser, so the
    browser must be told the API may be read from the storefront's origin. Only the
    origins listed here get CORS headers; requests from servers need none.
    """

    installation = models.OneToOneField(Installation, on_delete=models.CASCADE, related_name="storefront_access")
    #: exact origins, e.g. ["https://shop.example.com", "http://localhost:3000"]
    allowed_origins = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "storefront access"

    def __str__(self) -> str:
        return f"storefront access to {self.installation}"

    def clean(self) -> None:
        if not isinstance(self.allowed_origins, list):
            raise ValidationError({"allowed_origins": "a list of origins"})
        if len(self.allowed_origins) > MAX_STOREFRONT_ORIGINS:
            raise ValidationError({"allowed_origins": f"at most {MAX_STOREFRONT_ORIGINS} origins"})
        try:
            self.allowed_origins = list(dict.fromkeys(normalize_origin(origin) for origin in self.allowed_origins))
        except ValueError as exc:
            raise ValidationError({"allowed_origins": str(exc)}) from exc

    def allows(self, origin: str) -> bool:
        return origin in self.allowed_origins

    @classmethod
    def for_installation(cls, installation: Installation) -> "StorefrontAccess":
        access, _ = cls.objects.get_or_create(installation=installation)
        return access

    @classmethod
    def origin_allowed_anywhere(cls, origin: str) -> bool:
        """Is ``origin`` a storefront of any active shop? (Preflights carry no token.)"""
        rows = cls.objects.filter(installation__is_active=True).values_list("allowed_origins", flat=True)
        return any(isinstance(origins, list) and origin in origins for origins in rows)
