"""State changes staff make to scenarios and to the shop's contact policy: ``do_<verb>_<noun>()``.

Each checks every value first and raises ``InvalidInput`` with all the problems before
saving anything (see ``core.validation``).
"""

import copy
import logging
import re
from collections.abc import Mapping, Sequence
from datetime import time, timedelta
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from django.db import transaction

from ..core.shop import update_shop_row
from ..core.validation import ErrorCode, FieldProblem, InvalidInput, check_flag, check_number
from ..mail.catalogue import TEMPLATES
from ..saleor_app.models import Installation
from .definitions import DefinitionError, StepKind, parse_definition
from .enrollment import save_version
from .models import ContactPolicy, Scenario

logger = logging.getLogger(__name__)

# --- scenarios ------------------------------------------------------------------------------

#: Scenario settings outside the definition (no new version), with their inclusive ranges.
SCENARIO_NUMBERS: dict[str, tuple[float, float]] = {
    # More than half held out would measure the scenario by not running it.
    "holdout_share": (0, 0.5),
    "attribution_window_days": (0.5, 90),
}
#: What a step patch may change, and the kinds of step that have it.
STEP_FIELDS: dict[str, set[str]] = {
    "delay_hours": {StepKind.WAIT},
    "until_local_time": {StepKind.WAIT},
    "template": {StepKind.SEND},
    "offer": {StepKind.SEND},
}
#: The definition's names for what a step patch changes (DefinitionError says these).
_DEFINITION_NAMES = {"delay": "delay_hours", "until_local_time": "until_local_time", "template": "template", "offer": "offer"}
_WHERE = re.compile(r"^steps\[(\d+)\](?:\.(\w+))?: (.*)$", re.DOTALL)


def do_update_scenario(
    scenario: Scenario, changes: Mapping[str, Any], steps: Sequence[Mapping[str, Any]] = ()
) -> Scenario:
    """Apply staff's edit of a scenario; raise InvalidInput and save nothing if a value is refused.

    ``changes`` may hold ``enabled``, ``holdout_share`` and ``attribution_window_days``.
    ``steps`` patches existing steps by ``key``: ``delay_hours`` and ``until_local_time``
    ("HH:MM") of waits, ``template`` and ``offer`` (the definition's offer JSON, or None
    to send no code) of sends; a None delay or time removes it.

    1. Check the scenario's own settings.
    2. Under the scenario's row lock, patch a copy of the current version's JSON and
       validate it with ``parse_definition``; a DefinitionError names its step, which is
       reported at that step's place in ``steps`` (``steps[1].delay_hours``).
    3. Save the settings; if the definition changed, store it as a new version
       (``save_version``). Running enrollments finish on the version they started.
    """
    problems: list[FieldProblem] = []
    for name, value in changes.items():
        if name == "enabled":
            problem = check_flag(name, value)
        elif name in SCENARIO_NUMBERS:
            problem = check_number(name, value, *SCENARIO_NUMBERS[name])
        else:
            problem = FieldProblem(name, ErrorCode.INVALID, "Not a scenario setting.")
        if problem:
            problems.append(problem)

    with transaction.atomic():
        # Lock the scenario row only: PostgreSQL cannot lock the outer join to its version.
        scenario = Scenario.objects.select_for_update(of=("self",)).select_related("current_version").get(pk=scenario.pk)
        current = scenario.current_version.definition
        data, step_problems = _patched(current, steps)
        problems += step_problems
        if not step_problems and data != current:
            try:
                parse_definition(data)
            except DefinitionError as exc:
                problems.append(_locate(exc, data, steps))
        if problems:
            raise InvalidInput(problems)

        changed = [name for name, value in changes.items() if getattr(scenario, name) != value]
        for name in changed:
            setattr(scenario, name, changes[name])
        if changed:
            scenario.save(update_fields=changed)
        if data != current:
            save_version(scenario, data)
            changed.append("definition")
    logger.info("scenario updated", extra={"scenario": scenario.key, "changed": changed})
    return scenario


def _patched(current: dict, steps: Sequence[Mapping[str, Any]]) -> tuple[dict, list[FieldProblem]]:
    """The current definition with the step patches applied, and what could not be applied."""
    data = copy.deepcopy(current)
    by_key = {step.get("key"): step for step in data["steps"]}
    problems: list[FieldProblem] = []
    seen: set[str] = set()
    for index, patch in enumerate(steps):
        where = f"steps[{index}]"
        key = patch.get("key")
        if key in seen:
            problems.append(FieldProblem(f"{where}.key", ErrorCode.INVALID, f"Step {key!r} is given twice."))
            continue
        seen.add(key)
        step = by_key.get(key)
        if step is None:
            problems.append(FieldProblem(f"{where}.key", ErrorCode.NOT_FOUND, f"The scenario has no step {key!r}."))
            continue
        for name, value in patch.items():
            if name == "key":
                continue
            if name not in STEP_FIELDS:
                problems.append(FieldProblem(f"{where}.{name}", ErrorCode.INVALID, "Not a step setting."))
            elif step["kind"] not in STEP_FIELDS[name]:
                kinds = " or ".join(sorted(STEP_FIELDS[name]))
                problems.append(
                    FieldProblem(f"{where}.{name}", ErrorCode.INVALID, f"Step {key!r} is a {step['kind']}; only a {kinds} step has this.")
                )
            else:
                problem = _apply(step, name, value, f"{where}.{name}")
                if problem:
                    problems.append(problem)
    return data, problems


def _apply(step: dict, name: str, value: Any, where: str) -> FieldProblem | None:
    """Change one value of a step's JSON; only a real change touches it (no new version)."""
    if name == "delay_hours":
        if value is None:
            step.pop("delay", None)
            return None
        problem = check_number(where, value, float("-inf"), float("inf"))
        if problem:
            return problem
        old = step.get("delay")
        try:
            unchanged = isinstance(old, dict) and timedelta(**old) == timedelta(hours=value)
        except (TypeError, ValueError, OverflowError):
            unchanged = False
        if not unchanged:
            step["delay"] = {"hours": value}
    elif name == "until_local_time":
        if value is None:
            step.pop("until_local_time", None)
        elif step.get("until_local_time") != value:
            step["until_local_time"] = value
    elif name == "template":
        if value is None:
            return FieldProblem(where, ErrorCode.REQUIRED, "A send step needs a template.")
        if value not in TEMPLATES:
            return FieldProblem(where, ErrorCode.INVALID, f"No email template {value!r}.")
        step["template"] = value
    elif name == "offer":
        if value is None:
            step.pop("offer", None)
        else:
            offer = {field: amount for field, amount in value.items() if amount is not None}
            if step.get("offer") != offer:
                step["offer"] = offer
    return None


def _locate(exc: DefinitionError, data: dict, steps: Sequence[Mapping[str, Any]]) -> FieldProblem:
    """Report a DefinitionError at the patch of the step it names (or at ``steps``)."""
    match = _WHERE.match(str(exc))
    if not match:
        return FieldProblem("steps", ErrorCode.INVALID, str(exc))
    index, name, message = int(match.group(1)), match.group(2), match.group(3)
    key = data["steps"][index].get("key") if index < len(data["steps"]) else None
    given = next((position for position, patch in enumerate(steps) if patch.get("key") == key), None)
    where = f"steps[{given}]" if given is not None else "steps"
    if given is not None and name in _DEFINITION_NAMES:
        where += f".{_DEFINITION_NAMES[name]}"
    return FieldProblem(where, ErrorCode.INVALID, f"Step {key!r}: {message}")


# --- contact policy -------------------------------------------------------------------------

CONTACT_NUMBERS: dict[str, tuple[float, float, bool]] = {
    # (low, high, whole)
    "min_hours_between": (0, 720, False),
    # At least one a week: ``next_allowed`` reads the last ``max_per_week`` sends.
    "max_per_week": (1, 50, True),
    "cart_idle_minutes": (5, 10080, True),
}
CONTACT_TIMES = {"quiet_start", "quiet_end"}
TIME_ZONE = "time_zone"


@cache
def time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def parse_local_time(value: Any) -> time | None:
    """``"21:00"`` -> 21:00; None unless hours and minutes (seconds are not a quiet hour)."""
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{2}:[0-9]{2}", value):
        return None
    try:
        return time.fromisoformat(value)
    except ValueError:
        return None


def do_update_contact_policy(installation: Installation, changes: Mapping[str, Any]) -> ContactPolicy:
    """Apply a partial update of the shop's frequency budget and quiet hours; raise
    InvalidInput and save nothing if a value is refused. Steps already planned are
    checked against the new rules when they fall due (``engine.prepare_send``)."""
    problems: list[FieldProblem] = []
    values: dict[str, Any] = {}
    for name, value in changes.items():
        problem = None
        if name in CONTACT_NUMBERS:
            low, high, whole = CONTACT_NUMBERS[name]
            problem = check_number(name, value, low, high, whole=whole)
            values[name] = int(value) if whole and not problem else value
        elif name in CONTACT_TIMES:
            values[name] = parse_local_time(value)
            if values[name] is None:
                problem = FieldProblem(name, ErrorCode.INVALID, 'Expected a time of day like "21:00".')
        elif name == TIME_ZONE:
            values[name] = value
            if value not in time_zones():
                problem = FieldProblem(name, ErrorCode.INVALID, 'Expected a time zone like "Europe/Warsaw".')
        else:
            problem = FieldProblem(name, ErrorCode.INVALID, "Not a contact policy setting.")
        if problem:
            problems.append(problem)
    if problems:
        raise InvalidInput(problems)

    with transaction.atomic():
        policy, changed = update_shop_row(ContactPolicy, installation, values)
    logger.info("contact policy updated", extra={"saleor": str(installation), "changed": changed})
    return policy
