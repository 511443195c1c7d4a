from django.core.management.base import BaseCommand

from ...recompute import recompute_installation
from ._installation import installations


class Command(BaseCommand):
    help = "Recompute reorder interval, order totals, stages and RFM for a shop (set-based)."

    def add_arguments(self, parser):
        parser.add_argument("--installation", help="the Saleor API URL (default: every active installation)")

    def handle(self, *args, installation=None, **options):
        for shop in installations(installation):
            changed = recompute_installation(shop)
            self.stdout.write(f"{shop}: {changed} stage changes")
