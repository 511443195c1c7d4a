import functools
from pathlib import Path

import pytest
from django.conf import settings
from graphql import build_schema

SCHEMA_PATH = Path(settings.BASE_DIR).parent / "shared" / "saleor" / "schema.graphql"


@functools.cache
def _saleor_schema():
    return build_schema(SCHEMA_PATH.read_text())


@pytest.fixture(scope="session")
def saleor_schema():
    """Saleor 3.24's schema (../shared/saleor/schema.graphql), built once per run."""
    return _saleor_schema()
