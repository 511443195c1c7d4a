"""The app manifest Saleor reads at install time, built from the webhook registry."""

from django.conf import settings
from django.http import HttpRequest
from django.templatetags.static import static

import saleor_lifecycle

from ..events.registry import WEBHOOKS

#: Saleor permissions the app needs: order and checkout webhooks, customers, vouchers.
PERMISSIONS = ["MANAGE_ORDERS", "MANAGE_CHECKOUTS", "MANAGE_USERS", "MANAGE_DISCOUNTS"]


def app_base_url(request: HttpRequest) -> str:
    """APP_URL when configured (behind a proxy it must be), else the request's own origin."""
    return settings.APP_URL or request.build_absolute_uri("/").rstrip("/")


def build_manifest(base_url: str) -> dict:
    return {
        "id": settings.SALEOR_APP_ID,
        "name": "Lifecycle",
        "version": saleor_lifecycle.__version__,
        "about": (
            "Keeps every customer's lifecycle stage (prospect, first purchase, returning, "
            "at risk, lapsed, sunset), reminds abandoned carts and wins lapsed customers "
            "back with single-use voucher codes."
        ),
        "permissions": PERMISSIONS,
        "appUrl": f"{base_url}/app/",
        "tokenTargetUrl": f"{base_url}/api/register",
        "dataPrivacyUrl": settings.DATA_PRIVACY_URL or f"{base_url}/privacy",
        "homepageUrl": settings.HOMEPAGE_URL or f"{base_url}/app/",
        "supportUrl": settings.SUPPORT_URL or f"{base_url}/app/",
        "brand": {"logo": {"default": f"{base_url}{static('saleor_app/logo.png')}"}},
        "author": "saleor-lifecycle",
        "requiredSaleorVersion": ">=3.20",
        "webhooks": [
            {
                "name": f"lifecycle {definition.header_value.replace('_', ' ')}",
                "asyncEvents": [definition.event],
                "query": definition.query,
                "targetUrl": f"{base_url}/api/webhooks/{definition.slug}",
                "isActive": True,
            }
            for definition in WEBHOOKS.values()
        ],
        "extensions": [],
    }
