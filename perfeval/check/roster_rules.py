"""Rules on the roster as a whole: items not returned yet, and each unit's evaluation coverage."""

from __future__ import annotations

from perfeval.aggregate.coverage import coverage
from perfeval.check.catalogue import Code, Finding, finding
from perfeval.config.workspace import Workspace
from perfeval.numbers import HUNDRED, fmt_money, fmt_rate


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
    return out + money_findings(ws) + coverage_findings(ws)


#: roster amounts that cannot be negative, and what a wrong one spoils
_AMOUNTS = (
    ("budget", "预算数", "不能为负数"),
    ("executed", "执行数", "不能为负数"),
    ("unit_budget", "单位项目预算总额", "应大于零，否则该单位的评价覆盖率无法计算"),
)


def money_findings(ws: Workspace) -> list[Finding]:
    """A warning for each roster amount that is negative (or a unit's total that is zero)."""
    out = []
    for item in ws.roster.items:
        for key, label, why in _AMOUNTS:
            value = getattr(item, key)
            if value is not None and (value < 0 or (key == "unit_budget" and value == 0)):
                out.append(
                    finding(
                        Code.ROSTER_NOT_POSITIVE,
                        ws.roster.ref(item, key),
                        item_id=item.item_id,
                        row=item.row,
                        field=label,
                        value=fmt_money(value),
                        why=why,
                    )
                )
    return out


def coverage_findings(ws: Workspace) -> list[Finding]:
    """A warning for each unit whose share selected in the roster is below the minimum."""
    first = {}
    for item in ws.roster.items:
        if item.unit_budget is not None and item.unit_budget > 0:
            first.setdefault(item.unit, item)
    minimum = fmt_rate(ws.settings.coverage_min * HUNDRED)
    return [
        finding(
            Code.ROSTER_COVERAGE,
            ws.roster.ref(first[c.unit], "unit_budget"),
            item_id=first[c.unit].item_id,
            unit=c.unit,
            amount=fmt_money(c.planned),
            base=fmt_money(c.base),
            rate=fmt_rate(c.planned_rate),
            minimum=minimum,
        )
        for c in coverage(ws.roster.items, ws.settings)
        if c.planned_below
    ]
