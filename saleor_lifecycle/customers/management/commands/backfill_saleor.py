from django.core.management.base import BaseCommand

from ...backfill import backfill
from ...models import BackfillState
from ._installation import installations


class Command(BaseCommand):
    help = "Import customers and orders from Saleor (resumable), then recompute stages and RFM."

    def add_arguments(self, parser):
        parser.add_argument("--installation", help="the Saleor API URL (default: every active installation)")
        parser.add_argument("--restart", action="store_true", help="start again from the first page")
        parser.add_argument("--page-size", type=int, default=100)
        parser.add_argument("--pages-per-second", type=float, default=4.0, help="be polite to the shop")

    def handle(self, *args, installation=None, restart=False, page_size=100, pages_per_second=4.0, **options):
        for shop in installations(installation):
            self.stdout.write(f"backfilling {shop}")
            counts = backfill(
                shop, page_size=page_size, pages_per_second=pages_per_second, progress=self.progress, restart=restart
            )
            self.stdout.write("")
            self.stdout.write(self.style.SUCCESS(f"  {counts.get('customers', 0)} customers, {counts.get('orders', 0)} orders"))

    def progress(self, state: BackfillState) -> None:
        total = state.total or state.fetched or 1
        width = 30
        filled = min(width, int(width * state.fetched / total))
        line = f"\r  {state.kind:<9} [{'#' * filled}{'.' * (width - filled)}] {state.fetched}/{state.total or '?'}"
        self.stdout.write(line, ending="")
        self.stdout.flush()
