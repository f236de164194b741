"""Scores, totals, rates and grades, recomputed from the clerk's values (never from formula cells).

All arithmetic is Decimal; sums and rates are computed from unrounded values and rounded once,
half up, to two decimals. Grades come from the bands in the settings, on the two-decimal total.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from perfeval.framework import Framework, Indicator
from perfeval.model import CellRef
from perfeval.numbers import percent, q2, ratio
from perfeval.read.rows import resolve_rows
from perfeval.read.submission import IndicatorRow, Submission
from perfeval.roster import RosterItem
from perfeval.settings import Grade, Settings


@dataclass(frozen=True)
class IndicatorScore:
    indicator: Indicator
    score: Decimal
    actual: str
    reason: str
    category: str
    ref: CellRef

    @property
    def full(self) -> bool:
        return self.score >= self.indicator.weight


@dataclass(frozen=True)
class Level1Score:
    name: str
    weight: Decimal
    score: Decimal
    rate: Decimal  # percent, two decimals
    refs: tuple[CellRef, ...]


@dataclass(frozen=True)
class ItemScore:
    item: RosterItem
    framework: Framework
    file: str
    budget: Decimal
    executed: Decimal
    execution_rate: Decimal | None  # percent, two decimals
    budget_ref: CellRef
    executed_ref: CellRef
    indicators: tuple[IndicatorScore, ...]
    level1: tuple[Level1Score, ...]
    total: Decimal
    grade: Grade
    overview: str
    outputs: str
    problems: tuple[tuple[str, str, str, CellRef], ...]  # category label, description, measure, ref

    @property
    def full_marks(self) -> int:
        return sum(1 for i in self.indicators if i.full)


def _text(value) -> str:
    return value.parsed if isinstance(value.parsed, str) else ""


def score_item(
    sub: Submission,
    item: RosterItem,
    fw: Framework,
    rows: dict[str, IndicatorRow],
    settings: Settings,
) -> ItemScore:
    """Score a submission that passed every error-level check."""
    budget_v = sub.money[("total", "budget")]
    executed_v = sub.money[("total", "executed")]
    budget, executed = budget_v.parsed, executed_v.parsed
    share = ratio(executed, budget)
    scores: list[IndicatorScore] = []
    for _, ind, row in resolve_rows(fw, rows):
        v = row.values
        if ind.computed:
            score = q2(min(share or Decimal(0), Decimal(1)) * ind.weight)
        else:
            score = v["score"].parsed
        category = settings.category(_text(v["category"]))
        scores.append(
            IndicatorScore(
                indicator=ind,
                score=score,
                actual=_text(v["actual"]),
                reason=_text(v["reason"]),
                category=category.label if category else "",
                ref=v["score"].ref,
            )
        )
    level1 = []
    for top in fw.level1:
        mine = [s for s in scores if s.indicator.l1 == top.name]
        subtotal = q2(sum((s.score for s in mine), Decimal(0)))
        level1.append(
            Level1Score(
                top.name,
                top.weight,
                subtotal,
                percent(subtotal, top.weight),
                tuple(s.ref for s in mine),
            )
        )
    total = q2(sum((s.score for s in scores), Decimal(0)))
    problems = []
    for prob in sub.problems:
        cat = settings.category(_text(prob.values["category"]))
        problems.append(
            (
                cat.label if cat else "",
                _text(prob.values["description"]),
                _text(prob.values["measure"]),
                prob.values["description"].ref,
            )
        )
    return ItemScore(
        item=item,
        framework=fw,
        file=sub.file,
        budget=budget,
        executed=executed,
        execution_rate=percent(executed, budget),
        budget_ref=budget_v.ref,
        executed_ref=executed_v.ref,
        indicators=tuple(scores),
        level1=tuple(level1),
        total=total,
        grade=settings.grade_for(total),
        overview=_text(sub.narrative["overview"]),
        outputs=_text(sub.narrative["outputs"]),
        problems=tuple(problems),
    )
