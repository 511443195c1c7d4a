"""One bounded interpreter runs every scenario; the database says where each customer is.

Enrollments due now are claimed in batches under a lease (their ``next_run_at`` moves to
the lease's end), so two workers never run one enrollment, and a worker that dies only
delays it until the lease ends. Each send is a ``StepRun`` row, unique per enrollment and
step, committed before anything is sent: a step runs at most once, whatever crashes.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from ..mail.consent import why_not_mail
from ..mail.models import MailSettings
from .contact import next_allowed, resume_at
from .definitions import Condition, ExitWhen, Offer, ScenarioDefinition, Step, StepKind, TriggerKind
from .messages import DjangoEmailSender, MessageSender, OutgoingMessage, SendError
from .models import (
    Checkout,
    CheckoutStatus,
    ContactPolicy,
    Enrollment,
    EnrollmentStatus,
    StepRun,
    StepRunStatus,
)

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
#: a send still "sending" after this long died with its worker: maybe sent, never resent
UNCERTAIN_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class IssuedOffer:
    code: str
    expires_at: datetime
    #: in words, e.g. "10% off" or "free shipping"
    description: str


class OfferIssuer(Protocol):
    def issue(self, step_run: StepRun, offer: Offer, *, channel: str, now: datetime) -> IssuedOffer:
        """The code for this step run (the same one on every retry). Raise SendError."""


class Composer(Protocol):
    def __call__(self, *, run: StepRun, enrollment: Enrollment, template: str, extra: dict) -> OutgoingMessage:
        """The email for this step and customer."""


@dataclass
class Services:
    sender: MessageSender
    offers: OfferIssuer | None = None
    composer: Composer | None = None


def default_composer() -> Composer:
    from ..mail.compose import compose_message

    return compose_message


def default_services() -> Services:
    from ..offers.issuer import SaleorOfferIssuer

    return Services(sender=DjangoEmailSender(), offers=SaleorOfferIssuer(), composer=default_composer())


# --- the scheduler ------------------------------------------------------------------------


def claim_due(now: datetime, *, batch_size: int = 200) -> tuple[list[int], datetime]:
    """Lease up to ``batch_size`` due enrollments; return their ids and the lease's end."""
    lease = now + LEASE
    with transaction.atomic():
        due = Enrollment.objects.filter(status=EnrollmentStatus.ACTIVE, next_run_at__lte=now).order_by("next_run_at")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:batch_size])
        Enrollment.objects.filter(pk__in=ids).update(next_run_at=lease)
    return ids, lease


def run_due(now: datetime | None = None, *, services: Services | None = None, batch_size: int = 200) -> int:
    """The beat task's body: claim due enrollments and run each; return how many ran."""
    now = now or timezone.now()
    services = services or default_services()
    ids, lease = claim_due(now, batch_size=batch_size)
    try:
        for enrollment_id in ids:
            try:
                run_enrollment(enrollment_id, lease, now, services)
            except Exception:
                # The lease ends and the enrollment is due again: nothing is lost.
                logger.exception("running an enrollment failed", extra={"enrollment": enrollment_id})
    finally:
        if hasattr(services.sender, "close"):
            services.sender.close()
    return len(ids)


# --- the interpreter ------------------------------------------------------------------------


def exit_reason(enrollment: Enrollment, definition: ScenarioDefinition) -> str | None:
    """Why the enrollment must stop now, or None."""
    customer = enrollment.customer
    if customer.erased_at:
        return "customer erased"
    checkout = enrollment.checkout
    if checkout is not None and checkout.status in (CheckoutStatus.EMPTIED, CheckoutStatus.SUPERSEDED):
        return f"checkout {checkout.status}"
    exits = definition.exit_when
    if ExitWhen.ORDERED in exits:
        if checkout is not None and checkout.status == CheckoutStatus.CONVERTED:
            return "ordered"
        if customer.last_order_at and customer.last_order_at > enrollment.entered_at:
            return "ordered"
    if ExitWhen.UNSUBSCRIBED in exits and customer.unsubscribed_at:
        return "unsubscribed"
    if ExitWhen.BOUNCED in exits and customer.suppressed_at:
        return f"address {customer.suppression_reason or 'bounced'}"
    if (
        ExitWhen.STAGE_LEFT in exits
        and definition.trigger.kind == TriggerKind.STAGE_ENTERED
        and customer.stage != definition.trigger.stage
    ):
        return f"left the {definition.trigger.stage} stage"
    return None


def condition_holds(enrollment: Enrollment, condition: str) -> bool:
    """Opened / clicked the last email sent in this enrollment, or purchased since it."""
    last = enrollment.step_runs.filter(status=StepRunStatus.SENT).order_by("-sent_at").first()
    if condition == Condition.PURCHASED:
        since = last.sent_at if last else enrollment.entered_at
        return bool(enrollment.customer.last_order_at and enrollment.customer.last_order_at > since)
    if last is None:
        return False
    return bool(last.opened_at if condition == Condition.OPENED else last.clicked_at)


def finish(enrollment: Enrollment, status: str, reason: str, now: datetime) -> None:
    enrollment.status = status
    enrollment.exit_reason = reason
    enrollment.finished_at = now
    enrollment.next_run_at = None
    enrollment.save(update_fields=["status", "exit_reason", "finished_at", "next_run_at"])


def run_enrollment(enrollment_id: int, lease: datetime, now: datetime, services: Services) -> None:
    """Run an enrollment's steps until it waits, is deferred or ends.

    Bounded: each step is visited at most once (links only point forward), so the loop
    stops after ``len(steps) + 1`` rounds whatever happens.
    """
    for _ in range(64):
        send = None
        with transaction.atomic():
            enrollment = (
                # Lock the enrollment row only: the checkout is an outer join PostgreSQL cannot lock.
                Enrollment.objects.select_for_update(of=("self",))
                .select_related("customer", "version", "checkout", "installation")
                .filter(pk=enrollment_id, status=EnrollmentStatus.ACTIVE, next_run_at=lease)
                .first()
            )
            if enrollment is None:
                return  # not ours any more (another worker, or finished)
            definition = enrollment.version.parsed
            reason = exit_reason(enrollment, definition)
            if reason:
                return finish(enrollment, EnrollmentStatus.EXITED, reason, now)
            step = definition.step(enrollment.step_key)
            if step is None or step.kind == StepKind.EXIT:
                return finish(enrollment, EnrollmentStatus.COMPLETED, "completed", now)
            if step.kind == StepKind.WAIT:
                policy = ContactPolicy.for_installation(enrollment.installation)
                enrollment.step_key = definition.following(step)
                enrollment.next_run_at = resume_at(now, step.delay, step.until_local_time, policy)
                enrollment.save(update_fields=["step_key", "next_run_at"])
                return
            if step.kind == StepKind.BRANCH:
                holds = condition_holds(enrollment, step.condition)
                enrollment.step_key = step.then if holds else step.otherwise
                enrollment.save(update_fields=["step_key"])
                continue
            send = prepare_send(enrollment, definition, step, now)
            if send is None:
                return  # deferred, or another worker is sending it
            if send == "done":
                continue
        if not deliver(send, enrollment, definition, step, lease, now, services):
            return  # failed: deferred with backoff, or recorded and moved on next time


def advance(enrollment: Enrollment, definition: ScenarioDefinition, step: Step) -> None:
    enrollment.step_key = definition.following(step)
    enrollment.save(update_fields=["step_key"])


def prepare_send(enrollment: Enrollment, definition: ScenarioDefinition, step: Step, now: datetime):
    """Inside the enrollment's lock: decide whether this send goes now.

    Returns the committed StepRun to send, "done" when the step needs no sending (it
    was sent, skipped or refused before: the enrollment moved on), or None to stop here
    (deferred by contact pressure, or a send under way in another worker).
    """
    run = StepRun.objects.filter(enrollment=enrollment, step_key=step.key).first()
    if run is not None and run.status in (
        StepRunStatus.SENT,
        StepRunStatus.FAILED,
        StepRunStatus.UNCERTAIN,
        StepRunStatus.SKIPPED,
        StepRunStatus.HELD_OUT,
    ):
        advance(enrollment, definition, step)
        return "done"
    if run is not None and run.status == StepRunStatus.SENDING:
        if now - run.started_at < UNCERTAIN_AFTER:
            return None
        run.status = StepRunStatus.UNCERTAIN
        run.error = "the worker sending it stopped; not sent again"
        run.save(update_fields=["status", "error"])
        advance(enrollment, definition, step)
        return "done"
    customer = enrollment.customer
    refusal = why_not_mail(customer, MailSettings.for_installation(enrollment.installation), marketing=step.marketing)
    if refusal:
        StepRun.objects.update_or_create(
            enrollment=enrollment,
            step_key=step.key,
            defaults={"customer": customer, "template": step.template, "status": StepRunStatus.SKIPPED,
                      "started_at": now, "marketing": step.marketing, "error": refusal},
        )
        advance(enrollment, definition, step)
        return "done"
    if enrollment.held_out:
        # The control group walks the same steps at the same times; nothing is sent.
        StepRun.objects.update_or_create(
            enrollment=enrollment,
            step_key=step.key,
            defaults={"customer": customer, "template": step.template, "status": StepRunStatus.HELD_OUT,
                      "started_at": now, "sent_at": now, "marketing": step.marketing},
        )
        advance(enrollment, definition, step)
        return "done"
    if step.marketing:
        allowed = next_allowed(customer, now, ContactPolicy.for_installation(enrollment.installation))
        if allowed > now:
            enrollment.next_run_at = allowed
            enrollment.save(update_fields=["next_run_at"])
            return None
    run = run or StepRun(enrollment=enrollment, customer=customer, step_key=step.key)
    run.template = step.template
    run.marketing = step.marketing
    run.status = StepRunStatus.SENDING
    run.attempts += 1
    run.started_at = now
    run.save()
    return run


def deliver(
    run: StepRun, enrollment: Enrollment, definition: ScenarioDefinition, step: Step,
    lease: datetime, now: datetime, services: Services,
) -> bool:
    """Outside any transaction: issue the offer, send, then record the outcome.

    Returns whether it was sent; the enrollment's loop goes on only then."""
    try:
        extra = message_context(enrollment)
        if step.offer is not None:
            if services.offers is None:
                raise SendError("no offer issuer configured", permanent=True)
            channel = enrollment.checkout.channel if enrollment.checkout else default_channel(enrollment)
            issued = services.offers.issue(run, step.offer, channel=channel, now=now)
            extra["offer"] = {
                "code": issued.code,
                "kind": step.offer.kind,
                "value": step.offer.value,
                "currency": enrollment.checkout.currency if enrollment.checkout else None,
                "description": issued.description,
                "expires_at": issued.expires_at,
            }
        message = (services.composer or default_composer())(run=run, enrollment=enrollment, template=step.template, extra=extra)
        message_id = services.sender.send(message)
    except SendError as exc:
        record_failure(run, enrollment, definition, step, lease, now, exc)
        return False
    with transaction.atomic():
        StepRun.objects.filter(pk=run.pk).update(
            status=StepRunStatus.SENT, sent_at=now, error="", message_id=(message_id or "")[:255]
        )
        Enrollment.objects.filter(pk=enrollment.pk, next_run_at=lease).update(step_key=definition.following(step))
        if enrollment.checkout_id:
            Checkout.objects.filter(pk=enrollment.checkout_id).update(
                reminders_sent=F("reminders_sent") + 1, saleor_mark_pending=True
            )
    return True


def record_failure(run, enrollment, definition, step, lease, now, exc: SendError) -> None:
    with transaction.atomic():
        if exc.permanent:
            StepRun.objects.filter(pk=run.pk).update(status=StepRunStatus.FAILED, error=str(exc))
            Enrollment.objects.filter(pk=enrollment.pk, next_run_at=lease).update(step_key=definition.following(step))
        else:
            # 5 min, 10, 20 … capped at 6 h: the step waits, it is never dropped.
            delay = min(timedelta(minutes=5) * 2 ** (run.attempts - 1), timedelta(hours=6))
            StepRun.objects.filter(pk=run.pk).update(status=StepRunStatus.RETRYING, error=str(exc))
            Enrollment.objects.filter(pk=enrollment.pk, next_run_at=lease).update(next_run_at=now + delay)
    logger.warning(
        "a scenario step could not be sent",
        extra={"step_run": run.pk, "permanent": exc.permanent, "error": str(exc)},
    )


def default_channel(enrollment: Enrollment) -> str:
    last_order = enrollment.customer.orders.order_by("-created").first()
    return last_order.channel if last_order else "default-channel"


def message_context(enrollment: Enrollment) -> dict:
    """What the scenario knows that the email may show (the composer adds the rest)."""
    return {}
