"""Webhook ingestion: verify Saleor's signature, store each event once, queue it."""

import base64
import json

import pytest
import time_machine
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from django.test import Client
from jwcrypto import jwk

from saleor_lifecycle.events.models import DeliveryStatus, WebhookDelivery
from saleor_lifecycle.events.registry import WEBHOOKS
from saleor_lifecycle.saleor_app.models import Installation, active_installations

from .saleor_events import render


def post(client, fake_saleor, event, payload, **options):
    body, headers = fake_saleor.delivery_request(event, payload, **options)
    return client.post(
        f"/api/webhooks/{WEBHOOKS[event].slug}", data=body, content_type="application/json", headers=headers
    )


@pytest.mark.parametrize("event", sorted(WEBHOOKS))
def test_each_event_is_verified_and_stored_once_when_posted_three_times(
    client, fake_saleor, installation, queued, django_capture_on_commit_callbacks, event
):
    payload = render(fake_saleor, event)

    with django_capture_on_commit_callbacks(execute=True):
        responses = [post(client, fake_saleor, event, payload) for _ in range(3)]

    assert [response.status_code for response in responses] == [200, 200, 200]
    assert [response.json()["duplicate"] for response in responses] == [False, True, True]
    delivery = WebhookDelivery.objects.get()
    assert delivery.event_type == event
    assert delivery.status == DeliveryStatus.PENDING
    assert json.loads(bytes(delivery.body)) == payload
    assert delivery.headers["Saleor-Event"] == event.lower()
    assert queued == [(delivery.pk, {})]


def test_a_body_changed_by_one_byte_is_rejected_and_not_stored(client, fake_saleor, installation):
    payload = render(fake_saleor, "ORDER_CREATED")
    response = post(client, fake_saleor, "ORDER_CREATED", payload, tamper=lambda body: body.replace(b"1", b"2", 1))

    assert response.status_code == 401
    assert not WebhookDelivery.objects.exists()


def test_a_signature_without_crit_is_accepted(client, fake_saleor, installation):
    # Whether Saleor adds crit: ["b64"] depends on its PyJWT version.
    response = post(client, fake_saleor, "ORDER_CREATED", render(fake_saleor, "ORDER_CREATED"), crit=False)
    assert response.status_code == 200


def test_an_unknown_key_refetches_the_jwks_once_then_is_rejected(client, fake_saleor, installation):
    stranger = jwk.JWK.generate(kty="RSA", size=2048, kid="not-saleors")
    fetches = fake_saleor.jwks_fetches

    with time_machine.travel(installation.jwks_fetched_at.timestamp() + 60, tick=False):
        response = post(client, fake_saleor, "ORDER_CREATED", render(fake_saleor, "ORDER_CREATED"), key=stranger)
        again = post(client, fake_saleor, "ORDER_CREATED", render(fake_saleor, "ORDER_UPDATED"), key=stranger)

    assert response.status_code == 401
    assert again.status_code == 401
    assert fake_saleor.jwks_fetches == fetches + 1  # the second one is rate-limited
    assert not WebhookDelivery.objects.exists()


def test_a_rotated_saleor_key_is_picked_up_from_the_jwks(client, fake_saleor, installation):
    fake_saleor.rotate_key()
    with time_machine.travel(installation.jwks_fetched_at.timestamp() + 60, tick=False):
        response = post(client, fake_saleor, "ORDER_CREATED", render(fake_saleor, "ORDER_CREATED"))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {"Saleor-Signature": None},
        {"Saleor-Api-Url": None},
        {"Saleor-Api-Url": "https://another-shop.example.com/graphql/"},
        {"Saleor-Signature": "not-a-jws"},
        {"Saleor-Signature": "eyJhbGciOiJIUzI1NiJ9..c2ln"},  # {"alg":"HS256"}
    ],
)
def test_requests_not_provably_from_the_installed_saleor_are_rejected(client, fake_saleor, installation, headers):
    response = post(client, fake_saleor, "ORDER_CREATED", render(fake_saleor, "ORDER_CREATED"), headers=headers)
    assert response.status_code == 401
    assert "error" in response.json()
    assert not WebhookDelivery.objects.exists()


def test_an_uninstalled_shop_is_rejected(client, fake_saleor, installation):
    installation.is_active = False
    installation.save()
    assert post(client, fake_saleor, "ORDER_CREATED", render(fake_saleor, "ORDER_CREATED")).status_code == 401


def test_a_shop_deactivated_by_another_process_is_rejected_once_its_cached_installation_expires(
    client, fake_saleor, installation, monkeypatch
):
    now = [1000.0]
    monkeypatch.setattr(active_installations, "clock", lambda: now[0])
    assert post(client, fake_saleor, "ORDER_CREATED", render(fake_saleor, "ORDER_CREATED")).status_code == 200

    Installation.objects.filter(pk=installation.pk).update(is_active=False)  # no signal, as APP_DELETED does
    now[0] += active_installations.ttl + 0.1

    assert post(client, fake_saleor, "ORDER_UPDATED", render(fake_saleor, "ORDER_UPDATED")).status_code == 401


def test_a_critical_header_parameter_it_does_not_understand_is_rejected(client, fake_saleor, installation):
    body = json.dumps(render(fake_saleor, "ORDER_CREATED"), separators=(",", ":")).encode()
    header = {"alg": "RS256", "kid": fake_saleor.kid, "b64": False, "crit": ["b64", "exp"], "exp": 1}
    header_b64 = base64.urlsafe_b64encode(json.dumps(header).encode()).rstrip(b"=").decode()
    signature = fake_saleor.signing_key.get_op_key("sign").sign(
        header_b64.encode() + b"." + body, padding.PKCS1v15(), hashes.SHA256()
    )
    signed = f"{header_b64}..{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"

    response = post(client, fake_saleor, "ORDER_CREATED", body, headers={"Saleor-Signature": signed})

    assert response.status_code == 401
    assert "critical" in response.json()["error"]


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"{not json", "body is not JSON"),
        ({"issuedAt": "2026-11-20T10:00:00+00:00", "order": {"id": "T3JkZXI6MQ=="}}, "event.order.channel: missing"),
    ],
)
def test_a_malformed_body_is_kept_with_the_reason_and_answered_400(
    client, fake_saleor, installation, queued, django_capture_on_commit_callbacks, payload, reason
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, fake_saleor, "ORDER_CREATED", payload)

    assert response.status_code == 400
    assert reason in response.json()["error"]
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.MALFORMED
    assert reason in delivery.last_error
    assert bytes(delivery.body) == (payload if isinstance(payload, bytes) else json.dumps(payload, separators=(",", ":")).encode())
    assert queued == []


def test_a_delivery_to_the_wrong_endpoint_is_malformed(client, fake_saleor, installation):
    payload = render(fake_saleor, "ORDER_CREATED")
    body, headers = fake_saleor.delivery_request("ORDER_CREATED", payload)
    response = client.post("/api/webhooks/order-updated", data=body, content_type="application/json", headers=headers)
    assert response.status_code == 400
    assert "Saleor-Event" in response.json()["error"]


def test_it_takes_deliveries_without_a_csrf_token(fake_saleor, installation):
    strict = Client(enforce_csrf_checks=True)
    assert post(strict, fake_saleor, "ORDER_CREATED", render(fake_saleor, "ORDER_CREATED")).status_code == 200
