"""Scores, totals, rates and grades, recomputed from the clerk's values (never from formula cells).

All arithmetic is Decimal, rounded half up to two decimals (Excel's ROUND), by the rule the issued
workbook's own live total follows, so the clerk's sheet and perfeval never disagree on a total or
a grade:

* a 执行率计分 indicator's score is min(执行率, 100%) × 分值 rounded to two decimals first (the
  template's ``ROUND(MIN(rate,1)*分值,2)``): 4.9985 counts as 5.00, full marks;
* every other score counts as typed, unrounded;
* the total is the sum of the indicator scores, rounded once (``ROUND(SUM(…),2)``); a 一级指标's
  score and its 得分率 are its subtotal and subtotal ÷ 分值, each rounded once when kept.

So a total is not always the rounded sum of unrounded scores: with a 执行率计分 score of 1.9951
(counted 2.00) and the other scores adding up to 87.9975, the total is 90.00 (优), not 89.99.
Grades come from the bands in the settings, on the two-decimal total.

Scores travel between processes and into the cache in a packed, plain form: see
:mod:`perfeval.machinery.score_pack`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from perfeval import layout as L
from perfeval.config.framework import Framework, Indicator
from perfeval.config.roster import RosterItem
from perfeval.config.settings import Grade, Settings
from perfeval.issue.plan import SheetRow
from perfeval.model import CellRef
from perfeval.numbers import percent, q2, ratio
from perfeval.read.submission import IndicatorRow, Submission


class IndicatorScore(NamedTuple):
    """One 三级指标's score. A tuple: millions of them are made for 指标明细 in a province."""

    indicator: Indicator
    score: Decimal
    actual: str
    reason: str
    category: str
    row: int  # Excel row of the 得分 cell on the 指标 sheet

    @property
    def full(self) -> bool:
        return self.score >= self.indicator.weight

    def ref(self, file: str) -> CellRef:
        return CellRef(file, L.SHEET_INDICATORS, f"{SCORE_COLUMN}{self.row}")


SCORE_COLUMN = chr(64 + list(L.IND_COLUMNS).index("score") + 1)


@dataclass(frozen=True, slots=True)
class Level1Score:
    name: str
    weight: Decimal
    score: Decimal
    rate: Decimal | None  # percent, two decimals, from the unrounded subtotal
    first_cell: str
    cells: int


@dataclass(frozen=True, slots=True)  # 100,000 of them in a province
class ItemScore:
    item: RosterItem
    framework: Framework
    file: str
    budget: Decimal
    executed: Decimal
    execution_rate: Decimal | None  # percent, two decimals
    budget_ref: CellRef
    executed_ref: CellRef
    level1: tuple[Level1Score, ...]
    total: Decimal
    grade: Grade
    overview: str
    outputs: str
    problems: tuple[tuple[str, str, str], ...]  # category label, description, measure
    indicator_count: int
    full_marks: int  # indicators scored at their full weight
    category_labels: tuple[str, ...]  # problem categories reported, in first-seen order
    #: the indicator scores, or (after score_pack.unpack) their packed form,
    #: decoded on each use: a province's scores wait for aggregation without millions of small
    #: objects
    indicator_data: tuple[IndicatorScore, ...] | bytes

    @property
    def indicators(self) -> tuple[IndicatorScore, ...]:
        data = self.indicator_data
        if isinstance(data, bytes):
            from perfeval.machinery.score_pack import decode_indicators  # it builds on this module

            return decode_indicators(data, self.framework)
        return data

    def categories(self) -> list[str]:
        """Problem categories reported anywhere in the workbook, in first-seen order."""
        return list(self.category_labels)


def score_item(
    sub: Submission,
    item: RosterItem,
    fw: Framework,
    resolved: list[tuple[SheetRow, Indicator, IndicatorRow]],
    settings: Settings,
) -> ItemScore:
    """Score a submission that passed every error-level check (``resolved``: its indicator rows
    paired with what they mean, see :func:`perfeval.read.rows.resolve_rows`)."""
    budget_v = sub.money[("total", "budget")]
    executed_v = sub.money[("total", "executed")]
    budget, executed = budget_v.parsed, executed_v.parsed
    share = ratio(executed, budget)
    scores: list[IndicatorScore] = []
    for _, ind, row in resolved:
        v = row.values
        if ind.computed:
            score = q2(min(max(share or Decimal(0), Decimal(0)), Decimal(1)) * ind.weight)
        else:
            score = v["score"].parsed
        category = settings.category(v["category"].text)
        scores.append(
            IndicatorScore(
                indicator=ind,
                score=score,
                actual=v["actual"].text,
                reason=v["reason"].text,
                category=category.label if category else "",
                row=row.row,
            )
        )
    problems = []
    for prob in sub.problems:
        cat = settings.category(prob.values["category"].text)
        problems.append(
            (
                cat.label if cat else "",
                prob.values["description"].text,
                prob.values["measure"].text,
            )
        )
    return assemble(
        item,
        fw,
        settings,
        sub.file,
        budget,
        executed,
        budget_v.ref,
        executed_v.ref,
        scores,
        sub.narrative["overview"].text,
        sub.narrative["outputs"].text,
        problems,
    )


def assemble(
    item: RosterItem,
    fw: Framework,
    settings: Settings,
    file: str,
    budget: Decimal,
    executed: Decimal,
    budget_ref: CellRef,
    executed_ref: CellRef,
    scores: list[IndicatorScore],
    overview: str,
    outputs: str,
    problems: list[tuple[str, str, str]],
) -> ItemScore:
    """Roll indicator scores up to 一级 subtotals, the total and the grade."""
    by_l1: dict[str, list[IndicatorScore]] = {}
    for s in scores:
        by_l1.setdefault(s.indicator.l1, []).append(s)
    level1 = []
    for top in fw.level1:
        mine = by_l1.get(top.name, [])
        raw = sum((s.score for s in mine), Decimal(0))
        first = mine[0].ref(file).cell if mine else ""
        level1.append(
            Level1Score(top.name, top.weight, q2(raw), percent(raw, top.weight), first, len(mine))
        )
    total = q2(sum((s.score for s in scores), Decimal(0)))
    labels = [s.category for s in scores if s.category] + [p[0] for p in problems if p[0]]
    return ItemScore(
        item=item,
        framework=fw,
        file=file,
        budget=budget,
        executed=executed,
        execution_rate=percent(executed, budget),
        budget_ref=budget_ref,
        executed_ref=executed_ref,
        level1=tuple(level1),
        total=total,
        grade=settings.grade_for(total, fw.total),
        overview=overview,
        outputs=outputs,
        problems=tuple(problems),
        indicator_count=len(scores),
        full_marks=sum(1 for s in scores if s.full),
        category_labels=tuple(dict.fromkeys(labels)),
        indicator_data=tuple(scores),
    )
