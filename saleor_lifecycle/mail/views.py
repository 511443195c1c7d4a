import base64

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from ..customers.actions import do_resubscribe, do_unsubscribe_for_good
from ..customers.models import Customer
from ..scenarios.models import StepRun
from .tracking import CLICK_SALT, OPEN_SALT, UNSUBSCRIBE_SALT, read

PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@require_GET
def opened(request: HttpRequest, token: str) -> HttpResponse:
    step_run_id = read(token, OPEN_SALT)
    if isinstance(step_run_id, int):
        StepRun.objects.filter(pk=step_run_id, opened_at__isnull=True).update(opened_at=timezone.now())
    response = HttpResponse(PIXEL, content_type="image/gif")
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def clicked(request: HttpRequest, token: str) -> HttpResponse:
    value = read(token, CLICK_SALT)
    if not (isinstance(value, list) and len(value) == 2 and str(value[1]).startswith(("https://", "http://"))):
        raise Http404("unknown link")
    step_run_id, url = value
    now = timezone.now()
    StepRun.objects.filter(pk=step_run_id, clicked_at__isnull=True).update(clicked_at=now)
    StepRun.objects.filter(pk=step_run_id, opened_at__isnull=True).update(opened_at=now)  # a click is an open
    return HttpResponseRedirect(url)


@csrf_exempt  # RFC 8058 one-click: the mailbox provider posts without cookies; the token authenticates
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    customer_id = read(token, UNSUBSCRIBE_SALT)
    customer = Customer.objects.filter(pk=customer_id).first() if isinstance(customer_id, int) else None
    if customer is None or customer.erased_at:
        raise Http404("unknown subscription")
    now = timezone.now()
    if request.method == "POST":
        if request.POST.get("action") == "resubscribe":
            do_resubscribe(customer, now)
            Customer.objects.filter(pk=customer.pk).update(marketing_consent=True, consent_updated_at=now)
        else:  # the one-click body "List-Unsubscribe=One-Click", or the page's button
            do_unsubscribe_for_good(customer, now)
            Customer.objects.filter(pk=customer.pk).update(marketing_consent=False, consent_updated_at=now)
        customer.refresh_from_db()
    return render(request, "mail/unsubscribe.html", {"customer": customer, "subscribed": not customer.unsubscribed_at})
