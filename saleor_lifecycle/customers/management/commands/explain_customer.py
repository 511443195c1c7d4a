import json

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from ...explain import explain_stage
from ...models import Customer
from ._installation import installations


class Command(BaseCommand):
    help = "Why a customer is in their stage, the thresholds used, and what happens next."

    def add_arguments(self, parser):
        parser.add_argument("customer", help="email or Saleor user id")
        parser.add_argument("--installation", help="the Saleor API URL (when several shops are installed)")

    def handle(self, *args, customer, installation=None, **options):
        found = Customer.objects.filter(
            Q(email=customer.strip().lower()) | Q(saleor_user_id=customer), installation__in=installations(installation)
        )
        if found.count() != 1:
            raise CommandError(f"{found.count()} customers match {customer!r}")
        self.stdout.write(json.dumps(explain_stage(found.get()), indent=2, default=str))
