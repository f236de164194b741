"""Pair the indicator rows read from a workbook with what they mean.

A row is either one of the framework's fixed indicators, or a department's own indicator typed
into a reserved row; the latter gets an :class:`Indicator` built from what the clerk typed, so
checks and scoring treat both alike. Its texts are kept as typed; its 指标性质, a dropdown
value compared like the framework's, in its normalized form.
"""

from __future__ import annotations

from decimal import Decimal

from perfeval.config.framework import Framework, Indicator
from perfeval.issue.plan import SheetRow, sheet_rows
from perfeval.read.parse import normalize_text
from perfeval.read.submission import IndicatorRow

CUSTOM_KEYS = ("l3", "direction", "target", "unit", "weight", "actual", "score", "reason")


def is_used(row: IndicatorRow) -> bool:
    """A reserved row counts once the clerk typed anything into it."""
    return any(
        not row.values[key].empty or row.values[key].issue not in (None, "empty")
        for key in CUSTOM_KEYS
    )


def custom_indicator(spec: SheetRow, row: IndicatorRow) -> Indicator:
    weight = row.values["weight"].parsed
    return Indicator(
        code=spec.code,
        level=3,
        name=row.values["l3"].text,
        weight=weight if isinstance(weight, Decimal) else Decimal(0),
        row=row.row,
        parent=spec.group.code,
        l1=spec.l1,
        l2=spec.l2,
        direction=normalize_text(row.values["direction"].text),
        target=row.values["target"].text,
        unit=row.values["unit"].text,
        custom=True,
    )


def resolve_rows(
    fw: Framework, rows: dict[str, IndicatorRow]
) -> list[tuple[SheetRow, Indicator, IndicatorRow]]:
    """Every fixed indicator found, and every reserved row in use, in sheet order."""
    out = []
    for spec in sheet_rows(fw):
        row = rows.get(spec.code)
        if row is None:
            continue
        if spec.leaf is not None:
            out.append((spec, spec.leaf, row))
        elif is_used(row):
            out.append((spec, custom_indicator(spec, row), row))
    return out
