"""与上年对比 and 连续出现的问题: this year's results against the region's previous archived year.

Both years count the same set of items: the bureau's evaluations (重点评价, not the units'
self-evaluations), as the report's own figures do. A project is the same project in both years
when its :func:`~perfeval.archive.identity.project_key` agrees. A problem recurs when the same
unit reported a problem of the same category in both years; the row says whether it was the same
project.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from perfeval.aggregate.history import History, PastItem
from perfeval.archive.identity import project_key
from perfeval.config.settings import Settings
from perfeval.numbers import HUNDRED, q2
from perfeval.read.parse import normalize_text
from perfeval.score import ItemScore


@dataclass(frozen=True)
class YearFigures:
    """One year's figures for the comparison, over its 重点评价 items."""

    year: int
    count: int
    amount: Decimal
    grades: dict[str, int]  # grade -> items
    level1_rates: dict[str, Decimal]  # 一级指标 -> average 得分率 (%), two decimals


def _rate(weight: Decimal, score: Decimal) -> Decimal | None:
    return q2(score / weight * HUNDRED) if weight else None


def _figures(
    year: int, items: list[tuple[Decimal, str, list[tuple[str, Decimal, Decimal]]]], grades
) -> YearFigures:
    """``items``: (budget, grade, [(一级指标, 分值, 得分)]) of each item."""
    by_grade = {g.name: 0 for g in grades}
    rates: dict[str, list[Decimal]] = defaultdict(list)
    for _, grade, level1 in items:
        by_grade[grade] = by_grade.get(grade, 0) + 1
        for name, weight, score in level1:
            rate = _rate(weight, score)
            if rate is not None:
                rates[name].append(rate)
    return YearFigures(
        year,
        len(items),
        sum((b for b, _, _ in items), Decimal(0)),
        by_grade,
        {name: q2(sum(v, Decimal(0)) / len(v)) for name, v in rates.items()},
    )


def this_year(items: list[ItemScore], settings: Settings) -> YearFigures:
    rows = [
        (i.budget, i.grade.name, [(x.name, x.weight, x.score) for x in i.level1])
        for i in items
        if not settings.is_self_evaluation(i.item.kind)
    ]
    return _figures(settings.year, rows, settings.grades)


def last_year(history: History, settings: Settings) -> YearFigures:
    rows = [(p.budget, p.grade, list(p.level1)) for p in history.items if p.evaluator != "自评"]
    return _figures(history.year, rows, settings.grades)


@dataclass(frozen=True)
class ScoreChange:
    item: ItemScore
    past: PastItem

    @property
    def change(self) -> Decimal:
        return q2(self.item.total - self.past.total)


def score_changes(
    items: list[ItemScore], history: History, settings: Settings
) -> list[ScoreChange]:
    """Projects evaluated in both years by the same evaluator, in this year's order."""
    past = {(p.project_key, p.evaluator): p for p in history.items}
    out = []
    for i in items:
        kind = settings.kind(i.item.kind)
        evaluator = kind.evaluator if kind else "财政评价"
        found = past.get((project_key(i.item.name, i.item.unit), evaluator))
        if found is not None:
            out.append(ScoreChange(i, found))
    return out


@dataclass(frozen=True)
class Recurrence:
    unit: str
    category: str  # the category's label
    item: ItemScore  # this year's item reporting it
    past: PastItem  # last year's item that reported it
    description: str  # this year's wording
    past_description: str

    @property
    def same_project(self) -> bool:
        return project_key(self.item.item.name, self.item.item.unit) == self.past.project_key


def recurrences(items: list[ItemScore], history: History) -> Iterator[Recurrence]:
    """Each (unit, problem category) reported this year that the unit also reported last year,
    once, preferring last year's report of the same project."""
    past: dict[tuple[str, str], list[tuple[PastItem, str]]] = defaultdict(list)
    for p in history.items:
        for category, description in p.problems:
            past[(normalize_text(p.unit), _code(category))].append((p, description))
    seen: set[tuple[str, str]] = set()
    for i in items:
        for category, description, _ in i.problems:
            key = (normalize_text(i.item.unit), _code(category))
            if key in seen or key not in past:
                continue
            seen.add(key)
            here = project_key(i.item.name, i.item.unit)
            earlier = sorted(past[key], key=lambda pd: pd[0].project_key != here)[0]
            yield Recurrence(i.item.unit, category, i, earlier[0], description, earlier[1])


def _code(label: str) -> str:
    """A category label's code ("A1 绩效目标不明确…" -> "A1"): labels may be reworded between
    years, codes are stable."""
    return normalize_text(label).split(" ", 1)[0]
