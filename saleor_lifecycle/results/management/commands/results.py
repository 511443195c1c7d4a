from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ....customers.management.commands._installation import installations
from ....scenarios.models import Scenario
from ...reports import scenario_report, to_csv


def day(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    except ValueError:
        raise CommandError(f"expected a date like 2026-11-01, got {value!r}") from None


class Command(BaseCommand):
    help = "What each scenario earned: per step, and its uplift against the holdout (CSV with --csv)."

    def add_arguments(self, parser):
        parser.add_argument("--scenario", help="one scenario key (default: all)")
        parser.add_argument("--since", type=day, help="entered since (default: 90 days ago)")
        parser.add_argument("--until", type=day, help="entered before (default: now)")
        parser.add_argument("--csv", type=Path, help="write the per-step table to this file")
        parser.add_argument("--installation", help="the Saleor API URL (when several shops are installed)")

    def handle(self, *args, scenario=None, since=None, until=None, csv=None, installation=None, **options):
        until = until or timezone.now()
        since = since or until - timedelta(days=90)
        scenarios = Scenario.objects.filter(installation__in=installations(installation)).order_by("key")
        if scenario:
            scenarios = scenarios.filter(key=scenario)
        reports = [scenario_report(item, since, until) for item in scenarios]
        for report in reports:
            self.stdout.write(self.style.MIGRATE_HEADING(f"{report['name']} ({report['scenario']})"))
            self.stdout.write(f"  {'step':<30} {'sent':>6} {'opened':>7} {'clicked':>8} {'converted':>10} {'net revenue':>12}")
            for row in report["steps"]:
                self.stdout.write(
                    f"  {row['step']:<30} {row['sent']:>6} {row['opened']:>7} {row['clicked']:>8} "
                    f"{row['converted']:>10} {row['net_revenue']:>12.2f}"
                )
            self.stdout.write(f"  {report['uplift'].verdict}")
        if csv:
            csv.write_text(to_csv(reports))
            self.stdout.write(f"wrote {csv}")
