"""The whole way out: a scenario step sent through a real SMTP server (aiosmtpd)."""

import email
import email.policy
import socket
from datetime import timedelta

import pytest
import time_machine
from aiosmtpd.controller import Controller

from saleor_lifecycle.customers.models import Customer
from saleor_lifecycle.mail.models import MailSettings
from saleor_lifecycle.offers.issuer import SaleorOfferIssuer
from saleor_lifecycle.offers.models import IssuedCode
from saleor_lifecycle.scenarios import carts, engine
from saleor_lifecycle.scenarios.engine import Services
from saleor_lifecycle.scenarios.messages import DjangoEmailSender
from saleor_lifecycle.scenarios.models import StepRun

from ..scenarios.conftest import NOW
from ..scenarios.test_scenarios_run import Clock, checkout, hours


class Inbox:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


def start_smtp_server() -> tuple[Inbox, Controller, int]:
    inbox = Inbox()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return inbox, controller, port


@pytest.fixture
def smtp_inbox(settings):
    inbox, controller, port = start_smtp_server()
    settings.EMAIL_BACKEND = "saleor_lifecycle.mail.backends.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.APP_URL = "https://lifecycle.example.com"
    yield inbox
    controller.stop()


def parts(message) -> dict[str, str]:
    return {part.get_content_type(): part.get_content() for part in message.walk() if not part.is_multipart()}


def test_the_cart_series_arrives_over_smtp_in_the_customers_language(installation, enable, smtp_inbox):
    enable("abandoned_cart")
    MailSettings.objects.filter(installation=installation).update(
        storefront_url="https://shop.example.com", shop_name="Lumen & Oak", from_email="Lumen & Oak <hello@shop.example.com>"
    )
    services = Services(sender=DjangoEmailSender(), offers=SaleorOfferIssuer())
    with time_machine.travel(NOW, tick=False) as traveller:
        carts.do_apply_checkout(installation, checkout(language_code="PL"), now=NOW)
        Customer.objects.update(language_code="PL")
        clock = Clock(traveller, installation, services)
        for at in (1, 2, 49, 73):
            clock.at(hours(at))

    assert len(smtp_inbox.messages) == 3
    first, _, last = smtp_inbox.messages
    assert first["To"] == "ada@example.com"
    assert first["From"] == "Lumen & Oak <hello@shop.example.com>"
    assert first["List-Unsubscribe"].strip().startswith("<https://lifecycle.example.com/m/u/")
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    body = parts(first)
    assert set(body) == {"text/plain", "text/html"}
    assert 'lang="pl"' in body["text/html"]
    assert "Mug" in body["text/plain"] and "Mug" in body["text/html"]
    assert "https://shop.example.com/checkout?checkout=0b5f6f0e" in body["text/plain"]
    assert "/m/o/" in body["text/html"]  # the open pixel
    assert "https://lifecycle.example.com/m/c/" in body["text/html"]  # tracked links

    code = IssuedCode.objects.get().code
    assert code in parts(last)["text/plain"] and code in parts(last)["text/html"]
    # Each message is findable by its Message-ID for the ESP's delivery events.
    assert set(StepRun.objects.values_list("message_id", flat=True)) == {m["Message-ID"] for m in smtp_inbox.messages}


def test_an_smtp_outage_defers_the_step_and_it_is_sent_once_when_the_server_is_back(installation, enable, settings):
    enable("welcome")
    settings.EMAIL_BACKEND = "saleor_lifecycle.mail.backends.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1  # nobody listens
    services = Services(sender=DjangoEmailSender(), offers=None)
    from ..mail.test_consent_and_tracking import ada

    with time_machine.travel(NOW, tick=False):
        ada(installation)
        engine.run_due(NOW, services=services)
    run = StepRun.objects.get()
    assert run.status == "retrying" and "Connection" in run.error

    inbox, controller, settings.EMAIL_PORT = start_smtp_server()
    try:
        with time_machine.travel(NOW + timedelta(minutes=6), tick=False):
            engine.run_due(NOW + timedelta(minutes=6), services=services)
            engine.run_due(NOW + timedelta(minutes=7), services=services)
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
    assert StepRun.objects.get().status == "sent"
