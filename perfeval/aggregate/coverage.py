"""Evaluation coverage: the share of each unit's project budget that the evaluation covers.

Two shares, each named where it is shown:

* *planned* (清单选取): the budget of the unit's items in the roster, the bureau's selection. The
  validation report warns when it is below the minimum (PE-ROSTER-007): a rule about selecting.
* *completed* (已完成评价): the budget of the unit's items that passed validation and are in
  汇总表 and the report. The report's coverage sentence and 汇总表's 覆盖率 totals use this one,
  so they agree with 项目汇总; while an item is missing the two differ, and both are shown.

Units' self-evaluations count in neither: the minimum share is a rule for what the bureau
selects.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from perfeval.config.roster import RosterItem
from perfeval.config.settings import Settings
from perfeval.numbers import percent, ratio


@dataclass(frozen=True)
class Coverage:
    unit: str
    planned: Decimal  # budget of the unit's items in the roster
    amount: Decimal  # budget of the unit's items that passed validation
    base: Decimal | None  # the unit's total project budget (roster); None when not given
    planned_rate: Decimal | None  # percent
    rate: Decimal | None  # percent, of the completed amount
    below: bool  # the completed share is below the minimum
    planned_below: bool  # the planned share is below the minimum


def coverage(
    roster: list[RosterItem], settings: Settings, done: Iterable[str] | None = None
) -> list[Coverage]:
    """Per unit with selected items: planned and completed shares. ``done``: the item ids that
    passed validation (all of the roster's when not given)."""
    finished = None if done is None else set(done)
    planned: dict[str, Decimal] = defaultdict(Decimal)
    amounts: dict[str, Decimal] = defaultdict(Decimal)
    bases: dict[str, Decimal | None] = {}
    for item in roster:
        if item.unit_budget is not None and item.unit_budget > 0:  # on any of the unit's rows
            bases[item.unit] = max(bases.get(item.unit) or Decimal(0), item.unit_budget)
        if not settings.is_self_evaluation(item.kind):
            planned[item.unit] += item.budget
            if finished is None or item.item_id in finished:
                amounts[item.unit] += item.budget
    out = []
    minimum = settings.coverage_min
    for unit, plan in planned.items():
        base = bases.get(unit)
        amount = amounts.get(unit, Decimal(0))
        share, planned_share = (ratio(amount, base), ratio(plan, base)) if base else (None, None)
        out.append(
            Coverage(
                unit,
                plan,
                amount,
                base,
                percent(plan, base) if base else None,
                percent(amount, base) if base else None,
                share is not None and share < minimum,
                planned_share is not None and planned_share < minimum,
            )
        )
    return out
