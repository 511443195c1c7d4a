"""The PostgreSQL path for a new order of a known customer writes what the general path
writes, in two statements, and hands anything else to the general path."""

import re
from dataclasses import replace
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from saleor_lifecycle.core import rows
from saleor_lifecycle.customers import actions
from saleor_lifecycle.events import types
from saleor_lifecycle.customers.models import Customer, Order, OrderLine, PredictionFit, StageTransition

from .conftest import START, days, make_order
from .test_properties import SETTINGS, STATUSES, reset

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the two-statement path is PostgreSQL's"
)


def everything() -> list[tuple]:
    """Every column the projection writes, but primary keys and write times."""
    customers = list(
        Customer.objects.values_list(
            "saleor_user_id", "email", "stage", "stage_since", "stage_due_at", "saleor_metadata_pending",
            "orders_count", "first_order_at", "last_order_at", "total_spent", "p_alive", "expected_orders_30",
            "expected_orders_90", "expected_orders_365", "expected_next_order_at", "clv", "personal_at_risk_at",
            "scored_at",
        )
    )
    orders = list(
        Order.objects.values_list(
            "saleor_id", "customer__email", "number", "created", "saleor_updated_at", "status", "channel",
            "currency", "total", "subtotal", "refunded", "discount", "voucher_code", "checkout_id", "email",
            "counts", "version_key",
        )
    )
    lines = list(OrderLine.objects.values_list("order__saleor_id", *actions.LINE_FIELDS))
    transitions = list(
        StageTransition.objects.values_list("customer__email", "from_stage", "to_stage", "at", "reason")
    )
    return [sorted(found, key=repr) for found in (customers, orders, lines, transitions)]


def with_lines(order: types.Order, count: int) -> types.Order:
    """The order with ``count`` lines, each unlike the others (empty and missing values,
    text JSON must escape, prices to the cent)."""
    lines = tuple(
        replace(
            order.lines[0], id=f"{order.id}-line-{index}", quantity=index + 1, unit_price=Decimal("0.10") * (index + 7),
            product_name=['Mug "Blue"', "Tasse \\ à café ☕", ""][index % 3], sku=["", None, "SKU-1"][index % 3],
            thumbnail_url=[None, "https://cdn.example.com/a.png?x=1&y=2", ""][index % 3],
        )
        for index in range(count)
    )
    return replace(order, lines=lines)


def general_path_only(monkeypatch):
    monkeypatch.setattr(actions, "apply_new_order_at_once", lambda *args: None)


@pytest.fixture
def healthy_fit(shop):
    """A stored purchase model, so every order rescores its customer."""
    return PredictionFit.objects.create(
        installation=shop, fitted_at=START, healthy=True,
        purchase_params={"r": 0.8, "alpha": 80.0, "a": 0.7, "b": 3.0}, spend_params={"p": 6.0, "q": 4.0, "gamma": 15.0},
    )


@postgresql_only
@SETTINGS
@given(
    orders=st.lists(
        st.tuples(st.integers(1, 3), st.integers(0, 700), st.sampled_from(STATUSES), st.integers(0, 4)),
        min_size=1, max_size=8,
    )
)
def test_it_writes_what_the_general_path_writes(shop, healthy_fit, orders):
    payloads = [
        with_lines(
            make_order(n, user_id=f"user-{user}" if user > 1 else None, email=f"user{user}@example.com",
                       created=START + days(day), status=status),
            lines,
        )
        for n, (user, day, status, lines) in enumerate(sorted(orders, key=lambda o: o[1]), start=1)
    ]
    now = START + days(800)

    reset()
    for payload in payloads:
        actions.do_apply_order(shop, payload, now=now)
    fast = everything()

    with pytest.MonkeyPatch.context() as patch:
        general_path_only(patch)
        reset()
        for payload in payloads:
            actions.do_apply_order(shop, payload, now=now)
        general = everything()

    assert fast == general


@postgresql_only
@pytest.mark.parametrize("orders_before", [1, 2])  # the stage changes (new -> returning), or stays
def test_a_new_order_of_a_known_customer_takes_two_statements(shop, healthy_fit, orders_before):
    for number in range(orders_before):
        actions.do_apply_order(shop, make_order(number, created=START + days(number)), now=START + days(number))

    with CaptureQueriesContext(connection) as queries:
        row = actions.do_apply_order(shop, make_order(9, created=START + days(30)), now=START + days(30))

    # (inside the test's transaction, as inside a webhook delivery's: no savepoint either)
    statements = [query["sql"] for query in queries.captured_queries]
    assert [sql.split()[0] for sql in statements] == ["SELECT", "WITH"], statements
    assert row.pk == Order.objects.get(saleor_id="order-9").pk
    assert row.lines.count() == 1
    customer = Customer.objects.get()
    assert (customer.orders_count, customer.stage, customer.last_order_at) == (
        orders_before + 1, "returning", START + days(30)
    )
    assert customer.scored_at == START + days(30) and customer.p_alive is not None
    assert list(customer.transitions.values_list("from_stage", "to_stage")) == [
        ("prospect", "new"), ("new", "returning")
    ]


@pytest.mark.parametrize("with_transition", [False, True])
def test_the_write_stays_within_what_psycopg_caches_parsed(with_transition):
    """psycopg parses a statement's placeholders once only up to 50 parameters and 4 kB;
    past them, every order would parse its statement again (a quarter of a millisecond)."""
    from psycopg import _queries

    sql = actions._new_order_sql(with_transition=with_transition)
    assert len(sql) <= _queries.MAX_CACHED_STATEMENT_LENGTH
    assert sql.count("%s") <= _queries.MAX_CACHED_STATEMENT_PARAMS


@postgresql_only
@pytest.mark.parametrize("user_id", ["VXNlcjox", None])
def test_the_customer_lookup_has_an_index_plan_for_any_parameters(shop, user_id):
    """psycopg prepares the statements a connection runs often; PostgreSQL then keeps one
    plan for any parameters when it is as good as one for the values. With no index usable
    for any email, each order's lookup would be planned again (a seq scan otherwise)."""
    Customer.objects.bulk_create(
        Customer(installation=shop, saleor_user_id=f"user-{n}" if n % 2 else None, email=f"c{n}@example.com",
                 stage_since=START)
        for n in range(500)
    )
    condition, params = actions.customer_match(user_id, "ada@example.com")
    numbers = iter(range(2, 10))
    condition = re.sub("%s", lambda _: f"${next(numbers)}", condition)
    execute = connection.ops.compose_sql(
        f"EXPLAIN EXECUTE lookup({', '.join(['%s'] * (len(params) + 1))})", [shop.pk, *params]
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Customer._meta.db_table}")
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute(f"PREPARE lookup AS SELECT id FROM {Customer._meta.db_table} WHERE installation_id = $1 AND ({condition})")
        try:
            cursor.execute(execute)
            plan = "\n".join(line for (line,) in cursor.fetchall())
        finally:
            cursor.execute("DEALLOCATE lookup")

    used = {"customer_email_once"} | ({"customer_saleor_user_once"} if user_id else set())
    assert "Seq Scan" not in plan and all(index in plan for index in used), plan


@postgresql_only
def test_an_order_stored_between_the_lock_and_the_write_goes_to_the_general_path(shop, monkeypatch):
    """Another delivery of the same order may commit while this one waits for the
    customer's lock; the lock's snapshot does not see it, ON CONFLICT does."""
    actions.do_apply_order(shop, make_order(1, created=START), now=START)
    first = make_order(2, created=START + days(30), status="UNFULFILLED")
    actions.do_apply_order(shop, first, now=START + days(30))
    select = rows.select

    def stale_probe(*args, **kwargs):
        found = select(*args, **kwargs)
        for customer in found:
            customer.order_stored = False  # as a snapshot taken before the other commit
        return found

    monkeypatch.setattr(rows, "select", stale_probe)
    before = everything()
    assert actions.apply_new_order_at_once(shop, first, actions.version_key(first), START + days(31)) is None
    assert everything() == before

    newer = make_order(2, created=START + days(30), status="FULFILLED", updated_at=START + days(32))
    assert actions.do_apply_order(shop, newer, now=START + days(32)) is not None
    assert Order.objects.get(saleor_id="order-2").status == "FULFILLED"
    assert Customer.objects.get().orders_count == 2


@postgresql_only
@pytest.mark.parametrize(
    "case",
    ["new customer", "guest to adopt", "stored order"],
)
def test_anything_but_a_new_order_of_a_known_customer_goes_to_the_general_path(shop, case):
    if case == "guest to adopt":
        actions.do_apply_order(shop, make_order(1, created=START, user_id=None), now=START)
    elif case == "stored order":
        actions.do_apply_order(shop, make_order(1, created=START), now=START)
    order = make_order(1 if case == "stored order" else 2, created=START + days(1))

    assert actions.apply_new_order_at_once(shop, order, actions.version_key(order), START + days(1)) is None
