from django.core.management.base import BaseCommand

from ...predictions import calibration_table, refit
from ._installation import installations


class Command(BaseCommand):
    help = "Fit the purchase and spend models now, or show how well they predict (--calibrate)."

    def add_arguments(self, parser):
        parser.add_argument("--installation", help="the Saleor API URL (default: every active installation)")
        parser.add_argument(
            "--calibrate", type=int, metavar="DAYS",
            help="fit on all but the last DAYS and compare predicted with actual orders in them",
        )

    def handle(self, *args, installation=None, calibrate=None, **options):
        for shop in installations(installation):
            if calibrate:
                self.stdout.write(f"{shop}: predicted vs actual orders per customer in the last {calibrate} days")
                self.stdout.write(f"  {'repeat orders':>13} {'customers':>10} {'predicted':>10} {'actual':>8}")
                for row in calibration_table(shop, holdout_days=calibrate):
                    self.stdout.write(
                        f"  {row['repeat_orders']:>13} {row['customers']:>10} {row['predicted']:>10.3f} {row['actual']:>8.3f}"
                    )
                continue
            fit = refit(shop)
            state = "used" if fit.healthy else "not used: " + "; ".join(fit.problems)
            self.stdout.write(f"{shop}: {fit.n_customers} customers, {fit.n_repeat_buyers} repeat buyers, model {state}")
            if fit.purchase_params:
                self.stdout.write(f"  BG/NBD {fit.purchase_params}  Gamma-Gamma {fit.spend_params or '-'}")
