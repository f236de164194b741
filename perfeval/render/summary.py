"""汇总表.xlsx: the bureau's working tables, values (not formulas), with their sources noted."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from perfeval.aggregate import Results
from perfeval.atomic import atomic_path
from perfeval.render.xlsx_tables import TableFormats, new_workbook, write_frame


def grade_table(r: Results) -> pd.DataFrame:
    rows = []
    for grade in r.settings.grades:
        members = [i for i in r.items if i.grade.name == grade.name]
        rows.append(
            {
                "等级": grade.name,
                "分数下限": grade.min,
                "项目个数": len(members),
                "金额（万元）": sum((i.budget for i in members), 0),
                "结果应用": grade.action,
            }
        )
    return pd.DataFrame(rows)


def problem_table(r: Results) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "问题分类": label,
                "项目个数": len(items),
                "涉及项目": "、".join(i.item.name for i in items),
            }
            for label, items in r.by_category().items()
        ],
        columns=["问题分类", "项目个数", "涉及项目"],
    )


def coverage_table(r: Results) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "实施单位": c.unit,
                "评价金额（万元）": c.amount,
                "单位项目预算总额（万元）": c.base,
                "覆盖率（%）": c.rate,
                "是否低于下限": "是" if c.below else "否",
            }
            for c in r.coverage
        ],
        columns=[
            "实施单位",
            "评价金额（万元）",
            "单位项目预算总额（万元）",
            "覆盖率（%）",
            "是否低于下限",
        ],
    )


def write_summary(r: Results, target: Path) -> Path:
    with atomic_path(target) as tmp:
        wb = new_workbook(tmp)
        f = TableFormats(wb)
        title = f"{r.settings.region}{r.settings.year}年度绩效评价汇总表"
        write_frame(
            wb,
            "项目汇总",
            r.tables["项目汇总"],
            f,
            title=title,
            total_columns=("预算数（万元）", "执行数（万元）"),
        )
        write_frame(wb, "指标明细", r.tables["指标明细"], f)
        write_frame(wb, "一级指标分析", r.tables["一级指标分析"], f)
        write_frame(wb, "部门整体", r.tables["部门整体"], f)
        write_frame(wb, "等级分布", grade_table(r), f, total_columns=("项目个数", "金额（万元）"))
        write_frame(wb, "问题汇总", problem_table(r), f)
        write_frame(wb, "覆盖率", coverage_table(r), f)
        sources = pd.DataFrame(
            [{"数据": x.label, "数值": x.value, "来源": x.source} for x in r.figures],
            columns=["数据", "数值", "来源"],
        )
        write_frame(wb, "数据来源", sources, f)
        excluded = pd.DataFrame(
            [{"文件": a, "原因": b} for a, b in r.excluded], columns=["文件", "原因"]
        )
        write_frame(wb, "未纳入汇总", excluded, f, empty_note="全部交回文件均已纳入汇总")
        wb.close()
    return target
