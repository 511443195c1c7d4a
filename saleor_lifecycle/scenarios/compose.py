"""Plain-text messages for each built-in step (the email module renders the styled ones)."""

from django.template import Context, Template

from ..customers.models import Customer
from .messages import OutgoingMessage

#: template key -> (subject, body); bodies use Django's template language
COPY = {
    "welcome_hello": ("Welcome, {{ first_name }}!", "Thanks for joining us. Here is what we are about."),
    "welcome_first_order_coupon": ("A little something for your first order", "Use {{ code }} for {{ offer }}."),
    "first_purchase_thank_you": ("Thank you for your order, {{ first_name }}", "We are packing it with care."),
    "first_purchase_care": ("Getting the most out of your purchase", "A few tips on using and caring for it."),
    "first_purchase_cross_sell": ("Picked for you", "Customers who bought what you did also liked these."),
    "retention_recommendations": ("New for you, {{ first_name }}", "A few things we think you will like."),
    "retention_loyalty": ("Thank you for being with us", "Our regulars get a little more: see what's in store."),
    "cart_reminder": ("You left something in your cart", "Your cart is waiting: {{ cart_summary }}."),
    "cart_reminder_pictures": ("Still thinking it over?", "Here is what you picked: {{ cart_summary }}."),
    "cart_last_chance": ("{{ offer }} on your cart, today only", "Use {{ code }} before {{ expires_at }}."),
    "reactivation_checkin": ("We haven't seen you for a while, is everything all right?", "Tell us how we can do better."),
    "reactivation_free_shipping": ("Let's change that! Shipping is on us", "Use {{ code }} for free shipping until {{ expires_at }}."),
    "reactivation_code_expires": ("Your free-shipping code expires soon", "{{ code }} is valid until {{ expires_at }}."),
    "reactivation_discount": ("We miss you", "Remember how nice shopping with us is? {{ code }} gives you {{ offer }}."),
    "reactivation_last_day": ("Your discount is valid for 24 more hours", "{{ code }} expires {{ expires_at }}."),
    "sunset_goodbye": ("Should we stop writing?", "We will not email you any more unless you subscribe again."),
    "welcome_back": ("Welcome back, {{ first_name }}!", "It is good to see you again."),
}


def compose(
    *, template: str, customer: Customer, idempotency_key: str, extra: dict | None = None
) -> OutgoingMessage:
    subject, body = COPY.get(template, (template.replace("_", " ").capitalize(), ""))
    context = Context({"first_name": customer.first_name or "there", **(extra or {})})
    return OutgoingMessage(
        to=customer.email,
        subject=Template(subject).render(context),
        text=Template(body).render(context),
        html=None,
        idempotency_key=idempotency_key,
    )
