"""Only tokens this shop's Saleor signed, still valid and meant for this app, get an answer."""

import base64
import hashlib
import hmac
import json

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from saleor_lifecycle.customers.models import Customer
from saleor_lifecycle.saleor_app.models import Installation
from saleor_lifecycle.testing.fake_saleor import FakeSaleor, global_id, new_signing_key

from .conftest import NOW

ME = "{ me { stage nextBestAction } }"
STAFF = "{ stageCounts { stage count } }"


@pytest.fixture
def ada(fake_saleor, installation):
    user = fake_saleor.add_customer(email="ada@example.com")
    Customer.objects.create(installation=installation, saleor_user_id=user["id"], stage="returning", stage_since=NOW)
    return user


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_json(value) -> str:
    return b64url(json.dumps(value).encode())


def claims_of(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def assert_refused(answer, code="InvalidTokenError"):
    assert answer.status == 401
    assert "data" not in answer.body
    assert answer.error_codes == [code]
    assert answer.errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_it_answers_a_valid_customer_token(graphql, fake_saleor, ada):
    answer = graphql(ME, token=fake_saleor.issue_access_token(ada))

    assert answer.status == 200
    assert answer.data == {"me": {"stage": "RETURNING", "nextBestAction": "loyalty_reward"}}


def test_it_refuses_an_expired_token(graphql, fake_saleor, ada):
    token = fake_saleor.issue_access_token(ada, iat=1_000_000, exp=1_000_300)

    assert_refused(graphql(ME, token=token), code="ExpiredSignatureError")


def test_it_refuses_a_token_without_expiry(graphql, fake_saleor, ada):
    token = fake_saleor.issue_jwt({"type": "access", "user_id": ada["id"], "exp": None})

    assert_refused(graphql(ME, token=token))


def test_it_refuses_a_token_from_a_saleor_that_did_not_install_the_app(graphql, fake_saleor, ada):
    stranger = FakeSaleor()  # never registered; signs with the same pooled key
    token = stranger.issue_access_token(ada)

    assert_refused(graphql(ME, token=token))


def test_it_refuses_a_token_from_an_uninstalled_shop(graphql, fake_saleor, installation, ada):
    Installation.objects.filter(pk=installation.pk).update(is_active=False)

    assert_refused(graphql(ME, token=fake_saleor.issue_access_token(ada)))


def test_it_refuses_a_token_claiming_this_shop_but_signed_by_another_key(graphql, fake_saleor, ada):
    token = fake_saleor.issue_jwt({"type": "access", "user_id": ada["id"], "email": ada["email"]}, key=new_signing_key())

    assert_refused(graphql(ME, token=token))


def test_it_refuses_a_token_signed_by_another_key_under_this_shops_key_id(graphql, fake_saleor, ada):
    forged = new_signing_key()
    header = b64url_json({"alg": "RS256", "kid": fake_saleor.kid, "typ": "JWT"})
    payload = fake_saleor.issue_access_token(ada).split(".")[1]
    signature = forged.get_op_key("sign").sign(f"{header}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256())

    assert_refused(graphql(ME, token=f"{header}.{payload}.{b64url(signature)}"))


def test_it_refuses_an_unsigned_token(graphql, fake_saleor, ada):
    token = fake_saleor.issue_jwt({"type": "access", "user_id": ada["id"], "email": ada["email"]}, alg="none")

    assert_refused(graphql(ME, token=token))


def test_it_refuses_an_unsigned_token_with_a_dummy_signature(graphql, fake_saleor, ada):
    payload = fake_saleor.issue_access_token(ada).split(".")[1]
    token = f"{b64url_json({'alg': 'none', 'typ': 'JWT'})}.{payload}.{b64url(b'x')}"

    assert_refused(graphql(ME, token=token))


def test_it_refuses_an_hs256_token_keyed_with_the_shops_public_key(graphql, fake_saleor, ada):
    # The classic algorithm confusion: "sign" with HMAC, using the published key as secret.
    secret = fake_saleor.signing_key.export_to_pem()
    header = b64url_json({"alg": "HS256", "kid": fake_saleor.kid, "typ": "JWT"})
    payload = fake_saleor.issue_access_token(ada).split(".")[1]
    signature = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()

    assert_refused(graphql(ME, token=f"{header}.{payload}.{b64url(signature)}"))


def test_it_refuses_a_tampered_token(graphql, fake_saleor, ada, installation):
    grace = fake_saleor.add_customer(email="grace@example.com")
    token = fake_saleor.issue_access_token(grace)
    header, _, signature = token.split(".")
    claims = claims_of(token)
    tampered = b64url_json({**claims, "user_id": ada["id"]})

    answer = graphql(ME, token=f"{header}.{tampered}.{signature}")

    assert_refused(answer)
    assert "RETURNING" not in json.dumps(answer.body)


def test_it_refuses_a_refresh_token(graphql, fake_saleor, ada):
    token = fake_saleor.issue_access_token(ada, type="refresh")

    assert_refused(graphql(ME, token=token))


def test_it_refuses_a_dashboard_token_of_another_app(graphql, fake_saleor, installation):
    token = fake_saleor.issue_thirdparty_token(app=global_id("App", 42))

    assert_refused(graphql(STAFF, token=token))


def test_it_refuses_garbage(graphql, installation):
    for token in ("a.b.c", "not-a-token", "....", "eyJ.eyJ.sig"):
        assert_refused(graphql(ME, token=token))


def test_it_refuses_another_authorization_scheme(graphql, installation):
    answer = graphql(ME, headers={"Authorization": "Basic dXNlcjpwYXNz"})

    assert_refused(answer)


def test_it_accepts_the_installations_app_token(graphql, fake_saleor, ada):
    answer = graphql(STAFF, token=fake_saleor.app_token)

    assert answer.status == 200
    assert {"stage": "RETURNING", "count": 1} in answer.data["stageCounts"]


def test_it_accepts_the_app_token_with_the_saleor_api_url_header(graphql, fake_saleor, ada):
    answer = graphql(STAFF, token=fake_saleor.app_token, headers={"Saleor-Api-Url": fake_saleor.api_url})

    assert answer.status == 200


def test_it_refuses_the_app_token_named_for_another_saleor(graphql, fake_saleor, ada, other_shop):
    answer = graphql(STAFF, token=fake_saleor.app_token, headers={"Saleor-Api-Url": other_shop.api_url})

    assert_refused(answer)


def test_it_refuses_an_unknown_app_token(graphql, installation):
    assert_refused(graphql(STAFF, token="x" * 40))


def test_it_picks_the_shop_from_the_tokens_issuer(graphql, fake_saleor, ada, other_shop):
    other = other_shop.installation
    other_user = other_shop.add_customer(email="ada@example.com")
    Customer.objects.create(installation=other, saleor_user_id=other_user["id"], stage="lapsed", stage_since=NOW)

    mine = graphql(ME, token=fake_saleor.issue_access_token(ada))
    theirs = graphql(ME, token=other_shop.issue_access_token(other_user))

    assert mine.data["me"]["stage"] == "RETURNING"
    assert theirs.data["me"]["stage"] == "LAPSED"
