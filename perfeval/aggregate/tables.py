"""Results -> the summary tables (pandas DataFrames), one function per sheet of 汇总表.xlsx.

Figures stay Decimal (rounded half up once); writers format them. Each row that comes from a
workbook names its file, so a clerk can trace a figure back to its source.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING

import pandas as pd

from perfeval.aggregate.comparison_tables import comparison_tables
from perfeval.aggregate.detail_rows import DetailRows
from perfeval.numbers import q2

NAN = float("nan")

if TYPE_CHECKING:
    from perfeval.aggregate.figures import Results


def _mean(values: list[Decimal]) -> Decimal | None:
    return q2(sum(values, Decimal(0)) / len(values)) if values else None


def _frame(rows: Iterator[dict]) -> pd.DataFrame:
    """As ``pd.DataFrame(list(rows))`` (columns in first-seen order, NaN where a row has no
    value), without holding every row's dict at once: 100,000 items make 100,000 dicts."""
    cols: dict[str, list] = {}
    for count, row in enumerate(rows, start=1):
        for key, value in row.items():
            col = cols.get(key)
            if col is None:
                col = cols[key] = [NAN] * (count - 1)
            col.append(value)
        for col in cols.values():
            if len(col) < count:
                col.append(NAN)
    return pd.DataFrame(cols)


def items_table(r: Results) -> pd.DataFrame:
    return _frame(_item_rows(r))


def _item_rows(r: Results) -> Iterator[dict]:
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
        yield row


LEVEL1_COLUMNS = ("项目编号", "项目名称", "一级指标", "分值", "得分", "得分率（%）")


def level1_table(r: Results) -> pd.DataFrame:
    """Per item × 一级指标, then one average row per 一级指标 name. Built column by column:
    a province has hundreds of thousands of these rows."""
    cols: list[list] = [[] for _ in LEVEL1_COLUMNS]
    ids, names, levels, weights, scores, rates = cols
    groups: dict[str, list[int]] = {}
    for i in r.items:
        for l1 in i.level1:
            groups.setdefault(l1.name, []).append(len(ids))
            ids.append(i.item.item_id)
            names.append(i.item.name)
            levels.append(l1.name)
            weights.append(l1.weight)
            scores.append(l1.score)
            rates.append(l1.rate)
    if not ids:
        return pd.DataFrame()
    for name, members in groups.items():
        means = [_mean([col[n] for n in members]) for col in (weights, scores, rates)]
        for col, value in zip(
            cols, ("平均", f"{len(members)}个项目平均", name, *means), strict=True
        ):
            col.append(value)
    return pd.DataFrame(dict(zip(LEVEL1_COLUMNS, cols, strict=True)))


def level1_averages(r: Results) -> list[tuple[str, Decimal]]:
    """(一级指标, average 得分率) in first-seen order, for the chart."""
    table = r.tables.get("一级指标分析")
    if table is None:
        table = level1_table(r)
    if table.empty:
        return []
    avg = table[table["项目编号"] == "平均"]
    return list(zip(avg["一级指标"], avg["得分率（%）"], strict=True))


def department_table(r: Results) -> pd.DataFrame:
    rows = []
    for i in r.items:
        if not r.settings.is_department(i.item.kind):
            continue
        row = {
            "部门": i.item.unit,
            "项目名称": i.item.name,
            "指标个数": i.indicator_count,
            "满分指标个数": i.full_marks,
        }
        for l1 in i.level1:
            row[f"{l1.name}分值"] = l1.weight
            row[f"{l1.name}得分"] = l1.score
            row[f"{l1.name}得分率（%）"] = l1.rate
        row["总分"] = i.total
        row["等级"] = i.grade.name
        rows.append(row)
    return pd.DataFrame(rows)


GRADE_COLUMNS = (
    "等级",
    "分数下限",
    "重点评价项目个数",
    "重点评价金额（万元）",
    "单位自评项目个数",
    "单位自评金额（万元）",
    "结果应用",
)


def grade_table(r: Results) -> pd.DataFrame:
    """Per grade: the bureau's evaluations (the report's grade table) and the units' own,
    in columns of their own, so neither count hides in the other."""
    rows = []
    own = r.by_grade(r.self_evaluated)
    for grade, (_, evaluated), (_, selfs) in zip(
        r.settings.grades, r.by_grade(r.evaluated), own, strict=True
    ):
        rows.append(
            dict(
                zip(
                    GRADE_COLUMNS,
                    (
                        grade.name,
                        grade.min,
                        len(evaluated),
                        q2(sum((i.budget for i in evaluated), Decimal(0))),
                        len(selfs),
                        q2(sum((i.budget for i in selfs), Decimal(0))),
                        grade.action,
                    ),
                    strict=True,
                )
            )
        )
    return pd.DataFrame(rows, columns=list(GRADE_COLUMNS))


def problem_table(r: Results) -> pd.DataFrame:
    rows = [
        {
            "问题分类": label,
            "项目个数": len(items),
            "涉及项目": "、".join(i.item.name for i in items),
        }
        for label, items in r.by_category().items()
    ]
    return pd.DataFrame(rows, columns=["问题分类", "项目个数", "涉及项目"])


COVERAGE_COLUMNS = (
    "实施单位",
    "单位项目预算总额（万元）",
    "清单选取金额（万元）",
    "清单选取比例（%）",
    "已完成评价金额（万元）",
    "已完成评价比例（%）",
    "规定下限（%）",
    "是否低于下限",
)


def coverage_table(r: Results) -> pd.DataFrame:
    """Per unit: the share selected in the roster and the share evaluated so far (see
    :mod:`perfeval.aggregate.coverage`); 是否低于下限 is about the latter, as the report."""
    rows = [
        dict(
            zip(
                COVERAGE_COLUMNS,
                (
                    c.unit,
                    q2(c.base) if c.base is not None else None,
                    q2(c.planned),
                    c.planned_rate,
                    q2(c.amount),
                    c.rate,
                    q2(r.settings.coverage_min * 100),
                    "是" if c.below else "否",
                ),
                strict=True,
            )
        )
        for c in r.coverage
    ]
    return pd.DataFrame(rows, columns=list(COVERAGE_COLUMNS))


EXCLUDED_COLUMNS = ("项目编号", "项目名称", "实施单位", "原因", "交回文件")


def excluded_table(r: Results) -> pd.DataFrame:
    """Roster items not in 汇总表 with the reason, then returned files of no roster item."""
    rows = [
        (m.item.item_id, m.item.name, m.item.unit, m.why, "、".join(m.files)) for m in r.missing
    ]
    why = dict(r.excluded)
    rows += [
        ("", "", "", f"无法对应到项目清单中的项目（{why.get(f, '')}）", f) for f in r.unmatched
    ]
    return pd.DataFrame(rows, columns=list(EXCLUDED_COLUMNS))


def application_table(r: Results) -> pd.DataFrame:
    rows = [
        {
            "项目编号": i.item.item_id,
            "项目名称": i.item.name,
            "实施单位": i.item.unit,
            "评价类型": i.item.kind,
            "预算数（万元）": q2(i.budget),
            "得分": i.total,
            "等级": i.grade.name,
            "结果应用": i.grade.action,
        }
        for i in r.items
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "项目编号",
            "项目名称",
            "实施单位",
            "评价类型",
            "预算数（万元）",
            "得分",
            "等级",
            "结果应用",
        ],
    )


def build_tables(r: Results) -> dict[str, pd.DataFrame | DetailRows]:
    details = DetailRows(r)
    small = len(details) <= r.settings.detail_sheet_max_rows
    return {
        "项目汇总": items_table(r),
        # beyond the sheet's limit the rows are streamed to a CSV file, never held as a table
        "指标明细": details.frame() if small else details,
        "一级指标分析": level1_table(r),
        "等级分布": grade_table(r),
        "问题汇总": problem_table(r),
        "部门整体": department_table(r),
        "覆盖率": coverage_table(r),
        "结果应用": application_table(r),
        **comparison_tables(r),
        "未纳入汇总": excluded_table(r),
    }
