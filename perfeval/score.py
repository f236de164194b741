"""Scores, totals, rates and grades, recomputed from the clerk's values (never from formula cells).

All arithmetic is Decimal; sums and rates are computed from unrounded values and rounded once,
half up, to two decimals. Grades come from the bands in the settings, on the two-decimal total.

Scores travel between processes and into the cache in a packed, plain form (:func:`pack` /
:func:`unpack`): the roster item and the framework are referred to by id and re-linked, and
repeated short texts are interned, so 100,000 scored workbooks fit in memory.
"""

from __future__ import annotations

import pickle
import sys
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from perfeval import layout as L
from perfeval.framework import Framework, Indicator
from perfeval.model import CellRef
from perfeval.numbers import percent, q2, ratio
from perfeval.read.rows import resolve_rows
from perfeval.read.submission import IndicatorRow, Submission
from perfeval.roster import RosterItem
from perfeval.settings import Grade, Settings

SHORT = 24  # texts up to this length are interned (targets, grades, categories repeat a lot)


_DECIMALS: dict[str, Decimal] = {}
_ROUNDED: dict[Decimal, Decimal] = {}


def _shared(value: Decimal | None) -> Decimal | None:
    """One object per two-decimal value (subtotals, rates and totals repeat across thousands of
    workbooks). Safe because every q2 result has the same exponent, so equal values print alike;
    negative values (and -0.00) are left alone."""
    if value is None or value.is_signed() or len(_ROUNDED) >= 100_000:
        return value
    return _ROUNDED.setdefault(value, value)


def _intern(text: str) -> str:
    return sys.intern(text) if len(text) <= SHORT else text


@dataclass(frozen=True, slots=True)
class IndicatorScore:
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
        return CellRef(file, L.SHEET_INDICATORS, f"{_SCORE_COL}{self.row}")


_SCORE_COL = chr(64 + list(L.IND_COLUMNS).index("score") + 1)


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
    indicators: tuple[IndicatorScore, ...]
    level1: tuple[Level1Score, ...]
    total: Decimal
    grade: Grade
    overview: str
    outputs: str
    problems: tuple[tuple[str, str, str], ...]  # category label, description, measure

    @property
    def full_marks(self) -> int:
        return sum(1 for i in self.indicators if i.full)

    def categories(self) -> list[str]:
        """Problem categories reported anywhere in the workbook, in first-seen order."""
        labels = [s.category for s in self.indicators if s.category]
        labels += [p[0] for p in self.problems if p[0]]
        return list(dict.fromkeys(labels))


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
    level1 = []
    for top in fw.level1:
        mine = [s for s in scores if s.indicator.l1 == top.name]
        raw = sum((s.score for s in mine), Decimal(0))
        first = mine[0].ref(file).cell if mine else ""
        level1.append(
            Level1Score(
                top.name,
                top.weight,
                _shared(q2(raw)),
                _shared(percent(raw, top.weight)),
                first,
                len(mine),
            )
        )
    total = _shared(q2(sum((s.score for s in scores), Decimal(0))))
    return ItemScore(
        item=item,
        framework=fw,
        file=file,
        budget=budget,
        executed=executed,
        execution_rate=_shared(percent(executed, budget)),
        budget_ref=budget_ref,
        executed_ref=executed_ref,
        indicators=tuple(scores),
        level1=tuple(level1),
        total=total,
        grade=settings.grade_for(total),
        overview=overview,
        outputs=outputs,
        problems=tuple(problems),
    )


def pack(score: ItemScore) -> tuple[Any, ...]:
    """Plain data for another process or the cache: no roster item, no framework objects."""
    indicators = []
    for s in score.indicators:
        ind = s.indicator
        custom = (
            (
                ind.name,
                str(ind.weight),
                ind.direction,
                ind.target,
                ind.unit,
                ind.l1,
                ind.l2,
                ind.parent,
            )
            if ind.custom
            else None
        )
        indicators.append((ind.code, str(s.score), s.actual, s.reason, s.category, s.row, custom))
    return (
        score.item.item_id,
        score.framework.id,
        score.file,
        str(score.budget),
        str(score.executed),
        score.budget_ref.cell,
        score.executed_ref.cell,
        tuple(indicators),
        score.overview,
        score.outputs,
        score.problems,
    )


def unpack(
    data: tuple[Any, ...] | bytes, item: RosterItem, fw: Framework, settings: Settings
) -> ItemScore:
    """Rebuild a score from :func:`pack` (or its pickle), linked to today's roster item and
    framework."""
    if isinstance(data, bytes):
        data = pickle.loads(data)
    (
        _,
        _,
        file,
        budget,
        executed,
        budget_cell,
        executed_cell,
        indicators,
        overview,
        outputs,
        problems,
    ) = data
    scores = []
    for code, score, actual, reason, category, row, custom in indicators:
        if custom is None:
            ind = fw.by_code(code)
        else:
            name, weight, direction, target, unit, l1, l2, parent = custom
            ind = Indicator(
                code=code,
                level=3,
                name=name,
                weight=Decimal(weight),
                row=row,
                parent=parent,
                l1=l1,
                l2=l2,
                direction=direction,
                target=target,
                unit=unit,
                custom=True,
            )
        value = _DECIMALS.get(score)
        if value is None:
            value = Decimal(score)
            if len(_DECIMALS) < 100_000:
                _DECIMALS[score] = value  # scores repeat: one object for each written form
        scores.append(
            IndicatorScore(
                ind,
                ind.weight if value == ind.weight else value,
                _intern(actual),
                _intern(reason),
                _intern(category),
                row,
            )
        )
    return assemble(
        item,
        fw,
        settings,
        file,
        Decimal(budget),
        Decimal(executed),
        CellRef(file, L.SHEET_INFO, budget_cell),
        CellRef(file, L.SHEET_INFO, executed_cell),
        scores,
        overview,
        outputs,
        [tuple(p) for p in problems],
    )
