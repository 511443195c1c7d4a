"""graphql/lifecycle.graphql is the API's contract: it must match the code, and the
dashboard's documents must be valid against it."""

from pathlib import Path

import pytest
from django.conf import settings
from graphql import NoUnusedFragmentsRule, build_schema, parse, print_schema, specified_rules, validate

from saleor_lifecycle.api.schema import schema

SCHEMA_FILE = Path(settings.BASE_DIR) / "graphql" / "lifecycle.graphql"
DASHBOARD_SOURCES = Path(settings.BASE_DIR) / "dashboard_extension" / "src"
REGENERATE = "python manage.py graphql_schema"


def dashboard_documents(root: Path) -> dict[str, str]:
    """Every ``.graphql`` under ``root``, each with the fragments it spreads from sibling files."""
    files = {str(path.relative_to(root)): path.read_text() for path in sorted(root.rglob("*.graphql"))}
    fragments = {
        definition.name.value: definition
        for text in files.values()
        for definition in parse(text).definitions
        if definition.kind == "fragment_definition"
    }
    documents = {}
    for name, text in files.items():
        defined = {d.name.value for d in parse(text).definitions if d.kind == "fragment_definition"}
        extra = [fragments[f] for f in sorted(_spreads(text, fragments) - defined)]
        documents[name] = "\n".join([text, *(_source(f) for f in extra)])
    return documents


def _spreads(text: str, fragments: dict) -> set[str]:
    """Fragment names ``text`` spreads, directly or through other fragments."""
    from graphql import FragmentSpreadNode, visit
    from graphql.language import Visitor

    found: set[str] = set()

    class Spreads(Visitor):
        def enter_fragment_spread(self, node: FragmentSpreadNode, *_):
            if node.name.value not in found:
                found.add(node.name.value)
                if node.name.value in fragments:
                    visit(fragments[node.name.value], self)

    visit(parse(text), Spreads())
    return found


def validate_document(lifecycle, text: str) -> list[str]:
    """Problems of one document; a file of fragments only is checked without "never used"."""
    document = parse(text)
    rules = specified_rules
    if not any(d.kind == "operation_definition" for d in document.definitions):
        rules = [rule for rule in specified_rules if rule is not NoUnusedFragmentsRule]
    return [error.message for error in validate(lifecycle, document, rules)]


def _source(definition) -> str:
    return definition.loc.source.body[definition.loc.start : definition.loc.end]


def test_it_keeps_the_printed_schema_in_step_with_the_code():
    printed = print_schema(schema.graphql_schema)

    assert SCHEMA_FILE.read_text().strip() == printed.strip(), f"graphql/lifecycle.graphql is stale: run `{REGENERATE}`"


def test_it_prints_a_schema_the_reference_implementation_accepts():
    rebuilt = build_schema(SCHEMA_FILE.read_text())

    assert {
        "me", "customers", "customer", "stageCounts", "segmentCounts", "lifecycleSettings", "scenarios", "scenario",
        "emailTemplates", "emailPreview", "scenarioReports", "scenarioReportsCsv", "stageFlows", "mailSettings",
        "contactPolicy",
    } <= set(rebuilt.query_type.fields)
    assert set(rebuilt.mutation_type.fields) == {
        "updateLifecycleSettings", "customerSetMessagesPaused", "scenarioUpdate", "updateMailSettings",
        "updateContactPolicy",
    }


DOCUMENTS = dashboard_documents(DASHBOARD_SOURCES) if DASHBOARD_SOURCES.is_dir() else {}


@pytest.mark.skipif(not DOCUMENTS, reason="no dashboard_extension/src/**/*.graphql yet")
@pytest.mark.parametrize("name", sorted(DOCUMENTS) or ["-"])
def test_it_validates_every_dashboard_document_against_the_schema(name):
    assert validate_document(build_schema(SCHEMA_FILE.read_text()), DOCUMENTS[name]) == []


def test_it_finds_and_validates_dashboard_documents_with_shared_fragments(tmp_path):
    (tmp_path / "modules" / "customers").mkdir(parents=True)
    (tmp_path / "fragments.graphql").write_text("fragment CustomerRow on Customer { id email stage }")
    (tmp_path / "modules" / "customers" / "list.graphql").write_text(
        "query List($after: String) { customers(first: 20, after: $after) { edges { node { ...CustomerRow } } } }"
    )
    (tmp_path / "modules" / "customers" / "broken.graphql").write_text("query { customers { nodes { email } } }")
    lifecycle = build_schema(SCHEMA_FILE.read_text())

    documents = dashboard_documents(tmp_path)
    problems = {name: validate_document(lifecycle, text) for name, text in documents.items()}

    assert problems["modules/customers/list.graphql"] == []
    assert problems["fragments.graphql"] == []
    assert problems["modules/customers/broken.graphql"]
