import json

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone

from ....customers.management.commands._installation import installations
from ....customers.models import Customer
from ...dryrun import explain_customer_scenarios, simulate_entries
from ...enrollment import enroll_segment, install_library
from ...models import EnrollmentStatus, Scenario


class Command(BaseCommand):
    help = "List, enable or disable scenarios; dry-run one; explain a customer's; enroll a segment."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["list", "enable", "disable", "dry-run", "explain", "enroll"])
        parser.add_argument("target", nargs="?", help="scenario key (or a customer's email for explain)")
        parser.add_argument("--installation", help="the Saleor API URL (when several shops are installed)")
        parser.add_argument("--days", type=int, default=7, help="dry-run horizon")
        parser.add_argument("--stage", help="enroll: customers in this stage")
        parser.add_argument("--segment", help="enroll: customers in this RFM segment")

    def handle(self, *args, action, target=None, installation=None, days=7, stage=None, segment=None, **options):
        now = timezone.now()
        for shop in installations(installation):
            install_library(shop)
            if action == "list":
                self.stdout.write(f"{shop}")
                for scenario in Scenario.objects.filter(installation=shop).order_by("key"):
                    active = scenario.enrollments.filter(status=EnrollmentStatus.ACTIVE).count()
                    self.stdout.write(
                        f"  {scenario.key:<16} {'on ' if scenario.enabled else 'off'}  v{scenario.current_version.number}"
                        f"  {active} active  {scenario.definition.name}"
                    )
            elif action == "explain":
                customer = Customer.objects.filter(Q(email=(target or "").lower()) | Q(saleor_user_id=target), installation=shop).first()
                if customer is None:
                    raise CommandError(f"no customer {target!r}")
                self.stdout.write(json.dumps(explain_customer_scenarios(customer, now), indent=2, default=str))
            else:
                scenario = Scenario.objects.filter(installation=shop, key=target).first()
                if scenario is None:
                    raise CommandError(f"no scenario {target!r}")
                if action in ("enable", "disable"):
                    scenario.enabled = action == "enable"
                    scenario.save(update_fields=["enabled"])
                    self.stdout.write(f"{scenario.key} {'enabled' if scenario.enabled else 'disabled'}")
                elif action == "dry-run":
                    self.stdout.write(json.dumps(simulate_entries(scenario, now, days), indent=2))
                else:
                    customers = Customer.objects.filter(installation=shop, erased_at__isnull=True)
                    if stage:
                        customers = customers.filter(stage=stage)
                    if segment:
                        customers = customers.filter(rfm__segment=segment)
                    if not (stage or segment):
                        raise CommandError("enroll needs --stage or --segment")
                    self.stdout.write(f"{enroll_segment(scenario, customers, now)} customers enrolled in {scenario.key}")


