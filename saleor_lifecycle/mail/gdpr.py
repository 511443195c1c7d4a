"""The right of access and the right to erasure, for one customer."""

import json
from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.forms.models import model_to_dict

from ..customers.actions import do_erase_customer
from ..customers.models import Customer
from ..scenarios.models import Checkout, StepRun


def export_customer(customer: Customer) -> str:
    """Everything the app keeps about the customer, as JSON."""
    data = {
        "customer": model_to_dict(customer),
        "orders": [
            {**model_to_dict(order), "lines": [model_to_dict(line) for line in order.lines.all()]}
            for order in customer.orders.prefetch_related("lines")
        ],
        "stage_history": [model_to_dict(t) for t in customer.transitions.all()],
        "checkouts": [model_to_dict(c) for c in Checkout.objects.filter(customer=customer)],
        "scenarios": [
            {**model_to_dict(e, exclude=["version"]), "scenario": e.scenario.key} for e in customer.enrollments.select_related("scenario")
        ],
        "messages": [model_to_dict(run) for run in StepRun.objects.filter(customer=customer)],
        "codes": [model_to_dict(code, exclude=["step_run"]) for code in customer.issued_codes.all()],
    }
    return json.dumps(data, cls=DjangoJSONEncoder, indent=2, default=str)


def erase_customer(customer: Customer, now: datetime) -> Customer:
    """Personal data goes (customer, orders' emails, carts, queued steps); counts stay."""
    if customer.saleor_user_id:
        return do_erase_customer(customer.installation, customer.saleor_user_id, now=now)
    # A guest: the same erasure, keyed by the row instead of a Saleor user id.
    Customer.objects.filter(pk=customer.pk).update(saleor_user_id=f"guest-{customer.pk}")
    return do_erase_customer(customer.installation, f"guest-{customer.pk}", now=now)
