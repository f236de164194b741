"""汇总表.xlsx: the bureau's working tables, values (not formulas), with their sources noted.

The long tables, 指标明细 (one row per indicator of every workbook) and 数据来源 (every figure the
report states), go into the workbook while they stay within ``[run] detail_sheet_max_rows``;
beyond that (a prefecture or province) each is written as a CSV file next to it, which Excel opens
directly, and its sheet says so.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from perfeval.aggregate.detail_rows import DetailRows
from perfeval.aggregate.figures import Results, budget
from perfeval.machinery.aside import run_aside, start_deferred
from perfeval.machinery.atomic import atomic_path
from perfeval.numbers import q2
from perfeval.render.charts import write_charts
from perfeval.render.csv_export import write_csv
from perfeval.render.sheet_stream import Percent
from perfeval.render.xlsx_tables import TableFormats, new_workbook, write_frame

DETAIL_SHEET = "指标明细"
SOURCES_SHEET = "数据来源"
EXCLUDED_SHEET = "未纳入汇总"
VALUE_COLUMN = "数值"
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _totals(r: Results) -> dict[str, dict[str, Decimal | int]]:
    """合计 rows from the unrounded figures, so they agree with the report to the cent."""
    return {
        "项目汇总": {
            "预算数（万元）": q2(budget(r.items)),
            "执行数（万元）": q2(sum((i.executed for i in r.items), Decimal(0))),
        },
        "等级分布": {
            "重点评价项目个数": len(r.evaluated),
            "重点评价金额（万元）": q2(budget(r.evaluated)),
            "单位自评项目个数": len(r.self_evaluated),
            "单位自评金额（万元）": q2(budget(r.self_evaluated)),
        },
        "覆盖率": {
            "清单选取金额（万元）": q2(sum((c.planned for c in r.coverage), Decimal(0))),
            "已完成评价金额（万元）": q2(sum((c.amount for c in r.coverage), Decimal(0))),
        },
    }


def write_summary(r: Results, target: Path) -> Path:
    pending: list = []
    with atomic_path(target) as tmp:
        wb = new_workbook(tmp)
        try:
            _sheets(wb, r, target, pending)
            wb.close()
        except BaseException:
            wb.discard()
            raise
        for wait in pending:
            wait()
    return target


def typed(value: Any) -> Any:
    """A figure's text as a number when it is one (5, 8780.09, 93.33%); composite figures
    (31/26, 15→14.00→93.33%) and words stay text."""
    if type(value) is not str:
        return value
    if _NUMBER.fullmatch(value):
        return Decimal(value) if "." in value else int(value)
    if value.endswith("%") and _NUMBER.fullmatch(value[:-1]):
        return Percent(Decimal(value[:-1]).scaleb(-2))
    return value


def _sheets(wb: Any, r: Results, target: Path, pending: list) -> None:
    totals = _totals(r)
    notes = getattr(r, "notes", {})
    f = TableFormats(wb)
    title = f"{r.settings.region}{r.settings.year}年度绩效评价汇总表（单位：万元、分、%）"
    for n, (name, frame) in enumerate(r.tables.items()):
        start_deferred()  # a writer held back (指标明细.csv, 校验报告) may have its turn now
        if name == DETAIL_SHEET:
            _long_table(wb, name, frame, f, target, r, pending, notes.get(name, ""))
        elif name != EXCLUDED_SHEET:
            title_here = title if n == 0 else ""
            note = notes.get(name, "")
            write_frame(wb, name, frame, f, title=title_here, note=note, totals=totals.get(name))
    write_charts(wb, r, f)
    start_deferred()
    _long_table(wb, SOURCES_SHEET, r.figures, f, target, r, pending, notes.get(SOURCES_SHEET, ""))
    empty = "项目清单中的项目全部纳入汇总，交回文件均已对应到项目"
    excluded = r.tables[EXCLUDED_SHEET]
    note = notes.get(EXCLUDED_SHEET, "")
    write_frame(wb, EXCLUDED_SHEET, excluded, f, note=note, empty_note=empty)


def _long_table(
    wb: Any,
    name: str,
    frame: Any,
    f: TableFormats,
    target: Path,
    r: Results,
    pending: list,
    note: str = "",
) -> None:
    """A sheet, or beyond ``detail_sheet_max_rows`` a CSV file beside the workbook (written in
    another process while the workbook is written) and a sheet that says so. In the sheet the
    figures of 数据来源 that are numbers are numbers; the CSV file has them as the report
    writes them."""
    limit = r.settings.detail_sheet_max_rows
    if len(frame) <= limit:  # rows made on demand (Figures) become a table here
        table = frame if isinstance(frame, pd.DataFrame) else frame.frame()
        if VALUE_COLUMN in table.columns and name == SOURCES_SHEET:
            table[VALUE_COLUMN] = pd.Series(list(map(typed, table[VALUE_COLUMN])), dtype=object)
        write_frame(wb, name, table, f, note=note)
        return
    csv = target.with_name(f"{name}.csv")
    pending.append(run_aside(write_csv, csv, frame, portable=isinstance(frame, DetailRows)))
    text = (
        f"{name}共{len(frame)}行，超过在工作表中列出的上限{limit}行，"
        f"已另存为{csv.name}（可用Excel直接打开）。"
    )
    write_frame(wb, name, pd.DataFrame([{"说明": text}]), f, note=note)
