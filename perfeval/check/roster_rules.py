"""Rules on the roster as a whole: items not returned yet, and each unit's evaluation coverage."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from perfeval.check.catalogue import Code, Finding, finding
from perfeval.numbers import HUNDRED, fmt_money, fmt_rate, percent
from perfeval.roster import RosterItem
from perfeval.workspace import Workspace


def roster_rules(ws: Workspace, returned: set[str]) -> list[Finding]:
    roster = ws.roster
    out = [
        finding(
            Code.ROSTER_NOT_RETURNED,
            roster.ref(item, "item_id"),
            item_id=item.item_id,
            name=item.name,
            unit=item.unit,
        )
        for item in roster.items
        if item.item_id not in returned
    ]
    return out + coverage(ws)


def coverage(ws: Workspace) -> list[Finding]:
    """Per unit: evaluated budget ÷ the unit's total project budget, against the minimum."""
    units: dict[str, list[RosterItem]] = defaultdict(list)
    for item in ws.roster.items:
        units[item.unit].append(item)
    out = []
    minimum = ws.settings.coverage_min
    for unit, items in units.items():
        with_base = [i for i in items if i.unit_budget is not None and i.unit_budget > 0]
        if not with_base:
            continue
        base = max(i.unit_budget for i in with_base)
        amount = sum((i.budget for i in items), Decimal(0))
        if amount / base < minimum:
            out.append(
                finding(
                    Code.ROSTER_COVERAGE,
                    ws.roster.ref(with_base[0], "unit_budget"),
                    item_id=with_base[0].item_id,
                    unit=unit,
                    amount=fmt_money(amount),
                    base=fmt_money(base),
                    rate=fmt_rate(percent(amount, base)),
                    minimum=fmt_rate(minimum * HUNDRED),
                )
            )
    return out
