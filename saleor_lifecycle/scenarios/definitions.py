"""Scenarios are data: a trigger, numbered steps linked by key, and exit conditions.

A definition is stored as JSON per installation (``ScenarioVersion.definition``) and
validated when loaded: unknown kinds, dangling or backward links, missing templates are
errors a shop owner can read. Links only point forward, so an enrollment visits each
step at most once: a step's key is the idempotency key of what it sends.
"""

import math
from dataclasses import dataclass, field
from datetime import time, timedelta
from typing import Any

from ..customers.stages import Stage


#: longer waits are a mistake (and later than any date the engine could compute)
MAX_DURATION = timedelta(days=730)
#: a code valid for longer than a year is no longer an offer
MAX_OFFER_DAYS = 365


class DefinitionError(ValueError):
    """The scenario definition is not valid; the message says where and why."""


class TriggerKind:
    #: the customer entered a stage (``stage``)
    STAGE_ENTERED = "stage_entered"
    #: a checkout with an email and lines went idle without an order
    CART_ABANDONED = "cart_abandoned"
    #: the customer's first counted order
    FIRST_ORDER = "first_order"
    #: an order was fulfilled
    ORDER_FULFILLED = "order_fulfilled"
    #: the yearly anniversary of the first order
    FIRST_ORDER_ANNIVERSARY = "first_order_anniversary"
    #: a lapsed or sunset customer ordered again
    CAME_BACK = "came_back"
    #: staff enrolled a segment by hand
    MANUAL = "manual"
    ALL = {STAGE_ENTERED, CART_ABANDONED, FIRST_ORDER, ORDER_FULFILLED, FIRST_ORDER_ANNIVERSARY, CAME_BACK, MANUAL}


class StepKind:
    #: wait a duration, optionally until a local time of day
    WAIT = "wait"
    #: send an email (template), optionally with an offer (a voucher code)
    SEND = "send"
    #: go to ``then`` if the condition holds since the last send, else to ``otherwise``
    BRANCH = "branch"
    #: leave the scenario
    EXIT = "exit"
    ALL = {WAIT, SEND, BRANCH, EXIT}


class Condition:
    OPENED = "opened"
    CLICKED = "clicked"
    PURCHASED = "purchased"
    ALL = {OPENED, CLICKED, PURCHASED}


class ExitWhen:
    #: the customer placed an order (for cart scenarios: any order, or that checkout's)
    ORDERED = "ordered"
    #: the customer left the stage that made them enter
    STAGE_LEFT = "stage_left"
    UNSUBSCRIBED = "unsubscribed"
    BOUNCED = "bounced"
    ALL = {ORDERED, STAGE_LEFT, UNSUBSCRIBED, BOUNCED}


class OfferKind:
    FREE_SHIPPING = "free_shipping"
    PERCENTAGE = "percentage"
    FIXED_AMOUNT = "fixed_amount"
    GIFT = "gift"
    ALL = {FREE_SHIPPING, PERCENTAGE, FIXED_AMOUNT, GIFT}


@dataclass(frozen=True)
class Offer:
    kind: str
    #: percent or amount in the channel's currency; ignored for free shipping
    value: float = 0
    #: days the code stays valid after it is sent
    valid_days: float = 7
    min_order_value: float | None = None


@dataclass(frozen=True)
class Step:
    key: str
    kind: str
    #: the step that follows (default: the next one in the list; None at the end = exit)
    next: str | None = None
    delay: timedelta | None = None
    until_local_time: time | None = None
    template: str | None = None
    offer: Offer | None = None
    #: counts against the customer's marketing frequency budget
    marketing: bool = True
    condition: str | None = None
    then: str | None = None
    otherwise: str | None = None


@dataclass(frozen=True)
class Trigger:
    kind: str
    stage: str | None = None


@dataclass(frozen=True)
class ScenarioDefinition:
    key: str
    name: str
    trigger: Trigger
    steps: tuple[Step, ...]
    exit_when: frozenset[str] = field(default_factory=lambda: frozenset({ExitWhen.ORDERED, ExitWhen.UNSUBSCRIBED}))
    #: higher wins when a customer is eligible for two lifecycle scenarios
    priority: int = 0
    #: cart scenarios run alongside the one lifecycle scenario a customer may be in
    runs_alongside: bool = False

    def step(self, key: str | None) -> Step | None:
        return next((step for step in self.steps if step.key == key), None)

    def following(self, step: Step) -> str | None:
        if step.next is not None:
            return step.next
        index = self.steps.index(step)
        return self.steps[index + 1].key if index + 1 < len(self.steps) else None

    @property
    def first_step(self) -> str:
        return self.steps[0].key


# --- JSON <-> definition -----------------------------------------------------------------


def _duration(value: Any, where: str) -> timedelta:
    if not isinstance(value, dict) or not value:
        raise DefinitionError(f"{where}: a duration is an object like {{\"hours\": 24}}")
    unknown = set(value) - {"days", "hours", "minutes"}
    if unknown:
        raise DefinitionError(f"{where}: unknown duration unit(s) {sorted(unknown)}")
    try:
        delta = timedelta(**{unit: float(amount) for unit, amount in value.items()})
    except (TypeError, ValueError):
        raise DefinitionError(f"{where}: duration amounts must be numbers") from None
    except OverflowError:
        raise DefinitionError(f"{where}: a duration must be at most {MAX_DURATION.days} days") from None
    if delta <= timedelta(0):
        raise DefinitionError(f"{where}: a duration must be positive")
    if delta > MAX_DURATION:
        raise DefinitionError(f"{where}: a duration must be at most {MAX_DURATION.days} days")
    return delta


def _local_time(value: Any, where: str) -> time:
    try:
        return time.fromisoformat(value)
    except (TypeError, ValueError):
        raise DefinitionError(f"{where}: expected a time of day like \"10:00\"") from None


def _offer(value: Any, where: str) -> Offer:
    if not isinstance(value, dict) or value.get("kind") not in OfferKind.ALL:
        raise DefinitionError(f"{where}: offer kind must be one of {sorted(OfferKind.ALL)}")
    try:
        offer = Offer(
            kind=value["kind"],
            value=float(value.get("value", 0)),
            valid_days=float(value.get("valid_days", 7)),
            min_order_value=float(value["min_order_value"]) if value.get("min_order_value") is not None else None,
        )
    except (TypeError, ValueError):
        raise DefinitionError(f"{where}: value, valid_days and min_order_value must be numbers") from None
    if not all(math.isfinite(number) for number in (offer.value, offer.valid_days, offer.min_order_value or 0)):
        raise DefinitionError(f"{where}: value, valid_days and min_order_value must be finite numbers")
    if offer.kind in {OfferKind.PERCENTAGE, OfferKind.FIXED_AMOUNT} and offer.value <= 0:
        raise DefinitionError(f"{where}: a {offer.kind} offer needs a positive value")
    if offer.kind == OfferKind.PERCENTAGE and offer.value > 100:
        raise DefinitionError(f"{where}: a percentage offer cannot exceed 100")
    if offer.valid_days <= 0:
        raise DefinitionError(f"{where}: valid_days must be positive")
    if offer.valid_days > MAX_OFFER_DAYS:
        raise DefinitionError(f"{where}: valid_days must be at most {MAX_OFFER_DAYS}")
    if offer.min_order_value is not None and offer.min_order_value < 0:
        raise DefinitionError(f"{where}: min_order_value cannot be negative")
    return offer


def parse_offer(value: Any, where: str = "offer") -> Offer:
    """Validate one offer's JSON (``{"kind": "percentage", "value": 10, "valid_days": 7}``)."""
    return _offer(value, where)


def parse_definition(data: Any) -> ScenarioDefinition:
    """Validate stored JSON and build the definition; raise DefinitionError with the place."""
    if not isinstance(data, dict):
        raise DefinitionError("a scenario is a JSON object")
    for required in ("key", "name", "trigger", "steps"):
        if not data.get(required):
            raise DefinitionError(f"{required} is required")
    trigger_data = data["trigger"]
    if not isinstance(trigger_data, dict) or trigger_data.get("kind") not in TriggerKind.ALL:
        raise DefinitionError(f"trigger.kind must be one of {sorted(TriggerKind.ALL)}")
    trigger = Trigger(kind=trigger_data["kind"], stage=trigger_data.get("stage"))
    if trigger.kind == TriggerKind.STAGE_ENTERED and trigger.stage not in Stage.ALL:
        raise DefinitionError(f"trigger.stage must be one of {Stage.ALL}")
    if not isinstance(data["steps"], list):
        raise DefinitionError("steps must be a list")

    steps = []
    for index, raw in enumerate(data["steps"]):
        where = f"steps[{index}]"
        if not isinstance(raw, dict) or raw.get("kind") not in StepKind.ALL:
            raise DefinitionError(f"{where}.kind must be one of {sorted(StepKind.ALL)}")
        key = raw.get("key")
        if not isinstance(key, str) or not key:
            raise DefinitionError(f"{where}.key is required")
        step = Step(
            key=key,
            kind=raw["kind"],
            next=raw.get("next"),
            delay=_duration(raw["delay"], f"{where}.delay") if raw.get("delay") is not None else None,
            until_local_time=_local_time(raw["until_local_time"], f"{where}.until_local_time")
            if raw.get("until_local_time")
            else None,
            template=raw.get("template"),
            offer=_offer(raw["offer"], f"{where}.offer") if raw.get("offer") else None,
            marketing=bool(raw.get("marketing", True)),
            condition=raw.get("condition"),
            then=raw.get("then"),
            otherwise=raw.get("otherwise"),
        )
        if step.kind == StepKind.WAIT and step.delay is None and step.until_local_time is None:
            raise DefinitionError(f"{where}: a wait needs a delay or until_local_time")
        if step.kind == StepKind.SEND and not step.template:
            raise DefinitionError(f"{where}: a send needs a template")
        if step.kind == StepKind.BRANCH and step.condition not in Condition.ALL:
            raise DefinitionError(f"{where}.condition must be one of {sorted(Condition.ALL)}")
        steps.append(step)

    keys = [step.key for step in steps]
    duplicates = {key for key in keys if keys.count(key) > 1}
    if duplicates:
        raise DefinitionError(f"step keys must be unique: {sorted(duplicates)}")
    position = {key: index for index, key in enumerate(keys)}
    for index, step in enumerate(steps):
        for link_name in ("next", "then", "otherwise"):
            target = getattr(step, link_name)
            if target is None:
                continue
            if target not in position:
                raise DefinitionError(f"steps[{index}].{link_name}: no step {target!r}")
            if position[target] <= index:
                # Forward-only links: an enrollment visits each step at most once.
                raise DefinitionError(f"steps[{index}].{link_name}: links must point to a later step")

    exit_when = frozenset(data.get("exit_when", [ExitWhen.ORDERED, ExitWhen.UNSUBSCRIBED]))
    if exit_when - ExitWhen.ALL:
        raise DefinitionError(f"exit_when: unknown {sorted(exit_when - ExitWhen.ALL)}")
    return ScenarioDefinition(
        key=data["key"],
        name=data["name"],
        trigger=trigger,
        steps=tuple(steps),
        exit_when=exit_when,
        priority=int(data.get("priority", 0)),
        runs_alongside=bool(data.get("runs_alongside", False)),
    )
