"""Rows a shop has one of (lifecycle, mail and contact settings): partial updates from staff."""

from collections.abc import Mapping
from typing import Any, TypeVar

from django.db.models import Model

Row = TypeVar("Row", bound=Model)


def update_shop_row(model: type[Row], installation, values: Mapping[str, Any]) -> tuple[Row, list[str]]:
    """Lock the shop's row of ``model`` (``model.for_installation`` creates it if missing),
    set the values that differ and save only those; return the row and the names changed.

    Run it inside ``transaction.atomic()``: the lock holds until the caller commits.
    """
    row = model.objects.select_for_update().get(pk=model.for_installation(installation).pk)
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    for name in changed:
        setattr(row, name, values[name])
    if changed:
        row.save(update_fields=changed)
    return row, changed
