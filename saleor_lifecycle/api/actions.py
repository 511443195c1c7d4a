"""Changes the API makes: a shop's lifecycle settings and its storefront origins.

``do_update_lifecycle_settings`` would sit in ``customers/actions.py`` beside the other
state changes; it lives here while that module is being worked on elsewhere. The other
changes staff make live in their apps' ``actions.py`` (scenarios, mail, customers) and
report refused values the same way (``core.validation``).
"""

import logging
import math
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from ..core.shop import update_shop_row
from ..core.validation import ErrorCode, FieldProblem, InvalidInput
from ..customers.models import LifecycleSettings
from ..saleor_app.models import Installation
from .models import MAX_STOREFRONT_ORIGINS, StorefrontAccess, normalize_origin

logger = logging.getLogger(__name__)


#: Some values were refused; nothing was saved.
InvalidSettings = InvalidInput
__all__ = ["ErrorCode", "FieldProblem", "InvalidSettings", "do_update_lifecycle_settings"]


#: What a shop may set, and the inclusive range of each number. The thresholds define
#: the stages (see customers/stages.py), so changing one recomputes the shop's stages.
THRESHOLDS: dict[str, tuple[float, float]] = {
    "reorder_interval_override_days": (1, 3650),
    "default_reorder_interval_days": (1, 3650),
    "at_risk_factor": (0.05, 10),
    "lapsed_factor": (0.05, 10),
    "lapsed_max_days": (1, 3650),
    "sunset_after_lapsed_days": (1, 3650),
}
#: Thresholds that may be cleared (null): the override, so the computed interval applies.
CLEARABLE = {"reorder_interval_override_days"}
FLAGS = {"write_saleor_metadata"}
SETTINGS_FIELDS = set(THRESHOLDS) | FLAGS
STOREFRONT_ORIGINS = "storefront_origins"


def _check_number(name: str, value: Any) -> FieldProblem | None:
    if value is None:
        return None if name in CLEARABLE else FieldProblem(name, ErrorCode.REQUIRED, "This field cannot be null.")
    low, high = THRESHOLDS[name]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return FieldProblem(name, ErrorCode.INVALID, "Expected a number.")
    if not low <= value <= high:
        return FieldProblem(name, ErrorCode.INVALID, f"Must be between {low:g} and {high:g}.")
    return None


def _clean_origins(value: Any) -> tuple[list[str] | None, FieldProblem | None]:
    if value is None:
        return None, FieldProblem(STOREFRONT_ORIGINS, ErrorCode.REQUIRED, "This field cannot be null; send [] to clear.")
    if len(value) > MAX_STOREFRONT_ORIGINS:
        return None, FieldProblem(STOREFRONT_ORIGINS, ErrorCode.INVALID, f"At most {MAX_STOREFRONT_ORIGINS} origins.")
    try:
        return list(dict.fromkeys(normalize_origin(origin) for origin in value)), None
    except ValueError as exc:
        return None, FieldProblem(STOREFRONT_ORIGINS, ErrorCode.INVALID, str(exc))


def do_update_lifecycle_settings(installation: Installation, changes: Mapping[str, Any]) -> LifecycleSettings:
    """Apply a partial update of a shop's settings; raise InvalidSettings and save nothing if a value is refused.

    1. Check every given value, collecting all problems at once.
    2. Save the lifecycle settings and the storefront origins in one transaction.
    3. If a threshold changed, recompute the shop's stages after commit (a worker task),
       so every customer's stage and due time follow the new rules. Should the queue be
       down, the daily recompute applies them.
    """
    problems: list[FieldProblem] = []
    origins = None
    for name, value in changes.items():
        if name in THRESHOLDS:
            problem = _check_number(name, value)
        elif name in FLAGS:
            problem = None if isinstance(value, bool) else FieldProblem(name, ErrorCode.REQUIRED, "Expected true or false.")
        elif name == STOREFRONT_ORIGINS:
            origins, problem = _clean_origins(value)
        else:
            problem = FieldProblem(name, ErrorCode.INVALID, "Not a setting.")
        if problem:
            problems.append(problem)
    if problems:
        raise InvalidSettings(problems)

    with transaction.atomic():
        settings, changed = update_shop_row(
            LifecycleSettings, installation, {name: value for name, value in changes.items() if name in SETTINGS_FIELDS}
        )
        if origins is not None:
            access = StorefrontAccess.for_installation(installation)
            if access.allowed_origins != origins:
                access.allowed_origins = origins
                access.save(update_fields=["allowed_origins", "updated_at"])
        if set(changed) & set(THRESHOLDS):
            transaction.on_commit(lambda: _queue_recompute(installation.pk))
    logger.info("lifecycle settings updated", extra={"saleor": str(installation), "changed": changed})
    return settings


def _queue_recompute(installation_id: int) -> None:
    from ..customers.tasks import recompute_installation_task

    try:
        recompute_installation_task.delay(installation_id)
    except Exception:  # the settings are saved; the daily recompute applies them
        logger.exception("could not queue the stage recompute", extra={"installation": installation_id})
