import logging

from django.http import HttpRequest, JsonResponse
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from ..saleor_app.headers import SaleorHeaders
from ..saleor_app.models import Installation, active_installations
from ..saleor_app.signature import SignatureError, verify_webhook_signature
from .definitions import WebhookDefinition
from .ingest import store_delivery
from .models import DeliveryStatus

logger = logging.getLogger(__name__)


class SaleorWebhookView(View):
    """Receives one Saleor event: verify -> store once -> queue, then answer at once.

    It never sends mail or calls Saleor: Saleor waits at most 18 s for an answer and
    retries what fails, so the slow work happens in a worker. Answers:
    401 unknown Saleor or bad signature (nothing stored), 400 malformed body (stored
    with the reason; Saleor does not retry 4xx), 200 stored or already stored.
    """

    http_method_names = ["post"]
    definition: WebhookDefinition | None = None  # set per URL by as_view(definition=...)

    @classmethod
    def as_view(cls, **initkwargs):
        # Saleor signs its requests; it has no CSRF token. Exempting the view function
        # once, rather than ``dispatch`` through method_decorator, which re-wraps the
        # bound method on every request.
        return csrf_exempt(super().as_view(**initkwargs))

    def post(self, request: HttpRequest) -> JsonResponse:
        try:
            installation = self.authenticate(request)
        except SignatureError as exc:
            logger.warning("rejected a webhook", extra={"event": self.definition.event, "reason": str(exc)})
            return JsonResponse({"error": str(exc)}, status=401)
        delivery, created = store_delivery(installation, self.definition, request.body, request.headers)
        if delivery.status == DeliveryStatus.MALFORMED:
            return JsonResponse({"error": delivery.last_error, "delivery": delivery.pk}, status=400)
        return JsonResponse({"delivery": delivery.pk, "duplicate": not created})

    def authenticate(self, request: HttpRequest) -> Installation:
        api_url = request.headers.get(SaleorHeaders.API_URL)
        signature = request.headers.get(SaleorHeaders.SIGNATURE)
        if not api_url or not signature:
            raise SignatureError(f"{SaleorHeaders.API_URL} and {SaleorHeaders.SIGNATURE} are required")
        installation = active_installations.get(api_url)
        if installation is None:
            raise SignatureError(f"no active installation for {api_url}")
        verify_webhook_signature(installation, request.body, signature)
        return installation
