"""Which Saleor permission each part of the API needs.

A dashboard token carries ``user_permissions``: in Saleor that is the *intersection* of
the staff user's permissions and this app's (``create_access_token_for_app``). The app
asks for MANAGE_ORDERS, MANAGE_CHECKOUTS, MANAGE_USERS and MANAGE_DISCOUNTS, and an app
cannot ask for MANAGE_APPS in Saleor 3.24, so no dashboard token of this app ever
carries MANAGE_APPS. Settings therefore accept MANAGE_USERS too; otherwise nobody could
change them from the dashboard.

Scenarios, templates and results are read and changed with MANAGE_USERS (they are about
the shop's customers); a change to a step's offer additionally needs MANAGE_DISCOUNTS,
since it decides which voucher codes the app creates in Saleor. Pausing a customer's
emails is a change to the customer: MANAGE_USERS. Mail settings and the contact policy
are settings like the lifecycle thresholds.
"""

from .errors import PermissionDenied


class SaleorPermission:
    #: customers: their stages, segments, profiles
    MANAGE_USERS = "MANAGE_USERS"
    #: installed apps; accepted where it makes sense, though this app's tokens lack it
    MANAGE_APPS = "MANAGE_APPS"
    #: vouchers and promotions: what the scenarios' offers create in Saleor
    MANAGE_DISCOUNTS = "MANAGE_DISCOUNTS"


#: What each part of the API needs; any one permission of a tuple is enough (Saleor's rule).
READ_CUSTOMERS = (SaleorPermission.MANAGE_USERS,)
MANAGE_CUSTOMER_MESSAGES = (SaleorPermission.MANAGE_USERS,)
READ_SCENARIOS = (SaleorPermission.MANAGE_USERS,)
MANAGE_SCENARIOS = (SaleorPermission.MANAGE_USERS,)
#: needed besides MANAGE_SCENARIOS to change a step's offer
MANAGE_SCENARIO_OFFERS = (SaleorPermission.MANAGE_DISCOUNTS,)
READ_RESULTS = (SaleorPermission.MANAGE_USERS,)
MANAGE_LIFECYCLE_SETTINGS = (SaleorPermission.MANAGE_APPS, SaleorPermission.MANAGE_USERS)


def require(viewer, permissions: tuple[str, ...]):
    """Return ``viewer`` if it holds one of ``permissions``, else raise PermissionDenied."""
    if viewer is None or not viewer.has_any(permissions):
        raise PermissionDenied(permissions)
    return viewer
