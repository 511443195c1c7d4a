import pytest

from saleor_lifecycle.mail.models import MailSettings
from saleor_lifecycle.offers.issuer import SaleorOfferIssuer
from saleor_lifecycle.scenarios.engine import Services
from saleor_lifecycle.scenarios.enrollment import cached_scenarios
from saleor_lifecycle.scenarios.messages import OutgoingMessage, SendError
from saleor_lifecycle.scenarios.models import Scenario
from saleor_lifecycle.testing.fake_saleor import load_schema


@pytest.fixture(scope="session")
def saleor_schema():
    """Saleor 3.24's schema (../shared/saleor/schema.graphql), built once per process."""
    return load_schema()


@pytest.fixture(autouse=True)
def _forget_cached_rows():
    """Each test starts without installations, settings or scenarios cached by an earlier
    one (the database was rolled back under them; a fake Saleor may get an earlier one's
    port, so its URL)."""
    from saleor_lifecycle.core import cache

    cache.forget_all()
    yield
    cache.forget_all()


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


class RecordingSender:
    """A MessageSender that keeps what it sent; ``fail_with`` makes the next sends fail."""

    def __init__(self):
        self.sent: list[OutgoingMessage] = []
        self.fail_with: SendError | None = None

    def send(self, message: OutgoingMessage) -> str:
        if self.fail_with:
            raise self.fail_with
        self.sent.append(message)
        return f"message-{len(self.sent)}"

    def subjects(self) -> list[str]:
        return [message.subject for message in self.sent]


@pytest.fixture
def sender():
    return RecordingSender()


@pytest.fixture
def services(sender):
    return Services(sender=sender, offers=SaleorOfferIssuer())


@pytest.fixture
def enable(installation):
    """Turn built-in scenarios on for the installed shop (they ship disabled), with no
    holdout unless asked: which customers the hash holds out is not these tests' subject."""

    def enable(*keys: str, holdout_share: float = 0.0) -> None:
        scenarios = Scenario.objects.filter(installation=installation, key__in=keys)
        assert scenarios.update(enabled=True, holdout_share=holdout_share) == len(keys)
        cached_scenarios.forget()  # .update() sends no signal: in production this takes a few seconds
        # Consent has tests of its own (tests/mail): here everyone may be mailed.
        MailSettings.objects.update_or_create(installation=installation, defaults={"mail_without_consent": True})

    return enable
