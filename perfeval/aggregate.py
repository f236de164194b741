"""Scores of all clean workbooks -> the bureau's tables (pandas) and the figures the report states.

Every figure keeps its source: the workbook cells it was read from, or the computation over other
figures, so the report's traceability appendix is produced here and not re-derived later.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd

from perfeval.model import CellRef
from perfeval.numbers import percent, q2, ratio
from perfeval.score import ItemScore
from perfeval.settings import Settings
from perfeval.validate import ValidationResult

DEPARTMENT_KIND = "部门整体"


@dataclass(frozen=True)
class Figure:
    """A figure the report states, and where it came from."""

    label: str
    value: str
    source: str


@dataclass(frozen=True)
class Coverage:
    unit: str
    amount: Decimal
    base: Decimal | None
    rate: Decimal | None  # percent
    below: bool


@dataclass
class Results:
    settings: Settings
    items: list[ItemScore]
    excluded: list[tuple[str, str]]  # (file, why) for workbooks not aggregated
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: list[Figure] = field(default_factory=list)
    coverage: list[Coverage] = field(default_factory=list)

    @property
    def amount(self) -> Decimal:
        return sum((i.budget for i in self.items), Decimal(0))

    @property
    def executed(self) -> Decimal:
        return sum((i.executed for i in self.items), Decimal(0))

    @property
    def units(self) -> list[str]:
        return list(dict.fromkeys(i.item.unit for i in self.items))

    def by_grade(self) -> list[tuple[str, list[ItemScore]]]:
        return [
            (g.name, [i for i in self.items if i.grade.name == g.name])
            for g in self.settings.grades
        ]

    def by_category(self) -> dict[str, list[ItemScore]]:
        """Problem category label -> items that reported it (indicator rows or problem sheet)."""
        found: dict[str, list[ItemScore]] = defaultdict(list)
        for item in self.items:
            labels = [s.category for s in item.indicators if s.category]
            labels += [p[0] for p in item.problems if p[0]]
            for label in dict.fromkeys(labels):
                found[label].append(item)
        order = [c.label for c in self.settings.problem_categories]
        return {label: found[label] for label in order if label in found}

    @property
    def departments(self) -> list[ItemScore]:
        return [i for i in self.items if i.item.kind == DEPARTMENT_KIND]


def _ref(ref: CellRef) -> str:
    return f"{ref.file}!{ref.sheet}!{ref.cell}"


def aggregate(validation: ValidationResult, settings: Settings, roster_order: list[str]) -> Results:
    order = {iid: n for n, iid in enumerate(roster_order)}
    items = sorted(validation.scores, key=lambda s: order.get(s.item.item_id, len(order)))
    excluded = [(f.file, f"{f.errors}个错误") for f in validation.files if f.score is None]
    results = Results(settings, items, excluded)
    results.coverage = _coverage(items, settings)
    results.tables = _tables(results)
    results.figures = _figures(results)
    return results


def _coverage(items: list[ItemScore], settings: Settings) -> list[Coverage]:
    amounts: dict[str, Decimal] = defaultdict(Decimal)
    bases: dict[str, Decimal | None] = {}
    for i in items:
        amounts[i.item.unit] += i.budget
        if i.item.unit_budget is not None:
            bases[i.item.unit] = max(bases.get(i.item.unit) or Decimal(0), i.item.unit_budget)
        else:
            bases.setdefault(i.item.unit, None)
    out = []
    for unit, amount in amounts.items():
        base = bases.get(unit)
        share = ratio(amount, base) if base else None
        out.append(
            Coverage(
                unit,
                amount,
                base,
                percent(amount, base) if base else None,
                share is not None and share < settings.coverage_min,
            )
        )
    return out


def _tables(r: Results) -> dict[str, pd.DataFrame]:
    rows, details, level1, depts = [], [], [], []
    for i in r.items:
        row = {
            "项目编号": i.item.item_id,
            "项目名称": i.item.name,
            "主管部门": i.item.department,
            "实施单位": i.item.unit,
            "评价类型": i.item.kind,
            "指标体系": i.framework.name,
            "预算数（万元）": q2(i.budget),
            "执行数（万元）": q2(i.executed),
            "执行率（%）": i.execution_rate,
            "得分": i.total,
            "等级": i.grade.name,
        }
        for l1 in i.level1:
            row[f"{l1.name}得分"] = l1.score
            row[f"{l1.name}得分率（%）"] = l1.rate
        row["来源文件"] = i.file
        rows.append(row)
        for s in i.indicators:
            ind = s.indicator
            details.append(
                {
                    "项目编号": i.item.item_id,
                    "项目名称": i.item.name,
                    "实施单位": i.item.unit,
                    "编码": ind.code,
                    "一级指标": ind.l1,
                    "二级指标": ind.l2,
                    "三级指标": ind.name,
                    "分值": ind.weight,
                    "得分": q2(s.score),
                    "是否满分": "是" if s.full else "否",
                    "实际完成值": s.actual,
                    "偏差原因分析及改进措施": s.reason,
                    "问题分类": s.category,
                    "来源": _ref(s.ref),
                }
            )
        for l1 in i.level1:
            level1.append(
                {
                    "项目编号": i.item.item_id,
                    "项目名称": i.item.name,
                    "一级指标": l1.name,
                    "分值": l1.weight,
                    "得分": l1.score,
                    "得分率（%）": l1.rate,
                }
            )
        if i.item.kind == DEPARTMENT_KIND:
            dept = {
                "部门": i.item.unit,
                "项目名称": i.item.name,
                "指标个数": len(i.indicators),
                "满分指标个数": i.full_marks,
            }
            for l1 in i.level1:
                dept[f"{l1.name}分值"] = l1.weight
                dept[f"{l1.name}得分"] = l1.score
                dept[f"{l1.name}得分率（%）"] = l1.rate
            dept["总分"] = i.total
            dept["等级"] = i.grade.name
            depts.append(dept)
    return {
        "项目汇总": pd.DataFrame(rows),
        "指标明细": pd.DataFrame(details),
        "一级指标分析": pd.DataFrame(level1),
        "部门整体": pd.DataFrame(depts),
    }


def _figures(r: Results) -> list[Figure]:
    figs = [
        Figure("评价项目个数", str(len(r.items)), "项目汇总表行数（无错误的交回工作簿）"),
        Figure("涉及单位个数", str(len(r.units)), "项目汇总表中不同实施单位的个数"),
        Figure("评价金额合计（万元）", f"{q2(r.amount):f}", "各项目全年预算数之和"),
    ]
    for i in r.items:
        name = i.item.name
        figs += [
            Figure(f"{name} 预算数（万元）", f"{q2(i.budget):f}", _ref(i.budget_ref)),
            Figure(f"{name} 执行数（万元）", f"{q2(i.executed):f}", _ref(i.executed_ref)),
            Figure(f"{name} 执行率（%）", f"{i.execution_rate}", "执行数 ÷ 预算数 × 100%"),
            Figure(
                f"{name} 得分",
                f"{i.total}",
                f"{i.file} “指标”工作表各三级指标得分之和（{len(i.indicators)}项）",
            ),
            Figure(f"{name} 评价等级", i.grade.name, "按配置的等级下限对两位小数总分分级"),
        ]
        if i.item.kind == DEPARTMENT_KIND:
            figs.append(
                Figure(
                    f"{name} 指标个数/满分个数",
                    f"{len(i.indicators)}/{i.full_marks}",
                    "“指标”工作表三级指标行数；得分等于分值的行数",
                )
            )
            for l1 in i.level1:
                cells = f"{l1.refs[0].cell}等{len(l1.refs)}格" if l1.refs else ""
                figs.append(
                    Figure(
                        f"{name} {l1.name} 分值→得分→得分率",
                        f"{l1.weight}→{l1.score}→{l1.rate}%",
                        f"{i.file} “指标”工作表{cells}之和 ÷ 分值",
                    )
                )
    return figs
