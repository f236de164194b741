"""Evaluation coverage: the share of each unit's project budget that the evaluation covers."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from perfeval.numbers import percent, ratio
from perfeval.roster import RosterItem
from perfeval.settings import Settings


@dataclass(frozen=True)
class Coverage:
    unit: str
    amount: Decimal
    base: Decimal | None
    rate: Decimal | None  # percent
    below: bool


def coverage(items: list[RosterItem], settings: Settings) -> list[Coverage]:
    """Per unit: the budget of its items in the roster ÷ its total project budget.

    Taken from the roster (the items selected for evaluation), not from the workbooks that
    happen to be clean, so the validation report and the annual report always agree. Units'
    self-evaluations do not count: the minimum share is a rule for what the bureau selects."""
    amounts: dict[str, Decimal] = defaultdict(Decimal)
    bases: dict[str, Decimal | None] = {}
    for item in items:
        if item.unit_budget is not None and item.unit_budget > 0:  # on any of the unit's rows
            bases[item.unit] = max(bases.get(item.unit) or Decimal(0), item.unit_budget)
        if not settings.is_self_evaluation(item.kind):
            amounts[item.unit] += item.budget
    out = []
    for unit, amount in amounts.items():
        base = bases.get(unit)
        share = ratio(amount, base) if base else None
        rate = percent(amount, base) if base else None
        out.append(
            Coverage(unit, amount, base, rate, share is not None and share < settings.coverage_min)
        )
    return out
