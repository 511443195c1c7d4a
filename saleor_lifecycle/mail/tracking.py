"""Signed links for opens, clicks and unsubscribes.

A click link carries its destination inside the signed token, so the redirect can only
lead where the message itself pointed: there is no open redirect to abuse.
"""

import re

from django.conf import settings
from django.core import signing

OPEN_SALT = "lifecycle.mail.open"
CLICK_SALT = "lifecycle.mail.click"
UNSUBSCRIBE_SALT = "lifecycle.mail.unsubscribe"

_HREF = re.compile(r'href="(https?://[^"]+)"')


def app_url() -> str:
    return settings.APP_URL or "http://localhost:8000"


def open_pixel_url(step_run_id: int) -> str:
    return f"{app_url()}/m/o/{signing.dumps(step_run_id, salt=OPEN_SALT)}.gif"


def click_url(step_run_id: int, url: str) -> str:
    return f"{app_url()}/m/c/{signing.dumps([step_run_id, url], salt=CLICK_SALT, compress=True)}"


def unsubscribe_url(customer_id: int) -> str:
    return f"{app_url()}/m/u/{signing.dumps(customer_id, salt=UNSUBSCRIBE_SALT)}"


def read(token: str, salt: str):
    """The signed value, or None for a token we did not make."""
    try:
        return signing.loads(token, salt=salt)
    except signing.BadSignature:
        return None


def track_links(html: str, step_run_id: int, *, keep: set[str]) -> str:
    """Route the message's links through the click tracker (except those in ``keep``)."""
    from html import unescape

    def replace(match: re.Match) -> str:
        url = unescape(match.group(1))
        return match.group(0) if url in keep else f'href="{click_url(step_run_id, url)}"'

    return _HREF.sub(replace, html)
