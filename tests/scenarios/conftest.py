from datetime import UTC, datetime

import pytest

from saleor_lifecycle.offers.issuer import SaleorOfferIssuer
from saleor_lifecycle.scenarios.engine import Services
from saleor_lifecycle.scenarios.messages import OutgoingMessage, SendError
from saleor_lifecycle.scenarios.models import Scenario

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday, 10:00 UTC: outside quiet hours


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

    return enable
