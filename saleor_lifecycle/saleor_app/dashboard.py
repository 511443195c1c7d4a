"""The dashboard extension's pages: the built single-page app at ``/app/`` and below.

``dashboard_extension/`` (Vite + React) builds into ``dashboard_extension/dist``. Its
assets are static files (``STATICFILES_DIRS`` prefix ``dashboard``, served by whitenoise
with far-future caching, their names carry a content hash); this view answers every page
address under ``/app/`` with the built ``index.html``, so a reload or a deep link from
the dashboard (``/app/scenarios/abandoned_cart``, ``/app/widgets/customer?customerId=…``)
lands on the right page. The page may be framed: the Saleor dashboard shows it in an
iframe, and the token it works with comes from the dashboard, not from a cookie.
"""

from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

#: the prefix Vite builds asset URLs with (vite.config.ts ``base``)
BUILT_ASSET_PREFIX = "/static/dashboard/"


def dist_dir() -> Path:
    return Path(settings.DASHBOARD_EXTENSION_DIST)


@lru_cache(maxsize=4)
def _built_index(path: Path, mtime_ns: int) -> str:  # the mtime keys the cache: a rebuild is picked up
    return path.read_text(encoding="utf-8")


def render_index(html: str) -> str:
    """Fill in where the API and the app live, and where the assets are really served."""
    return (
        html.replace(BUILT_ASSET_PREFIX, static("dashboard/"))
        .replace("__LIFECYCLE_GRAPHQL_URL__", reverse("graphql"))
        .replace("__LIFECYCLE_APP_BASE__", reverse("app"))
    )


@xframe_options_exempt
@require_safe
def app_page(request: HttpRequest, subpath: str = "") -> HttpResponse:
    index = dist_dir() / "index.html"
    try:
        html = _built_index(index, index.stat().st_mtime_ns)
    except FileNotFoundError:
        response = render(request, "saleor_app/extension_missing.html", status=503)
        response["Retry-After"] = "60"
        return response
    response = HttpResponse(render_index(html), content_type="text/html; charset=utf-8")
    # The page names hashed assets: always ask for the current one.
    response["Cache-Control"] = "no-cache"
    response["Referrer-Policy"] = "no-referrer"
    return response
