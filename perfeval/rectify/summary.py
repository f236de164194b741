"""以前年度问题整改情况: every problem archived for the previous year with its follow-up status,
and the counts by unit and by category that 汇总表 and the report state.

应整改 = the problems the previous year's items reported (in the archive); each is 已完成,
部分完成 or 未完成 as its returned ledger says, or 未报送 when no valid answer came back (no
ledger, or the row's 是否完成 empty or unknown). 整改完成率 = 已完成 ÷ 应整改.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from perfeval.aggregate.history import History
from perfeval.numbers import HUNDRED, q2
from perfeval.rectify import ledger as L

if TYPE_CHECKING:
    from perfeval.rectify.check import LedgerRow

ORDER = (*L.STATUSES, L.NOT_RETURNED)


@dataclass(frozen=True)
class FollowUp:
    year: int  # the year the problem was found
    item_id: str
    seq: int
    name: str
    unit: str
    category: str
    description: str
    status: str  # one of ORDER
    progress: str
    source: str  # the ledger cell of its status, or '' when none came back
    action: str = ""  # 整改措施
    owner: str = ""  # 责任人
    deadline: dt.date | None = None  # 整改时限
    evidence: str = ""  # 佐证材料


@dataclass(frozen=True)
class Rectification:
    year: int
    follow_ups: tuple[FollowUp, ...]
    ledgers: int  # ledgers read

    def counts(self, key: Callable[[FollowUp], str]) -> list[tuple[str, dict[str, int]]]:
        """(group, {status: count, 应整改: n}) in first-seen order of the groups."""
        groups: dict[str, dict[str, int]] = {}
        for f in self.follow_ups:
            entry = groups.setdefault(key(f), dict.fromkeys(("应整改", *ORDER), 0))
            entry["应整改"] += 1
            entry[f.status] += 1
        return list(groups.items())

    @property
    def total(self) -> dict[str, int]:
        entry = dict.fromkeys(("应整改", *ORDER), 0)
        for f in self.follow_ups:
            entry["应整改"] += 1
            entry[f.status] += 1
        return entry

    @property
    def unfinished(self) -> list[FollowUp]:
        return [f for f in self.follow_ups if f.status != "已完成"]


def rate(entry: dict[str, int]) -> Decimal | None:
    """整改完成率 (percent, two decimals) of one group."""
    return q2(Decimal(entry["已完成"]) * HUNDRED / entry["应整改"]) if entry["应整改"] else None


def follow_up(history: History, rows: list[LedgerRow], ledgers: int = 0) -> Rectification:
    answered = {(r.item_id, r.seq): r for r in rows}
    out = []
    for item in history.items:
        for seq, (category, description) in enumerate(item.problems, start=1):
            row = answered.get((item.item_id, seq))
            status = row.status if row is not None and row.status else L.NOT_RETURNED
            out.append(
                FollowUp(
                    history.year,
                    item.item_id,
                    seq,
                    item.name,
                    item.unit,
                    category,
                    description,
                    status,
                    row.values["progress"] if row is not None else "",
                    row.ref("status").address if row is not None else "",
                    *(
                        (
                            row.values["action"],
                            row.values["owner"],
                            row.when,
                            row.values["evidence"],
                        )
                        if row is not None
                        else ()
                    ),
                )
            )
    return Rectification(history.year, tuple(out), ledgers)
