import pytest

from saleor_lifecycle.testing.fake_saleor import load_schema


@pytest.fixture(scope="session")
def saleor_schema():
    """Saleor 3.24's schema (../shared/saleor/schema.graphql), built once per process."""
    return load_schema()


@pytest.fixture
def fake_saleor():
    """A running fake Saleor: JWKS, signed deliveries, GraphQL against the 3.24 schema."""
    from saleor_lifecycle.testing.fake_saleor import FakeSaleor

    with FakeSaleor() as fake:
        yield fake


@pytest.fixture
def queued(monkeypatch):
    """Deliveries queued for processing, instead of sending them to the broker.

    Tests run the worker's side by calling ``ingest.process_delivery`` themselves.
    """
    from saleor_lifecycle.events import ingest

    calls: list[tuple[int, dict]] = []
    monkeypatch.setattr(ingest, "enqueue", lambda delivery_id, **options: calls.append((delivery_id, options)))
    return calls


@pytest.fixture
def installation(db, client, fake_saleor, queued):
    """The app installed into the fake Saleor through the real register endpoint."""
    from saleor_lifecycle.saleor_app.models import Installation

    response = register(client, fake_saleor)
    assert response.status_code == 200, response.content
    return Installation.objects.get()


def register(client, fake_saleor, **overrides):
    body, headers = fake_saleor.register_request(**overrides)
    return client.post("/api/register", data=body, content_type="application/json", headers=headers)
