"""A scenario step's email, assembled for one customer: their language, their name,
their cart, their recommendations, their code; tracked links; one-click unsubscribe."""

from ..scenarios.messages import OutgoingMessage
from ..scenarios.models import ContactPolicy, Enrollment, StepRun
from .models import MailSettings
from .recommendations import recommend
from .render import Branding, pick_language, render_email
from .tracking import open_pixel_url, track_links, unsubscribe_url

#: steps whose email shows products the customer may like
RECOMMENDING = {"first_purchase_cross_sell", "retention_recommendations", "reactivation_discount", "welcome_back"}


def checkout_url(settings: MailSettings, token: str) -> str:
    return settings.checkout_url_pattern.format(storefront=settings.storefront_url.rstrip("/"), token=token)


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
        branding=Branding(
            shop_name=settings.shop_name,
            logo_url=settings.logo_url or None,
            primary_color=settings.primary_color,
            footer_address=settings.footer_address,
            storefront_url=settings.storefront_url,
        ),
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
