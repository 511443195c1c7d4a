"""Each PostgreSQL connection reads ``timestamptz`` with psycopg's C loader, which gives the
values Django's own loader gives."""

from datetime import UTC, datetime

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's connection setup")


def timestamptz_loader(adapters):
    import psycopg
    from psycopg.pq import Format

    return adapters.get_loader(psycopg.adapters.types["timestamptz"].oid, Format.TEXT)


def djangos_loader():
    from django.db.backends.postgresql.psycopg_any import get_adapters_template

    return timestamptz_loader(get_adapters_template(True, UTC))


def test_a_new_connection_reads_with_psycopgs_loader(db):
    fresh = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with fresh.cursor() as cursor:  # Django compares the loader's time zone on each cursor
            cursor.execute("SELECT %s::timestamptz", [datetime(2026, 3, 1, 9, 30, tzinfo=UTC)])
            [(value,)] = cursor.fetchall()
        loader = timestamptz_loader(fresh.connection.adapters)
    finally:
        fresh.close()
    assert value == datetime(2026, 3, 1, 9, 30, tzinfo=UTC) and value.tzinfo is UTC
    assert loader is not djangos_loader() and loader.__name__ == "UTCTimestamptzLoader"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)))
def test_it_loads_what_djangos_loader_loads(db, value):
    with connection.cursor() as cursor:
        raw = cursor.cursor
        raw.execute("SELECT %s::timestamptz", [value])
        text, oid = raw.pgresult.get_value(0, 0), raw.pgresult.ftype(0)
        ours = timestamptz_loader(raw.adapters)(oid, raw).load(text)
        djangos = djangos_loader()(oid, raw).load(text)
    assert ours == djangos == value
    assert ours.tzinfo is djangos.tzinfo is UTC
