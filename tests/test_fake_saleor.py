"""FakeSaleor behaves like Saleor 3.24 where the app can see it (pure pytest, no Django)."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from jwcrypto import jwk, jws
from jwcrypto import jwt as jwcrypto_jwt

from saleor_lifecycle.testing.fake_saleor import (
    FakeSaleor,
    FakeSaleorError,
    from_global_id,
    global_id,
    new_signing_key,
)

ORDER_CREATED = """
subscription {
  event {
    ... on OrderCreated {
      issuedAt
      order {
        id
        number
        userEmail
        user { id email }
        total { gross { amount currency } }
        lines { productName quantity }
        metafield(key: "source")
      }
    }
  }
}
"""


def _b64url_decode(data: str) -> bytes:
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


@pytest.fixture
def saleor() -> Iterator[FakeSaleor]:
    with FakeSaleor() as fake:
        yield fake


def _graphql(fake: FakeSaleor, query: str, variables: dict[str, Any] | None = None, *,
             token: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.post(fake.api_url, json={"query": query, "variables": variables or {}},
                      headers=headers, timeout=5)


class _Recorder:
    """A tiny app-side HTTP server that keeps what it receives."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                recorder.received.append(
                    {"path": self.path, "headers": dict(self.headers.items()), "body": body}
                )
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def app_server() -> Iterator[_Recorder]:
    recorder = _Recorder()
    yield recorder
    recorder.close()


# --------------------------------------------------------------------------- ids, keys


def test_global_ids_are_graphene_relay_ids() -> None:
    assert global_id("User", 12) == base64.b64encode(b"User:12").decode()
    assert from_global_id(global_id("Order", "0b9c")) == ("Order", "0b9c")


def test_jwks_is_served_and_fetches_are_counted(saleor: FakeSaleor) -> None:
    assert saleor.jwks_url == f"http://{saleor.domain}/.well-known/jwks.json"
    assert saleor.api_url.endswith("/graphql/")

    first = httpx.get(saleor.jwks_url, timeout=5).json()
    httpx.get(saleor.jwks_url, timeout=5)

    assert saleor.jwks_fetches == 2
    (key,) = first["keys"]
    assert key["kid"] == saleor.kid
    assert (key["kty"], key["use"], key["alg"]) == ("RSA", "sig", "RS256")
    assert "d" not in key  # public half only


def test_rotate_key_signs_with_new_key_and_keeps_old_one_published(saleor: FakeSaleor) -> None:
    old_kid = saleor.kid
    new_kid = saleor.rotate_key()

    assert new_kid != old_kid == _kid_of(saleor.sign(b"{}", key=saleor._keys[0]))
    assert [k["kid"] for k in saleor.jwks()["keys"]] == [old_kid, new_kid]
    assert _kid_of(saleor.sign(b"{}")) == new_kid


def _kid_of(signature: str) -> str:
    return json.loads(_b64url_decode(signature.split(".")[0]))["kid"]


# --------------------------------------------------------------------------- signatures


@pytest.mark.parametrize("crit", [True, False])
def test_signature_verifies_with_jwcrypto_detached_unencoded_payload(
    saleor: FakeSaleor, crit: bool
) -> None:
    body = json.dumps({"order": {"id": global_id("Order", "x"), "note": "ünïcode"}}).encode()
    signature = saleor.sign(body, crit=crit)

    header_b64, empty_payload, _ = signature.split(".")
    header = json.loads(_b64url_decode(header_b64))
    assert empty_payload == ""
    assert header["alg"] == "RS256" and header["kid"] == saleor.kid and header["b64"] is False
    assert ("crit" in header) is crit
    if crit:
        assert header["crit"] == ["b64"]

    key_set = jwk.JWKSet.from_json(json.dumps(saleor.jwks()))
    token = jws.JWS()
    token.deserialize(signature)
    token.verify(key_set, detached_payload=body)  # raises on failure
    assert token.is_valid

    tampered = jws.JWS()
    tampered.deserialize(signature)
    with pytest.raises(jws.InvalidJWSSignature):
        tampered.verify(key_set.get_key(saleor.kid), detached_payload=body + b" ")


def test_signature_verifies_with_raw_rsa_pkcs1v15_sha256(saleor: FakeSaleor) -> None:
    body = b'{"event":"order_created"}'
    header_b64, _, signature_b64 = saleor.sign(body).split(".")
    public_key = jwk.JWK(**saleor.jwks()["keys"][0]).get_op_key("verify")

    public_key.verify(_b64url_decode(signature_b64), header_b64.encode() + b"." + body,
                      padding.PKCS1v15(), hashes.SHA256())
    with pytest.raises(InvalidSignature):
        public_key.verify(_b64url_decode(signature_b64), header_b64.encode() + b"." + body[:-1],
                          padding.PKCS1v15(), hashes.SHA256())


def test_foreign_key_signature_does_not_verify_against_the_shop_jwks(saleor: FakeSaleor) -> None:
    body = b"{}"
    token = jws.JWS()
    token.deserialize(saleor.sign(body, key=new_signing_key()))
    with pytest.raises(jws.JWKeyNotFound):
        token.verify(jwk.JWKSet.from_json(json.dumps(saleor.jwks())), detached_payload=body)


def test_issued_jwt_verifies_against_jwks(saleor: FakeSaleor) -> None:
    customer = saleor.add_customer(email="ada@example.com")
    raw = saleor.issue_access_token(customer, audience="lifecycle")

    token = jwcrypto_jwt.JWT(jwt=raw, key=jwk.JWKSet.from_json(json.dumps(saleor.jwks())))
    claims = json.loads(token.claims)
    assert json.loads(token.header)["kid"] == saleor.kid
    assert claims["iss"] == saleor.api_url
    assert claims["type"] == "access" and claims["owner"] == "saleor"
    assert claims["user_id"] == customer["id"] and claims["aud"] == "custom:lifecycle"
    assert claims["exp"] - claims["iat"] == 300


# --------------------------------------------------------------------------- webhooks


def test_render_event_returns_exactly_the_selected_fields(saleor: FakeSaleor) -> None:
    customer = saleor.add_customer(email="ada@example.com")
    order = saleor.add_order(user=customer, lines=[{"quantity": 2, "unitPrice": 10}],
                             metadata=[{"key": "source", "value": "web"}])

    payload = saleor.render_event(ORDER_CREATED, saleor.make_event("ORDER_CREATED", order=order))

    assert payload == {
        "issuedAt": payload["issuedAt"],
        "order": {
            "id": order["id"],
            "number": order["number"],
            "userEmail": "ada@example.com",
            "user": {"id": customer["id"], "email": "ada@example.com"},
            "total": {"gross": {"amount": 20.0, "currency": "USD"}},
            "lines": [{"productName": "Coffee beans", "quantity": 2}],
            "metafield": "web",
        },
    }
    assert from_global_id(order["id"])[0] == "Order"


def test_render_event_rejects_fields_missing_from_the_schema(saleor: FakeSaleor) -> None:
    document = "subscription { event { ... on OrderCreated { order { id lifecycleStage } } } }"
    with pytest.raises(FakeSaleorError, match="lifecycleStage"):
        saleor.render_event(document, saleor.make_event("ORDER_CREATED", order=saleor.add_order()))


def test_render_event_reports_fixture_missing_non_null_field(saleor: FakeSaleor) -> None:
    document = "subscription { event { ... on OrderCreated { order { id number } } } }"
    with pytest.raises(FakeSaleorError, match="non-nullable"):
        saleor.render_event(document, saleor.make_event("ORDER_CREATED", order={"id": "x"}))


def test_register_posts_the_auth_token_unsigned(saleor: FakeSaleor, app_server: _Recorder) -> None:
    response = saleor.register(f"{app_server.url}/api/register/")

    assert response.status_code == 200
    (request,) = app_server.received
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert request["path"] == "/api/register/"
    assert json.loads(request["body"]) == {"auth_token": saleor.app_token}
    assert headers["saleor-api-url"] == saleor.api_url
    assert headers["saleor-domain"] == saleor.domain
    assert headers["content-type"] == "application/json"
    assert "saleor-signature" not in headers


def test_deliver_sends_signed_event_with_saleor_headers(
    saleor: FakeSaleor, app_server: _Recorder
) -> None:
    payload = {"order": {"id": global_id("Order", "abc")}}
    saleor.deliver(f"{app_server.url}/api/webhooks/order-created/", "ORDER_CREATED", payload)

    (request,) = app_server.received
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert request["body"] == b'{"order":{"id":"%s"}}' % global_id("Order", "abc").encode()
    assert headers["saleor-event"] == "order_created"
    assert headers["saleor-domain"] == saleor.domain
    assert headers["saleor-api-url"] == saleor.api_url
    token = jws.JWS()
    token.deserialize(headers["saleor-signature"])
    token.verify(jwk.JWKSet.from_json(json.dumps(saleor.jwks())), detached_payload=request["body"])


def test_delivery_request_tamper_changes_body_after_signing(saleor: FakeSaleor) -> None:
    body, headers = saleor.delivery_request("ORDER_CREATED", {"a": 1},
                                            tamper=lambda b: b.replace(b"1", b"2"))
    assert body == b'{"a":2}'
    token = jws.JWS()
    token.deserialize(headers["Saleor-Signature"])
    with pytest.raises(jws.InvalidJWSSignature):
        token.verify(jwk.JWK(**saleor.jwks()["keys"][0]), detached_payload=body)


# --------------------------------------------------------------------------- GraphQL API


def test_app_query_answers_the_app_token_only(saleor: FakeSaleor) -> None:
    ok = _graphql(saleor, "query { app { id } }", token=saleor.app_token)
    wrong = _graphql(saleor, "query { app { id } }", token="not-the-token")
    anonymous = _graphql(saleor, "query { app { id } }")

    assert ok.status_code == 200 and ok.json() == {"data": {"app": {"id": saleor.app_id}}}
    assert wrong.json() == {"data": {"app": None}}
    assert anonymous.json() == {"data": {"app": None}}
    assert saleor.requests[0]["headers"]["authorization"] == f"Bearer {saleor.app_token}"


def test_permissioned_field_without_token_is_permission_denied(saleor: FakeSaleor) -> None:
    body = _graphql(saleor, "query { customers(first: 1) { totalCount } }").json()

    assert body["data"] == {"customers": None}
    assert body["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"


def test_document_invalid_against_schema_is_http_400(saleor: FakeSaleor) -> None:
    response = _graphql(saleor, "query { app { id lifecycle } }", token=saleor.app_token)

    assert response.status_code == 400
    assert "data" not in response.json()
    assert "lifecycle" in response.json()["errors"][0]["message"]


CUSTOMERS = """
query Customers($after: String) {
  customers(first: 2, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id email languageCode metadata { key value } } }
  }
}
"""


def test_customers_connection_walks_pages(saleor: FakeSaleor) -> None:
    created = [saleor.add_customer() for _ in range(5)]

    seen: list[str] = []
    cursors: list[str | None] = [None]
    while True:
        response = _graphql(saleor, CUSTOMERS, {"after": cursors[-1]}, token=saleor.app_token)
        connection = response.json()["data"]["customers"]
        assert connection["totalCount"] == 5
        seen += [edge["node"]["email"] for edge in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        cursors.append(connection["pageInfo"]["endCursor"])

    assert len(saleor.requests) == 3
    assert seen == [c["email"] for c in created]
    assert [r["variables"]["after"] for r in saleor.requests] == cursors


def test_orders_require_first_or_last_like_saleor(saleor: FakeSaleor) -> None:
    saleor.add_order()
    body = _graphql(saleor, "query { orders { totalCount } }", token=saleor.app_token).json()
    assert "first" in body["errors"][0]["message"] and body["data"] == {"orders": None}

    body = _graphql(saleor, "query { orders(first: 5) { edges { node { status channel { slug } } } } }",
                    token=saleor.app_token).json()
    assert body == {"data": {"orders": {"edges": [
        {"node": {"status": "UNFULFILLED", "channel": {"slug": "default-channel"}}}
    ]}}}


def test_fail_next_answers_status_then_recovers(saleor: FakeSaleor) -> None:
    saleor.fail_next(2)

    statuses = [_graphql(saleor, "{ app { id } }", token=saleor.app_token).status_code
                for _ in range(3)]

    assert statuses == [503, 503, 200]
    assert [r["status"] for r in saleor.requests] == [503, 503, 200]


def test_update_metadata_on_customer(saleor: FakeSaleor) -> None:
    customer = saleor.add_customer()
    mutation = """
    mutation($id: ID!, $input: [MetadataInput!]!) {
      updateMetadata(id: $id, input: $input) {
        errors { field code }
        item { ... on User { id metadata { key value } } }
      }
    }"""
    body = _graphql(saleor, mutation,
                    {"id": customer["id"], "input": [{"key": "lifecycle.stage", "value": "new"}]},
                    token=saleor.app_token).json()

    assert body["data"]["updateMetadata"] == {
        "errors": [],
        "item": {"id": customer["id"], "metadata": [{"key": "lifecycle.stage", "value": "new"}]},
    }
    assert customer["metadata"] == [{"key": "lifecycle.stage", "value": "new"}]


def test_voucher_create_stores_codes_and_rejects_duplicates(saleor: FakeSaleor) -> None:
    mutation = """
    mutation($input: VoucherInput!) {
      voucherCreate(input: $input) {
        errors { field code voucherCodes }
        voucher { id name codes(first: 10) { edges { node { code used } } } }
      }
    }"""
    variables = {"input": {"name": "Win-back 2024-06-01", "type": "ENTIRE_ORDER",
                           "discountValueType": "PERCENTAGE", "addCodes": ["WB-AAA", "WB-BBB"],
                           "singleUse": True}}

    created = _graphql(saleor, mutation, variables, token=saleor.app_token).json()
    again = _graphql(saleor, mutation, variables, token=saleor.app_token).json()

    voucher = created["data"]["voucherCreate"]["voucher"]
    assert [e["node"]["code"] for e in voucher["codes"]["edges"]] == ["WB-AAA", "WB-BBB"]
    assert saleor.voucher_by_code("wb-aaa")["singleUse"] is True
    assert again["data"]["voucherCreate"] == {
        "errors": [{"field": "codes", "code": "ALREADY_EXISTS",
                    "voucherCodes": ["WB-AAA", "WB-BBB"]}],
        "voucher": None,
    }


def test_custom_root_resolvers_can_be_added(saleor: FakeSaleor) -> None:
    saleor.queries["shop"] = lambda info: {"name": "Fake shop"}

    body = _graphql(saleor, "{ shop { name } }", token=saleor.app_token).json()

    assert body == {"data": {"shop": {"name": "Fake shop"}}}
