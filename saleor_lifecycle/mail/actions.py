"""State changes of a shop's email settings: ``do_<verb>_<noun>()``."""

import logging
import string
from collections.abc import Mapping
from email.utils import parseaddr
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction

from ..core.shop import update_shop_row
from ..core.validation import ErrorCode, FieldProblem, InvalidInput, check_flag, check_text
from ..saleor_app.models import Installation
from .models import MailSettings
from .render import HEX_COLOR, LANGUAGES

logger = logging.getLogger(__name__)

#: text settings and their longest value (the columns' lengths)
TEXTS = {
    "from_email": 320,
    "reply_to": 320,
    "shop_name": 255,
    "logo_url": 200,
    "primary_color": 16,
    "footer_address": 1000,
    "storefront_url": 200,
    "checkout_url_pattern": 500,
    "default_language": 8,
    "consent_metadata_key": 128,
}
ADDRESSES = {"from_email", "reply_to"}
URLS = {"logo_url", "storefront_url"}
#: settings that cannot be empty
NOT_BLANK = {"shop_name", "primary_color", "checkout_url_pattern", "default_language", "consent_metadata_key"}
#: settings that may span lines (the postal address)
MULTILINE = {"footer_address"}
FLAGS = {"mail_without_consent"}
CHECKOUT_PLACEHOLDERS = {"storefront", "token"}

_http_url = URLValidator(schemes=["http", "https"])


def _address_problem(name: str, value: str) -> FieldProblem | None:
    """``shop@example.com`` or ``Shop <shop@example.com>``."""
    _, address = parseaddr(value)
    try:
        validate_email(address)
    except ValidationError:
        return FieldProblem(name, ErrorCode.INVALID, 'Expected an email address like "Shop <shop@example.com>".')
    return None


def _checkout_pattern_problem(name: str, value: str) -> FieldProblem | None:
    try:
        fields = {field for _, field, _, _ in string.Formatter().parse(value) if field is not None}
    except ValueError:
        fields = None
    if fields is None or not fields <= CHECKOUT_PLACEHOLDERS or "token" not in fields:
        return FieldProblem(name, ErrorCode.INVALID, "Use {token} (required) and {storefront}, no other placeholders.")
    sample = value.format(storefront="https://shop.example.com", token="0b5f6f0e")
    try:
        _http_url(sample)
    except ValidationError:
        return FieldProblem(name, ErrorCode.INVALID, "Must make an http(s) URL, e.g. {storefront}/checkout?checkout={token}.")
    return None


def check_setting(name: str, value: Any) -> FieldProblem | None:
    """The problem with one mail setting's value, or None."""
    if name in FLAGS:
        return check_flag(name, value)
    if name not in TEXTS:
        return FieldProblem(name, ErrorCode.INVALID, "Not a mail setting.")
    problem = check_text(name, value, max_length=TEXTS[name], blank=name not in NOT_BLANK, one_line=name not in MULTILINE)
    if problem or not value:
        return problem
    if name in ADDRESSES:
        return _address_problem(name, value)
    if name in URLS:
        try:
            _http_url(value)
        except ValidationError:
            return FieldProblem(name, ErrorCode.INVALID, "Expected an http(s) URL.")
    if name == "primary_color" and not HEX_COLOR.fullmatch(value):
        return FieldProblem(name, ErrorCode.INVALID, 'Expected a colour like "#4f46e5".')
    if name == "default_language" and value not in LANGUAGES:
        return FieldProblem(name, ErrorCode.INVALID, f"Emails are written in {', '.join(LANGUAGES)}.")
    if name == "checkout_url_pattern":
        return _checkout_pattern_problem(name, value)
    return None


def do_update_mail_settings(installation: Installation, changes: Mapping[str, Any]) -> MailSettings:
    """Apply a partial update of the shop's sender, branding and consent rules; raise
    InvalidInput and save nothing if a value is refused. The next email uses them."""
    problems = [problem for name, value in changes.items() if (problem := check_setting(name, value))]
    if problems:
        raise InvalidInput(problems)
    with transaction.atomic():
        settings, changed = update_shop_row(MailSettings, installation, changes)
    logger.info("mail settings updated", extra={"saleor": str(installation), "changed": changed})
    return settings
