"""Scores, totals, rates and grades, recomputed from the clerk's values (never from formula cells).

All arithmetic is Decimal; sums and rates are computed from unrounded values and rounded once,
half up, to two decimals. Grades come from the bands in the settings, on the two-decimal total.

Scores travel between processes and into the cache in a packed, plain form (:func:`pack` /
:func:`unpack`): the roster item and the framework are referred to by id and re-linked; the
subtotals, total and counts are computed once, in the worker, and the indicator rows stay packed
until 指标明细 is written, so 100,000 scored workbooks fit in memory and load in seconds.
"""

from __future__ import annotations

import pickle
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from perfeval import layout as L
from perfeval.framework import Framework, Indicator
from perfeval.issue.plan import SheetRow
from perfeval.model import CellRef
from perfeval.numbers import percent, q2, ratio
from perfeval.read.parse import remembered
from perfeval.read.submission import IndicatorRow, Submission
from perfeval.roster import RosterItem
from perfeval.settings import Grade, Settings

SHORT = 24  # texts up to this length are interned (targets, grades, categories repeat a lot)


_DECIMALS: dict[str, Decimal] = {}


def _intern(text: str) -> str:
    return sys.intern(text) if len(text) <= SHORT else text


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
    #: the indicator scores, or (after :func:`unpack`) their packed form, decoded on each use:
    #: a province's scores wait for aggregation without millions of small objects
    indicator_data: tuple[IndicatorScore, ...] | bytes

    @property
    def indicators(self) -> tuple[IndicatorScore, ...]:
        data = self.indicator_data
        if isinstance(data, bytes):
            return _decode_indicators(data, self.framework)
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
        grade=settings.grade_for(total),
        overview=overview,
        outputs=outputs,
        problems=tuple(problems),
        indicator_count=len(scores),
        full_marks=sum(1 for s in scores if s.full),
        category_labels=tuple(dict.fromkeys(labels)),
        indicator_data=tuple(scores),
    )


#: bump when :func:`pack`'s layout changes: it is part of the cache context
PACK_FORMAT = 2


def pack(score: ItemScore) -> tuple[Any, ...]:
    """Plain data for another process or the cache: no roster item, no framework objects.
    Everything aggregation needs is computed once, in the worker; the indicator rows travel as
    one more pickle, opened only when 指标明细 is written."""
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
    level1 = tuple(
        (str(x.score), None if x.rate is None else str(x.rate), x.first_cell, x.cells)
        for x in score.level1
    )
    rate = score.execution_rate
    return (
        score.item.item_id,
        score.framework.id,
        score.file,  # index 2: FileOutcome.renamed replaces it
        str(score.budget),
        str(score.executed),
        None if rate is None else str(rate),
        score.budget_ref.cell,
        score.executed_ref.cell,
        level1,
        str(score.total),
        score.overview,
        score.outputs,
        score.problems,
        score.indicator_count,
        score.full_marks,
        score.category_labels,
        pickle.dumps(tuple(indicators), protocol=pickle.HIGHEST_PROTOCOL),
    )


def _decimal(text: str | None) -> Decimal | None:
    """One Decimal object per written form: scores, subtotals and rates repeat across thousands
    of workbooks. Safe because Decimals are immutable and equal texts print alike."""
    return None if text is None else remembered(_DECIMALS, text, Decimal)


def unpack(
    data: tuple[Any, ...] | bytes, item: RosterItem, fw: Framework, settings: Settings
) -> ItemScore:
    """Rebuild a score from :func:`pack` (or its pickle), linked to today's roster item and
    framework. Nothing is recomputed; the indicator rows stay packed."""
    if isinstance(data, bytes):
        data = pickle.loads(data)
    (
        _,
        _,
        file,
        budget,
        executed,
        rate,
        budget_cell,
        executed_cell,
        level1,
        total,
        overview,
        outputs,
        problems,
        count,
        full_marks,
        labels,
        indicators,
    ) = data
    total_value = _decimal(total)
    return ItemScore(
        item=item,
        framework=fw,
        file=file,
        budget=Decimal(budget),
        executed=Decimal(executed),
        execution_rate=_decimal(rate),
        budget_ref=CellRef(file, L.SHEET_INFO, budget_cell),
        executed_ref=CellRef(file, L.SHEET_INFO, executed_cell),
        level1=tuple(
            Level1Score(top.name, top.weight, _decimal(sub), _decimal(pct), first, cells)
            for top, (sub, pct, first, cells) in zip(fw.level1, level1, strict=True)
        ),
        total=total_value,
        grade=settings.grade_for(total_value),
        overview=overview,
        outputs=outputs,
        problems=tuple(tuple(p) for p in problems),
        indicator_count=count,
        full_marks=full_marks,
        category_labels=tuple(_intern(c) for c in labels),
        indicator_data=indicators,
    )


def iter_indicators(
    score: ItemScore,
) -> Iterator[tuple[Indicator, Decimal, str, str, str, int]]:
    """The score's indicator rows as plain tuples shaped like :class:`IndicatorScore`, decoded
    from the packed form without building an object per row (指标明细 has millions)."""
    data = score.indicator_data
    if isinstance(data, bytes):
        yield from _rows_of(data, score.framework)
    else:
        yield from data


def _rows_of(data: bytes, fw: Framework) -> Iterator[tuple[Indicator, Decimal, str, str, str, int]]:
    by_code, known = fw.code_index, _DECIMALS  # 指标明细 of a province: millions of rows
    for code, text, actual, reason, category, row, custom in pickle.loads(data):
        ind = by_code[code] if custom is None else _custom_indicator(code, row, custom)
        value = known.get(text)
        if value is None:
            value = _decimal(text)
        yield ind, ind.weight if value == ind.weight else value, actual, reason, category, row


def _custom_indicator(code: str, row: int, custom: tuple) -> Indicator:
    """A unit's own indicator (自设指标), rebuilt from its packed description."""
    name, weight, direction, target, unit, l1, l2, parent = custom
    return Indicator(
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


def _decode_indicators(data: bytes, fw: Framework) -> tuple[IndicatorScore, ...]:
    return tuple(IndicatorScore._make(row) for row in _rows_of(data, fw))
