"""The lifecycle SMTP backend writes the same email Django's generator would."""

import email
import email.policy

import pytest
from django.core.mail import BadHeaderError, EmailMessage, EmailMultiAlternatives
from hypothesis import given, settings as hypothesis_settings, strategies as st

from saleor_lifecycle.mail.backends import serialize

from .test_smtp_delivery import start_smtp_server

SAME_EVERY_TIME = {"Date": "Mon, 23 Nov 2026 11:00:00 -0000", "Message-ID": "<run-1.lifecycle@example.com>"}


def parsed(data: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)


def django_bytes(message: EmailMessage) -> bytes:
    return message.message().as_bytes(linesep="\r\n")


def equivalent(message: EmailMessage) -> tuple[email.message.EmailMessage, email.message.EmailMessage]:
    ours, theirs = parsed(serialize(message)), parsed(django_bytes(message))
    # Header order is free, so is where a long header folds; Content-Type differs only by
    # the boundary.
    assert sorted((name, str(value).strip()) for name, value in ours.items() if name != "Content-Type") == sorted(
        (name, str(value).strip()) for name, value in theirs.items() if name != "Content-Type"
    )
    assert ours.get_content_type() == theirs.get_content_type()
    assert [(part.get_content_type(), part.get_content()) for part in ours.walk() if not part.is_multipart()] == [
        (part.get_content_type(), part.get_content()) for part in theirs.walk() if not part.is_multipart()
    ]
    return ours, theirs


def lifecycle_email(subject="Your cart is waiting", text="Hello Ada,\nyour cart.", html="<p>Hello Ada</p>", **kwargs):
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=kwargs.pop("from_email", "Lumen & Oak <hello@shop.example.com>"),
        to=kwargs.pop("to", ["ada@example.com"]),
        headers={
            **SAME_EVERY_TIME,
            "X-Lifecycle-Message": "step-run-1",
            "List-Unsubscribe": "<https://lifecycle.example.com/m/u/" + "x" * 120 + ">",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            **kwargs.pop("headers", {}),
        },
        **kwargs,
    )
    if html is not None:
        message.attach_alternative(html, "text/html")
    return message


@pytest.mark.parametrize(
    "message",
    [
        lifecycle_email(),
        lifecycle_email(subject="Zapomniałeś o koszyku? Čeká na vás — " + "dlouhý předmět " * 8),
        lifecycle_email(from_email="Łucja z Lumen <hello@shop.example.com>", to=["Žofie <zofie@příklad.cz>"]),
        lifecycle_email(html="<table>" + "<td>ó</td>" * 400 + "</table>"),  # one long line: quoted-printable
        lifecycle_email(html="<p>" + "zażółć " * 130 + "</p>"),  # 913 characters, 1,433 octets: too long too
        lifecycle_email(text="line one\r\nline two\rline three\n.\n..starts with dots"),
        lifecycle_email(html=None),
        lifecycle_email(text="", headers={"Reply-To": "care@shop.example.com"}),
        lifecycle_email(reply_to=["Obsługa <care@shop.example.com>"], cc=["boss@shop.example.com"]),
    ],
    ids=["plain", "non-ascii-long-subject", "non-ascii-addresses", "long-line", "long-in-octets", "line-endings", "text-only", "html-only", "reply-to-cc"],
)
def test_it_writes_what_django_would(message):
    ours, _ = equivalent(message)
    assert all(len(line) <= 998 for line in serialize(message).split(b"\r\n"))


PRINTABLE = st.characters(blacklist_categories=("Cs", "Cc"))


@hypothesis_settings(max_examples=60, deadline=None)
@given(subject=st.text(PRINTABLE, min_size=1, max_size=200), text=st.text(max_size=500), html=st.text(max_size=500))
def test_any_words_survive(subject, text, html):
    equivalent(lifecycle_email(subject=subject, text=text, html=html))


@pytest.mark.parametrize("control", ["\x1e", "\x0b", "\x1c", "\x00", "\x7f"])
def test_control_characters_cannot_cut_the_header_block(control):
    # Django writes these raw, and a reader splitting lines there loses every later header.
    received = parsed(serialize(lifecycle_email(subject=f"Ada{control}Lovelace")))
    assert received["Subject"] == f"Ada{control}Lovelace"
    assert received["To"] == "ada@example.com" and received["X-Lifecycle-Message"] == "step-run-1"


def test_header_injection_is_refused_like_django_does():
    with pytest.raises(BadHeaderError):
        serialize(lifecycle_email(subject="Hi\nBcc: everyone@example.com"))


def test_other_shapes_are_left_to_django():
    with_file = lifecycle_email()
    with_file.attach("codes.csv", "code\nLC-1\n", "text/csv")
    assert serialize(with_file) is None


def test_it_sends_over_smtp(settings):
    inbox, controller, port = start_smtp_server()
    settings.EMAIL_BACKEND = "saleor_lifecycle.mail.backends.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    try:
        assert lifecycle_email(subject="Wróć do nas").send() == 1
    finally:
        controller.stop()
    (received,) = inbox.messages
    assert received["Subject"] == "Wróć do nas" and received["To"] == "ada@example.com"
    assert received.get_body(("html",)).get_content() == "<p>Hello Ada</p>"
