from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone

from ....customers.management.commands._installation import installations
from ....customers.models import Customer
from ...gdpr import erase_customer, export_customer


class Command(BaseCommand):
    help = "GDPR: export everything about a customer as JSON, or erase their personal data."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export", "erase"])
        parser.add_argument("customer", help="email or Saleor user id")
        parser.add_argument("--installation", help="the Saleor API URL (when several shops are installed)")

    def handle(self, *args, action, customer, installation=None, **options):
        found = Customer.objects.filter(
            Q(email=customer.strip().lower()) | Q(saleor_user_id=customer), installation__in=installations(installation)
        )
        if found.count() != 1:
            raise CommandError(f"{found.count()} customers match {customer!r}")
        if action == "export":
            self.stdout.write(export_customer(found.get()))
        else:
            erased = erase_customer(found.get(), timezone.now())
            self.stdout.write(f"erased customer #{erased.pk}: personal data removed, counts kept")
