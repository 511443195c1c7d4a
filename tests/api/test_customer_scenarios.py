"""Staff see a customer's predictions, scenarios, emails and codes, and pause their emails."""

from datetime import timedelta

import pytest
import time_machine

from saleor_lifecycle.customers.models import Customer
from saleor_lifecycle.mail.consent import why_not_mail
from saleor_lifecycle.mail.models import MailSettings
from saleor_lifecycle.offers.models import IssuedCode
from saleor_lifecycle.scenarios import engine
from saleor_lifecycle.scenarios.models import StepRun, StepRunStatus

from .conftest import NOW, buy, register_customer

PROFILE = """
query($email: String) {
  customer(email: $email) {
    id pAlive clv messagesPaused messagesPausedAt
    enrollments {
      scenario { key name } version status currentStep nextRunAt heldOut enteredAt finishedAt exitReason
    }
    messages { scenario { key } step template status reason sentAt openedAt clickedAt bouncedAt }
    nextPlannedStep { scenario { key name } step kind at notes }
    offers { code kind value expiresAt status used }
  }
}
"""
PAUSE = """
mutation($id: ID!, $paused: Boolean!) {
  customerSetMessagesPaused(id: $id, paused: $paused) {
    customer { email messagesPaused messagesPausedAt }
    errors { field code message }
  }
}
"""
ME_OFFERS = "{ me { offers { code kind value status used } } }"


@pytest.fixture
def ada(fake_saleor, installation, enable, services):
    """Ada registered at NOW and entered the welcome series; its first email went out."""
    enable("welcome")
    with time_machine.travel(NOW, tick=False):
        user = fake_saleor.add_customer(email="ada@example.com", firstName="Ada")
        register_customer(installation, user, days_ago=0)
        engine.run_due(NOW, services=services)
    return user


def profile(graphql, token):
    answer = graphql(PROFILE, {"email": "ada@example.com"}, token=token)
    assert answer.errors == [], answer.errors
    return answer.data["customer"]


@time_machine.travel(NOW, tick=False)
def test_it_shows_the_customers_scenarios_emails_and_next_step(graphql, staff_token, ada, sender):
    Customer.objects.filter(email="ada@example.com").update(p_alive=0.82, clv="123.45")

    customer = profile(graphql, staff_token)

    assert (customer["pAlive"], customer["clv"], customer["messagesPaused"]) == (0.82, 123.45, False)
    assert customer["enrollments"] == [
        {
            "scenario": {"key": "welcome", "name": "Welcome series"},
            "version": 1,
            "status": "ACTIVE",
            "currentStep": "welcome_first_order_coupon",
            "nextRunAt": (NOW + timedelta(days=2)).isoformat(),
            "heldOut": False,
            "enteredAt": NOW.isoformat(),
            "finishedAt": None,
            "exitReason": "",
        }
    ]
    assert customer["messages"] == [
        {
            "scenario": {"key": "welcome"},
            "step": "welcome_hello",
            "template": "welcome_hello",
            "status": "SENT",
            "reason": "",
            "sentAt": NOW.isoformat(),
            "openedAt": None,
            "clickedAt": None,
            "bouncedAt": None,
        }
    ]
    assert customer["nextPlannedStep"] == {
        "scenario": {"key": "welcome", "name": "Welcome series"},
        "step": "welcome_first_order_coupon",
        "kind": "send",
        "at": (NOW + timedelta(days=2)).isoformat(),
        "notes": ["stops when: bounced, ordered, unsubscribed"],
    }
    assert customer["offers"] == []
    assert len(sender.sent) == 1


def test_it_shows_staff_every_code_and_the_storefront_only_usable_ones(
    graphql, staff_token, fake_saleor, installation, ada, services
):
    later = NOW + timedelta(days=2)
    with time_machine.travel(later, tick=False):
        engine.run_due(later, services=services)  # the second email carries a 10 % code
        code = IssuedCode.objects.get()
        staff = fake_saleor.issue_thirdparty_token(user_permissions=["MANAGE_USERS"])
        customer_token = fake_saleor.issue_access_token(ada)

        assert profile(graphql, staff)["offers"] == [
            {"code": code.code, "kind": "percentage", "value": 10.0, "expiresAt": code.expires_at.isoformat(),
             "status": "ACTIVE", "used": False}
        ]
        assert graphql(ME_OFFERS, token=customer_token).data["me"]["offers"] == [
            {"code": code.code, "kind": "percentage", "value": 10.0, "status": "ACTIVE", "used": False}
        ]

        IssuedCode.objects.filter(pk=code.pk).update(redeemed_order=buy(installation, ada, 1, days_ago=-2))

        assert graphql(ME_OFFERS, token=customer_token).data["me"]["offers"] == []
        assert [(o["status"], o["used"]) for o in profile(graphql, staff)["offers"]] == [("USED", True)]


def test_a_paused_customer_gets_nothing_from_a_step_that_falls_due(
    graphql, fake_saleor, installation, ada, services, sender
):
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        staff = fake_saleor.issue_thirdparty_token(user_permissions=["MANAGE_USERS"])
        customer_id = profile(graphql, staff)["id"]
        answer = graphql(PAUSE, {"id": customer_id, "paused": True}, token=staff)
    assert answer.data["customerSetMessagesPaused"] == {
        "customer": {
            "email": "ada@example.com",
            "messagesPaused": True,
            "messagesPausedAt": (NOW + timedelta(hours=1)).isoformat(),
        },
        "errors": [],
    }

    later = NOW + timedelta(days=2)
    with time_machine.travel(later, tick=False):
        staff = fake_saleor.issue_thirdparty_token(user_permissions=["MANAGE_USERS"])
        engine.run_due(later, services=services)
        customer = profile(graphql, staff)

    assert len(sender.sent) == 1  # only the welcome sent before the pause
    assert IssuedCode.objects.count() == 0  # no code made for a skipped email
    coupon = StepRun.objects.get(step_key="welcome_first_order_coupon")
    assert (coupon.status, coupon.error) == (StepRunStatus.SKIPPED, "messages paused")
    assert customer["messages"][0]["status"] == "SKIPPED"
    assert customer["messages"][0]["reason"] == "messages paused"
    assert customer["enrollments"][0]["status"] == "COMPLETED"


def test_a_pause_stops_non_marketing_email_too_and_resuming_clears_it(graphql, staff_token, installation, ada):
    row = Customer.objects.get(email="ada@example.com")
    settings = MailSettings.for_installation(installation)
    customer_id = profile(graphql, staff_token)["id"]

    graphql(PAUSE, {"id": customer_id, "paused": True}, token=staff_token)
    row.refresh_from_db()
    assert why_not_mail(row, settings, marketing=False) == "messages paused"

    again = graphql(PAUSE, {"id": customer_id, "paused": True}, token=staff_token).data["customerSetMessagesPaused"]
    assert again["customer"]["messagesPausedAt"] == row.messages_paused_at.isoformat()  # the first moment stays

    resumed = graphql(PAUSE, {"id": customer_id, "paused": False}, token=staff_token).data["customerSetMessagesPaused"]
    assert resumed["customer"]["messagesPaused"] is False
    row.refresh_from_db()
    assert why_not_mail(row, settings, marketing=False) is None


def test_it_answers_an_unknown_customer_with_a_typed_error(graphql, staff_token, installation):
    answer = graphql(PAUSE, {"id": "Q3VzdG9tZXI6OTk5OTk=", "paused": True}, token=staff_token)

    assert answer.data["customerSetMessagesPaused"]["customer"] is None
    assert answer.data["customerSetMessagesPaused"]["errors"] == [
        {"field": "id", "code": "NOT_FOUND", "message": "The shop has no customer 'Q3VzdG9tZXI6OTk5OTk='."}
    ]


def test_it_refuses_to_pause_without_manage_users(graphql, fake_saleor, installation, ada):
    token = fake_saleor.issue_thirdparty_token(user_permissions=["MANAGE_ORDERS"])
    customer_id = profile(graphql, fake_saleor.issue_thirdparty_token(user_permissions=["MANAGE_USERS"]))["id"]

    answer = graphql(PAUSE, {"id": customer_id, "paused": True}, token=token)

    assert answer.error_codes == ["PermissionDenied"]
    assert Customer.objects.get(email="ada@example.com").messages_paused_at is None


def test_it_never_pauses_another_shops_customer(graphql, staff_token, installation, ada, other_shop):
    customer_id = profile(graphql, staff_token)["id"]
    theirs = other_shop.issue_thirdparty_token(user_permissions=["MANAGE_USERS"])

    answer = graphql(PAUSE, {"id": customer_id, "paused": True}, token=theirs)

    assert answer.data["customerSetMessagesPaused"]["errors"][0]["code"] == "NOT_FOUND"
    assert graphql(PROFILE, {"email": "ada@example.com"}, token=theirs).data["customer"] is None
    assert Customer.objects.get(email="ada@example.com").messages_paused_at is None
