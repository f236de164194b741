"""Findings about single values: empty, placeholder, not a number, number typed as text.

A message quotes the cell as the clerk sees it (:func:`~perfeval.read.parse.as_written`): '９５分'
is quoted as '９５分', and read as 95."""

from __future__ import annotations

from perfeval.check.catalogue import Code, Finding, finding
from perfeval.model import Value
from perfeval.numbers import fmt_score
from perfeval.read import parse


def required_text(value: Value, field: str, item_id: str) -> list[Finding]:
    if value.issue == parse.EMPTY:
        return [finding(Code.CELL_REQUIRED, value.ref, item_id=item_id, field=field)]
    if value.issue == parse.PLACEHOLDER:
        return [
            finding(
                Code.CELL_PLACEHOLDER,
                value.ref,
                item_id=item_id,
                field=field,
                value=parse.as_written(value.raw),
            )
        ]
    return []


def number(value: Value, field: str, item_id: str, *, required: bool = True) -> list[Finding]:
    """Findings for a cell that must hold a number; a readable number is returned in ``parsed``."""
    issue = value.issue
    if issue == parse.EMPTY:
        return (
            [finding(Code.CELL_REQUIRED, value.ref, item_id=item_id, field=field)]
            if required
            else []
        )
    if issue is None:
        return []
    text = parse.as_written(value.raw)
    if issue == parse.PLACEHOLDER:
        return [finding(Code.CELL_PLACEHOLDER, value.ref, item_id=item_id, field=field, value=text)]
    if issue in (parse.NOT_NUMBER, parse.PERCENT):
        return [finding(Code.CELL_NOT_NUMBER, value.ref, item_id=item_id, field=field, value=text)]
    if issue == parse.TEXT_NUMBER:
        return [
            finding(
                Code.CELL_TEXT_NUMBER,
                value.ref,
                item_id=item_id,
                field=field,
                value=text,
                parsed=fmt_score(value.parsed, trailing_zeros=False),
            )
        ]
    return []


def usable_number(value: Value) -> bool:
    """A number perfeval can compute with (typed as a number, or as text it could read)."""
    return value.issue in (None, parse.TEXT_NUMBER) and value.parsed is not None
