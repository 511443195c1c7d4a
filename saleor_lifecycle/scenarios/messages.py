"""What a step sends, behind a small interface (the email module supplies the real one).

``MessageSender.send`` must raise ``SendError(permanent=...)`` on failure: retryable
failures defer the step with backoff, permanent ones are recorded and the scenario goes on.
"""

import smtplib
from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import make_msgid


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
    #: the shop's sender; None: DEFAULT_FROM_EMAIL
    from_email: str | None = None


class MessageSender(Protocol):
    def send(self, message: OutgoingMessage) -> str:
        """Send it; return the provider's message id (or ""). Raise SendError."""


class DjangoEmailSender:
    """Django's email API: SMTP by default, any ESP through django-anymail by setting.

    One connection serves all the messages a sender sends (a worker's batch): opening an
    SMTP session per message would cost more than rendering it.
    """

    def __init__(self):
        self.connection = None

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:  # closing a broken connection must not fail the batch
                pass
            self.connection = None

    def send(self, message: OutgoingMessage) -> str:
        try:
            return self._send(message)
        except SendError as error:
            self.close()  # a failed session is not reused
            raise error

    def _send(self, message: OutgoingMessage) -> str:
        if self.connection is None:
            # Opened here, it stays open: Django's backends close only what send() opened.
            self.connection = get_connection()
            try:
                self.connection.open()
            except (smtplib.SMTPException, OSError) as exc:
                self.connection = None
                raise SendError(f"{exc.__class__.__name__}: {exc}") from exc
        message_id = make_msgid(domain=message.idempotency_key.replace("_", "-") + ".lifecycle")
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.text,
            from_email=message.from_email or settings.DEFAULT_FROM_EMAIL,
            to=[message.to],
            headers={"Message-ID": message_id, "X-Lifecycle-Message": message.idempotency_key, **message.headers},
            connection=self.connection,
        )
        if message.html:
            email.attach_alternative(message.html, "text/html")
        try:
            email.send()
        except smtplib.SMTPRecipientsRefused as exc:
            raise SendError(f"recipient refused: {exc}", permanent=True) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise SendError(f"{exc.__class__.__name__}: {exc}") from exc
        # ESPs (django-anymail) report their own id; tracking events carry that one.
        status = getattr(email, "anymail_status", None)
        return (status and status.message_id) or message_id
