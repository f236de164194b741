"""Scores of all clean workbooks -> the bureau's tables (pandas) and the figures the report states.

Every figure keeps its source: the workbook cells it was read from, or the computation over other
figures, so the report's traceability appendix is produced here and not re-derived later.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING

import pandas as pd

from perfeval.aggregate.comparison_figures import comparison_figures
from perfeval.aggregate.coverage import Coverage, coverage
from perfeval.aggregate.detail_rows import DetailRows
from perfeval.aggregate.figure import Figure
from perfeval.aggregate.history import History
from perfeval.aggregate.scope import TABLE_SCOPES, Missing, missing_items, unmatched_files
from perfeval.aggregate.self_review import ReviewPair, review_pairs
from perfeval.aggregate.tables import build_tables
from perfeval.aggregate.year_over_year import Recurrence, ScoreChange, recurrences, score_changes
from perfeval.config.roster import RosterItem
from perfeval.config.settings import Settings
from perfeval.numbers import fmt_money, fmt_rate, fmt_score
from perfeval.score import ItemScore
from perfeval.validate import ValidationResult

if TYPE_CHECKING:
    from perfeval.rectify.summary import Rectification


class Figures:
    """Every figure the report states, in a fixed order, made on demand: a province has
    hundreds of thousands of them (five or more per evaluated item), which as objects took a
    seventh of the run's memory. Each pass (数据来源, the report's appendix) makes them again
    from the scores."""

    columns = ("数据", "数值", "来源")

    def __init__(self, r: Results) -> None:
        self._r = r

    def __iter__(self) -> Iterator[Figure]:
        return _figures(self._r)

    def __len__(self) -> int:
        r = self._r
        return (
            len(_totals(r))
            + sum(_per_item(i, r.settings) for i in r.evaluated)
            + len(r.settings.grades)
            + len(r.by_category())
            + sum(1 for c in r.coverage if c.rate is not None)
            + len(comparison_figures(r))
        )

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(list(self), columns=list(self.columns))


@dataclass
class Results:
    """What the bureau's tables and report state. Which items each figure counts is named in
    :mod:`.scope`: ``items`` (纳入汇总), ``evaluated``, ``self_evaluated``, ``missing``."""

    settings: Settings
    items: list[ItemScore]
    excluded: list[tuple[str, str]]  # (file, why) for workbooks not aggregated
    tables: dict[str, pd.DataFrame | DetailRows] = field(default_factory=dict)
    coverage: list[Coverage] = field(default_factory=list)
    roster: list[RosterItem] = field(default_factory=list)
    missing: list[Missing] = field(default_factory=list)  # roster items not in 汇总表
    unmatched: list[str] = field(default_factory=list)  # returned files of no roster item
    history: History | None = None  # the previous archived year, when there is one
    #: last year's problems with their 整改 status (perfeval.rectify), when there is a history
    rectification: Rectification | None = None

    @cached_property
    def review_pairs(self) -> list[ReviewPair]:
        """Self-evaluations that the bureau or the department evaluated too (自评复核对比)."""
        return review_pairs(self.items, self.settings)

    @cached_property
    def score_changes(self) -> list[ScoreChange]:
        return score_changes(self.items, self.history, self.settings) if self.history else []

    @cached_property
    def recurrences(self) -> list[Recurrence]:
        return list(recurrences(self.items, self.history)) if self.history else []

    @property
    def notes(self) -> dict[str, str]:
        """汇总表 sheet -> which items it counts (shown under its title)."""
        return TABLE_SCOPES

    @property
    def complete(self) -> bool:
        """Every roster item is in 汇总表 and every returned file belongs to one."""
        return not self.missing and not self.unmatched

    @cached_property
    def selected(self) -> list[RosterItem]:
        """The roster's items the bureau selected for its own evaluation (not self-evaluations)."""
        return [i for i in self.roster if not self.settings.is_self_evaluation(i.kind)]

    @property
    def figures(self) -> Figures:
        return Figures(self)

    @cached_property
    def evaluated(self) -> list[ItemScore]:
        """The items the bureau evaluated (projects, departments): the report states each one.
        Units' self-evaluations are summed up instead; 汇总表 lists every item."""
        return [i for i in self.items if not self.settings.is_self_evaluation(i.item.kind)]

    @cached_property
    def self_evaluated(self) -> list[ItemScore]:
        return [i for i in self.items if self.settings.is_self_evaluation(i.item.kind)]

    @property
    def amount(self) -> Decimal:
        """Budget of the evaluated items (the report's 评价金额)."""
        return budget(self.evaluated)

    @property
    def executed(self) -> Decimal:
        return sum((i.executed for i in self.evaluated), Decimal(0))

    @property
    def units(self) -> list[str]:
        """Units of the evaluated items."""
        return units(self.evaluated)

    def by_grade(self, items: list[ItemScore] | None = None) -> list[tuple[str, list[ItemScore]]]:
        """Grade -> its items, of ``items`` (every item when not given)."""
        items = self.items if items is None else items
        return [
            (g.name, [i for i in items if i.grade.name == g.name]) for g in self.settings.grades
        ]

    def by_category(self) -> dict[str, list[ItemScore]]:
        """Problem category label -> items that reported it (indicator rows or problem sheet)."""
        found: dict[str, list[ItemScore]] = defaultdict(list)
        for item in self.items:
            for label in item.categories():
                found[label].append(item)
        order = [c.label for c in self.settings.problem_categories]
        return {label: found[label] for label in order if label in found}

    @property
    def departments(self) -> list[ItemScore]:
        return [i for i in self.items if self.settings.is_department(i.item.kind)]


def aggregate(
    validation: ValidationResult,
    settings: Settings,
    roster: list[RosterItem],
    history: History | None = None,
    rectification: Rectification | None = None,
) -> Results:
    order = {item.item_id: n for n, item in enumerate(roster)}
    items = sorted(validation.scores, key=lambda s: order.get(s.item.item_id, len(order)))
    excluded = [(f.file, f"{f.errors}个错误") for f in validation.files if not f.passed]
    passed = {i.item.item_id for i in items}
    results = Results(
        settings,
        items,
        excluded,
        roster=list(roster),
        missing=missing_items(validation, roster, passed),
        unmatched=unmatched_files(validation),
        history=history,
        rectification=rectification,
    )
    results.coverage = coverage(roster, settings, passed)
    results.tables = build_tables(results)
    return results


def units(items: list[ItemScore]) -> list[str]:
    return list(dict.fromkeys(i.item.unit for i in items))


def budget(items: list[ItemScore]) -> Decimal:
    """The items' budgets added up (unrounded)."""
    return sum((i.budget for i in items), Decimal(0))


def _totals(r: Results) -> list[Figure]:
    own = r.self_evaluated
    if own:
        rows = "项目汇总表中评价类型不是单位自评的行"
        sources = (f"{rows}数", f"{rows}中不同实施单位的个数", f"{rows}的全年预算数之和")
    else:
        sources = (
            "项目汇总表行数（无错误的交回工作簿）",
            "项目汇总表中不同实施单位的个数",
            "各项目全年预算数之和",
        )
    out = [
        Figure("选取评价的项目个数", str(len(r.selected)), "项目清单中评价类型不是单位自评的行数"),
        Figure(
            "未纳入汇总的清单项目个数",
            str(len(r.missing)),
            "项目清单中没有校验通过的交回工作簿的项目（见“未纳入汇总”工作表）",
        ),
        Figure("评价项目个数", str(len(r.evaluated)), sources[0]),
        Figure("涉及单位个数", str(len(r.units)), sources[1]),
        Figure("评价金额合计（万元）", fmt_money(r.amount), sources[2]),
    ]
    if not own:
        return out
    rows = "项目汇总表中评价类型为单位自评的行"
    amount = budget(own)
    out += [
        Figure("单位自评项目个数", str(len(own)), f"{rows}数"),
        Figure("单位自评涉及单位个数", str(len(units(own))), f"{rows}中不同实施单位的个数"),
        Figure("单位自评金额合计（万元）", fmt_money(amount), f"{rows}的全年预算数之和"),
    ]
    out += [
        Figure(f"单位自评结果为“{grade}”的项目个数", str(len(members)), f"按等级统计{rows}")
        for grade, members in r.by_grade(own)
        if members
    ]
    return out


def _per_item(i: ItemScore, settings: Settings) -> int:
    """How many figures :func:`_item_figures` states for ``i``."""
    return 5 + (1 + len(i.level1) if settings.is_department(i.item.kind) else 0)


def _item_figures(i: ItemScore, settings: Settings) -> Iterator[Figure]:
    name = i.item.name
    yield Figure(f"{name} 预算数（万元）", fmt_money(i.budget), i.budget_ref.address)
    yield Figure(f"{name} 执行数（万元）", fmt_money(i.executed), i.executed_ref.address)
    yield Figure(f"{name} 执行率", fmt_rate(i.execution_rate), "执行数 ÷ 预算数 × 100%")
    yield Figure(
        f"{name} 得分",
        fmt_score(i.total),
        f"{i.file} “指标”工作表各三级指标得分（{i.indicator_count}项）之和，四舍五入到两位小数；"
        "“执行率计分”指标的得分为 min(执行率, 100%) × 分值，先四舍五入到两位小数再求和，"
        "与填报表内公式一致",
    )
    yield Figure(f"{name} 评价等级", i.grade.name, "按配置的等级下限对两位小数总分分级")
    if not settings.is_department(i.item.kind):
        return
    yield Figure(
        f"{name} 指标个数/满分个数",
        f"{i.indicator_count}/{i.full_marks}",
        "“指标”工作表三级指标行数；得分等于分值的行数",
    )
    for l1 in i.level1:
        cells = f"{l1.first_cell}等{l1.cells}格" if l1.cells else ""
        yield Figure(
            f"{name} {l1.name} 分值→得分→得分率",
            "→".join(
                (
                    fmt_score(l1.weight, trailing_zeros=False),
                    fmt_score(l1.score),
                    fmt_rate(l1.rate),
                )
            ),
            f"{i.file} “指标”工作表{cells}之和 ÷ 分值",
        )


def _figures(r: Results) -> Iterator[Figure]:
    yield from _totals(r)
    yield from comparison_figures(r)
    for i in r.evaluated:
        yield from _item_figures(i, r.settings)
    rows = "项目汇总表中评价类型不是单位自评的行" if r.self_evaluated else "项目汇总表"
    for grade, members in r.by_grade(r.evaluated):
        amount = fmt_money(budget(members))
        yield Figure(
            f"评价结果为“{grade}”的项目个数/金额（万元）",
            f"{len(members)}/{amount}",
            f"按等级统计{rows}",
        )
    for label, members in r.by_category().items():
        yield Figure(
            f"问题“{label}”涉及项目个数",
            str(len(members)),
            "各工作簿“指标”表问题分类列和“问题与建议”表中选择该分类的项目数",
        )
    for c in r.coverage:
        if c.rate is not None:
            yield Figure(
                f"{c.unit} 评价覆盖率",
                fmt_rate(c.rate),
                "该单位已完成评价（校验通过）的重点评价项目预算数之和 ÷ 项目清单中的单位项目"
                "预算总额 × 100%（与“覆盖率”工作表的“已完成评价比例”相同）",
            )
