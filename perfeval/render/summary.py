"""汇总表.xlsx: the bureau's working tables, values (not formulas), with their sources noted."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from perfeval.aggregate import Results
from perfeval.atomic import atomic_path
from perfeval.render.charts import write_charts
from perfeval.render.xlsx_tables import TableFormats, new_workbook, write_frame

TOTALS = {
    "项目汇总": ("预算数（万元）", "执行数（万元）"),
    "等级分布": ("项目个数", "金额（万元）"),
    "覆盖率": ("评价金额（万元）",),
}


def write_summary(r: Results, target: Path) -> Path:
    with atomic_path(target) as tmp:
        wb = new_workbook(tmp)
        f = TableFormats(wb)
        title = f"{r.settings.region}{r.settings.year}年度绩效评价汇总表（单位：万元、分、%）"
        for n, (name, frame) in enumerate(r.tables.items()):
            write_frame(
                wb,
                name,
                frame,
                f,
                title=title if n == 0 else "",
                total_columns=TOTALS.get(name, ()),
            )
        write_charts(wb, r, f)
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
