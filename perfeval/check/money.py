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
    for col in ("initial", "budget", "executed"):
        if ("total", col) in sub.money:  # 年初预算数: not in version 1 workbooks
            out += _parts(sub, col, iid)
    out += _adjustment(sub, settings, iid)
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
    """The funding rows of one column add up to its total (when any is filled); a total left
    at 0 above filled parts, as on real forms, is caught here too."""
    total = sub.money[("total", col)]
    out: list[Finding] = []
    if col == "initial":
        out += values.number(total, L.MONEY_COLUMN_LABELS[col], iid, required=False)
        out += _negative(total, L.MONEY_COLUMN_LABELS[col], iid)
    parts = [sub.money[(key, col)] for key in sub.money_parts]
    if all(p.empty and p.issue == "empty" for p in parts):
        return out
    for key, part in zip(sub.money_parts, parts, strict=True):
        label = f"{key}（{L.MONEY_COLUMN_LABELS[col]}）"
        out += values.number(part, label, iid, required=False)
        out += _negative(part, label, iid)
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


def _adjustment(sub: Submission, settings: Settings, iid: str) -> list[Finding]:
    """A budget adjusted during the year (全年预算数 against 年初预算数) beyond the settings'
    share needs its 预算调整说明."""
    initial = sub.money.get(("total", "initial"))
    budget = sub.money[("total", "budget")]
    reason = sub.adjustment
    if (
        initial is None
        or reason is None
        or not values.usable_number(initial)
        or not values.usable_number(budget)
        or initial.parsed <= 0
        or not reason.empty
    ):
        return []
    change = abs(budget.parsed - initial.parsed) / initial.parsed
    if change <= settings.adjustment_reason_above:
        return []
    return [
        finding(
            Code.MONEY_ADJUSTMENT_UNEXPLAINED,
            reason.ref,
            item_id=iid,
            initial=fmt_money(initial.parsed),
            budget=fmt_money(budget.parsed),
            change=fmt_rate(q2(change * HUNDRED)),
            threshold=fmt_rate(settings.adjustment_reason_above * HUNDRED),
        )
    ]
