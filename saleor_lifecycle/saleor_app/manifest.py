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


def build_extensions(base_url: str) -> list[dict]:
    """Where the dashboard shows the app's pages (dashboard_extension/, served under /app/).

    Mount names are Saleor's (3.22+ as plain strings, validated at install). An APP_PAGE
    URL is a path inside the app (Saleor refuses an absolute one); the other targets get
    absolute URLs. The dashboard adds its own query string (``customerId`` on customer
    pages, ``theme``, ``saleorApiUrl``) and hands the token over AppBridge. Each extension
    asks for MANAGE_USERS: every page reads customers.
    """
    app = f"{base_url}/app"
    return [
        {
            "identifier": "lifecycle",
            "label": "Lifecycle",
            "mount": "NAVIGATION_CUSTOMERS",
            "target": "APP_PAGE",
            "url": "/",
            "permissions": ["MANAGE_USERS"],
        },
        {
            "identifier": "customer-lifecycle",
            "label": "Lifecycle",
            "mount": "CUSTOMER_DETAILS_WIDGETS",
            "target": "WIDGET",
            "url": f"{app}/widgets/customer",
            "permissions": ["MANAGE_USERS"],
            "options": {"widgetTarget": {"method": "GET"}},
        },
        {
            "identifier": "customer-lifecycle-explain",
            "label": "Lifecycle: explain or pause messages",
            "mount": "CUSTOMER_DETAILS_MORE_ACTIONS",
            "target": "POPUP",
            "url": f"{app}/actions/customer",
            "permissions": ["MANAGE_USERS"],
        },
        {
            "identifier": "lifecycle-home",
            "label": "Customer lifecycle",
            "mount": "HOMEPAGE_WIDGETS",
            "target": "WIDGET",
            "url": f"{app}/widgets/home",
            "permissions": ["MANAGE_USERS"],
            "options": {"homeWidgetTarget": {"method": "GET"}},
        },
    ]


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
        "extensions": build_extensions(base_url),
    }
