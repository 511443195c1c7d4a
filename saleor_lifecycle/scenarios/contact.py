"""Contact pressure: how often a customer may be mailed, and when not at all.

A step that would break the rules is deferred to the next allowed moment, never dropped.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..customers.models import Customer
from .models import ContactPolicy, StepRun, StepRunStatus

#: sends that count against the budget: done, under way, or possibly done
COUNTED = [StepRunStatus.SENT, StepRunStatus.QUEUED, StepRunStatus.SENDING, StepRunStatus.UNCERTAIN]


def outside_quiet_hours(moment: datetime, policy: ContactPolicy) -> datetime:
    """``moment``, or the end of the quiet hours it falls into (in the shop's time zone)."""
    zone = ZoneInfo(policy.time_zone)
    local = moment.astimezone(zone)
    start, end = policy.quiet_start, policy.quiet_end
    now_time = local.time()
    if start == end:
        return moment
    quiet = (start <= now_time or now_time < end) if start > end else (start <= now_time < end)
    if not quiet:
        return moment
    day = local.date() if now_time < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=zone).astimezone(moment.tzinfo)


def recent_sends(customer_ids, now: datetime) -> dict[int, list[datetime]]:
    """When each customer's counted marketing emails of the last 7 days started, newest first.

    One query for many customers: the scheduler asks for a whole batch at once.
    """
    recent: dict[int, list[datetime]] = {}
    rows = (
        StepRun.objects.filter(
            customer_id__in=customer_ids, marketing=True, status__in=COUNTED, started_at__gt=now - timedelta(days=7)
        )
        .order_by("customer_id", "-started_at")
        .values_list("customer_id", "started_at")
    )
    for customer_id, started_at in rows:
        recent.setdefault(customer_id, []).append(started_at)
    return recent


def next_allowed(
    customer: Customer, now: datetime, policy: ContactPolicy, *, recent: list[datetime] | None = None
) -> datetime:
    """The earliest moment from ``now`` a marketing email may go to this customer.

    ``recent``: their sends as :func:`recent_sends` gives them, when the caller has them.
    """
    if recent is None:
        recent = recent_sends([customer.pk], now).get(customer.pk, [])
    recent = recent[: policy.max_per_week]
    moment = now
    if recent:
        moment = max(moment, recent[0] + timedelta(hours=policy.min_hours_between))
    if policy.max_per_week and len(recent) >= policy.max_per_week:
        moment = max(moment, recent[policy.max_per_week - 1] + timedelta(days=7))
    return outside_quiet_hours(moment, policy)


def resume_at(now: datetime, delay: timedelta | None, until_local_time: time | None, policy: ContactPolicy) -> datetime:
    """When a wait step ends: after ``delay``, then at the next ``until_local_time``."""
    moment = now + (delay or timedelta(0))
    if until_local_time is None:
        return moment
    zone = ZoneInfo(policy.time_zone)
    local = moment.astimezone(zone)
    target = datetime.combine(local.date(), until_local_time, tzinfo=zone)
    if target < local:
        target = datetime.combine(local.date() + timedelta(days=1), until_local_time, tzinfo=zone)
    return target.astimezone(moment.tzinfo)
