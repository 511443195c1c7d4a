"""Why a customer is in their stage, and what happens next: the facts and thresholds used."""

from datetime import datetime

from django.utils import timezone

from .actions import config_of, facts_of
from .models import Customer
from .stages import decide_stage


def explain_stage(customer: Customer, now: datetime | None = None) -> dict:
    """A plain structure a command, the API or the dashboard can show as it is."""
    now = now or timezone.now()
    config = config_of(customer.installation)
    decision = decide_stage(facts_of(customer), now, config)
    last = customer.last_order_at
    orders = customer.orders.all()
    scores = customer.rfm_scores
    return {
        "customer": str(customer),
        "stage": customer.stage,
        "stage_since": customer.stage_since,
        "reason": decision.reason,
        "up_to_date": decision.stage == customer.stage,
        "facts": {
            "orders_counted": customer.orders_count,
            "orders_not_counted": orders.filter(counts=False).count(),
            "first_order_at": customer.first_order_at,
            "last_order_at": last,
            "total_spent": customer.total_spent,
            "unsubscribed_at": customer.unsubscribed_at,
        },
        "rule": {
            "reorder_interval_days": round(config.reorder_interval_days, 2),
            "interval_source": config.interval_source,
            "at_risk_after_days": config.at_risk_after.total_seconds() / 86400,
            "lapsed_after_days": config.lapsed_after.total_seconds() / 86400,
            "sunset_after_days": config.sunset_after.total_seconds() / 86400,
        },
        "clock": (
            "personal: their own reorder clock (BG/NBD), shop thresholds for lapsing"
            if customer.personal_at_risk_at
            else f"shop-wide reorder interval ({config.interval_source})"
        ),
        "predictions": {
            "p_alive": customer.p_alive,
            "expected_orders_30_days": customer.expected_orders_30,
            "expected_orders_90_days": customer.expected_orders_90,
            "expected_orders_365_days": customer.expected_orders_365,
            "expected_next_order_at": customer.expected_next_order_at,
            "clv": customer.clv,
            "personal_at_risk_at": customer.personal_at_risk_at,
            "scored_at": customer.scored_at,
        },
        "thresholds": {
            "at_risk_at": (
                min(max(customer.personal_at_risk_at, last), last + config.lapsed_after)
                if customer.personal_at_risk_at and last
                else last + config.at_risk_after if last else None
            ),
            "lapsed_at": last + config.lapsed_after if last else None,
            "sunset_at": last + config.sunset_after if last else None,
        },
        "next": {"stage": decision.next_stage, "at": decision.due_at},
        "rfm": {
            "recency": scores.recency if scores else None,
            "frequency": scores.frequency if scores else None,
            "monetary": scores.monetary if scores else None,
            "segment": scores.segment if scores else "",
        },
        "history": [
            {"from": t.from_stage, "to": t.to_stage, "at": t.at, "reason": t.reason}
            for t in customer.transitions.all()
        ],
    }
