"""What a step sends, behind a small interface (the email module supplies the real one).

``MessageSender.send`` must raise ``SendError(permanent=...)`` on failure: retryable
failures defer the step with backoff, permanent ones are recorded and the scenario goes on.
"""

import smtplib
from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection


class SendError(Exception):
    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class OutgoingMessage:
    to: str
    subject: str
    text: str
    html: str | None
    #: the step run's key: the same message is never sent twice
    idempotency_key: str
    headers: dict[str, str] = field(default_factory=dict)


class MessageSender(Protocol):
    def send(self, message: OutgoingMessage) -> str:
        """Send it; return the provider's message id (or ""). Raise SendError."""


class DjangoEmailSender:
    """Django's email API: SMTP by default, any ESP through django-anymail by setting."""

    def send(self, message: OutgoingMessage) -> str:
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.to],
            headers={"X-Lifecycle-Message": message.idempotency_key, **message.headers},
            connection=get_connection(),
        )
        if message.html:
            email.attach_alternative(message.html, "text/html")
        try:
            email.send()
        except smtplib.SMTPRecipientsRefused as exc:
            raise SendError(f"recipient refused: {exc}", permanent=True) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise SendError(f"{exc.__class__.__name__}: {exc}") from exc
        return email.extra_headers.get("Message-ID", "")
