"""Staff list the email templates and preview them with the shop's branding."""

import pytest

from saleor_lifecycle.mail.models import MailSettings

TEMPLATES = "query($language: String) { emailTemplates(language: $language) { key name description languages offerKind cart recommendations } }"
PREVIEW = """
query($template: String!, $language: String, $offer: ScenarioOfferInput) {
  emailPreview(template: $template, language: $language, offer: $offer) { template language subject preheader html text }
}
"""


@pytest.fixture
def branded(installation):
    MailSettings.objects.update_or_create(
        installation=installation,
        defaults={"shop_name": "Kettle & Crumb", "primary_color": "#b45309", "storefront_url": "https://kettle.example.com"},
    )


def test_it_lists_every_template_with_what_it_is_about(graphql, staff_token, branded):
    templates = graphql(TEMPLATES, token=staff_token).data["emailTemplates"]

    assert len(templates) == 17
    by_key = {template["key"]: template for template in templates}
    assert by_key["welcome_first_order_coupon"]["offerKind"] == "PERCENTAGE"
    assert by_key["cart_reminder_pictures"]["cart"] == "pictures"
    assert by_key["retention_recommendations"]["recommendations"] is True
    assert by_key["welcome_hello"] | {"name": None, "description": None} == {
        "key": "welcome_hello", "name": None, "description": None, "languages": ["en", "pl", "cs"],
        "offerKind": None, "cart": None, "recommendations": False,
    }
    assert all(template["name"] and template["description"] for template in templates)
    polish = graphql(TEMPLATES, {"language": "pl"}, token=staff_token).data["emailTemplates"]
    assert polish[0]["name"] != templates[0]["name"]


def test_it_previews_a_template_with_the_shops_branding(graphql, staff_token, branded):
    preview = graphql(PREVIEW, {"template": "welcome_hello"}, token=staff_token).data["emailPreview"]

    assert (preview["template"], preview["language"]) == ("welcome_hello", "en")
    assert preview["subject"] == "Welcome to Kettle & Crumb, Anna!"
    assert "Kettle &amp; Crumb" in preview["html"]
    assert "#b45309" in preview["html"]
    assert "https://kettle.example.com" in preview["html"]
    assert "Kettle & Crumb" in preview["text"]


def test_it_previews_in_another_language_with_a_steps_offer(graphql, staff_token, branded):
    offer = {"kind": "PERCENTAGE", "value": 25, "validDays": 3}

    preview = graphql(PREVIEW, {"template": "cart_last_chance", "language": "pl", "offer": offer}, token=staff_token)

    assert preview.errors == []
    text = preview.data["emailPreview"]["text"]
    assert "LC-PREVIEW42" in text
    assert "25" in text
    assert preview.data["emailPreview"]["language"] == "pl"


@pytest.mark.parametrize(
    "variables, message",
    [
        ({"template": "no_such_email"}, "No email template 'no_such_email'; see emailTemplates."),
        ({"template": "welcome_hello", "language": "de"}, "No email copy in 'de'; languages: en, pl, cs."),
        ({"template": "cart_last_chance", "offer": {"kind": "PERCENTAGE", "value": 0}},
         "Argument `offer`: a percentage offer needs a positive value."),
    ],
)
def test_it_explains_what_it_cannot_preview(graphql, staff_token, installation, variables, message):
    answer = graphql(PREVIEW, variables, token=staff_token)

    assert answer.data is None
    assert [error["message"] for error in answer.errors] == [message]
    assert answer.errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_staff_without_manage_users_get_no_templates(graphql, fake_saleor, installation):
    token = fake_saleor.issue_thirdparty_token(user_permissions=["MANAGE_ORDERS"])

    assert graphql(TEMPLATES, token=token).error_codes == ["PermissionDenied"]
    assert graphql(PREVIEW, {"template": "welcome_hello"}, token=token).error_codes == ["PermissionDenied"]
