"""``manage.py demo``: the app, a worker with beat and a fake Saleor, talking for real.

1. Start the web app (gunicorn), a Celery worker with embedded beat, and the fake Saleor.
2. Install the app the way Saleor does: read the manifest, POST the token to its
   tokenTargetUrl; the app confirms the token with the (fake) Saleor and fetches its JWKS.
3. Deliver signed webhooks rendered from the manifest's own subscription queries, plus a
   redelivery, a forged one and a malformed one, and show what the app made of them:
   the shop's history backfilled, customers by stage and RFM segment, a lapsed customer
   brought back by a new order, and why they are where they are.
4. Print the dashboard pages' address with a staff token from the fake Saleor
   (``/app/#standalone-token=…``): the overview with the demo shop's data, in a browser.
5. Keep running until Ctrl-C (or exit at once with ``--exit``).
"""

import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ....testing.fake_saleor import FakeSaleor, money


#: How long the printed dashboard link works (Saleor's own dashboard tokens last minutes).
STANDALONE_TOKEN_HOURS = 12


def seed_history(fake: FakeSaleor, customers: int = 40, seed: int = 7) -> None:
    """Two years of a small shop: one-time buyers, regulars, and some who drifted away."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    for number in range(customers):
        customer = fake.add_customer(email=f"customer{number:02d}@example.com", firstName=f"Customer {number}")
        first = now - timedelta(days=rng.randint(20, 730))
        created, orders = first, rng.choice([0, 1, 1, 2, 3, 5, 8])
        for _ in range(orders):
            if created > now:
                break
            stamp = created.isoformat()
            fake.add_order(user=customer, total=rng.randint(20, 200), totalRefunded=money(0), created=stamp, updatedAt=stamp)
            created += timedelta(days=rng.expovariate(1 / 45))


class Command(BaseCommand):
    help = "Run the app with a worker, beat and a fake Saleor; install the app and deliver signed webhooks."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000, help="the app's port (default 8000)")
        parser.add_argument("--saleor-port", type=int, default=8001, help="the fake Saleor's port (default 8001)")
        parser.add_argument("--exit", action="store_true", help="stop after the demo instead of serving on")

    def handle(self, *args, port, saleor_port, exit, **options):
        app_url = f"http://127.0.0.1:{port}"
        env = {**os.environ, "APP_URL": app_url, "DEBUG": os.environ.get("DEBUG", "1")}
        processes: list[subprocess.Popen] = []
        fake = FakeSaleor(port=saleor_port)
        try:
            fake.start()
            processes.append(self.spawn("web", self.web_command(port), env))
            processes.append(self.spawn("worker", self.worker_command(), env))
            self.wait_until_healthy(app_url, processes)
            self.show(app_url, fake)
            if exit:
                return
            self.stdout.write(self.style.SUCCESS("\nThe app keeps running. Ctrl-C stops everything."))
            while all(process.poll() is None for process in processes):
                time.sleep(1)
            raise CommandError("a demo process stopped unexpectedly; see its output above")
        except KeyboardInterrupt:
            pass
        finally:
            for process in processes:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
            fake.stop()

    # --- processes ---------------------------------------------------------------------

    def web_command(self, port: int) -> list[str]:
        return [
            str(Path(sys.executable).with_name("gunicorn")),
            "saleor_lifecycle.config.wsgi:application",
            "--bind", f"127.0.0.1:{port}",
            "--workers", "2",
            "--log-level", "warning",
        ]

    def worker_command(self) -> list[str]:
        return [
            sys.executable, "-m", "celery", "-A", "saleor_lifecycle", "worker",
            "--beat", "--concurrency", "2", "--loglevel", "WARNING",
            "--schedule", str(settings.VAR_DIR / "celerybeat-schedule"),
        ]

    def spawn(self, name: str, command: list[str], env: dict) -> subprocess.Popen:
        self.stdout.write(f"starting {name}: {' '.join(command[:3])} …")
        return subprocess.Popen(command, env=env, cwd=settings.BASE_DIR)

    def wait_until_healthy(self, app_url: str, processes: list[subprocess.Popen], timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(process.poll() is not None for process in processes):
                raise CommandError("a demo process failed to start; see its output above")
            try:
                if httpx.get(f"{app_url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise CommandError(f"the app did not become healthy at {app_url}/healthz")

    # --- the show ------------------------------------------------------------------------

    def show(self, app_url: str, fake: FakeSaleor) -> None:
        say = self.stdout.write
        manifest = httpx.get(f"{app_url}/api/manifest").json()
        say(self.style.MIGRATE_HEADING(f"\nManifest: {app_url}/api/manifest"))
        say(f"  {manifest['name']} {manifest['version']}: {len(manifest['webhooks'])} webhooks, "
            f"permissions {', '.join(manifest['permissions'])}")

        seed_history(fake)
        say(self.style.MIGRATE_HEADING(
            f"\nInstalling into the fake Saleor at {fake.api_url} "
            f"({len(fake.customers)} customers, {len(fake.orders)} orders of history)"
        ))
        response = fake.register(manifest["tokenTargetUrl"])
        say(f"  POST {manifest['tokenTargetUrl']} -> {response.status_code} {response.text}")
        if response.status_code != 200:
            raise CommandError("the app refused the installation")

        self.wait_for_backfill()
        self.show_stages()

        hooks = {hook["asyncEvents"][0]: hook for hook in manifest["webhooks"]}
        ada = fake.add_customer(email="ada@example.com", firstName="Ada", lastName="Lovelace")
        deliveries = [("CUSTOMER_CREATED", {"user": ada})]
        for total in (42, 58):
            order = fake.add_order(user=ada, total=total, totalRefunded=money(0))
            deliveries.append(("ORDER_CREATED", {"order": order}))
        comeback = self.lapsed_customer(fake)
        order = fake.add_order(user=comeback, total=99, totalRefunded=money(0))
        deliveries.append(("ORDER_CREATED", {"order": order}))

        say(self.style.MIGRATE_HEADING("\nSaleor delivers signed webhooks"))
        for event, objects in deliveries:
            payload = fake.render_event(hooks[event]["query"], fake.make_event(event, **objects))
            response = fake.deliver(hooks[event]["targetUrl"], event, payload)
            say(f"  {event:<17} -> {response.status_code}")
        say("  and what must not get in, or not twice:")
        response = fake.deliver(hooks[event]["targetUrl"], event, payload)
        say(f"  redelivered ORDER_CREATED -> {response.status_code} {response.json()}")
        response = fake.deliver(hooks[event]["targetUrl"], event, payload, tamper=lambda body: body + b" ")
        say(f"  tampered body             -> {response.status_code} {response.json()['error']}")
        response = fake.deliver(hooks[event]["targetUrl"], event, {"issuedAt": "now"})
        say(f"  malformed body            -> {response.status_code} {response.json()['error']}")

        self.wait_for_worker(expected=len(deliveries))
        say(self.style.MIGRATE_HEADING("\nDeliveries in the app's database (manage.py deliveries)"))
        from django.core.management import call_command

        call_command("deliveries", "--limit", "8", stdout=self.stdout)
        self.show_stages()
        say(self.style.MIGRATE_HEADING(f"\nWhy {comeback['email']} is where they are (manage.py explain_customer)"))
        call_command("explain_customer", comeback["email"], stdout=self.stdout)
        say(self.style.MIGRATE_HEADING("\nTry it"))
        say(f"  manifest:        {app_url}/api/manifest   (install it into a real Saleor from here)")
        say(f"  health:          {app_url}/healthz")
        say(f"  deliveries:      {app_url}/admin/ (after manage.py createsuperuser)")
        say(self.style.MIGRATE_HEADING("\nThe dashboard pages, outside a Saleor dashboard"))
        say(f"  {self.dashboard_url(app_url, fake)}")
        say(f"  (a staff token from the fake Saleor, valid {STANDALONE_TOKEN_HOURS} hours; open it in a browser)")

    def dashboard_url(self, app_url: str, fake: FakeSaleor) -> str:
        """The overview with a staff token minted by the fake Saleor, as the dashboard would hand it over."""
        token = fake.issue_thirdparty_token(
            user_permissions=["MANAGE_USERS", "MANAGE_DISCOUNTS"],
            email="demo-staff@example.com",
            exp=int(time.time()) + STANDALONE_TOKEN_HOURS * 3600,
        )
        return f"{app_url}/app/#standalone-token={token}"

    def lapsed_customer(self, fake: FakeSaleor) -> dict:
        from ....customers.models import Customer
        from ....customers.stages import Stage

        lapsed = Customer.objects.filter(stage__in=[Stage.LAPSED, Stage.SUNSET]).exclude(saleor_user_id=None).first()
        return next(customer for customer in fake.customers if customer["id"] == lapsed.saleor_user_id)

    def wait_for_backfill(self, timeout: float = 120) -> None:
        from ....customers.models import BackfillState

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            states = BackfillState.objects.filter(finished_at__isnull=False)
            if states.count() == len(BackfillState.Kind.values):
                fetched = ", ".join(f"{state.fetched} {state.kind}" for state in states.order_by("kind"))
                self.stdout.write(self.style.SUCCESS(f"  the worker backfilled the shop's history: {fetched}"))
                return
            time.sleep(0.5)
        raise CommandError("the backfill did not finish in time")

    def show_stages(self) -> None:
        from django.db.models import Count

        from ....customers.models import Customer, CustomerRFM
        from ....customers.stages import Stage

        counts = dict(Customer.objects.values_list("stage").annotate(n=Count("id")))
        segments = dict(CustomerRFM.objects.values_list("segment").annotate(n=Count("customer")))
        self.stdout.write(self.style.MIGRATE_HEADING("\nCustomers by lifecycle stage"))
        for stage, label in Stage.CHOICES:
            self.stdout.write(f"  {label:<15} {counts.get(stage, 0):>4}")
        self.stdout.write("  RFM segments: " + ", ".join(f"{name} {n}" for name, n in sorted(segments.items())))

    def wait_for_worker(self, expected: int, timeout: float = 60) -> None:
        from ....events.models import DeliveryStatus, WebhookDelivery

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if WebhookDelivery.objects.filter(status=DeliveryStatus.PROCESSED).count() >= expected:
                self.stdout.write(self.style.SUCCESS(f"\nThe worker processed all {expected} deliveries."))
                return
            time.sleep(0.5)
        raise CommandError("the worker did not process the deliveries in time")
