"""The dashboard extension in Chromium, against the app on a live server with a fake Saleor.

The shop is the demo's (``manage.py demo`` seeds the same history), backfilled through
the real install and backfill; on top of it: open checkouts (so the cart scenario's dry
run has someone to count), a reactivation scenario with results against its holdout, and
a customer on their way through it. dashboard_extension/tests/browser/acceptance.mjs then
drives the built pages with playwright-core (see its header for what it checks) and
writes a screenshot of every page to artifacts/dashboard/. Afterwards the database must
show what the person did: the cart scenario on, its first delay changed in a new version,
the customer's emails paused, the shop's name saved.

Needs the built extension and its packages (bin/build-extension, which bin/test runs) and
Chromium (bin/system-deps).
"""

import os
import shutil
import subprocess
import threading
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from saleor_lifecycle.core.management.commands.demo import seed_history
from saleor_lifecycle.customers import actions
from saleor_lifecycle.customers.backfill import backfill
from saleor_lifecycle.customers.models import Customer
from saleor_lifecycle.mail.models import MailSettings
from saleor_lifecycle.results.attribution import do_attribute_order
from saleor_lifecycle.saleor_app.models import Installation
from saleor_lifecycle.saleor_client import SaleorClient
from saleor_lifecycle.scenarios.dryrun import simulate_entries
from saleor_lifecycle.scenarios.enrollment import enroll
from saleor_lifecycle.scenarios.models import Checkout, Enrollment, Scenario, StepRun, StepRunStatus
from tests.conftest import register
from tests.customers.conftest import make_order

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "dashboard_extension"
ARTIFACTS = ROOT / "artifacts" / "dashboard"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def one_request_at_a_time(live_server):
    """On in-memory SQLite every thread of the live server shares one connection, which
    fails with "database table is locked" when the browser's requests overlap: run the
    app for one request at a time there (on PostgreSQL they run side by side)."""
    if not (connection.vendor == "sqlite" and connection.is_in_memory_db()):
        yield
        return
    server = live_server.thread.httpd
    app, lock = server.get_app(), threading.Lock()

    def serialized(environ, start_response):
        with lock:
            return app(environ, start_response)

    server.set_app(serialized)
    yield
    server.set_app(app)


@pytest.fixture
def shop(live_server, one_request_at_a_time, client, fake_saleor, queued, monkeypatch):
    """The demo shop installed through /api/register and backfilled from the fake Saleor."""
    from saleor_lifecycle.customers import tasks

    monkeypatch.setattr(tasks.backfill_task, "delay", lambda *args, **kwargs: None)  # run below, in this thread
    seed_history(fake_saleor)
    response = register(client, fake_saleor)
    assert response.status_code == 200, response.content
    installation = Installation.objects.get()
    backfill(installation, client=SaleorClient.for_installation(installation, max_attempts=1), pages_per_second=1000)
    return installation


def open_checkouts(installation, now, count=3):
    customers = Customer.objects.filter(installation=installation).exclude(saleor_user_id=None)[:count]
    for number, customer in enumerate(customers):
        Checkout.objects.create(
            installation=installation, customer=customer, saleor_id=f"checkout-{number}", token=f"token-{number}",
            email=customer.email, channel="default-channel", currency="USD", total=Decimal("80.00"),
            lines=[{"name": "Mug", "quantity": 1}], last_change=now - timedelta(minutes=10),
        )


def reactivation_results(installation, now):
    """Customers who entered reactivation 20 days ago: emails, opens, clicks, orders, a holdout."""
    scenario = Scenario.objects.get(installation=installation, key="reactivation")
    entered = now - timedelta(days=20)
    customers = Customer.objects.filter(installation=installation).exclude(saleor_user_id=None).order_by("id")
    for number, customer in enumerate(customers):
        held_out = number % 5 == 0
        enrollment = Enrollment.objects.create(
            installation=installation, scenario=scenario, version=scenario.current_version, customer=customer,
            entry_key=f"results-{number}", entered_at=entered, held_out=held_out, step_key=None,
            status="completed", finished_at=entered + timedelta(days=10),
        )
        StepRun.objects.create(
            enrollment=enrollment, customer=customer, step_key="reactivation_checkin", started_at=entered,
            sent_at=entered, status=StepRunStatus.HELD_OUT if held_out else StepRunStatus.SENT,
            opened_at=None if number % 2 else entered + timedelta(hours=3),
            clicked_at=entered + timedelta(hours=4) if number % 4 == 0 else None,
        )
        if number % 3 == 1:
            when = entered + timedelta(days=2)
            order = make_order(9000 + number, created=when, user_id=customer.saleor_user_id, email=customer.email, total="120.00")
            do_attribute_order(actions.do_apply_order(installation, order, now=when), when)
    return scenario


@pytest.mark.skipif(not CHROMIUM, reason="Chromium is not installed (bin/system-deps installs it)")
def test_a_shop_owner_turns_on_the_cart_scenario_and_looks_at_every_page(shop, live_server, fake_saleor):
    assert (EXTENSION / "dist" / "index.html").exists() and (EXTENSION / "node_modules" / "playwright-core").exists(), (
        "the dashboard extension is not built: run bin/build-extension"
    )
    now = timezone.now()
    open_checkouts(shop, now)
    reactivation = reactivation_results(shop, now)
    reactivation.enabled = True
    reactivation.save(update_fields=["enabled"])
    customer = Customer.objects.filter(installation=shop).exclude(saleor_user_id=None).order_by("-total_spent").first()
    Enrollment.objects.filter(customer=customer, scenario=reactivation).delete()
    enroll(reactivation, customer, entry_key="browser-test", now=now)
    cart = Scenario.objects.get(installation=shop, key="abandoned_cart")
    expected = simulate_entries(cart, now, days=7)["expected_entries"]
    token = fake_saleor.issue_thirdparty_token(
        user_permissions=["MANAGE_USERS", "MANAGE_DISCOUNTS"], exp=int(now.timestamp()) + 3600
    )

    run = subprocess.run(
        ["node", "tests/browser/acceptance.mjs"],
        cwd=EXTENSION,
        env={
            **os.environ,
            "BASE_URL": live_server.url,
            "TOKEN": token,
            "CUSTOMER_ID": customer.saleor_user_id,
            "CART_ENTRIES": str(expected),
            "ARTIFACTS": str(ARTIFACTS),
            "CHROMIUM": CHROMIUM,
        },
        capture_output=True,
        text=True,
        timeout=300,
    )

    print(run.stdout)
    assert run.returncode == 0, f"{run.stdout}\n{run.stderr}"
    cart.refresh_from_db()
    assert cart.enabled
    assert cart.current_version.number == 2
    first_wait = next(step for step in cart.current_version.definition["steps"] if step["key"] == "wait_1_hour")
    assert first_wait["delay"] == {"hours": 2}
    customer.refresh_from_db()
    assert customer.messages_paused_at is not None
    assert MailSettings.for_installation(shop).shop_name == "Demo Garden Shop"
    for page in ["overview", "scenarios", "scenario", "segments", "results", "settings", "customer-widget", "customer-actions", "home-widget", "customer"]:
        assert (ARTIFACTS / f"{page}.png").stat().st_size > 10_000, page
