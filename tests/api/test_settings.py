"""Staff read and change the shop's lifecycle settings; refused values come back as typed errors."""

import pytest

from saleor_lifecycle.api.models import StorefrontAccess
from saleor_lifecycle.customers import tasks
from saleor_lifecycle.customers.models import LifecycleSettings

READ = """{ lifecycleSettings {
  reorderIntervalDays intervalSource reorderIntervalOverrideDays computedReorderIntervalDays computedFromPairs
  defaultReorderIntervalDays atRiskFactor lapsedFactor lapsedMaxDays sunsetAfterLapsedDays writeSaleorMetadata
  storefrontOrigins
} }"""
UPDATE = """
mutation($input: LifecycleSettingsInput!) {
  updateLifecycleSettings(input: $input) {
    lifecycleSettings { reorderIntervalDays intervalSource reorderIntervalOverrideDays atRiskFactor
                        lapsedMaxDays sunsetAfterLapsedDays writeSaleorMetadata storefrontOrigins }
    errors { field code message }
  }
}
"""


@pytest.fixture
def recomputes(monkeypatch):
    """Installation ids whose stage recompute was queued."""
    queued: list[int] = []
    monkeypatch.setattr(tasks.recompute_installation_task, "delay", queued.append)
    return queued


def test_it_shows_the_settings_with_their_defaults(graphql, staff_token):
    answer = graphql(READ, token=staff_token)

    assert answer.data["lifecycleSettings"] == {
        "reorderIntervalDays": 50.0,
        "intervalSource": "default",
        "reorderIntervalOverrideDays": None,
        "computedReorderIntervalDays": None,
        "computedFromPairs": 0,
        "defaultReorderIntervalDays": 50.0,
        "atRiskFactor": 0.9,
        "lapsedFactor": 2.0,
        "lapsedMaxDays": 180.0,
        "sunsetAfterLapsedDays": 365.0,
        "writeSaleorMetadata": True,
        "storefrontOrigins": [],
    }


def test_it_changes_only_the_settings_sent(
    graphql, staff_token, installation, recomputes, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answer = graphql(
            UPDATE,
            {"input": {"reorderIntervalOverrideDays": 30, "writeSaleorMetadata": False}},
            token=staff_token,
        )

    assert answer.data["updateLifecycleSettings"] == {
        "lifecycleSettings": {
            "reorderIntervalDays": 30.0,
            "intervalSource": "override",
            "reorderIntervalOverrideDays": 30.0,
            "atRiskFactor": 0.9,
            "lapsedMaxDays": 180.0,
            "sunsetAfterLapsedDays": 365.0,
            "writeSaleorMetadata": False,
            "storefrontOrigins": [],
        },
        "errors": [],
    }
    assert graphql(READ, token=staff_token).data["lifecycleSettings"]["reorderIntervalDays"] == 30.0
    assert recomputes == [installation.pk]


def test_it_clears_the_override(graphql, staff_token, installation, recomputes):
    graphql(UPDATE, {"input": {"reorderIntervalOverrideDays": 30}}, token=staff_token)

    answer = graphql(UPDATE, {"input": {"reorderIntervalOverrideDays": None}}, token=staff_token)

    settings = answer.data["updateLifecycleSettings"]["lifecycleSettings"]
    assert settings["reorderIntervalOverrideDays"] is None
    assert settings["intervalSource"] == "default"


def test_it_does_not_recompute_stages_when_no_threshold_changed(
    graphql, staff_token, recomputes, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        graphql(UPDATE, {"input": {"writeSaleorMetadata": False, "atRiskFactor": 0.9}}, token=staff_token)

    assert recomputes == []


def test_it_refuses_values_out_of_range_and_saves_nothing(graphql, staff_token, installation):
    answer = graphql(
        UPDATE,
        {"input": {"atRiskFactor": 0, "lapsedMaxDays": None, "sunsetAfterLapsedDays": 1e9, "writeSaleorMetadata": False}},
        token=staff_token,
    )

    assert answer.status == 200
    assert answer.data["updateLifecycleSettings"] == {
        "lifecycleSettings": None,
        "errors": [
            {"field": "atRiskFactor", "code": "INVALID", "message": "Must be between 0.05 and 10."},
            {"field": "lapsedMaxDays", "code": "REQUIRED", "message": "This field cannot be null."},
            {"field": "sunsetAfterLapsedDays", "code": "INVALID", "message": "Must be between 1 and 3650."},
        ],
    }
    assert LifecycleSettings.for_installation(installation).write_saleor_metadata is True


def test_it_sets_the_storefront_origins(graphql, staff_token, installation):
    answer = graphql(
        UPDATE,
        {"input": {"storefrontOrigins": ["https://Shop.Example.com/", "http://localhost:3000", "https://shop.example.com"]}},
        token=staff_token,
    )

    origins = ["https://shop.example.com", "http://localhost:3000"]
    assert answer.data["updateLifecycleSettings"]["lifecycleSettings"]["storefrontOrigins"] == origins
    assert StorefrontAccess.objects.get(installation=installation).allowed_origins == origins


@pytest.mark.parametrize(
    "origin", ["shop.example.com", "ftp://shop.example.com", "https://shop.example.com/path", "https://x:y@shop.example.com", "https://sh\x00op.example.com", "https://shop.example.com:99999"]
)
def test_it_refuses_what_is_not_an_origin(graphql, staff_token, installation, origin):
    answer = graphql(UPDATE, {"input": {"storefrontOrigins": [origin]}}, token=staff_token)

    [error] = answer.data["updateLifecycleSettings"]["errors"]
    assert error["field"] == "storefrontOrigins"
    assert error["code"] == "INVALID"
    assert not StorefrontAccess.objects.filter(installation=installation).exclude(allowed_origins=[]).exists()


def test_it_lets_the_app_token_change_settings(graphql, fake_saleor, installation):
    answer = graphql(UPDATE, {"input": {"lapsedMaxDays": 120}}, token=fake_saleor.app_token)

    assert answer.data["updateLifecycleSettings"]["lifecycleSettings"]["lapsedMaxDays"] == 120.0


def test_it_lets_staff_with_manage_apps_change_settings(graphql, fake_saleor, installation):
    token = fake_saleor.issue_thirdparty_token(user_permissions=["MANAGE_APPS"])

    answer = graphql(UPDATE, {"input": {"lapsedMaxDays": 120}}, token=token)

    assert answer.data["updateLifecycleSettings"]["errors"] == []


def test_it_refuses_staff_without_the_permission(graphql, fake_saleor, installation):
    token = fake_saleor.issue_thirdparty_token(user_permissions=["MANAGE_ORDERS"])

    answer = graphql(UPDATE, {"input": {"lapsedMaxDays": 120}}, token=token)
    read = graphql(READ, token=token)

    assert answer.data == {"updateLifecycleSettings": None}
    assert answer.error_codes == ["PermissionDenied"]
    assert answer.errors[0]["message"] == (
        "To access this path, you need one of the following permissions: MANAGE_APPS, MANAGE_USERS"
    )
    assert read.data is None and read.error_codes == ["PermissionDenied"]
    assert LifecycleSettings.for_installation(installation).lapsed_max_days == 180.0


def test_it_refuses_a_customer(graphql, fake_saleor, installation):
    customer = fake_saleor.add_customer()

    answer = graphql(UPDATE, {"input": {"lapsedMaxDays": 120}}, token=fake_saleor.issue_access_token(customer))

    assert answer.error_codes == ["PermissionDenied"]
