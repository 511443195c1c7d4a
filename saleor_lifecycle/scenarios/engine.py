"""One bounded interpreter runs every scenario; the database says where each customer is.

Enrollments due now are claimed in batches under a lease (their ``next_run_at`` moves to
the lease's end), so two workers never run one enrollment, and a worker that dies only
delays it until the lease ends. Each send is a ``StepRun`` row, unique per enrollment and
step, committed before anything is sent: a step runs at most once, whatever crashes.

A claimed batch runs set-based (:func:`run_batch`): the statements of a round serve all
its enrollments, so a step costs a fraction of a query instead of a dozen.
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
from ..saleor_app.models import Installation
from .contact import next_allowed, recent_sends, resume_at
from .definitions import Condition, ExitWhen, Offer, ScenarioDefinition, Step, StepKind, TriggerKind
from .messages import DjangoEmailSender, MessageSender, OutgoingMessage, SendError
from .models import (
    Checkout,
    CheckoutStatus,
    ContactPolicy,
    Enrollment,
    EnrollmentStatus,
    ScenarioVersion,
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
    """The beat task's body: claim due enrollments and run them; return how many were claimed."""
    now = now or timezone.now()
    services = services or default_services()
    ids, lease = claim_due(now, batch_size=batch_size)
    try:
        if ids:
            run_batch(ids, lease, now, services)
    except Exception:
        # The leases end and the enrollments are due again: nothing is lost.
        logger.exception("running a batch of enrollments failed", extra={"enrollments": len(ids)})
    finally:
        if hasattr(services.sender, "close"):
            services.sender.close()
    return len(ids)


def run_enrollment(enrollment_id: int, lease: datetime, now: datetime, services: Services) -> None:
    """Run one leased enrollment until it waits, is deferred or ends (a batch of one)."""
    run_batch([enrollment_id], lease, now, services)


#: Each round moves every enrollment still running past one send, and links only point
#: forward, so a valid scenario ends long before this; it stops a bug from looping.
MAX_ROUNDS = 64
#: At most this many enrollments a round. A round's emails are committed as "queued"
#: before the first goes out and each is marked "sending" just before it goes, so a worker
#: killed mid-round leaves one "uncertain" (maybe sent, never sent again) and the rest to
#: whoever picks the enrollments up; larger rounds spread the round's few statements over
#: more steps.
ROUND_SIZE = 25


def run_batch(ids: list[int], lease: datetime, now: datetime, services: Services) -> None:
    """Run leased enrollments until each waits, is deferred or ends, in rounds.

    1. Lock up to ROUND_SIZE enrollments still ours (``next_run_at`` is our lease, still
       active) and read what their steps need, for all of them at once (:class:`Round`).
    2. Walk each one's steps in memory (exit checks, waits, branches, sends decided)
       until it waits, ends, is deferred or has an email to send.
    3. In the same transaction write the outcome: new step runs ("queued", committed
       *before* anything is sent) and the enrollments' positions, in a few statements.
    4. After the commit, deliver each email, marking its run "sending" first; the
       enrollments whose email went out go on in the next round, from the step after it.
    """
    batch = Batch(lease, now)
    pending = sorted(ids)
    for _ in range(MAX_ROUNDS):
        sent = []
        for start in range(0, len(pending), ROUND_SIZE):
            chunk = pending[start:start + ROUND_SIZE]
            try:
                sends = Round(batch, chunk).run()
            except Exception:
                # Rolled back: their leases end and they are due again; the others go on.
                logger.exception("running a round of enrollments failed", extra={"enrollments": chunk})
                continue
            for send in sends:
                try:
                    if deliver(send.run, send.enrollment, send.definition, send.step, lease, now, services):
                        sent.append(send.enrollment.pk)
                except Exception:
                    # The step run stays "sending": once UNCERTAIN_AFTER has passed it
                    # becomes "uncertain" and is never sent again.
                    logger.exception("sending a scenario step failed", extra={"enrollment": send.enrollment.pk})
        if not sent:
            return
        pending = sent
    logger.error("a batch of enrollments did not settle", extra={"enrollments": pending})


# --- the interpreter ------------------------------------------------------------------------


class Batch:
    """What stays the same through a batch's rounds: the clock, the lease, shop settings
    and parsed scenario versions, each read once."""

    def __init__(self, lease: datetime, now: datetime):
        self.lease, self.now = lease, now
        self.versions: dict[int, ScenarioVersion] = {}
        self.installations: dict[int, Installation] = {}
        self.mail_settings: dict[int, MailSettings] = {}
        self.policies: dict[int, ContactPolicy] = {}

    def attach(self, enrollments: list[Enrollment]) -> None:
        """Give every enrollment its (shared) version and installation, read once."""
        missing = {e.version_id for e in enrollments} - self.versions.keys()
        if missing:
            self.versions.update(ScenarioVersion.objects.in_bulk(missing))
        missing = {e.installation_id for e in enrollments} - self.installations.keys()
        if missing:
            self.installations.update(Installation.objects.in_bulk(missing))
        for enrollment in enrollments:
            enrollment.version = self.versions[enrollment.version_id]
            enrollment.installation = self.installations[enrollment.installation_id]

    def mail_settings_of(self, installation: Installation) -> MailSettings:
        if installation.pk not in self.mail_settings:
            self.mail_settings[installation.pk] = MailSettings.for_installation(installation)
        return self.mail_settings[installation.pk]

    def policy_of(self, installation: Installation) -> ContactPolicy:
        if installation.pk not in self.policies:
            self.policies[installation.pk] = ContactPolicy.for_installation(installation)
        return self.policies[installation.pk]


@dataclass
class Send:
    """An email decided in a round: its step run is committed, the email not yet sent."""

    enrollment: Enrollment
    definition: ScenarioDefinition
    step: Step
    run: StepRun


#: step runs whose step needs no more sending: the enrollment moves on
SETTLED = (StepRunStatus.SENT, StepRunStatus.FAILED, StepRunStatus.UNCERTAIN, StepRunStatus.SKIPPED, StepRunStatus.HELD_OUT)
#: what prepare_send answers when the step needs no sending and the walk goes on
DONE = "done"
#: what a walk writes on an enrollment
POSITION_FIELDS = ["step_key", "next_run_at", "status", "exit_reason", "finished_at"]


class Round:
    """One round of a batch: read for all, walk each in memory, write for all."""

    def __init__(self, batch: Batch, ids: list[int]):
        self.batch, self.ids = batch, ids
        self.now = batch.now
        self.runs: dict[int, dict[str, StepRun]] = {}
        self.recent: dict[int, list[datetime]] | None = None
        self.customer_ids: list[int] = []
        #: this round's writes
        self.moved: list[Enrollment] = []
        self.new_runs: list[StepRun] = []
        self.changed_runs: list[tuple[StepRun, list[str]]] = []
        self.sends: list[Send] = []

    def run(self) -> list[Send]:
        with transaction.atomic():
            enrollments = list(
                # Lock the enrollment rows only: the checkout is an outer join PostgreSQL cannot lock.
                Enrollment.objects.select_for_update(of=("self",))
                .select_related("customer", "checkout")
                .filter(pk__in=self.ids, status=EnrollmentStatus.ACTIVE, next_run_at=self.batch.lease)
                .order_by("pk")
            )
            if not enrollments:
                return []  # not ours any more (another worker, or finished)
            self.batch.attach(enrollments)
            self.customer_ids = sorted({e.customer_id for e in enrollments})
            for run in StepRun.objects.filter(enrollment_id__in=[e.pk for e in enrollments]):
                self.runs.setdefault(run.enrollment_id, {})[run.step_key] = run
            for enrollment in enrollments:
                self.walk_one(enrollment)
            self.write()
        return self.sends

    def walk_one(self, enrollment: Enrollment) -> None:
        """Walk one enrollment; a failure leaves it (and only it) as it was: due again
        when the lease ends."""
        marks = len(self.new_runs), len(self.changed_runs), len(self.sends)
        before = {name: getattr(enrollment, name) for name in POSITION_FIELDS}
        try:
            self.walk(enrollment)
        except Exception:
            logger.exception("running an enrollment failed", extra={"enrollment": enrollment.pk})
            del self.new_runs[marks[0]:], self.changed_runs[marks[1]:], self.sends[marks[2]:]
            for name, value in before.items():
                setattr(enrollment, name, value)
            return
        if any(getattr(enrollment, name) != value for name, value in before.items()):
            self.moved.append(enrollment)

    def walk(self, enrollment: Enrollment) -> None:
        """Bounded: each step is visited at most once (links only point forward)."""
        definition = enrollment.version.parsed
        for _ in range(len(definition.steps) + 2):
            reason = exit_reason(enrollment, definition)
            if reason:
                return finish(enrollment, EnrollmentStatus.EXITED, reason, self.now)
            step = definition.step(enrollment.step_key)
            if step is None or step.kind == StepKind.EXIT:
                return finish(enrollment, EnrollmentStatus.COMPLETED, "completed", self.now)
            if step.kind == StepKind.WAIT:
                policy = self.batch.policy_of(enrollment.installation)
                enrollment.step_key = definition.following(step)
                enrollment.next_run_at = resume_at(self.now, step.delay, step.until_local_time, policy)
                return
            if step.kind == StepKind.BRANCH:
                holds = condition_holds(enrollment, step.condition, last_sent(self.runs.get(enrollment.pk, {})))
                enrollment.step_key = step.then if holds else step.otherwise
                continue
            outcome = self.prepare_send(enrollment, definition, step)
            if outcome == DONE:
                continue
            if outcome is not None:
                self.sends.append(Send(enrollment, definition, step, outcome))
            return  # an email to send, deferred, or a send under way in another worker
        raise RuntimeError(f"scenario {definition.key} did not settle: a link points back")

    def prepare_send(self, enrollment: Enrollment, definition: ScenarioDefinition, step: Step):
        """Decide whether this send goes now.

        Returns the step run to send (saved with the round), DONE when the step needs no
        sending (sent, skipped or refused before: the enrollment moved on), or None to
        stop here (deferred by contact pressure, or a send under way in another worker).
        """
        now = self.now
        runs = self.runs.setdefault(enrollment.pk, {})
        run = runs.get(step.key)
        if run is not None and run.status in SETTLED:
            enrollment.step_key = definition.following(step)
            return DONE
        if run is not None and run.status == StepRunStatus.QUEUED:
            # Queued by a worker whose lease ended before it got to it: still unsent.
            # ``deliver`` sends it only if it is the one to mark it "sending".
            return run
        if run is not None and run.status == StepRunStatus.SENDING:
            if now - run.started_at < UNCERTAIN_AFTER:
                return None
            run.status = StepRunStatus.UNCERTAIN
            run.error = "the worker sending it stopped; not sent again"
            self.changed_runs.append((run, ["status", "error"]))
            enrollment.step_key = definition.following(step)
            return DONE
        customer = enrollment.customer
        refusal = why_not_mail(customer, self.batch.mail_settings_of(enrollment.installation), marketing=step.marketing)
        if refusal or enrollment.held_out:
            # Refused, or in the control group (same steps, same times, nothing sent).
            fields = {"customer": customer, "template": step.template, "started_at": now, "marketing": step.marketing}
            if refusal:
                fields |= {"status": StepRunStatus.SKIPPED, "error": refusal}
            else:
                fields |= {"status": StepRunStatus.HELD_OUT, "sent_at": now}
            self.save_run(enrollment, step, run, fields)
            enrollment.step_key = definition.following(step)
            return DONE
        if step.marketing:
            if self.recent is None:  # read once a round, for every customer of the round
                self.recent = recent_sends(self.customer_ids, now)
            sent_lately = self.recent.setdefault(customer.pk, [])
            allowed = next_allowed(customer, now, self.batch.policy_of(enrollment.installation), recent=sent_lately)
            if allowed > now:
                enrollment.next_run_at = allowed
                return None
            sent_lately.insert(0, now)  # a second enrollment of theirs in this round sees it
        return self.save_run(
            enrollment, step, run,
            {"customer": customer, "template": step.template, "marketing": step.marketing,
             "status": StepRunStatus.QUEUED, "attempts": (run.attempts if run else 0) + 1, "started_at": now},
        )

    def save_run(self, enrollment: Enrollment, step: Step, run: StepRun | None, fields: dict) -> StepRun:
        """Set ``fields`` on the step's run, or on a new one; written with the round."""
        if run is None:
            run = StepRun(enrollment=enrollment, step_key=step.key, **fields)
            self.new_runs.append(run)
            self.runs[enrollment.pk][step.key] = run
        else:
            for name, value in fields.items():
                setattr(run, name, value)
            self.changed_runs.append((run, list(fields)))
        return run

    def write(self) -> None:
        if self.new_runs:
            if connection.features.can_return_rows_from_bulk_insert:
                StepRun.objects.bulk_create(self.new_runs)
            else:
                for run in self.new_runs:
                    run.save()
        for run, fields in self.changed_runs:
            run.save(update_fields=fields)
        # Enrollments of a batch mostly move alike (the same wait ends at the same time):
        # one UPDATE per distinct position, not Django's bulk_update (a CASE per row and field).
        positions: dict[tuple, list[int]] = {}
        for enrollment in self.moved:
            positions.setdefault(tuple(getattr(enrollment, name) for name in POSITION_FIELDS), []).append(enrollment.pk)
        for values, ids in positions.items():
            Enrollment.objects.filter(pk__in=ids).update(**dict(zip(POSITION_FIELDS, values)))


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


def last_sent(runs: dict[str, StepRun]) -> StepRun | None:
    """The enrollment's last email that went out."""
    sent = [run for run in runs.values() if run.status == StepRunStatus.SENT and run.sent_at]
    return max(sent, key=lambda run: run.sent_at) if sent else None


def condition_holds(enrollment: Enrollment, condition: str, last: StepRun | None) -> bool:
    """Opened / clicked the last email sent in this enrollment, or purchased since it."""
    if condition == Condition.PURCHASED:
        since = last.sent_at if last else enrollment.entered_at
        return bool(enrollment.customer.last_order_at and enrollment.customer.last_order_at > since)
    if last is None:
        return False
    return bool(last.opened_at if condition == Condition.OPENED else last.clicked_at)


def finish(enrollment: Enrollment, status: str, reason: str, now: datetime) -> None:
    """Set the enrollment's end (written with the round)."""
    enrollment.status = status
    enrollment.exit_reason = reason
    enrollment.finished_at = now
    enrollment.next_run_at = None


def deliver(
    run: StepRun, enrollment: Enrollment, definition: ScenarioDefinition, step: Step,
    lease: datetime, now: datetime, services: Services,
) -> bool:
    """Outside any transaction: issue the offer, send, then record the outcome.

    Returns whether it was sent; the enrollment goes on only then (the next round finds
    the run sent and moves past the step). A run another worker has marked "sending"
    is theirs: nothing is done with it here."""
    if not start_sending(run):
        return False
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
    if enrollment.checkout_id:
        with transaction.atomic():
            mark_sent(run, now, message_id)
            Checkout.objects.filter(pk=enrollment.checkout_id).update(
                reminders_sent=F("reminders_sent") + 1, saleor_mark_pending=True
            )
    else:
        mark_sent(run, now, message_id)  # one statement: its own transaction
    return True


#: once per email, so written out rather than compiled by the ORM each time
START_SENDING_SQL = f"UPDATE {StepRun._meta.db_table} SET status = %s WHERE id = %s AND status = %s"


def start_sending(run: StepRun) -> bool:
    """Mark a queued run "sending" (its own transaction); False if it was not queued any more."""
    with connection.cursor() as cursor:
        cursor.execute(START_SENDING_SQL, [StepRunStatus.SENDING.value, run.pk, StepRunStatus.QUEUED.value])
        taken = cursor.rowcount == 1
    if taken:
        run.status = StepRunStatus.SENDING
    return taken


MARK_SENT_SQL = f"UPDATE {StepRun._meta.db_table} SET status = %s, sent_at = %s, error = '', message_id = %s WHERE id = %s"


def mark_sent(run: StepRun, now: datetime, message_id: str | None) -> None:
    with connection.cursor() as cursor:
        sent_at = connection.ops.adapt_datetimefield_value(now)  # as the ORM would store it
        cursor.execute(MARK_SENT_SQL, [StepRunStatus.SENT.value, sent_at, (message_id or "")[:255], run.pk])


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
