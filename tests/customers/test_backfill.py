"""Backfill from the fake Saleor: several pages, interrupted half way, resumed."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command

from saleor_lifecycle.customers.backfill import backfill
from saleor_lifecycle.customers.models import BackfillState, Customer, Order, StageTransition
from saleor_lifecycle.customers.stages import Stage
from saleor_lifecycle.saleor_client import SaleorClient, SaleorRetryableError
from saleor_lifecycle.testing.fake_saleor import money

pytestmark = pytest.mark.django_db

NOW = datetime.now(UTC)


def seed(fake, customers=23, orders_each=3):
    for number in range(customers):
        customer = fake.add_customer(email=f"customer{number}@example.com", firstName=f"C{number}")
        for index in range(orders_each if number % 2 else 1):
            created = (NOW - timedelta(days=400 - 30 * index - number)).isoformat()
            fake.add_order(user=customer, total=10 + index, totalRefunded=money(0), created=created, updatedAt=created)
    fake.add_order(user=None, userEmail="guest@example.com", total=5, totalRefunded=money(0))


def client_for(installation, **kwargs):
    return SaleorClient.for_installation(installation, max_attempts=1, **kwargs)


def test_it_imports_every_customer_and_order_and_sets_stages(installation, fake_saleor):
    seed(fake_saleor)
    counts = backfill(installation, client=client_for(installation), page_size=5, pages_per_second=1000)

    assert counts == {"customers": 23, "orders": len(fake_saleor.orders)}
    assert Customer.objects.count() == 24  # 23 registered + 1 guest
    assert Order.objects.count() == len(fake_saleor.orders)
    assert Customer.objects.filter(stage=Stage.PROSPECT).count() == 0
    assert Customer.objects.get(email="guest@example.com").stage == Stage.NEW
    # The projections set stages as pages arrive; the final set-based recompute agrees.
    assert StageTransition.objects.filter(reason="backfill").count() == 0
    assert StageTransition.objects.values("customer").distinct().count() == 24
    assert all(state.finished_at for state in BackfillState.objects.all())


def test_an_interrupted_backfill_resumes_without_duplicates_or_gaps(installation, fake_saleor):
    seed(fake_saleor)
    client = client_for(installation)
    calls = {"n": 0}
    real_execute = client.execute

    def flaky_execute(document, variables=None):
        calls["n"] += 1
        if calls["n"] == 8:  # half way through the orders
            raise SaleorRetryableError("Saleor went away")
        return real_execute(document, variables)

    client.execute = flaky_execute
    with pytest.raises(SaleorRetryableError):
        backfill(installation, client=client, page_size=5, pages_per_second=1000)
    state = BackfillState.objects.get(kind="orders")
    assert state.cursor and not state.finished_at
    fetched_before = Order.objects.count()
    assert 0 < fetched_before < len(fake_saleor.orders)

    requests_before = len(fake_saleor.requests)
    backfill(installation, client=client_for(installation), page_size=5, pages_per_second=1000)

    assert Order.objects.count() == len(fake_saleor.orders)
    assert sorted(Order.objects.values_list("saleor_id", flat=True)) == sorted(o["id"] for o in fake_saleor.orders)
    assert Customer.objects.count() == 24
    # It resumed after the last stored page, not from the first one.
    resumed_orders_pages = [r for r in fake_saleor.requests[requests_before:] if "query Orders" in r["query"]]
    assert resumed_orders_pages[0]["variables"]["after"] == state.cursor


def test_the_command_shows_progress(installation, fake_saleor, capsys):
    seed(fake_saleor, customers=3)
    call_command("backfill_saleor", "--page-size", "2", "--pages-per-second", "1000")
    output = capsys.readouterr().out
    assert "customers [" in output and "3/3" in output
    assert "3 customers" in output


def test_installing_queues_a_backfill(client, fake_saleor, db, queued, django_capture_on_commit_callbacks, monkeypatch):
    from saleor_lifecycle.customers import tasks

    started = []
    monkeypatch.setattr(tasks.backfill_task, "delay", lambda pk: started.append(pk))
    from ..conftest import register

    with django_capture_on_commit_callbacks(execute=True):
        register(client, fake_saleor)
    assert len(started) == 1
