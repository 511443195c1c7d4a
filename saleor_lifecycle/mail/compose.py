"""A scenario step's email, assembled for one customer: their language, their name,
their cart, their recommendations, their code; tracked links; one-click unsubscribe.
And the same email for the dashboard's preview: the shop's branding, a sample customer."""

from datetime import datetime, timedelta

from ..saleor_app.models import Installation
from ..scenarios.definitions import Offer
from ..scenarios.messages import OutgoingMessage
from ..scenarios.models import ContactPolicy, Enrollment, StepRun
from .models import MailSettings
from .recommendations import recommend
from .render import Branding, RenderedEmail, pick_language, render_email, sample_context
from .tracking import open_pixel_url, track_links, unsubscribe_url

#: steps whose email shows products the customer may like
RECOMMENDING = {"first_purchase_cross_sell", "retention_recommendations", "reactivation_discount", "welcome_back"}


def checkout_url(settings: MailSettings, token: str) -> str:
    return settings.checkout_url_pattern.format(storefront=settings.storefront_url.rstrip("/"), token=token)


def branding_for(settings: MailSettings) -> Branding:
    """The shop's look in its emails."""
    return Branding(
        shop_name=settings.shop_name,
        logo_url=settings.logo_url or None,
        primary_color=settings.primary_color,
        footer_address=settings.footer_address,
        storefront_url=settings.storefront_url,
    )


#: the code a preview shows (the real one is made when the step is sent)
PREVIEW_CODE = "LC-PREVIEW42"


def compose_preview(
    installation: Installation, template: str, *, now: datetime, language: str | None = None, offer: Offer | None = None
) -> RenderedEmail:
    """A template as the shop's customers would get it, filled with a sample customer.

    The shop's branding, time zone and storefront; the sample's name, cart and
    recommendations (``render.sample_context``). ``offer`` shows a step's offer instead
    of the sample one, valid from ``now``. ``language`` defaults to the shop's. Raises
    UnknownTemplate or UnknownLanguage.
    """
    settings = MailSettings.for_installation(installation)
    context = sample_context(template)
    context["time_zone"] = ContactPolicy.for_installation(installation).time_zone
    if settings.storefront_url:
        context["shop_url"] = settings.storefront_url
    if offer is not None:
        context["offer"] = {
            "kind": offer.kind,
            "value": offer.value,
            "currency": context["currency"],
            "code": PREVIEW_CODE,
            "expires_at": now + timedelta(days=offer.valid_days),
        }
    return render_email(
        template,
        language=language or pick_language(None, settings.default_language),
        context=context,
        branding=branding_for(settings),
    )


def compose_message(*, run: StepRun, enrollment: Enrollment, template: str, extra: dict) -> OutgoingMessage:
    customer = enrollment.customer
    settings = MailSettings.for_installation(enrollment.installation)
    policy = ContactPolicy.for_installation(enrollment.installation)
    unsubscribe = unsubscribe_url(customer.pk)
    context = {
        "first_name": customer.first_name,
        "time_zone": policy.time_zone,
        "shop_url": settings.storefront_url or None,
        "unsubscribe_url": unsubscribe,
        "tracking_pixel_url": open_pixel_url(run.pk),
        **extra,
    }
    checkout = enrollment.checkout
    if checkout is not None:
        context["cart_lines"] = [{**line, "currency": checkout.currency} for line in checkout.lines]
        if settings.storefront_url:
            context["checkout_url"] = checkout_url(settings, checkout.token)
    if template in RECOMMENDING and settings.storefront_url:
        base = settings.storefront_url.rstrip("/")
        last_order = customer.orders.order_by("-created").first()
        currency = last_order.currency if last_order else None
        context["recommendations"] = [
            {
                "product_name": item["product_name"],
                "url": f"{base}/products/{item['product_slug']}",
                "thumbnail_url": item["thumbnail_url"] or None,
                "price": str(item["price"]),
                "currency": currency,
            }
            for item in recommend(customer)
        ]
    rendered = render_email(
        template,
        language=pick_language(customer.language_code, settings.default_language),
        context=context,
        branding=branding_for(settings),
    )
    headers = {
        # RFC 8058: mailbox providers show an unsubscribe button that posts here.
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    if settings.reply_to:
        headers["Reply-To"] = settings.reply_to
    return OutgoingMessage(
        to=customer.email,
        subject=rendered.subject,
        text=rendered.text,
        html=track_links(rendered.html, run.pk, keep={unsubscribe}),
        idempotency_key=f"step-run-{run.pk}",
        headers=headers,
        from_email=settings.from_email or None,
    )
