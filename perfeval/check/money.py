"""Rules on the money table: a positive budget, execution not above it, parts adding up."""

from __future__ import annotations

from decimal import Decimal

from perfeval import layout as L
from perfeval.check import values
from perfeval.check.catalogue import Code, Finding, finding
from perfeval.config.roster import RosterItem
from perfeval.config.settings import Settings
from perfeval.model import Value
from perfeval.numbers import HUNDRED, fmt_money, fmt_rate, percent, q2
from perfeval.read.submission import Submission


def check_money(
    sub: Submission, item: RosterItem, settings: Settings, rate_reason: Value | None
) -> list[Finding]:
    """``rate_reason`` is the reason cell of the framework's 预算执行率 row, if it has one."""
    out: list[Finding] = []
    iid = item.item_id
    budget = sub.money[("total", "budget")]
    executed = sub.money[("total", "executed")]
    if item.executed is None:
        out += values.number(executed, "全年执行数", iid)
        out += _negative(executed, "全年执行数", iid)
    if values.usable_number(budget) and budget.parsed <= 0:
        out.append(
            finding(
                Code.MONEY_BUDGET_NOT_POSITIVE,
                budget.ref,
                item_id=iid,
                budget=fmt_money(budget.parsed),
            )
        )
    if (
        values.usable_number(budget)
        and values.usable_number(executed)
        and executed.parsed > budget.parsed > 0
    ):
        out.append(
            finding(
                Code.MONEY_OVERSPENT,
                executed.ref,
                item_id=iid,
                executed=fmt_money(executed.parsed),
                budget=fmt_money(budget.parsed),
            )
        )
    for col in ("budget", "executed"):
        out += _parts(sub, col, iid)
    # only when the money cells agree with the roster; otherwise that is reported already
    agrees = values.usable_number(budget) and budget.parsed == item.budget
    if item.executed is not None:
        agrees = agrees and values.usable_number(executed) and executed.parsed == item.executed
    if rate_reason is not None and rate_reason.empty and agrees and item.budget > 0:
        spent = executed.parsed if values.usable_number(executed) else None
        if (
            spent is not None
            and spent >= 0
            and spent / item.budget < settings.execution_reason_below
        ):
            out.append(
                finding(
                    Code.MONEY_LOW_EXECUTION,
                    rate_reason.ref,
                    item_id=iid,
                    rate=fmt_rate(percent(spent, item.budget)),
                    threshold=fmt_rate(settings.execution_reason_below * HUNDRED),
                )
            )
    return out


def _parts(sub: Submission, col: str, iid: str) -> list[Finding]:
    parts = [sub.money[(key, col)] for key in ("current", "carryover", "other")]
    if all(p.empty and p.issue == "empty" for p in parts):
        return []
    out: list[Finding] = []
    for key, part in zip(("current", "carryover", "other"), parts, strict=True):
        label = f"{L.MONEY_ROWS[key].removeprefix('其中：')}（{L.MONEY_COLUMN_LABELS[col]}）"
        out += values.number(part, label, iid, required=False)
        out += _negative(part, label, iid)
    total = sub.money[("total", col)]
    if out or not values.usable_number(total):
        return out
    parts_sum = sum((p.parsed for p in parts if values.usable_number(p)), Decimal(0))
    if q2(parts_sum) != q2(total.parsed):
        out.append(
            finding(
                Code.MONEY_PARTS_MISMATCH,
                total.ref,
                item_id=iid,
                column=L.MONEY_COLUMN_LABELS[col],
                total=fmt_money(total.parsed),
                parts=fmt_money(parts_sum),
            )
        )
    return out


def _negative(value: Value, label: str, iid: str) -> list[Finding]:
    if values.usable_number(value) and value.parsed < 0:
        return [
            finding(
                Code.MONEY_NEGATIVE,
                value.ref,
                item_id=iid,
                field=label,
                value=fmt_money(value.parsed),
            )
        ]
    return []
