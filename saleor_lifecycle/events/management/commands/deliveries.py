from django.core.management.base import BaseCommand, CommandError

from ... import ingest
from ...models import DeliveryStatus, WebhookDelivery


class Command(BaseCommand):
    help = "List webhook deliveries and their status, or replay failed ones (--replay)."

    def add_arguments(self, parser):
        parser.add_argument("--status", choices=DeliveryStatus.values, help="only this status")
        parser.add_argument("--event", help="only this Saleor event, e.g. ORDER_CREATED")
        parser.add_argument("--id", type=int, action="append", dest="ids", help="only this delivery (repeatable)")
        parser.add_argument("--limit", type=int, default=50)
        parser.add_argument(
            "--replay",
            action="store_true",
            help="queue the selected deliveries again (default selection: failed ones)",
        )

    def handle(self, *args, status=None, event=None, ids=None, limit=50, replay=False, **options):
        deliveries = WebhookDelivery.objects.select_related("installation").order_by("-received_at")
        if replay and not (status or ids):
            status = DeliveryStatus.FAILED
        if status:
            deliveries = deliveries.filter(status=status)
        if event:
            deliveries = deliveries.filter(event_type=event.upper())
        if ids:
            deliveries = deliveries.filter(pk__in=ids)
        if replay:
            if deliveries.filter(status=DeliveryStatus.MALFORMED).exists() and ids:
                raise CommandError("malformed deliveries cannot be replayed: fix the sender and redeliver")
            count = ingest.replay(deliveries)
            self.stdout.write(self.style.SUCCESS(f"queued {count} deliveries again"))
            return
        self.stdout.write(f"{'id':>8}  {'event':<18} {'status':<10} {'tries':>5}  received                   error")
        for delivery in deliveries[:limit]:
            self.stdout.write(
                f"{delivery.pk:>8}  {delivery.event_type:<18} {delivery.status:<10} {delivery.attempts:>5}  "
                f"{delivery.received_at:%Y-%m-%d %H:%M:%S%z}  {delivery.last_error[:80]}"
            )
