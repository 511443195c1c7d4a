"""Every GraphQL document the dashboard extension sends is one the API accepts.

The documents live in dashboard_extension/src/**/*.graphql; each is validated against the
API's printed schema (graphql/lifecycle.graphql, itself checked against the code by
tests/api/test_schema_file.py) and against the API's own depth and cost limits at the
largest page size, as /graphql/ would validate it before running it.
"""

from pathlib import Path

import pytest
from django.conf import settings
from graphql import FragmentDefinitionNode, build_schema, parse, specified_rules, validate

from saleor_lifecycle.api.limits import query_limits_rule

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "graphql" / "lifecycle.graphql"
DOCUMENTS = sorted((ROOT / "dashboard_extension" / "src").rglob("*.graphql"))


@pytest.fixture(scope="module")
def schema():
    return build_schema(SCHEMA.read_text())


@pytest.fixture(scope="module")
def fragments():
    """Fragments by name, from all documents (a document may use another file's)."""
    found = {}
    for path in DOCUMENTS:
        for definition in parse(path.read_text()).definitions:
            if isinstance(definition, FragmentDefinitionNode):
                found[definition.name.value] = definition
    return found


def with_fragments(document, fragments):
    own = {d.name.value for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    document.definitions = (*document.definitions, *(f for name, f in fragments.items() if name not in own))
    return document


def test_the_extension_has_documents():
    assert len(DOCUMENTS) >= 5, "dashboard_extension/src should hold the pages' GraphQL documents"


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda path: str(path.relative_to(ROOT / "dashboard_extension" / "src")))
def test_it_is_valid_against_the_api_schema_and_limits(path, schema, fragments):
    document = with_fragments(parse(path.read_text()), fragments)
    rules = [
        *(rule for rule in specified_rules if rule.__name__ != "NoUnusedFragmentsRule"),
        query_limits_rule(
            {},
            max_depth=settings.API_MAX_QUERY_DEPTH,
            max_cost=settings.API_MAX_QUERY_COST,
            max_page_size=settings.API_MAX_PAGE_SIZE,
        ),
    ]

    errors = validate(schema, document, rules)

    assert not errors, "\n".join(error.message for error in errors)
