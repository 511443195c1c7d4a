"""Refused values, as the domain's actions report them and the API shows them.

An action that takes several values from a person (a settings form, a scenario edit)
checks all of them, collects every problem as a ``FieldProblem`` and raises
``InvalidInput`` before saving anything. The API turns each problem into
``errors { field code message }`` (``LifecycleErrorCode``), camelCasing the field.
"""

import math
from dataclasses import dataclass
from typing import Any


class ErrorCode:
    """Why a value was refused (``LifecycleErrorCode`` in the schema)."""

    #: out of range, or not what the field holds
    INVALID = "invalid"
    #: null where a value is needed
    REQUIRED = "required"
    #: names something the shop does not have (a customer, a scenario, a step)
    NOT_FOUND = "not_found"

    ALL = [INVALID, REQUIRED, NOT_FOUND]


@dataclass(frozen=True)
class FieldProblem:
    #: the value's name (snake_case; the API shows it camelCased), e.g. ``steps[0].delay_hours``
    field: str
    code: str
    message: str


class InvalidInput(Exception):
    """Some values were refused; nothing was saved."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems


def check_number(
    name: str, value: Any, low: float, high: float, *, whole: bool = False, nullable: bool = False
) -> FieldProblem | None:
    """A problem unless ``value`` is a finite number in ``[low, high]`` (or None when ``nullable``)."""
    if value is None:
        return None if nullable else FieldProblem(name, ErrorCode.REQUIRED, "This field cannot be null.")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return FieldProblem(name, ErrorCode.INVALID, "Expected a number.")
    if whole and value != int(value):
        return FieldProblem(name, ErrorCode.INVALID, "Expected a whole number.")
    if not low <= value <= high:
        return FieldProblem(name, ErrorCode.INVALID, f"Must be between {low:g} and {high:g}.")
    return None


def check_flag(name: str, value: Any) -> FieldProblem | None:
    if isinstance(value, bool):
        return None
    return FieldProblem(name, ErrorCode.REQUIRED, "Expected true or false.")


def check_text(name: str, value: Any, *, max_length: int, blank: bool = True, one_line: bool = True) -> FieldProblem | None:
    """A problem unless ``value`` is a string fit to store and to put into an email."""
    if value is None:
        return FieldProblem(name, ErrorCode.REQUIRED, "This field cannot be null" + ("; send \"\" to clear." if blank else "."))
    if not isinstance(value, str):
        return FieldProblem(name, ErrorCode.INVALID, "Expected text.")
    if "\x00" in value:
        # PostgreSQL cannot store it, and no address or name contains one.
        return FieldProblem(name, ErrorCode.INVALID, "Contains a NUL character.")
    if len(value) > max_length:
        return FieldProblem(name, ErrorCode.INVALID, f"At most {max_length} characters.")
    if not blank and not value.strip():
        return FieldProblem(name, ErrorCode.REQUIRED, "This field cannot be empty.")
    if one_line and any(char in value for char in "\r\n"):
        return FieldProblem(name, ErrorCode.INVALID, "Must be a single line.")
    return None
