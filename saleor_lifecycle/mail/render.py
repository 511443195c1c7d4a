"""Render a lifecycle email: copy + the customer's context -> subject, HTML and text.

``render_email`` works in four steps:

1. ``build_message`` picks the copy for the template and language, fills it with what the
   context holds (first name, offer, cart, recommendations, links) and leaves out what it
   lacks. The result is a ``Message``: every word and URL of the email, already final.
2. ``render_mjml`` lays the message out with the Django templates in
   ``templates/mail/`` (``mail/<template>.mjml`` if a shop-specific one exists, else
   ``mail/base.mjml``), autoescaped.
3. ``mjml_to_html`` turns the MJML into email-client HTML with mrml.
4. ``render_text`` writes the plain-text part from the same ``Message``, and the links
   are gathered from both parts.

Context keys (all optional): first_name, cart_lines, checkout_url, offer, recommendations,
survey_url, shop_url, unsubscribe_url, view_in_browser_url, tracking_pixel_url, time_zone,
currency (for cart lines and prices that do not name their own).
"""

import base64
import dataclasses
import functools
import html
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone as dt_timezone, tzinfo
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import mrml
from django.template import Context, Engine
from django.utils.html import conditional_escape

from . import catalogue
from .catalogue import DEFAULT_LANGUAGE, LANGUAGES, LAYOUTS, TEMPLATES

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "TEMPLATES",
    "Branding",
    "RenderError",
    "RenderedEmail",
    "UnknownLanguage",
    "UnknownTemplate",
    "pick_language",
    "render_email",
    "sample_branding",
    "sample_context",
]

logger = logging.getLogger(__name__)

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True)
class Branding:
    shop_name: str = "Our shop"
    logo_url: str | None = None
    primary_color: str = "#4f46e5"
    text_color: str = "#1f2937"
    #: postal address in the footer (a legal requirement in the EU); may span lines
    footer_address: str = ""
    #: base URL of the storefront, e.g. https://shop.example.com
    storefront_url: str = ""


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    preheader: str
    #: full HTML from MJML
    html: str
    #: plain-text alternative, written from the same content (not by stripping the HTML)
    text: str
    #: every http(s) URL in the message (hrefs and the text), for click tracking's allow-list
    links: tuple[str, ...]


class RenderError(Exception):
    """The email cannot be rendered (a bug or a bad argument; retrying will not help)."""


class UnknownTemplate(RenderError, LookupError):
    pass


class UnknownLanguage(RenderError, LookupError):
    pass


# --- language ---------------------------------------------------------------------------------


def _language_prefix(code: str | None) -> str:
    return (code or "").strip().replace("-", "_").split("_")[0].lower()


def pick_language(saleor_language_code: str | None, shop_default: str = DEFAULT_LANGUAGE) -> str:
    """Map Saleor's LanguageCodeEnum ("PL", "PL_PL", "CS_CZ", "EN_US") to an email language.

    Only the language part counts; anything without copy gets the shop's default (and a
    default without copy gets English).
    """
    default = _language_prefix(shop_default)
    if default not in LANGUAGES:
        default = DEFAULT_LANGUAGE
    language = _language_prefix(saleor_language_code)
    return language if language in LANGUAGES else default


# --- the message: every word and URL, before any layout ----------------------------------------


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class OfferBlock:
    code: str
    description: str | None
    valid_until: str | None
    code_label: str
    how_to: str


@dataclass(frozen=True)
class CartLine:
    name: str
    variant: str
    quantity: str
    total: str | None
    image: str | None


@dataclass(frozen=True)
class CartBlock:
    #: "lines" or "pictures"
    style: str
    heading: str
    lines: tuple[CartLine, ...]
    #: said instead of the lines when the cart's lines are unknown
    empty: str


@dataclass(frozen=True)
class Recommendation:
    name: str
    url: str | None
    image: str | None
    price: str | None


@dataclass(frozen=True)
class RecommendationsBlock:
    heading: str
    items: tuple[Recommendation, ...]

    @property
    def rows(self) -> list[tuple[Recommendation, ...]]:
        size = self.columns
        return [self.items[i : i + size] for i in range(0, len(self.items), size)]

    @property
    def columns(self) -> int:
        count = len(self.items)
        return 2 if count in (2, 4) else min(count, 3)

    @property
    def column_width(self) -> str:
        return f"{100 / self.columns:.4g}%"


@dataclass(frozen=True)
class Colors:
    primary: str
    text: str
    #: text on the primary colour (white or near-black, whichever reads better)
    on_primary: str
    #: a light tint of the primary colour, behind the offer
    soft: str


@dataclass(frozen=True)
class Footer:
    sent_by: str
    address_lines: tuple[str, ...]
    shop: Link | None
    unsubscribe: Link | None


@dataclass(frozen=True)
class Message:
    template: str
    language: str
    subject: str
    preheader: str
    heading: str
    greeting: str
    paragraphs: tuple[str, ...]
    offer: OfferBlock | None
    cart: CartBlock | None
    recommendations: RecommendationsBlock | None
    button: Link | None
    sign_off: tuple[str, ...]
    footer: Footer
    view_in_browser: Link | None
    tracking_pixel_url: str | None
    shop_name: str
    shop_url: str | None
    logo_url: str | None
    colors: Colors


MAX_RECOMMENDATIONS = 6
HEX_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")


def safe_url(value) -> str | None:
    """An absolute http(s) URL, or None: nothing else goes into an href."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not re.match(r"https?://[^\s/]", value, re.IGNORECASE) or any(c in value for c in "\r\n\t <>\""):
        return None
    return value


def safe_image(value) -> str | None:
    """An http(s) URL or an inline data: image, or None."""
    if isinstance(value, str) and re.match(r"data:image/[a-z0-9.+-]+[;,]", value.strip(), re.IGNORECASE):
        return value.strip()
    return safe_url(value)


LINE_BREAKS = re.compile(r"[ \t\r\n\f\v\u2028\u2029]+")


def clean_text(value) -> str:
    """One line of plain text: runs of spaces and line breaks become one space.

    No-break spaces stay: the locale formats put them in "10 %" and "129,00 zł"."""
    return LINE_BREAKS.sub(" ", str(value)).strip() if value not in (None, "") else ""


def safe_color(value: str, default: str) -> str:
    return value if isinstance(value, str) and HEX_COLOR.fullmatch(value) else default


def _rgb(color: str) -> tuple[int, int, int]:
    digits = color[1:]
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def colors_for(branding: Branding) -> Colors:
    primary = safe_color(branding.primary_color, Branding.primary_color)
    text = safe_color(branding.text_color, Branding.text_color)
    red, green, blue = _rgb(primary)

    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)
    # White text needs contrast >= 4.5 against the button: luminance below ~0.18.
    on_primary = "#ffffff" if luminance < 0.18 else "#111827"
    soft = "#{:02x}{:02x}{:02x}".format(*(round(c + (255 - c) * 0.9) for c in (red, green, blue)))
    return Colors(primary=primary, text=text, on_primary=on_primary, soft=soft)


def time_zone_of(value) -> tzinfo:
    if isinstance(value, tzinfo):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return ZoneInfo(value.strip())
        except (ZoneInfoNotFoundError, ValueError):
            logger.warning("unknown time zone in an email context", extra={"time_zone": value})
    return dt_timezone.utc


def offer_block(context: dict, language: str, zone: tzinfo) -> tuple[OfferBlock | None, dict[str, str]]:
    """The offer's block and the facts the copy can use ({offer}, {code}, {expires_at}).

    ``offer`` is a dict (code, description or kind + value + currency, expires_at); a
    plain string is taken as the description, and a top-level ``code`` / ``expires_at``
    is used when the dict lacks them. Without a code there is no offer to show.
    """
    raw = context.get("offer")
    offer = dict(raw) if isinstance(raw, Mapping) else {"description": raw} if isinstance(raw, str) else {}
    code = clean_text(offer.get("code") or context.get("code"))
    if not code:
        return None, {}
    common = catalogue.common(language)
    description = None
    if offer.get("kind"):
        description = catalogue.describe_offer(
            str(offer["kind"]), offer.get("value"), offer.get("currency") or context.get("currency"), language
        )
    description = description or clean_text(offer.get("description")) or None
    expires_at = offer.get("expires_at") or context.get("expires_at")
    if isinstance(expires_at, str):
        try:
            expires_at = datetime.fromisoformat(expires_at.strip())
        except ValueError:
            pass  # already words: shown as given
    if isinstance(expires_at, datetime):
        expires = catalogue.format_datetime(expires_at, language, zone)
    else:
        expires = clean_text(expires_at) or None
    facts = {"code": code}
    if description:
        facts["offer"] = description
    if expires:
        facts["expires_at"] = expires
    block = OfferBlock(
        code=code,
        description=catalogue.ucfirst(description) if description else None,
        valid_until=common["offer"]["valid_until"].format(expires_at=expires) if expires else None,
        code_label=common["offer"]["code_label"],
        how_to=common["offer"]["how_to"],
    )
    return block, facts


def money(value, currency, language: str) -> str | None:
    if value in (None, ""):
        return None
    formatted = catalogue.format_money(value, currency, language)
    return formatted if formatted is not None else clean_text(value) or None


def cart_block(style: str | None, context: dict, language: str) -> CartBlock | None:
    if style is None:
        return None
    common = catalogue.common(language)["cart"]
    lines = []
    raw_lines = context.get("cart_lines")
    for line in raw_lines if isinstance(raw_lines, (list, tuple)) else ():
        if not isinstance(line, Mapping):
            continue
        name = clean_text(line.get("product_name")) or clean_text(line.get("variant_name"))
        if not name:
            continue
        variant = clean_text(line.get("variant_name"))
        quantity = catalogue.to_decimal(line.get("quantity"))
        lines.append(
            CartLine(
                name=name,
                variant="" if variant == name else variant,
                quantity=common["quantity"].format(
                    quantity=catalogue.format_number(quantity, language, trim=True) if quantity else 1
                ),
                total=money(line.get("total"), line.get("currency") or context.get("currency"), language),
                image=safe_image(line.get("thumbnail_url")),
            )
        )
    return CartBlock(style=style, heading=common["heading"], lines=tuple(lines), empty=common["empty"])


def recommendations_block(context: dict, language: str) -> RecommendationsBlock | None:
    items = []
    raw_items = context.get("recommendations")
    for item in raw_items if isinstance(raw_items, (list, tuple)) else ():
        if not isinstance(item, Mapping) or not clean_text(item.get("product_name")):
            continue
        items.append(
            Recommendation(
                name=clean_text(item["product_name"]),
                url=safe_url(item.get("url")),
                image=safe_image(item.get("thumbnail_url")),
                price=money(item.get("price"), item.get("currency") or context.get("currency"), language),
            )
        )
        if len(items) == MAX_RECOMMENDATIONS:
            break
    if not items:
        return None
    heading = catalogue.common(language)["recommendations"]["heading"]
    return RecommendationsBlock(heading=heading, items=tuple(items))


def build_message(template: str, *, language: str, context: dict, branding: Branding) -> Message:
    """Everything the email says, in its language, with what the context lacks left out."""
    if template not in LAYOUTS:
        raise UnknownTemplate(f"no email template {template!r} (known: {', '.join(TEMPLATES)})")
    if language not in LANGUAGES:
        raise UnknownLanguage(f"no copy in {language!r} (languages: {', '.join(LANGUAGES)})")
    context = dict(context or {})
    layout = LAYOUTS[template]
    common = catalogue.common(language)
    copy = catalogue.template_copy(template, language)
    shop_name = clean_text(branding.shop_name) or Branding.shop_name
    zone = time_zone_of(context.get("time_zone"))

    offer, offer_facts = offer_block(context, language, zone)
    cart = cart_block(layout.cart, context, language)
    recommendations = recommendations_block(context, language)
    name = catalogue.addressed_as(context.get("first_name"), language)
    shop_url = safe_url(context.get("shop_url")) or safe_url(branding.storefront_url)
    urls = {
        "checkout_url": safe_url(context.get("checkout_url")),
        "survey_url": safe_url(context.get("survey_url")),
        "shop_url": shop_url,
    }

    facts = {"shop_name": shop_name, **offer_facts}
    if name:
        facts["name"] = name
    conditions = set(facts) - {"shop_name"}
    if urls["survey_url"]:
        conditions.add("survey_url")
    if recommendations:
        conditions.add("recommendations")
    if cart and cart.lines:
        conditions.add("cart_lines")

    def text(spec) -> str | None:
        return catalogue.resolve(spec, facts, conditions)

    button = None
    for index, target in enumerate((*layout.button, "shop_url")):
        if urls.get(target):
            label = copy.get("button") if index == 0 and "button" in copy else common["buttons"][target]
            button = Link(label=text(label) or common["buttons"]["shop_url"], url=urls[target])
            break

    unsubscribe_url = safe_url(context.get("unsubscribe_url"))
    view_url = safe_url(context.get("view_in_browser_url"))
    footer = Footer(
        sent_by=text(common["footer"]["sent_by"]),
        address_lines=tuple(line for line in map(clean_text, (branding.footer_address or "").splitlines()) if line),
        shop=Link(label=shop_name, url=shop_url) if shop_url else None,
        unsubscribe=Link(label=common["footer"]["unsubscribe"], url=unsubscribe_url) if unsubscribe_url else None,
    )
    return Message(
        template=template,
        language=language,
        subject=clean_text(text(copy["subject"])),
        preheader=clean_text(text(copy["preheader"])),
        heading=text(copy["heading"]),
        greeting=text(common["greeting"]),
        paragraphs=tuple(p for p in map(text, copy["paragraphs"]) if p),
        offer=offer,
        cart=cart,
        recommendations=recommendations,
        button=button,
        sign_off=tuple(text(common["sign_off"]).splitlines()),
        footer=footer,
        view_in_browser=Link(label=common["footer"]["view_in_browser"], url=view_url) if view_url else None,
        tracking_pixel_url=safe_url(context.get("tracking_pixel_url")),
        shop_name=shop_name,
        shop_url=shop_url,
        logo_url=safe_image(branding.logo_url),
        colors=colors_for(branding),
    )


# --- layout -----------------------------------------------------------------------------------


@cache
def template_engine() -> Engine:
    """Our own engine: the layout does not depend on the project's TEMPLATES setting."""
    return Engine(dirs=[str(TEMPLATE_DIR)], autoescape=True, debug=False)


def render_mjml(message: Message) -> str:
    template = template_engine().select_template([f"mail/{message.template}.mjml", "mail/base.mjml"])
    return template.render(Context({"m": message}, autoescape=True))


def mjml_to_html(mjml: str) -> tuple[str, list[str]]:
    """The HTML and mrml's warnings ("kind at start..end")."""
    try:
        # No web fonts: the layout uses the system font stack, and clients block them anyway.
        output = mrml.to_html(mjml, render_options=mrml.RenderOptions(fonts={}))
    except (OSError, ValueError) as exc:
        raise RenderError(f"MJML could not be rendered: {exc}") from exc
    warnings = [f"{w.kind} at {w.start}..{w.end}" for w in output.warnings]
    return output.content, warnings


# --- plain text -------------------------------------------------------------------------------


def render_text(message: Message) -> str:
    """The plain-text part, block for block like the HTML."""
    blocks: list[list[str]] = [[message.heading], [message.greeting], *([p] for p in message.paragraphs)]
    if message.offer:
        offer = message.offer
        lines = [f"{offer.code_label}: {offer.code}"]
        lines += [part for part in (offer.description, offer.valid_until) if part]
        lines.append(offer.how_to)
        blocks.append(lines)
    if message.cart:
        lines = [f"{message.cart.heading}:"]
        for line in message.cart.lines:
            name = f"{line.name} ({line.variant})" if line.variant else line.name
            lines.append("- " + ", ".join(part for part in (name, line.quantity, line.total) if part))
        if not message.cart.lines:
            lines.append(message.cart.empty)
        blocks.append(lines)
    if message.recommendations:
        lines = [f"{message.recommendations.heading}:"]
        for item in message.recommendations.items:
            lines.append("- " + ", ".join(part for part in (item.name, item.price) if part))
            if item.url:
                lines.append(f"  {item.url}")
        blocks.append(lines)
    if message.button:
        blocks.append([f"{message.button.label}: {message.button.url}"])
    blocks.append(list(message.sign_off))
    footer = message.footer
    lines = ["-- ", footer.sent_by, *footer.address_lines]
    if footer.shop:
        lines.append(footer.shop.url)
    if footer.unsubscribe:
        lines.append(f"{footer.unsubscribe.label}: {footer.unsubscribe.url}")
    blocks.append(lines)
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"


HREF = re.compile(r"""<a\b[^>]*?\bhref\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
TEXT_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)


def collect_links(html_part: str, text_part: str) -> tuple[str, ...]:
    found = [html.unescape(url) for url in HREF.findall(html_part)]
    found += [url.rstrip(".,;:!?)") for url in TEXT_URL.findall(text_part)]
    return tuple(dict.fromkeys(url for url in found if safe_url(url)))


# --- the interface ----------------------------------------------------------------------------


# The layout depends only on a message's shape (which blocks, how many lines, which fields
# are empty, the branding's colours), so each shape is rendered through Django and mrml
# once, with numbered slots where the customer's own words go, and every email only fills
# the slots: the template engine and MJML cost milliseconds, filling microseconds.
_SLOT = "lcslot{:05d}x"
_SLOTS = re.compile(r"lcslot(\d{5})x")
#: fields the templates branch on or put in CSS: part of the shape, never slotted
_SHAPE_FIELDS = frozenset({"template", "language", "style"})


def _with_slots(value, values: list[str]):
    if isinstance(value, str):
        if not value:
            return value  # empty stays empty: `{% if %}` must see the same truth
        values.append(value)
        return _SLOT.format(len(values) - 1)
    if isinstance(value, Colors):
        return value
    if dataclasses.is_dataclass(value):
        return dataclasses.replace(
            value,
            **{
                field.name: getattr(value, field.name)
                if field.name in _SHAPE_FIELDS
                else _with_slots(getattr(value, field.name), values)
                for field in dataclasses.fields(value)
            },
        )
    if isinstance(value, tuple):
        return tuple(_with_slots(item, values) for item in value)
    return value


#: where a line break changes nothing a reader sees: before table structure and blocks
_BREAKABLE = re.compile(r"(?=<(?:/?(?:table|tbody|tr|td|div)\b|!--))")
MAX_LINE = 900


def _octets(text: str) -> int:
    return len(text.encode())


def wrap_lines(html_part: str) -> str:
    """Keep lines under SMTP's limit of 998 octets (RFC 5322), breaking only before
    structural tags. mrml writes very long lines, which would force quoted-printable on
    the whole part: that costs more than rendering the email and bloats it by a third."""
    lines = []
    for line in html_part.split("\n"):
        if len(line) <= MAX_LINE // 4 or _octets(line) <= MAX_LINE:
            lines.append(line)
            continue
        current, size = "", 0
        for piece in _BREAKABLE.split(line):
            piece_size = _octets(piece)
            if current and size + piece_size > MAX_LINE:
                lines.append(current)
                current, size = "", 0
            current += piece
            size += piece_size
        lines.append(current)
    return "\n".join(lines)


@functools.lru_cache(maxsize=1024)
def _layout(shape: "Message") -> tuple[str, tuple[str, ...]]:
    html_part, warnings = mjml_to_html(render_mjml(shape))
    return wrap_lines(html_part), tuple(warnings)


def render_html(message: "Message") -> tuple[str, list[str]]:
    """The message's HTML: ``mjml_to_html(render_mjml(message))``, lines wrapped."""
    values: list[str] = []
    html_part, warnings = _layout(_with_slots(message, values))
    filled = _SLOTS.sub(lambda slot: conditional_escape(values[int(slot.group(1))]), html_part)
    # The customer's words can lengthen a line past the limit: wrap again (cheap when none did).
    return wrap_lines(filled), list(warnings)


def render_email(template: str, *, language: str, context: dict, branding: Branding) -> RenderedEmail:
    """Render one lifecycle email. Raises UnknownTemplate, UnknownLanguage or RenderError."""
    message = build_message(template, language=language, context=context, branding=branding)
    html_part, warnings = render_html(message)
    if warnings:
        logger.warning("mrml warned about an email", extra={"template": template, "warnings": warnings})
    text_part = render_text(message)
    return RenderedEmail(
        subject=message.subject,
        preheader=message.preheader,
        html=html_part,
        text=text_part,
        links=collect_links(html_part, text_part),
    )


# --- samples for previews and tests ---------------------------------------------------------

SAMPLE_EXPIRY = datetime(2025, 6, 14, 21, 59, tzinfo=dt_timezone.utc)
SAMPLE_OFFERS = {
    "percentage": {"kind": "percentage", "value": 10},
    "free_shipping": {"kind": "free_shipping"},
    "fixed_amount": {"kind": "fixed_amount", "value": 20, "currency": "PLN"},
}
#: the templates whose discount is the reactivation one (15 %)
SAMPLE_BIGGER_DISCOUNT = {"reactivation_discount", "reactivation_last_day"}


def sample_picture(label: str, background: str, accent: str) -> str:
    """A small product picture as an inline SVG data URI (previews work offline)."""
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="240" viewBox="0 0 240 240">'
        f'<rect width="240" height="240" rx="24" fill="{background}"/>'
        f'<circle cx="120" cy="104" r="56" fill="{accent}" opacity="0.85"/>'
        f'<rect x="60" y="176" width="120" height="14" rx="7" fill="{accent}" opacity="0.5"/>'
        f'<text x="120" y="122" font-family="Helvetica, Arial, sans-serif" font-size="52" font-weight="700" '
        f'fill="#ffffff" text-anchor="middle">{label}</text></svg>'
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def sample_branding(*, logo: bool = False) -> Branding:
    """A made-up shop for previews; ``logo`` adds an inline SVG logo."""
    logo_url = None
    if logo:
        svg = (
            '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="72" viewBox="0 0 320 72">'
            '<circle cx="36" cy="36" r="26" fill="#0f766e"/><circle cx="46" cy="28" r="22" fill="#ffffff"/>'
            '<text x="78" y="48" font-family="Georgia, serif" font-size="36" fill="#134e4a">Lumen &amp; Oak</text>'
            "</svg>"
        )
        logo_url = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    return Branding(
        shop_name="Lumen & Oak",
        logo_url=logo_url,
        primary_color="#0f766e",
        text_color="#1f2937",
        footer_address="Lumen & Oak sp. z o.o.\nul. Długa 5, 00-238 Warszawa, Poland",
        storefront_url="https://shop.example.com",
    )


def sample_context(template: str) -> dict:
    """Sample data for previews and tests: what the pipeline would pass for this template."""
    if template not in LAYOUTS:
        raise UnknownTemplate(f"no email template {template!r}")
    layout = LAYOUTS[template]
    context = {
        "first_name": "Anna",
        "time_zone": "Europe/Warsaw",
        "currency": "PLN",
        "shop_url": "https://shop.example.com/",
        "unsubscribe_url": "https://lifecycle.example.com/unsubscribe/sample-token",
        "view_in_browser_url": f"https://lifecycle.example.com/email/{template}/sample-token",
    }
    if "survey_url" in layout.button:
        context["survey_url"] = "https://survey.example.com/s/how-are-we-doing?customer=sample"
    if layout.cart:
        context["checkout_url"] = "https://shop.example.com/checkout/?token=sample&utm_source=lifecycle"
        context["cart_lines"] = [
            {"product_name": "Linen shirt", "variant_name": "M / Sage", "quantity": 1, "total": "189.00",
             "currency": "PLN", "thumbnail_url": sample_picture("L", "#dcfce7", "#15803d")},
            {"product_name": "Ceramic mug", "variant_name": "Sand, 350 ml", "quantity": 2, "total": "98.00",
             "currency": "PLN", "thumbnail_url": sample_picture("C", "#fef3c7", "#b45309")},
            {"product_name": "Beeswax candle", "variant_name": "", "quantity": 1, "total": "45.00",
             "currency": "PLN", "thumbnail_url": sample_picture("B", "#e0e7ff", "#4338ca")},
        ]
    if layout.offer:
        offer = dict(SAMPLE_OFFERS[layout.offer])
        if layout.offer == "percentage" and template in SAMPLE_BIGGER_DISCOUNT:
            offer["value"] = 15
        prefix = {"percentage": "SAVE", "free_shipping": "SHIPFREE", "fixed_amount": "THANKS"}[layout.offer]
        offer.update(code=f"{prefix}-7Q2M", expires_at=SAMPLE_EXPIRY)
        if template == "reactivation_last_day":
            offer["expires_at"] = SAMPLE_EXPIRY - timedelta(days=6)
        context["offer"] = offer
    if layout.recommendations:
        context["recommendations"] = [
            {"product_name": "Stoneware bowl", "url": "https://shop.example.com/products/stoneware-bowl",
             "thumbnail_url": sample_picture("S", "#fce7f3", "#be185d"), "price": "59.00"},
            {"product_name": "Wool throw", "url": "https://shop.example.com/products/wool-throw",
             "thumbnail_url": sample_picture("W", "#e0f2fe", "#0369a1"), "price": "249.00"},
            {"product_name": "Oak serving board", "url": "https://shop.example.com/products/oak-board",
             "thumbnail_url": sample_picture("O", "#fef9c3", "#a16207"), "price": "119.00"},
        ]
    return context
