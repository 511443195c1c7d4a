"""One module per Saleor event the app subscribes to; ``registry.py`` lists them."""

from dataclasses import dataclass
from typing import Any

from ...saleor_client.documents import load_document
from ..parsers import Parser
from ..types import LifecycleEvent


@dataclass(frozen=True)
class WebhookDefinition:
    """A Saleor async event, the subscription that shapes its body, and its parser.

    The manifest's webhook, the URL Saleor posts to and the event choices all derive
    from these values, so adding an event is one module plus one registry line.
    """

    #: Saleor's WebhookEventTypeAsyncEnum value, e.g. "ORDER_CREATED"
    event: str
    #: name of the subscription document under graphql/, e.g. "subscriptions/order_created"
    subscription: str
    parser: Parser

    @property
    def slug(self) -> str:
        """URL segment and ``Saleor-Event`` header value: ``order_created`` -> ``order-created``."""
        return self.event.lower().replace("_", "-")

    @property
    def header_value(self) -> str:
        return self.event.lower()

    @property
    def query(self) -> str:
        return load_document(self.subscription)

    def parse(self, body: Any) -> LifecycleEvent:
        return self.parser(self.event, body)
