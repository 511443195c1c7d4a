"""The lifecycle emails as a customer reads them: subject, HTML, plain text and links."""

import io
import json
from datetime import datetime, timezone

import pytest
from django.core.management import call_command
from django.utils.html import escape

from saleor_lifecycle.mail import catalogue
from saleor_lifecycle.mail.render import (
    LANGUAGES,
    TEMPLATES,
    Branding,
    UnknownLanguage,
    UnknownTemplate,
    build_message,
    mjml_to_html,
    pick_language,
    render_email,
    render_mjml,
    sample_branding,
    sample_context,
)

NBSP = "\u00a0"
BRANDING = sample_branding()
EXPECTED_TEMPLATES = {
    "welcome_hello", "welcome_first_order_coupon", "first_purchase_thank_you", "first_purchase_care",
    "first_purchase_cross_sell", "retention_recommendations", "retention_loyalty", "cart_reminder",
    "cart_reminder_pictures", "cart_last_chance", "reactivation_checkin", "reactivation_free_shipping",
    "reactivation_code_expires", "reactivation_discount", "reactivation_last_day", "sunset_goodbye",
    "welcome_back",
}

#: what each subject must say, per language (the guides' wording for each step)
SUBJECT_SAYS = {
    "welcome_hello": ("Welcome", "Witaj", "Vítejte"),
    "welcome_first_order_coupon": ("first order", "pierwsze zamówienie", "první objednávku"),
    "first_purchase_thank_you": ("Thank you for your order", "Dziękujemy za zamówienie", "Děkujeme za Vaši objednávku"),
    "first_purchase_care": ("tips", "porad", "tipů"),
    "first_purchase_cross_sell": ("Picked for you", "Wybraliśmy coś dla Ciebie", "vybrali jsme pro Vás"),
    "retention_recommendations": ("new for you", "nowego dla Ciebie", "novinky"),
    "retention_loyalty": ("Thank you for being with us", "Dziękujemy, że jesteś z nami", "Děkujeme, že jste s námi"),
    "cart_reminder": ("in your cart", "w Twoim koszyku", "košíku"),
    "cart_reminder_pictures": ("Still thinking", "Wciąż się zastanawiasz", "Ještě se rozmýšlíte"),
    "cart_last_chance": ("10% off on your cart", "10% zniżki na Twój koszyk", f"Sleva 10{NBSP}% na Váš nákup"),
    "reactivation_checkin": ("haven't seen you", "Dawno Cię u nas nie było", "Dlouho jsme se neviděli"),
    "reactivation_free_shipping": ("Shipping is on us", "Dostawa na nasz koszt", "Dopravu platíme my"),
    "reactivation_code_expires": ("free-shipping code expires soon", "wkrótce wygaśnie", "brzy vyprší"),
    "reactivation_discount": ("We miss you", "Tęsknimy za Tobą", "Chybíte nám"),
    "reactivation_last_day": ("24 more hours", "24 godziny", "24 hodin"),
    "sunset_goodbye": ("stop writing", "przestać do Ciebie pisać", "přestat psát"),
    "welcome_back": ("Welcome back", "Witaj ponownie", "Vítejte zpět"),
}

CART_LINES = [
    {"product_name": "Linen shirt", "variant_name": "M / Sage", "quantity": 1, "total": "189.00",
     "currency": "PLN", "thumbnail_url": "https://cdn.example.com/shirt.png"},
    {"product_name": "Ceramic mug", "variant_name": "Sand", "quantity": 2, "total": "1290", "currency": "CZK",
     "thumbnail_url": "https://cdn.example.com/mug.png"},
]
OFFER = {"code": "BACK-15", "kind": "percentage", "value": 15,
         "expires_at": datetime(2025, 6, 14, 21, 59, tzinfo=timezone.utc)}
RECOMMENDATIONS = [
    {"product_name": "Wool throw", "url": "https://shop.example.com/p/wool-throw",
     "thumbnail_url": "https://cdn.example.com/throw.png", "price": "249.00"},
    {"product_name": "Oak board", "url": "https://shop.example.com/p/oak-board", "thumbnail_url": None,
     "price": 119},
]
CHECKOUT_URL = "https://shop.example.com/checkout/?token=abc&utm_source=lifecycle"
UNSUBSCRIBE_URL = "https://lifecycle.example.com/unsubscribe/t0ken"


def render(template: str, language: str = "en", branding: Branding = BRANDING, **context):
    return render_email(template, language=language, context=context, branding=branding)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("template", TEMPLATES)
def test_it_renders_every_template_in_every_language(template, language):
    message = build_message(template, language=language, context=sample_context(template), branding=BRANDING)
    html, warnings = mjml_to_html(render_mjml(message))
    assert warnings == []

    email = render_email(template, language=language, context=sample_context(template), branding=BRANDING)

    says = SUBJECT_SAYS[template][LANGUAGES.index(language)]
    assert says.lower() in email.subject.lower()
    # The same email as the full render (see test_render_cache), lines wrapped.
    assert email.html.replace("\n", "") == html.replace("\\u{a0}", "\xa0").replace("\n", "")
    assert email.preheader and escape(email.preheader) in email.html
    assert escape(message.heading) in email.html
    assert f'lang="{language}"' in email.html
    assert message.heading in email.text
    for paragraph in message.paragraphs:
        assert paragraph in email.text
    for text in (email.subject, email.preheader, email.text):
        assert "{" not in text and "None" not in text
    assert ">None<" not in email.html and "{{" not in email.html
    assert "\n" not in email.subject


def test_it_has_every_template_the_scenarios_send():
    from saleor_lifecycle.scenarios.library import BUILT_IN

    sent = {step["template"] for scenario in BUILT_IN for step in scenario["steps"] if "template" in step}
    assert set(TEMPLATES) == EXPECTED_TEMPLATES
    assert sent <= set(TEMPLATES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_validates_the_copy_in_every_situation(language):
    data = json.loads((catalogue.COPY_DIR / f"{language}.json").read_text(encoding="utf-8"))
    catalogue.validate(language, data)

    data["templates"]["cart_reminder"]["subject"] = "Your {cart} is waiting"
    with pytest.raises(catalogue.CatalogueError, match="unknown placeholder"):
        catalogue.validate(language, data)

    data["templates"]["cart_reminder"]["subject"] = "Welcome, {name}!"
    with pytest.raises(catalogue.CatalogueError, match="cart_reminder.subject has nothing"):
        catalogue.validate(language, data)

    del data["templates"]["welcome_back"]
    with pytest.raises(catalogue.CatalogueError, match="missing templates"):
        catalogue.validate(language, data)


@pytest.mark.parametrize(
    ("saleor_code", "expected"),
    [("EN", "en"), ("EN_US", "en"), ("PL", "pl"), ("PL_PL", "pl"), ("CS", "cs"), ("CS_CZ", "cs"),
     ("pl-PL", "pl"), ("DE_DE", "en"), ("", "en"), (None, "en")],
)
def test_it_picks_the_language_by_the_saleor_code_prefix(saleor_code, expected):
    assert pick_language(saleor_code) == expected


def test_it_falls_back_to_the_shops_default_language():
    assert pick_language("DE_AT", shop_default="pl") == "pl"
    assert pick_language(None, shop_default="CS_CZ") == "cs"
    assert pick_language("FR", shop_default="fr") == "en"
    assert pick_language("CS", shop_default="pl") == "cs"


def test_it_lists_the_cart_lines_with_prices_in_the_customers_language():
    email = render("cart_reminder", "pl", cart_lines=CART_LINES, checkout_url=CHECKOUT_URL)

    assert "Linen shirt" in email.html and "M / Sage" in email.html
    assert f"189,00{NBSP}zł" in email.html
    assert f"1{NBSP}290,00{NBSP}CZK" in email.html
    assert "Ilość: 2" in email.html
    assert "cdn.example.com/shirt.png" not in email.html  # the 24 h reminder is a list
    assert f"- Ceramic mug (Sand), Ilość: 2, 1{NBSP}290,00{NBSP}CZK" in email.text
    assert f"Wróć do koszyka: {CHECKOUT_URL}" in email.text
    assert 'href="https://shop.example.com/checkout/?token=abc&amp;utm_source=lifecycle"' in email.html


def test_it_shows_the_products_pictures_48_hours_later():
    email = render("cart_reminder_pictures", "cs", cart_lines=CART_LINES, checkout_url=CHECKOUT_URL)

    assert 'src="https://cdn.example.com/shirt.png"' in email.html
    assert 'src="https://cdn.example.com/mug.png"' in email.html
    assert f"1{NBSP}290,00{NBSP}Kč" in email.html
    assert 'alt="Linen shirt"' in email.html


@pytest.mark.parametrize("template", ["cart_reminder", "cart_reminder_pictures", "cart_last_chance"])
def test_it_still_sends_a_cart_reminder_without_the_lines(template):
    email = render(template, "en", checkout_url=CHECKOUT_URL)

    assert "Your cart is saved and ready whenever you are." in email.html
    assert CHECKOUT_URL in email.links
    assert "Return to your cart" in email.text or "Complete your order" in email.text


def test_it_goes_to_the_shop_when_the_checkout_link_is_missing():
    email = render("cart_reminder", "en", cart_lines=CART_LINES)

    assert "Visit the shop: https://shop.example.com" in email.text
    assert "Return to your cart" not in email.text


@pytest.mark.parametrize(
    ("language", "description", "expiry"),
    [
        ("en", "15% off", "14 June 2025, 23:59 (CEST)"),
        ("pl", "15% zniżki", "14 czerwca 2025, godz. 23:59 (CEST)"),
        ("cs", f"Sleva 15{NBSP}%", "14. června 2025 v 23:59 (CEST)"),
    ],
)
def test_it_shows_the_offer_localised_in_the_customers_time_zone(language, description, expiry):
    email = render("reactivation_discount", language, offer=OFFER, time_zone="Europe/Warsaw")

    assert "BACK-15" in email.html and "BACK-15" in email.text
    assert description in email.html and description in email.text
    assert expiry in email.html and expiry in email.text


def test_it_shows_the_expiry_in_utc_without_a_time_zone():
    email = render("reactivation_last_day", "en", offer=OFFER)

    assert "Valid until 14 June 2025, 21:59 (UTC)" in email.text


def test_it_reads_an_expiry_given_as_an_iso_string():
    offer = {**OFFER, "expires_at": "2025-06-14T21:59:00+00:00"}

    email = render("reactivation_last_day", "cs", offer=offer, time_zone="Europe/Prague")

    assert "Platí do 14. června 2025 v 23:59 (CEST)" in email.text


@pytest.mark.parametrize(
    ("offer", "language", "description"),
    [
        ({"code": "SHIP", "kind": "free_shipping"}, "pl", "Darmowa dostawa"),
        ({"code": "SHIP", "kind": "free_shipping"}, "cs", "Doprava zdarma"),
        ({"code": "TWENTY", "kind": "fixed_amount", "value": 20, "currency": "EUR"}, "en", "€20 off"),
        ({"code": "TWENTY", "kind": "fixed_amount", "value": 200, "currency": "CZK"}, "cs", f"Sleva 200{NBSP}Kč"),
        ({"code": "GIVEN", "description": "a surprise gift"}, "en", "A surprise gift"),
    ],
)
def test_it_describes_each_kind_of_offer(offer, language, description):
    email = render("welcome_first_order_coupon", language, offer=offer)

    assert offer["code"] in email.text
    assert description in email.text


def test_it_leaves_out_the_offer_when_there_is_no_code():
    email = render("reactivation_free_shipping", "en")

    assert "Your code" not in email.html
    assert "code below" not in email.text
    assert email.subject == "Let's change that! See what's new"


def test_it_shows_recommendations_when_given():
    email = render("retention_recommendations", "en", recommendations=RECOMMENDATIONS, currency="PLN")

    assert "Wool throw" in email.html and "Oak board" in email.html
    assert 'src="https://cdn.example.com/throw.png"' in email.html
    assert "PLN\u00a0249.00" in email.html and "PLN\u00a0119.00" in email.html
    assert "https://shop.example.com/p/wool-throw" in email.links
    assert "  https://shop.example.com/p/oak-board" in email.text
    assert "Based on what you liked before" in email.text


def test_it_says_something_else_without_recommendations():
    email = render("retention_recommendations", "en")

    assert "You might also like" not in email.html
    assert "Based on what you liked before" not in email.text
    assert "Come and see what is new." in email.text


def test_it_asks_for_the_survey_when_there_is_one():
    survey = "https://survey.example.com/s/1?c=2"

    with_survey = render("reactivation_checkin", "en", survey_url=survey)
    without = render("reactivation_checkin", "en")

    assert f"Take the short survey: {survey}" in with_survey.text
    assert survey in with_survey.links
    assert "survey" not in without.text
    assert "Just reply to this email" in without.text


def test_it_puts_every_link_in_the_text_and_in_links():
    context = sample_context("cart_last_chance")
    email = render_email("cart_last_chance", language="en", context=context, branding=BRANDING)

    assert context["offer"]["code"] in email.text
    assert context["checkout_url"] in email.text
    assert f"Unsubscribe: {context['unsubscribe_url']}" in email.text
    assert context["checkout_url"] in email.links
    assert context["unsubscribe_url"] in email.links
    assert context["view_in_browser_url"] in email.links
    assert all(link.startswith(("http://", "https://")) for link in email.links)
    assert len(email.links) == len(set(email.links))


def test_it_keeps_the_unsubscribe_link_in_the_footer():
    email = render("welcome_hello", "pl", unsubscribe_url=UNSUBSCRIBE_URL)
    without = render("welcome_hello", "pl")

    footer = email.html[email.html.index("Tę wiadomość wysłał") :]
    assert f'href="{UNSUBSCRIBE_URL}"' in footer and "Wypisz się" in footer
    assert "ul. Długa 5, 00-238 Warszawa" in footer
    assert "Wypisz się" not in without.html


def test_it_adds_the_tracking_pixel_at_the_end():
    pixel = "https://lifecycle.example.com/o/abc.gif?s=1&t=2"

    email = render("welcome_back", "en", tracking_pixel_url=pixel, unsubscribe_url=UNSUBSCRIBE_URL)

    tag = '<img src="https://lifecycle.example.com/o/abc.gif?s=1&amp;t=2" width="1" height="1"'
    assert tag in email.html
    assert email.html.index(tag) > email.html.index(UNSUBSCRIBE_URL)
    assert pixel not in email.links  # an image, not a link to track
    assert "abc.gif" not in render("welcome_back", "en").html


@pytest.mark.parametrize(
    ("language", "first_name", "greeting"),
    [
        ("en", None, "Hi there,"),
        ("pl", None, "Dzień dobry!"),
        ("cs", None, "Dobrý den!"),
        ("en", "  Anna ", "Hi Anna,"),
        ("pl", "Anna", "Cześć Anna!"),
        ("cs", "Petr", "Dobrý den, Petře!"),
        ("cs", "Jana", "Dobrý den, Jano!"),
        ("cs", "Zdeněk", "Dobrý den, Zdeňku!"),
        ("cs", "Jean-Luc", "Dobrý den!"),  # no rule for it: no name rather than a wrong case
    ],
)
def test_it_greets_by_name_or_kindly_without_one(language, first_name, greeting):
    email = render("welcome_back", language, first_name=first_name)

    assert greeting in email.html
    assert greeting in email.text


def test_it_uses_the_subject_without_a_name_when_there_is_none():
    assert render("welcome_back", "en", first_name="Anna").subject == "Welcome back, Anna!"
    assert render("welcome_back", "en").subject == "Welcome back!"
    assert render("welcome_back", "cs", first_name="Tomáš").subject == "Vítejte zpět, Tomáši!"


def test_it_escapes_a_hostile_first_name():
    name = '<script>alert("x")</script>'

    email = render("welcome_back", "en", first_name=name)

    assert "<script>" not in email.html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in email.html
    assert email.subject == f"Welcome back, {name}!"  # plain text: the mail client shows it as is
    assert "\n" not in render("welcome_back", "en", first_name="Anna\nBcc: x@example.com").subject


def test_it_keeps_hostile_data_out_of_links_and_styles():
    branding = Branding(
        shop_name='Evil <b>"shop"</b>',
        logo_url="javascript:alert(1)",
        primary_color="red;background:url(https://evil.example/x)",
        storefront_url="javascript:alert(2)",
    )
    email = render(
        "retention_recommendations", "en", branding,
        recommendations=[{"product_name": "<img src=x onerror=alert(3)>", "url": "javascript:alert(4)",
                          "thumbnail_url": "data:text/html,<script>", "price": "<b>1</b>"}],
        unsubscribe_url="javascript:alert(5)",
    )

    assert "javascript:" not in email.html
    assert "evil.example" not in email.html
    assert "<img src=x" not in email.html and "&lt;img src=x onerror=alert(3)&gt;" in email.html
    assert "<b>" not in email.html
    assert "#4f46e5" in email.html  # the default colour instead
    assert email.links == ()


def test_it_refuses_unknown_templates_and_languages():
    with pytest.raises(UnknownTemplate):
        render("birthday", "en")
    with pytest.raises(UnknownLanguage):
        render("welcome_back", "de")
    with pytest.raises(UnknownTemplate):
        sample_context("birthday")


def test_it_previews_an_email_from_the_command_line(tmp_path):
    out = io.StringIO()
    call_command("preview_email", "cart_last_chance", "--language", "cs", "--format", "text", stdout=out)
    assert out.getvalue().startswith(f"Subject: Sleva 10{NBSP}% na Váš nákup")

    call_command("preview_email", "--all", "--language", "pl", "--output-dir", str(tmp_path), stdout=io.StringIO())
    assert sorted(p.name for p in tmp_path.glob("*.pl.html")) == sorted(f"{t}.pl.html" for t in TEMPLATES)
