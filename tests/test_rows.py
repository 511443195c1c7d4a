"""``core.rows`` writes and reads the rows ``save()`` and querysets would, on both databases;
``core.cache`` keeps rows a few seconds and forgets the ones saved in this process."""

import warnings
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections
from hypothesis import given, settings
from hypothesis import strategies as st

from saleor_lifecycle.core import rows
from saleor_lifecycle.core.cache import PerProcess
from saleor_lifecycle.customers.models import Customer, LifecycleSettings, OrderLine, RFMSegment
from saleor_lifecycle.customers.stages import Stage
from saleor_lifecycle.saleor_app.models import Installation
from saleor_lifecycle.scenarios.enrollment import enabled_scenarios, install_library

WHEN = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)
COMPARED = ["installation_id", "saleor_user_id", "email", "stage", "stage_since", "stage_due_at", "total_spent",
            "clv", "saleor_metadata", "marketing_consent", "orders_count", "p_alive", "unsubscribed_at"]


@pytest.fixture
def shop(db):
    installation = Installation(saleor_api_url="https://shop.example.com/graphql/", saleor_domain="shop.example.com")
    installation.token = "app-token"
    installation.save()
    return installation


def columns(customer: Customer) -> dict:
    return {name: getattr(customer, name) for name in COMPARED}


def test_an_inserted_row_reads_back_as_the_orm_reads_it(shop):
    customer = Customer(
        installation=shop, saleor_user_id="VXNlcjox", email="ada@example.com", stage="returning",
        stage_since=WHEN, stage_due_at=WHEN, total_spent=Decimal("1234.50"), clv=Decimal("99.99"),
        saleor_metadata={"lifecycle.consent": "yes", "nested": {"n": [1, 2]}}, marketing_consent=True,
        orders_count=3, p_alive=0.25,
    )
    rows.insert([customer])

    assert customer.pk is not None and customer.created_at is not None and customer.updated_at is not None
    stored = Customer.objects.get(pk=customer.pk)
    assert columns(stored) == columns(customer)
    [selected] = rows.select(Customer, "id = %s", [customer.pk])
    assert columns(selected) == columns(stored)
    assert (selected.created_at, selected.updated_at) == (stored.created_at, stored.updated_at)
    assert selected._state.adding is False


def test_update_writes_the_named_fields_and_refreshes_auto_now(shop):
    customer = Customer(installation=shop, email="ada@example.com", stage_since=WHEN)
    rows.insert([customer])
    written = Customer.objects.get(pk=customer.pk).updated_at
    customer.stage, customer.total_spent, customer.email = "new", Decimal("10.00"), "not-saved@example.com"

    assert rows.update(customer, ["stage", "total_spent", "updated_at"]) == 1

    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.stage, stored.total_spent, stored.email) == ("new", Decimal("10.00"), "ada@example.com")
    assert stored.updated_at > written


def test_several_rows_in_one_insert_get_their_own_keys_in_order(shop):
    customers = [Customer(installation=shop, email=f"c{n}@example.com", stage_since=WHEN) for n in range(3)]
    rows.insert(customers)

    assert [Customer.objects.get(pk=c.pk).email for c in customers] == ["c0@example.com", "c1@example.com", "c2@example.com"]


def test_select_sets_extra_expressions_on_each_instance(shop):
    rows.insert([Customer(installation=shop, email="ada@example.com", stage_since=WHEN)])

    [found] = rows.select(Customer, "email = %s", ["ada@example.com"], extra={"twice": "orders_count + %s"}, extra_params=[2])

    assert found.twice == 2 and found.email == "ada@example.com"


def test_a_cache_keeps_values_for_its_ttl_and_forgets_on_request():
    now, loads = [0.0], []
    cache = PerProcess(lambda key: loads.append(key) or f"value of {key}", ttl=5.0, clock=lambda: now[0])

    assert cache.get("a") == cache.get("a") == "value of a"
    now[0] = 5.1
    cache.get("a")
    cache.forget("a")
    cache.get("a")

    assert loads == ["a", "a", "a"]


def test_settings_saved_in_this_process_are_read_at_once_and_others_within_seconds(shop, monkeypatch):
    from saleor_lifecycle.customers import models

    assert LifecycleSettings.cached(shop).at_risk_factor == 0.9
    settings = LifecycleSettings.for_installation(shop)
    settings.at_risk_factor = 0.8
    settings.save()
    assert LifecycleSettings.cached(shop).at_risk_factor == 0.8

    LifecycleSettings.objects.filter(pk=settings.pk).update(at_risk_factor=0.7)  # as another process would
    assert LifecycleSettings.cached(shop).at_risk_factor == 0.8
    now = models.cached_settings.clock() + models.cached_settings.ttl + 0.1
    monkeypatch.setattr(models.cached_settings, "clock", lambda: now)
    assert LifecycleSettings.cached(shop).at_risk_factor == 0.7


def test_enabling_a_scenario_in_this_process_is_seen_at_once(shop):
    [first, *_] = install_library(shop)
    assert enabled_scenarios(shop) == []

    first.enabled = True
    first.save()

    assert [(scenario.pk, definition.key) for scenario, definition in enabled_scenarios(shop)] == [(first.pk, first.key)]


def prepared(value):
    """A parameter as compared: psycopg's JSON wrappers by what they wrap."""
    return (type(value), getattr(value, "obj", value))


@given(
    text=st.one_of(st.none(), st.text(max_size=5), st.sampled_from([RFMSegment.CHAMPIONS, Stage.NEW])),
    number=st.one_of(st.none(), st.integers(min_value=0, max_value=2**31 - 1)),
    flag=st.one_of(st.none(), st.booleans()),
    real=st.one_of(st.none(), st.floats(allow_nan=False)),
    money=st.one_of(st.none(), st.decimals(places=2, allow_nan=True, allow_infinity=True)),
    moment=st.one_of(st.none(), st.datetimes(timezones=st.sampled_from([UTC, None]))),
)
@settings(max_examples=200)
def test_values_are_the_parameters_the_fields_prepare(text, number, flag, real, money, moment):
    """On PostgreSQL values of the types psycopg takes as they are skip the fields'
    preparation: the parameters are still exactly what the fields return, and values the
    fields refuse are still refused."""
    customer = Customer(
        installation_id=number, saleor_user_id=text, email=text, stage=text, stage_since=moment,
        stage_due_at=moment, marketing_consent=flag, orders_count=number, total_spent=money, clv=money, p_alive=real,
        saleor_metadata={"k": text},
    )
    line = OrderLine(order_id=number, quantity=number, unit_price=money, product_name=text)
    db = connections[DEFAULT_DB_ALIAS]
    for instance in (customer, line):
        fields = [field for field in instance._meta.concrete_fields
                  if not field.primary_key and not getattr(field, "auto_now", False)
                  and not getattr(field, "auto_now_add", False)]
        names = [field.name for field in fields]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # naive datetimes, on both paths
            try:
                expected = [field.get_db_prep_save(field.pre_save(instance, False), db) for field in fields]
            except (ValidationError, TypeError, ValueError) as refused:
                with pytest.raises(type(refused)):
                    rows.values(instance, names, add=False)
                continue
            got = rows.values(instance, names, add=False)
        assert [(name, prepared(value)) for name, value in zip(names, got)] == [
            (name, prepared(value)) for name, value in zip(names, expected)
        ]
