"""Staff read and change the shop's mail settings and contact policy; refused values are typed errors."""

from datetime import time

import pytest

from saleor_lifecycle.mail.models import MailSettings
from saleor_lifecycle.scenarios.models import ContactPolicy

MAIL = """{ mailSettings { fromEmail replyTo shopName logoUrl primaryColor footerAddress storefrontUrl
  checkoutUrlPattern defaultLanguage consentMetadataKey mailWithoutConsent } }"""
UPDATE_MAIL = """
mutation($input: MailSettingsInput!) {
  updateMailSettings(input: $input) {
    mailSettings { fromEmail shopName primaryColor logoUrl storefrontUrl defaultLanguage mailWithoutConsent }
    errors { field code message }
  }
}
"""
POLICY = "{ contactPolicy { minHoursBetween maxPerWeek quietStart quietEnd timeZone cartIdleMinutes } }"
UPDATE_POLICY = """
mutation($input: ContactPolicyInput!) {
  updateContactPolicy(input: $input) {
    contactPolicy { minHoursBetween maxPerWeek quietStart quietEnd timeZone cartIdleMinutes }
    errors { field code message }
  }
}
"""


def test_it_shows_the_mail_settings_with_their_defaults(graphql, staff_token, installation):
    assert graphql(MAIL, token=staff_token).data["mailSettings"] == {
        "fromEmail": "",
        "replyTo": "",
        "shopName": "Our shop",
        "logoUrl": "",
        "primaryColor": "#4f46e5",
        "footerAddress": "",
        "storefrontUrl": "",
        "checkoutUrlPattern": "{storefront}/checkout?checkout={token}",
        "defaultLanguage": "en",
        "consentMetadataKey": "marketing_consent",
        "mailWithoutConsent": False,
    }


def test_it_changes_only_the_mail_settings_sent(graphql, staff_token, installation):
    changes = {
        "fromEmail": "Kettle & Crumb <hello@kettle.example.com>",
        "shopName": "Kettle & Crumb",
        "primaryColor": "#b45309",
        "storefrontUrl": "https://kettle.example.com",
        "defaultLanguage": "pl",
        "mailWithoutConsent": True,
    }

    answer = graphql(UPDATE_MAIL, {"input": changes}, token=staff_token)

    assert answer.data["updateMailSettings"] == {"mailSettings": {**changes, "logoUrl": ""}, "errors": []}
    stored = MailSettings.objects.get(installation=installation)
    assert (stored.shop_name, stored.footer_address, stored.consent_metadata_key) == ("Kettle & Crumb", "", "marketing_consent")


def test_it_refuses_bad_mail_settings_all_at_once_and_saves_nothing(graphql, staff_token, installation):
    changes = {
        "primaryColor": "red",
        "logoUrl": "javascript:alert(1)",
        "fromEmail": "not an address",
        "shopName": "",
        "defaultLanguage": "de",
        "checkoutUrlPattern": "{storefront}/checkout/{cart}",
        "storefrontUrl": "https://kettle.example.com",
    }

    answer = graphql(UPDATE_MAIL, {"input": changes}, token=staff_token)

    assert answer.data["updateMailSettings"]["mailSettings"] is None
    assert {(e["field"], e["code"]) for e in answer.data["updateMailSettings"]["errors"]} == {
        ("primaryColor", "INVALID"),
        ("logoUrl", "INVALID"),
        ("fromEmail", "INVALID"),
        ("shopName", "REQUIRED"),
        ("defaultLanguage", "INVALID"),
        ("checkoutUrlPattern", "INVALID"),
    }
    assert MailSettings.for_installation(installation).storefront_url == ""


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"shopName": "Kettle\nCrumb"}, "shopName", "Must be a single line."),
        ({"consentMetadataKey": "a\x00b"}, "consentMetadataKey", "Contains a NUL character."),
        ({"storefrontUrl": "ftp://kettle.example.com"}, "storefrontUrl", "Expected an http(s) URL."),
        ({"footerAddress": "x" * 1001}, "footerAddress", "At most 1000 characters."),
    ],
)
def test_it_explains_each_refused_mail_setting(graphql, staff_token, installation, changes, field, message):
    errors = graphql(UPDATE_MAIL, {"input": changes}, token=staff_token).data["updateMailSettings"]["errors"]

    assert [(e["field"], e["message"]) for e in errors] == [(field, message)]


def test_it_shows_and_changes_the_contact_policy(graphql, staff_token, installation):
    assert graphql(POLICY, token=staff_token).data["contactPolicy"] == {
        "minHoursBetween": 16.0, "maxPerWeek": 3, "quietStart": "21:00", "quietEnd": "08:00", "timeZone": "UTC",
        "cartIdleMinutes": 60,
    }

    answer = graphql(UPDATE_POLICY, {"input": {"quietStart": "22:30", "timeZone": "Europe/Warsaw", "maxPerWeek": 2}},
                     token=staff_token)

    assert answer.data["updateContactPolicy"] == {
        "contactPolicy": {"minHoursBetween": 16.0, "maxPerWeek": 2, "quietStart": "22:30", "quietEnd": "08:00",
                          "timeZone": "Europe/Warsaw", "cartIdleMinutes": 60},
        "errors": [],
    }
    policy = ContactPolicy.objects.get(installation=installation)
    assert (policy.quiet_start, policy.time_zone) == (time(22, 30), "Europe/Warsaw")


def test_it_refuses_a_bad_contact_policy_and_saves_nothing(graphql, staff_token, installation):
    changes = {"minHoursBetween": -1, "maxPerWeek": 0, "quietEnd": "25:00", "timeZone": "Mars/Olympus",
               "cartIdleMinutes": 60 * 24 * 8}

    answer = graphql(UPDATE_POLICY, {"input": changes}, token=staff_token)

    assert answer.data["updateContactPolicy"]["errors"] == [
        {"field": "minHoursBetween", "code": "INVALID", "message": "Must be between 0 and 720."},
        {"field": "maxPerWeek", "code": "INVALID", "message": "Must be between 1 and 50."},
        {"field": "quietEnd", "code": "INVALID", "message": 'Expected a time of day like "21:00".'},
        {"field": "timeZone", "code": "INVALID", "message": 'Expected a time zone like "Europe/Warsaw".'},
        {"field": "cartIdleMinutes", "code": "INVALID", "message": "Must be between 5 and 10080."},
    ]
    assert ContactPolicy.for_installation(installation).time_zone == "UTC"


def test_settings_need_manage_users_or_manage_apps(graphql, fake_saleor, installation):
    token = fake_saleor.issue_thirdparty_token(user_permissions=["MANAGE_ORDERS", "MANAGE_DISCOUNTS"])

    for query, variables in ((MAIL, None), (POLICY, None), (UPDATE_MAIL, {"input": {"shopName": "X"}}),
                             (UPDATE_POLICY, {"input": {"maxPerWeek": 1}})):
        assert graphql(query, variables, token=token).error_codes == ["PermissionDenied"]
    assert MailSettings.for_installation(installation).shop_name == "Our shop"
