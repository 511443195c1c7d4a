import json
import logging

from django.http import HttpRequest, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from ..saleor_client import SaleorError, SaleorRetryableError
from .headers import SaleorHeaders
from .install import RegistrationRefused, register_installation
from .manifest import app_base_url, build_manifest
from .signature import JWKSFetchError

logger = logging.getLogger(__name__)


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(build_manifest(app_base_url(request)))
    # Saleor's dashboard fetches the manifest from the browser when installing by URL.
    response["Access-Control-Allow-Origin"] = "*"
    return response


@csrf_exempt
@require_POST
def register(request: HttpRequest) -> JsonResponse:
    """Saleor posts ``{"auth_token"}`` here when a shop installs the app.

    Answers 200 when installed, 400 for a request that is not Saleor's register call,
    403 when this Saleor may not install or its token is refused, 502/503 when Saleor
    could not be reached to confirm (the installation can simply be retried).
    """
    api_url = request.headers.get(SaleorHeaders.API_URL, "")
    domain = request.headers.get(SaleorHeaders.DOMAIN, "")
    try:
        token = json.loads(request.body).get("auth_token")
    except (ValueError, AttributeError):
        token = None
    if not api_url or not isinstance(token, str) or not token:
        return _error(400, f"expected {{\"auth_token\"}} and a {SaleorHeaders.API_URL} header")
    try:
        installation = register_installation(api_url, domain, token)
    except RegistrationRefused as exc:
        return _error(403, str(exc))
    except SaleorRetryableError as exc:
        return _error(503, f"Saleor could not be reached: {exc}")
    except (SaleorError, JWKSFetchError) as exc:
        return _error(502, f"Saleor did not confirm the installation: {exc}")
    return JsonResponse({"success": True, "installation": installation.pk})


def _error(status: int, message: str) -> JsonResponse:
    logger.warning("register refused", extra={"status": status, "reason": message})
    return JsonResponse({"success": False, "error": {"message": message}}, status=status)


@require_GET
def privacy(request: HttpRequest):
    return render(request, "saleor_app/privacy.html")
