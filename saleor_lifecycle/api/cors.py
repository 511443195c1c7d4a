"""CORS for ``/graphql/``, per shop: storefronts call the API from their customers' browsers.

* A preflight (``OPTIONS`` with ``Access-Control-Request-Method``) carries no token, so
  it is allowed when its ``Origin`` is a storefront origin of any active shop.
* Any other request gets ``Access-Control-Allow-Origin`` when its ``Origin`` is one of the
  origins of the shop its token belongs to (anonymous requests: of any active shop).

CORS only tells browsers what a page may read; tokens, not origins, decide what the API
answers. No cookies are involved, so credentials are never allowed.
"""

from django.http import HttpResponse
from django.urls import reverse
from django.utils.cache import patch_vary_headers

from .models import StorefrontAccess

ALLOWED_METHODS = "GET, POST, OPTIONS"
ALLOWED_HEADERS = "Authorization, Content-Type, Saleor-Api-Url"
#: Browsers may cache a preflight this long (Chromium caps it at 2 hours).
PREFLIGHT_MAX_AGE = "3600"


class StorefrontCorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._path = None

    def _is_api(self, request) -> bool:
        if self._path is None:
            self._path = reverse("graphql")
        return request.path == self._path

    def __call__(self, request):
        origin = request.headers.get("Origin")
        if not origin or not self._is_api(request):
            return self.get_response(request)
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            response = HttpResponse(status=204)
            if StorefrontAccess.origin_allowed_anywhere(origin):
                response["Access-Control-Allow-Origin"] = origin
                response["Access-Control-Allow-Methods"] = ALLOWED_METHODS
                response["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
                response["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
            patch_vary_headers(response, ["Origin"])
            return response
        response = self.get_response(request)
        if self._allowed(request, origin):
            response["Access-Control-Allow-Origin"] = origin
        patch_vary_headers(response, ["Origin"])
        return response

    @staticmethod
    def _allowed(request, origin: str) -> bool:
        viewer = getattr(request, "viewer", None)
        installation = getattr(viewer, "installation", None)
        if installation is None:
            return StorefrontAccess.origin_allowed_anywhere(origin)
        access = StorefrontAccess.objects.filter(installation=installation).first()
        return access is not None and access.allows(origin)
