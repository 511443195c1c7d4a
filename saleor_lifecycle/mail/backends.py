"""SMTP that writes lifecycle emails' MIME itself.

Django builds every message through the standard library's ``email`` package, whose
generator re-parses and folds each header and walks the part tree: for a personalised
email that costs more than rendering it. Lifecycle emails all have one shape — a text
body and one HTML alternative, no attachments — so this backend writes that shape's
bytes directly, with Django's own header rules (``forbid_multi_line_headers``: no header
injection, RFC 2047 for non-ASCII words, IDNA for addresses) and the same transfer
encodings Django picks (8bit, quoted-printable when a line is too long for SMTP).

Any other message (attachments, several alternatives) goes through Django unchanged.
"""

import email.base64mime
import email.quoprimime
import re
import smtplib
import uuid
from email.utils import formatdate

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend as DjangoSMTPBackend
from django.core.mail.message import (
    ADDRESS_HEADERS,
    DNS_NAME,
    RFC5322_EMAIL_LINE_LENGTH_LIMIT,
    forbid_multi_line_headers,
    make_msgid,
    sanitize_address,
)

CRLF = "\r\n"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
#: headers written from the message's own fields, not from ``extra_headers``
_OWN_HEADERS = frozenset({"from", "to", "cc", "reply-to"})


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", CRLF)


def _encoded_words(text: str, encoding: str) -> str:
    """``text`` as RFC 2047 base64 words, ten characters (at most 75 octets) each, folded."""
    return "\n ".join(
        email.base64mime.header_encode(text[start : start + 10].encode(encoding), encoding)
        for start in range(0, len(text), 10)
    )


def _header(name: str, value, encoding: str) -> str:
    name, encoded = forbid_multi_line_headers(name, value, encoding)
    if _CONTROL.search(str(value)) and name.lower() not in ADDRESS_HEADERS:
        # Readers split lines at some control characters (a name pasted with U+001E would
        # end the header block there): send such text as an encoded word, which hides them.
        encoded = _encoded_words(str(value), encoding)
    # Header.encode() folds long encoded words with "\n ".
    return f"{name}: {_crlf(encoded)}"


def _too_long(line: str, encoding: str) -> bool:
    """Over SMTP's limit, which counts octets: a line of Polish or Czech text is longer
    on the wire than in characters (only lines that could be are encoded to check)."""
    return len(line) > RFC5322_EMAIL_LINE_LENGTH_LIMIT // 4 and len(line.encode(encoding)) > RFC5322_EMAIL_LINE_LENGTH_LIMIT


def _text_part(content: str, subtype: str, encoding: str) -> str:
    body = _crlf(content)
    if any(_too_long(line, encoding) for line in body.split(CRLF)):
        # quoprimime encodes characters as single bytes: hand it the encoded bytes.
        body = email.quoprimime.body_encode(body.encode(encoding).decode("latin-1"), eol=CRLF)
        transfer = "quoted-printable"
    else:
        transfer = "7bit" if body.isascii() else "8bit"
    return (
        f'Content-Type: text/{subtype}; charset="{encoding}"{CRLF}'
        f"Content-Transfer-Encoding: {transfer}{CRLF}{CRLF}{body}"
    )


def serialize(message: EmailMessage) -> bytes | None:
    """The SMTP DATA of ``message``, or None when it is not a text body with at most one
    text alternative (Django serialises those)."""
    alternatives = getattr(message, "alternatives", [])
    if message.attachments or len(alternatives) > 1 or not isinstance(message.body, str):
        return None
    if alternatives and not (isinstance(alternatives[0][0], str) and alternatives[0][1].startswith("text/")):
        return None
    encoding = message.encoding or settings.DEFAULT_CHARSET
    extra = {name.lower(): (name, value) for name, value in message.extra_headers.items()}
    headers = [
        _header("Subject", message.subject, encoding),
        _header("From", extra.get("from", ("From", message.from_email))[1], encoding),
    ]
    for name, addresses in (("To", message.to), ("Cc", message.cc), ("Reply-To", message.reply_to)):
        if name.lower() in extra:
            headers.append(_header(name, extra[name.lower()][1], encoding))
        elif addresses:
            headers.append(_header(name, ", ".join(str(address) for address in addresses), encoding))
    if "date" not in extra:
        headers.append(f"Date: {formatdate(localtime=settings.EMAIL_USE_LOCALTIME)}")
    if "message-id" not in extra:
        headers.append(f"Message-ID: {make_msgid(domain=DNS_NAME)}")
    headers.extend(_header(name, value, encoding) for key, (name, value) in extra.items() if key not in _OWN_HEADERS)
    headers.append("MIME-Version: 1.0")

    body = _text_part(message.body, message.content_subtype, encoding)
    if not alternatives:
        return (CRLF.join(headers) + CRLF + body).encode(encoding)
    content, mimetype = alternatives[0]
    boundary = f"=lifecycle-{uuid.uuid4().hex}"
    parts = [_text_part(content, mimetype.removeprefix("text/"), encoding)]
    if message.body:
        parts.insert(0, body)
    headers.append(f'Content-Type: multipart/{message.alternative_subtype}; boundary="{boundary}"')
    delimiter = f"{CRLF}--{boundary}{CRLF}"
    return (
        CRLF.join(headers) + CRLF + delimiter + delimiter.join(parts) + f"{CRLF}--{boundary}--{CRLF}"
    ).encode(encoding)


class EmailBackend(DjangoSMTPBackend):
    """Django's SMTP backend, with lifecycle emails serialised by ``serialize``."""

    def _send(self, email_message: EmailMessage) -> bool:
        data = serialize(email_message)
        if data is None or not email_message.recipients():
            return super()._send(email_message)
        encoding = email_message.encoding or settings.DEFAULT_CHARSET
        from_email = sanitize_address(email_message.from_email, encoding)
        recipients = [sanitize_address(address, encoding) for address in email_message.recipients()]
        try:
            self.connection.sendmail(from_email, recipients, data)
        except smtplib.SMTPException:
            if not self.fail_silently:
                raise
            return False
        return True
