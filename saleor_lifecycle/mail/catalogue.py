"""Which emails exist, what each is made of, and everything that depends on the language.

The words live in ``copy/<language>.json``, one file per language so a translator edits
one file. Each template's copy has the fields ``subject``, ``preheader``, ``heading``,
``paragraphs`` (a list) and optionally ``button`` (the label of its button). A field is a
*text spec*:

- a string with ``{placeholder}`` fields (``PLACEHOLDERS``); it is used only when every
  placeholder it names has a value, so ``"Welcome, {name}!"`` is skipped for a customer
  without a first name;
- a list of specs: the first one usable is taken (``["Welcome, {name}!", "Welcome!"]``);
- ``{"if": condition, "text": spec}`` or ``{"unless": condition, "text": spec}``, for
  sentences that depend on what the message holds (``CONDITIONS``), e.g. a survey link.

A paragraph with nothing usable is left out; ``subject``, ``preheader`` and ``heading``
must be usable whatever the context holds. ``validate()`` checks all of that for every
combination of conditions, so a typo in the copy fails the tests, not a send.
"""

import json
import string
from dataclasses import dataclass
from datetime import datetime, timezone as dt_timezone, tzinfo
from decimal import Decimal, InvalidOperation
from functools import cache
from itertools import combinations
from pathlib import Path

LANGUAGES = ("en", "pl", "cs")
DEFAULT_LANGUAGE = "en"

COPY_DIR = Path(__file__).resolve().parent / "copy"


class CatalogueError(Exception):
    """The copy files are incomplete or malformed (a bug in the repository, not in a send)."""


# --- what each email is made of -----------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """The blocks of one email besides its words.

    An offer and recommendations are shown in any email whose context has them (the
    scenario decides what to send); ``offer`` and ``recommendations`` here say what the
    email is *about*, which is what its sample context (previews, tests) holds.
    """

    #: where the button leads, in order of preference (context keys); the shop comes last
    button: tuple[str, ...] = ("shop_url",)
    #: how the cart is shown: "lines" (a table), "pictures" (with thumbnails) or None
    cart: str | None = None
    #: the kind of offer the email carries ("percentage", "free_shipping", ...) or None
    offer: str | None = None
    recommendations: bool = False


#: template key -> layout; every other list of templates is derived from this one
LAYOUTS: dict[str, Layout] = {
    "welcome_hello": Layout(),
    "welcome_first_order_coupon": Layout(offer="percentage"),
    "first_purchase_thank_you": Layout(),
    "first_purchase_care": Layout(button=("survey_url", "shop_url")),
    "first_purchase_cross_sell": Layout(recommendations=True),
    "retention_recommendations": Layout(recommendations=True),
    "retention_loyalty": Layout(offer="fixed_amount"),
    "cart_reminder": Layout(button=("checkout_url",), cart="lines"),
    "cart_reminder_pictures": Layout(button=("checkout_url",), cart="pictures"),
    "cart_last_chance": Layout(button=("checkout_url",), cart="lines", offer="percentage"),
    "reactivation_checkin": Layout(button=("survey_url", "shop_url")),
    "reactivation_free_shipping": Layout(offer="free_shipping"),
    "reactivation_code_expires": Layout(offer="free_shipping"),
    "reactivation_discount": Layout(offer="percentage", recommendations=True),
    "reactivation_last_day": Layout(offer="percentage"),
    "sunset_goodbye": Layout(),
    "welcome_back": Layout(recommendations=True),
}

TEMPLATES: tuple[str, ...] = tuple(LAYOUTS)


# --- the copy -------------------------------------------------------------------------------

#: values the copy can put into a sentence; only shop_name is always there
PLACEHOLDERS = frozenset({"name", "shop_name", "offer", "code", "expires_at"})
ALWAYS_AVAILABLE = frozenset({"shop_name"})
#: what "if"/"unless" can test: a placeholder having a value, or a block being present
CONDITIONS = frozenset({"name", "offer", "code", "expires_at", "survey_url", "recommendations", "cart_lines"})

TEMPLATE_FIELDS = {"subject", "preheader", "heading", "paragraphs", "button"}
REQUIRED_TEMPLATE_FIELDS = {"subject", "preheader", "heading", "paragraphs"}
#: fields of "common" that must be there, with the placeholders each may use
COMMON_FIELDS = {
    ("greeting",): {"name"},
    ("sign_off",): {"shop_name"},
    ("buttons", "checkout_url"): set(),
    ("buttons", "shop_url"): {"shop_name"},
    ("buttons", "survey_url"): set(),
    ("offer", "code_label"): set(),
    ("offer", "valid_until"): {"expires_at"},
    ("offer", "how_to"): set(),
    ("offer_kinds", "percentage"): {"value"},
    ("offer_kinds", "free_shipping"): set(),
    ("offer_kinds", "fixed_amount"): {"amount"},
    ("cart", "heading"): set(),
    ("cart", "quantity"): {"quantity"},
    ("cart", "empty"): set(),
    ("recommendations", "heading"): set(),
    ("footer", "sent_by"): {"shop_name"},
    ("footer", "unsubscribe"): set(),
    ("footer", "view_in_browser"): set(),
}


def placeholders(text: str) -> set[str]:
    names = set()
    for _, field, spec, conversion in string.Formatter().parse(text):
        if field is None:
            continue
        if not field or spec or conversion or not field.isidentifier():
            raise CatalogueError(f"{text!r}: write placeholders as {{name}}, without formats")
        names.add(field)
    return names


def ucfirst(text: str) -> str:
    return text[:1].upper() + text[1:]


def resolve(spec, facts: dict[str, str], conditions: frozenset[str] | set[str]) -> str | None:
    """The text a spec gives for these facts and conditions, or None when nothing fits."""
    if isinstance(spec, str):
        if not placeholders(spec) <= facts.keys():
            return None
        return ucfirst(spec.format_map(facts).strip()) or None
    if isinstance(spec, list):
        for alternative in spec:
            text = resolve(alternative, facts, conditions)
            if text is not None:
                return text
        return None
    if isinstance(spec, dict):
        if "if" in spec and spec["if"] not in conditions:
            return None
        if "unless" in spec and spec["unless"] in conditions:
            return None
        return resolve(spec["text"], facts, conditions)
    raise CatalogueError(f"not a text spec: {spec!r}")


def check_spec(spec, where: str, allowed: frozenset[str] | set[str] = PLACEHOLDERS) -> None:
    if isinstance(spec, str):
        unknown = placeholders(spec) - allowed
        if unknown:
            raise CatalogueError(f"{where}: unknown placeholder(s) {sorted(unknown)} in {spec!r}")
    elif isinstance(spec, list) and spec:
        for item in spec:
            check_spec(item, where, allowed)
    elif isinstance(spec, dict):
        keys = set(spec)
        if "text" not in keys or len(keys & {"if", "unless"}) != 1 or keys - {"text", "if", "unless"}:
            raise CatalogueError(f"{where}: a condition is {{'if' or 'unless': ..., 'text': ...}}, not {spec!r}")
        condition = spec.get("if", spec.get("unless"))
        if condition not in CONDITIONS:
            raise CatalogueError(f"{where}: unknown condition {condition!r} (known: {sorted(CONDITIONS)})")
        check_spec(spec["text"], where, allowed)
    else:
        raise CatalogueError(f"{where}: not a text spec: {spec!r}")


def every_situation():
    """Facts and conditions for every combination of what a context may hold or lack."""
    optional = sorted(CONDITIONS)
    for size in range(len(optional) + 1):
        for present in combinations(optional, size):
            facts = {name: name.upper() for name in present if name in PLACEHOLDERS}
            facts["shop_name"] = "SHOP"
            yield facts, frozenset(present)


@cache
def load(language: str) -> dict:
    """The copy of one language, validated."""
    if language not in LANGUAGES:
        raise CatalogueError(f"no copy for language {language!r}")
    path = COPY_DIR / f"{language}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CatalogueError(f"{path.name}: {exc}") from exc
    validate(language, data)
    return data


def validate(language: str, data: dict) -> None:
    """Raise CatalogueError unless the copy is complete and renders in every situation."""
    common = data.get("common", {})
    for path, allowed in COMMON_FIELDS.items():
        node = common
        for key in path:
            if not isinstance(node, dict) or key not in node:
                raise CatalogueError(f"{language}: common.{'.'.join(path)} is missing")
            node = node[key]
        check_spec(node, f"{language}: common.{'.'.join(path)}", allowed | ALWAYS_AVAILABLE)
    templates = data.get("templates", {})
    missing = set(TEMPLATES) - set(templates)
    unknown = set(templates) - set(TEMPLATES)
    if missing or unknown:
        raise CatalogueError(f"{language}: missing templates {sorted(missing)}, unknown {sorted(unknown)}")
    for key, copy in templates.items():
        where = f"{language}: {key}"
        fields = set(copy)
        if not REQUIRED_TEMPLATE_FIELDS <= fields <= TEMPLATE_FIELDS:
            raise CatalogueError(f"{where}: fields must be {sorted(TEMPLATE_FIELDS)}, not {sorted(fields)}")
        if not isinstance(copy["paragraphs"], list) or not copy["paragraphs"]:
            raise CatalogueError(f"{where}: paragraphs must be a non-empty list")
        for field in ("subject", "preheader", "heading"):
            check_spec(copy[field], f"{where}.{field}")
        for index, paragraph in enumerate(copy["paragraphs"]):
            check_spec(paragraph, f"{where}.paragraphs[{index}]")
        if "button" in copy:
            check_spec(copy["button"], f"{where}.button", ALWAYS_AVAILABLE)
    for facts, conditions in every_situation():
        if resolve(common["greeting"], facts, conditions) is None:
            raise CatalogueError(f"{language}: common.greeting has nothing for {sorted(conditions)}")
        for key, copy in templates.items():
            for field in ("subject", "preheader", "heading"):
                if resolve(copy[field], facts, conditions) is None:
                    raise CatalogueError(f"{language}: {key}.{field} has nothing for {sorted(conditions)}")
            if not any(resolve(p, facts, conditions) for p in copy["paragraphs"]):
                raise CatalogueError(f"{language}: {key} has no paragraph for {sorted(conditions)}")


def common(language: str) -> dict:
    return load(language)["common"]


def template_copy(template: str, language: str) -> dict:
    return load(language)["templates"][template]


def template_summary(template: str, language: str, shop_name: str) -> tuple[str, str]:
    """What a template says, for lists of templates: its heading and its preheader, as a
    customer without a name or a code reads them (``validate`` ensures both exist)."""
    copy = template_copy(template, language)
    facts = {"shop_name": shop_name}
    return resolve(copy["heading"], facts, frozenset()), resolve(copy["preheader"], facts, frozenset())


# --- numbers, money, dates ------------------------------------------------------------------

NBSP = "\u00a0"


@dataclass(frozen=True)
class Locale:
    decimal: str
    group: str
    #: currency code -> symbol; others are written with their code
    symbols: dict[str, str]
    #: "prefix" ($12.00, PLN 12.00) or "suffix" (12,00 zł)
    currency_position: str
    #: genitive month names, as dates are written ("15 marca", "15. března")
    months: tuple[str, ...]
    #: day, month, year, time, zone
    date_format: str
    #: "10%" or "10 %" (Czech puts a space before the sign)
    percent_format: str


LOCALES = {
    "en": Locale(
        decimal=".", group=",", symbols={"USD": "$", "EUR": "€", "GBP": "£"}, currency_position="prefix",
        months=("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December"),
        date_format="{day} {month} {year}, {time} ({zone})", percent_format="{value}%",
    ),
    "pl": Locale(
        decimal=",", group=NBSP, symbols={"PLN": "zł", "EUR": "€"}, currency_position="suffix",
        months=("stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia",
                "września", "października", "listopada", "grudnia"),
        date_format="{day} {month} {year}, godz. {time} ({zone})", percent_format="{value}%",
    ),
    "cs": Locale(
        decimal=",", group=NBSP, symbols={"CZK": "Kč", "EUR": "€"}, currency_position="suffix",
        months=("ledna", "února", "března", "dubna", "května", "června", "července", "srpna",
                "září", "října", "listopadu", "prosince"),
        date_format="{day}. {month} {year} v {time} ({zone})", percent_format="{value}" + NBSP + "%",
    ),
}


def to_decimal(value) -> Decimal | None:
    if isinstance(value, bool) or value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def format_number(value: Decimal, language: str, *, places: int = 2, trim: bool = False) -> str:
    """1234.5 -> "1,234.50" (en), "1 234,50" (pl, cs); ``trim`` drops ",00"."""
    locale = LOCALES[language]
    quantum = Decimal(1).scaleb(-places)
    number = value.quantize(quantum)
    if trim and number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    sign = "-" if number < 0 else ""
    whole, _, fraction = f"{abs(number):f}".partition(".")
    groups = []
    while len(whole) > 3:
        whole, groups = whole[:-3], [whole[-3:], *groups]
    whole = locale.group.join([whole, *groups])
    return sign + whole + (locale.decimal + fraction if fraction else "")


def format_money(amount, currency: str | None, language: str, *, trim: bool = False) -> str | None:
    """A price the way the language writes it: "$12.00", "PLN 129.00", "129,00 zł"."""
    number = to_decimal(amount)
    if number is None:
        return None
    text = format_number(number, language, trim=trim)
    if not currency:
        return text
    locale = LOCALES[language]
    currency = currency.upper()
    symbol = locale.symbols.get(currency)
    if locale.currency_position == "suffix":
        return f"{text}{NBSP}{symbol or currency}"
    return f"{symbol}{text}" if symbol else f"{currency}{NBSP}{text}"


def format_datetime(moment: datetime, language: str, zone: tzinfo) -> str:
    """An instant in the customer's time zone: "15 March 2025, 18:00 (CET)"."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt_timezone.utc)
    local = moment.astimezone(zone)
    locale = LOCALES[language]
    return locale.date_format.format(
        day=local.day,
        month=locale.months[local.month - 1],
        year=local.year,
        time=f"{local:%H:%M}",
        zone=local.tzname() or "UTC",
    )


def describe_offer(kind: str, value, currency: str | None, language: str) -> str | None:
    """"10% off" / "10% zniżki" / "sleva 10 %"; None for a kind this module does not know."""
    kinds = common(language)["offer_kinds"]
    if kind == "free_shipping":
        return kinds["free_shipping"]
    number = to_decimal(value)
    if number is None:
        return None
    if kind == "percentage":
        percent = LOCALES[language].percent_format.format(value=format_number(number, language, trim=True))
        return kinds["percentage"].format(value=percent)
    if kind == "fixed_amount":
        return kinds["fixed_amount"].format(amount=format_money(number, currency, language, trim=True))
    return None


# --- how a customer is addressed ------------------------------------------------------------

#: Czech women's names ending in a consonant: their vocative is the name itself
CZECH_INVARIABLE = frozenset({
    "dagmar", "miriam", "ester", "karin", "ingrid", "carmen", "rút", "ruth", "nikol", "nicol",
    "ivet", "margit", "elizabet", "lilian", "isabel", "rachel", "sarah", "ellen", "kim", "jasmin",
    "agnes", "doris",
})
#: Czech men's names that drop their "e" (Pavel -> Pavle)
CZECH_MOBILE_E = frozenset({"pavel", "karel", "havel"})


def czech_vocative(name: str) -> str | None:
    """The vocative of a common Czech first name ("Petr" -> "Petře"), or None.

    Czech addresses people in the vocative; "Dobrý den, Petr" reads as a mistake. These
    rules cover the regular patterns of common Czech names. A name they do not cover
    gets None, and the greeting goes without a name rather than in the wrong case.
    """
    name = " ".join(name.split())
    if not name or not name.replace("-", "").isalpha() or " " in name or "-" in name:
        return None
    lower = name.lower()
    if lower in CZECH_INVARIABLE:
        return name
    if lower[-1] in "eiíyýouéě":
        return name  # Marie, Lucie, Jiří, Hugo: the vocative is the same
    if lower.endswith("a"):
        return name[:-1] + "o"  # Jana -> Jano, Honza -> Honzo
    if lower in CZECH_MOBILE_E:
        return name[:-2] + "le"
    if lower.endswith("ěk") and len(lower) > 3:
        softened = {"n": "ň", "d": "ď", "t": "ť"}.get(lower[-3])
        return name[:-3] + softened + "ku" if softened else None  # Zdeněk -> Zdeňku
    if lower.endswith("ek") and len(lower) > 3:
        return name[:-2] + "ku"  # Marek -> Marku, Radek -> Radku
    if lower.endswith("el"):
        return name + "i"  # Daniel -> Danieli, Marcel -> Marceli
    if lower[-1] in "šžčřjcďťň":
        return name + "i"  # Tomáš -> Tomáši, Ondřej -> Ondřeji
    if lower[-1] in "kgh":
        return name + "u"  # Dominik -> Dominiku, Vojtěch -> Vojtěchu
    if lower.endswith("r"):
        if len(lower) > 1 and lower[-2] not in "aeiouyáéíóúůýě":
            return name[:-1] + "ře"  # Petr -> Petře
        return name + "e"  # Viktor -> Viktore
    if lower[-1] in "bdflmnptvw":
        return name + "e"  # Jan -> Jane, David -> Davide, Václav -> Václave
    return None


def addressed_as(first_name: str | None, language: str) -> str | None:
    """The first name as it stands in a greeting in this language, or None for none."""
    name = " ".join((first_name or "").split())
    if not name:
        return None
    if language == "cs":
        return czech_vocative(name)
    return name
