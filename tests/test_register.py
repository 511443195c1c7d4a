import pytest

from saleor_lifecycle.saleor_app.models import Installation

from .conftest import register


@pytest.fixture(autouse=True)
def _db(db, queued):
    pass


def test_it_installs_after_confirming_the_token_with_saleor(client, fake_saleor):
    response = register(client, fake_saleor)

    assert response.status_code == 200
    assert response.json()["success"] is True
    installation = Installation.objects.get()
    assert installation.saleor_api_url == fake_saleor.api_url
    assert installation.saleor_domain == fake_saleor.domain
    assert installation.app_id == fake_saleor.app_id
    assert installation.token == fake_saleor.app_token
    assert fake_saleor.app_token not in installation.encrypted_token
    assert installation.jwks == fake_saleor.jwks()
    assert fake_saleor.requests[0]["headers"]["authorization"] == f"Bearer {fake_saleor.app_token}"


def test_registering_twice_keeps_one_installation_with_the_new_token(client, fake_saleor):
    register(client, fake_saleor)
    Installation.objects.update(is_active=False)
    fake_saleor.app_token = "a-new-token-after-reinstall"

    assert register(client, fake_saleor).status_code == 200

    installation = Installation.objects.get()
    assert installation.token == "a-new-token-after-reinstall"
    assert installation.is_active


def test_it_refuses_a_saleor_not_allowed_by_configuration(client, fake_saleor, settings):
    settings.ALLOWED_SALEOR_URLS = ["https://*.saleor.cloud/graphql/"]
    response = register(client, fake_saleor)

    assert response.status_code == 403
    assert not Installation.objects.exists()
    assert fake_saleor.requests == []  # refused before calling anyone


def test_it_accepts_a_saleor_matching_an_allowed_pattern(client, fake_saleor, settings):
    settings.ALLOWED_SALEOR_URLS = ["https://*.saleor.cloud/graphql/", "http://127.0.0.1:*/graphql/"]
    assert register(client, fake_saleor).status_code == 200


def test_it_refuses_a_token_saleor_does_not_confirm(client, fake_saleor):
    body, headers = fake_saleor.register_request()
    response = client.post(
        "/api/register", data=b'{"auth_token": "forged"}', content_type="application/json", headers=headers
    )
    assert response.status_code == 403
    assert not Installation.objects.exists()


def test_it_answers_503_when_saleor_is_down(client, fake_saleor):
    fake_saleor.fail_next(10, status=503)
    response = register(client, fake_saleor)
    assert response.status_code == 503
    assert not Installation.objects.exists()


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (b"not json", {"Saleor-Api-Url": "http://127.0.0.1:1/graphql/"}),
        (b'{"token": "x"}', {"Saleor-Api-Url": "http://127.0.0.1:1/graphql/"}),
        (b'{"auth_token": "x"}', {}),
    ],
)
def test_it_answers_400_to_something_that_is_not_a_register_call(client, body, headers):
    response = client.post("/api/register", data=body, content_type="application/json", headers=headers)
    assert response.status_code == 400
    assert not Installation.objects.exists()
