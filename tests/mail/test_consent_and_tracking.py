"""Consent, unsubscribe, tracking, bounces and GDPR: what stops a send, and what is kept."""

import json
from datetime import timedelta

import pytest
import time_machine
from anymail.signals import AnymailTrackingEvent, EventType, tracking
from django.core.management import call_command

from saleor_lifecycle.customers import actions
from saleor_lifecycle.customers.models import Customer, Order
from saleor_lifecycle.events import types
from saleor_lifecycle.mail.consent import why_not_mail
from saleor_lifecycle.mail.models import MailSettings
from saleor_lifecycle.mail.tracking import click_url, open_pixel_url, unsubscribe_url
from saleor_lifecycle.scenarios import carts, engine
from saleor_lifecycle.scenarios.models import Checkout, Enrollment, StepRun, StepRunStatus

from ..customers.conftest import make_order
from ..scenarios.conftest import NOW
from ..scenarios.test_scenarios_run import checkout

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    """Scenario receivers read the clock: everything here happens at NOW."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def ada(installation, metadata=None, now=NOW) -> Customer:
    return actions.do_apply_customer(
        installation,
        types.Customer("VXNlcjox", "ada@example.com", "Ada", "", True, "EN", now, now, metadata or {}),
        now=now,
    )


def deliver_customer_event(installation, metadata):
    from saleor_lifecycle.events.signals import lifecycle_event

    customer = types.Customer("VXNlcjox", "ada@example.com", "Ada", "", True, "EN", NOW, NOW, metadata)
    event = types.CustomerEvent("CUSTOMER_UPDATED", NOW, "3.24", {}, customer=customer)
    lifecycle_event.send(sender=types.CustomerEvent, installation=installation, event=event)
    return Customer.objects.get(saleor_user_id="VXNlcjox")


def path_of(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def test_only_customers_marked_as_consenting_get_marketing_by_default(installation):
    settings = MailSettings.for_installation(installation)
    assert deliver_customer_event(installation, {}).marketing_consent is None
    customer = Customer.objects.get()
    assert why_not_mail(customer, settings, marketing=True) == "marketing consent not given"
    assert why_not_mail(customer, settings, marketing=False) is None

    customer = deliver_customer_event(installation, {"marketing_consent": "yes"})
    assert customer.marketing_consent is True
    assert why_not_mail(customer, settings, marketing=True) is None

    customer = deliver_customer_event(installation, {"marketing_consent": "false"})
    assert why_not_mail(customer, settings, marketing=True) == "no marketing consent"


def test_the_consent_key_is_configurable(installation):
    MailSettings.objects.update_or_create(installation=installation, defaults={"consent_metadata_key": "newsletter"})
    assert deliver_customer_event(installation, {"newsletter": "subscribed"}).marketing_consent is True


def test_one_click_unsubscribe_stops_sends_and_the_page_lets_them_come_back(client, installation, enable, services, sender):
    enable("welcome")
    customer = ada(installation)
    url = unsubscribe_url(customer.pk)

    response = client.post(path_of(url), data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.unsubscribed_at and customer.marketing_consent is False
    assert customer.stage == "sunset"
    engine.run_due(NOW, services=services)
    assert sender.sent == []
    assert Enrollment.objects.get().exit_reason == "unsubscribed"

    page = client.get(path_of(url))
    assert b"Subscribe again" in page.content
    client.post(path_of(url), {"action": "resubscribe"})
    customer.refresh_from_db()
    assert customer.unsubscribed_at is None and customer.marketing_consent is True
    assert customer.stage == "prospect"


def test_a_forged_unsubscribe_token_is_refused(client, installation):
    assert client.post("/m/u/not-a-token", data="List-Unsubscribe=One-Click", content_type="text/plain").status_code == 404


def test_opens_and_clicks_are_recorded_and_clicks_go_only_where_the_message_pointed(client, installation, enable, services):
    enable("welcome")
    ada(installation)
    engine.run_due(NOW, services=services)
    run = StepRun.objects.get()

    assert client.get(path_of(open_pixel_url(run.pk))).status_code == 200
    response = client.get(path_of(click_url(run.pk, "https://shop.example.com/sale")))
    assert (response.status_code, response["Location"]) == (302, "https://shop.example.com/sale")
    run.refresh_from_db()
    assert run.opened_at and run.clicked_at

    # Someone else's destination with our signature: refused, no open redirect.
    genuine = click_url(run.pk, "https://shop.example.com/").rsplit("/", 1)[1]
    evil = click_url(run.pk, "https://evil.example.com/").rsplit("/", 1)[1]
    forged = evil.split(":", 1)[0] + ":" + genuine.split(":", 1)[1]
    assert client.get(f"/m/c/{forged}").status_code == 404
    assert client.get("/m/c/" + "x" * 20).status_code == 404


@pytest.mark.parametrize(("event_type", "reason"), [(EventType.BOUNCED, "bounced"), (EventType.COMPLAINED, "complaint")])
def test_a_hard_bounce_or_complaint_suppresses_the_address_and_stops_the_scenarios(
    installation, enable, services, sender, event_type, reason
):
    enable("welcome")
    ada(installation)
    engine.run_due(NOW, services=services)
    run = StepRun.objects.get()
    StepRun.objects.filter(pk=run.pk).update(message_id="<msg-1@example.com>")
    event = AnymailTrackingEvent(event_type=event_type, message_id="<msg-1@example.com>", recipient="ada@example.com")
    tracking.send(sender=object, event=event, esp_name="Test")
    engine.run_due(NOW + timedelta(days=3), services=services)

    customer = Customer.objects.get()
    assert customer.suppressed_at and customer.suppression_reason == reason
    assert len(sender.sent) == 1
    assert Enrollment.objects.get().status == "exited"
    assert StepRun.objects.get().bounced_at or event_type == EventType.COMPLAINED


def test_delivered_events_are_recorded_on_the_message(installation, enable, services):
    enable("welcome")
    ada(installation)
    engine.run_due(NOW, services=services)
    StepRun.objects.update(message_id="<m@x>")
    tracking.send(sender=object, event=AnymailTrackingEvent(event_type=EventType.DELIVERED, message_id="<m@x>"), esp_name="Test")
    assert StepRun.objects.get().delivered_at is not None


def test_gdpr_export_has_everything_and_erase_keeps_only_anonymous_counts(installation, capsys):
    customer = ada(installation)
    actions.do_apply_order(installation, make_order(1, created=NOW, user_id="VXNlcjox"), now=NOW)
    carts.do_apply_checkout(installation, checkout(user_id="VXNlcjox"), now=NOW)

    call_command("gdpr", "export", "ada@example.com")
    exported = json.loads(capsys.readouterr().out)
    assert exported["customer"]["email"] == "ada@example.com"
    assert exported["orders"][0]["lines"][0]["product_name"] == "Mug"
    assert exported["checkouts"][0]["email"] == "ada@example.com"

    call_command("gdpr", "erase", "ada@example.com")
    customer.refresh_from_db()
    assert (customer.email, customer.first_name, customer.saleor_user_id) == ("", "", None)
    assert customer.orders_count == 1
    assert Order.objects.get().email == ""
    assert Checkout.objects.get().email == "" and Checkout.objects.get().lines == []


def test_customer_deleted_in_saleor_erases_and_stops_everything(installation, enable):
    enable("welcome")
    ada(installation)
    assert Enrollment.objects.get().status == "active"
    actions.do_erase_customer(installation, "VXNlcjox", now=NOW)
    assert Enrollment.objects.get().exit_reason == "customer erased"
