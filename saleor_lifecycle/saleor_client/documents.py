"""The GraphQL documents the app sends to Saleor live as ``.graphql`` files in ``graphql/``.

Keeping them as files (not strings in Python) lets a test validate every one of them
against Saleor's schema, so a query the real Saleor would reject fails in CI. Shared
selections live in ``graphql/fragments/``; a document that spreads ``...LifecycleOrder``
is sent with that fragment (and the fragments it spreads) appended.
"""

import functools
import re
from pathlib import Path

from django.conf import settings

DOCUMENTS_DIR = Path(settings.BASE_DIR) / "graphql"
FRAGMENTS_DIR = DOCUMENTS_DIR / "fragments"

_FRAGMENT_DEFINITION = re.compile(r"^fragment\s+(\w+)\s+on\b", re.MULTILINE)
_FRAGMENT_SPREAD = re.compile(r"\.\.\.\s*(?!on\b)([_A-Za-z]\w*)")


@functools.cache
def _fragments() -> dict[str, str]:
    fragments = {}
    for path in sorted(FRAGMENTS_DIR.glob("*.graphql")):
        text = path.read_text()
        for name in _FRAGMENT_DEFINITION.findall(text):
            fragments[name] = text
    return fragments


def _with_fragments(text: str) -> str:
    fragments = _fragments()
    included: list[str] = []
    pending = _FRAGMENT_SPREAD.findall(text)
    while pending:
        name = pending.pop()
        fragment = fragments.get(name)
        if fragment is None:
            raise LookupError(f"fragment {name!r} is not defined in {FRAGMENTS_DIR}")
        if fragment not in included and fragment not in text:
            included.append(fragment)
            pending.extend(_FRAGMENT_SPREAD.findall(fragment))
    return "\n".join([text, *included])


@functools.cache
def load_document(name: str) -> str:
    """Return ``graphql/<name>.graphql`` with its fragments, e.g. ``load_document("queries/app")``."""
    path = (DOCUMENTS_DIR / f"{name}.graphql").resolve()
    if DOCUMENTS_DIR.resolve() not in path.parents:
        raise ValueError(f"document {name!r} is outside {DOCUMENTS_DIR}")
    return _with_fragments(path.read_text())


def all_documents() -> dict[str, str]:
    """Every document the app sends to Saleor, keyed by name (path under graphql/, no suffix).

    Fragments are parts of documents, and ``graphql/lifecycle.graphql`` is this app's own
    schema, so neither is listed on its own.
    """
    return {
        name: load_document(name)
        for name in (
            str(path.relative_to(DOCUMENTS_DIR).with_suffix(""))
            for path in sorted(DOCUMENTS_DIR.rglob("*.graphql"))
            if path.parent not in (DOCUMENTS_DIR, FRAGMENTS_DIR)
        )
    }
