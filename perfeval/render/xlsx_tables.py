"""Writing tables into new workbooks with XlsxWriter: typed cells, CJK-aware widths, inert text.

Text that came from departments is always written as a string cell: never a formula, a number or a
link, whatever it starts with (text Excel would take for a formula once edited gets quotePrefix).
Characters XML cannot carry are dropped. The rows of a table are streamed as ready-made XML by
sheet_stream.TableSheet; titles, headers, totals, widths, panes, filters and print settings are
XlsxWriter's own. CSV for tables too long for a sheet: csv_export.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from perfeval.layout import display_width
from perfeval.render.sheet_stream import TableSheet, TableWorkbook
from perfeval.render.text import needs_quote_prefix, visible_text, xml_text

SAFE_OPTIONS = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
MAX_WIDTH = 60


def new_workbook(path: Path) -> Workbook:
    """Rows are streamed to disk as they are written (constant memory): sheets must be written
    top to bottom, which every writer here does."""
    wb = TableWorkbook(str(path), {**SAFE_OPTIONS, "constant_memory": True})
    wb.set_properties({"author": "perfeval"})
    return wb


class TableFormats:
    def __init__(self, wb: Workbook) -> None:
        base = {"font_name": "宋体", "font_size": 10, "border": 1, "valign": "vcenter"}
        self.header = wb.add_format(
            {**base, "bold": True, "bg_color": "#D9E1F2", "text_wrap": True, "align": "center"}
        )
        self.text = wb.add_format({**base, "text_wrap": True})
        self.inert_text = wb.add_format({**base, "text_wrap": True, "quote_prefix": True})
        self.number = wb.add_format({**base, "num_format": "0.00"})
        self.integer = wb.add_format({**base, "num_format": "0"})
        self.date = wb.add_format({**base, "num_format": "yyyy-mm-dd"})
        self.total = wb.add_format({**base, "bold": True, "num_format": "0.00"})
        self.title = wb.add_format({"font_name": "宋体", "bold": True, "font_size": 14})


def _inert(text: str) -> str:
    """XlsxWriter copies text shaped like ``<r>…</r>`` into the sheet as rich-text XML without
    escaping it; such text is handed over as a one-run rich string that shows it unchanged."""
    if text.startswith("<r>") and text.endswith("</r>"):
        return f"<r><t>{xml_text(text)}</t></r>"
    return text


def write_cell(ws: Worksheet, row: int, col: int, value: Any, f: TableFormats) -> None:
    if type(value) is str:  # the common case first
        text = visible_text(value)
        style = f.inert_text if needs_quote_prefix(text) else f.text
        ws.write_string(row, col, _inert(text), style)
    elif value is None or (isinstance(value, float | Decimal) and value != value):
        ws.write_blank(row, col, None, f.text)
    elif isinstance(value, bool):
        ws.write_string(row, col, "是" if value else "否", f.text)
    elif isinstance(value, Decimal):
        ws.write_number(row, col, float(value), f.number)
    elif isinstance(value, int):
        ws.write_number(row, col, value, f.integer)
    elif isinstance(value, float):
        ws.write_number(row, col, value, f.number)
    elif isinstance(value, dt.date):
        ws.write_datetime(row, col, dt.datetime.combine(value, dt.time()), f.date)
    else:
        text = visible_text(str(value))
        style = f.inert_text if needs_quote_prefix(text) else f.text
        ws.write_string(row, col, _inert(text), style)


def _width(value: Any) -> int:
    if isinstance(value, Decimal | float | int):
        return 10
    text = str(value) if value is not None else ""
    return max((display_width(line) for line in text.split("\n")), default=0)


def _sample(column: pd.Series, size: int = 300) -> list[Any]:
    """Widths are judged on an even sample: measuring every cell of a long sheet is slow."""
    if len(column) <= size:
        return column.tolist()
    step = len(column) / size
    return column.iloc[[int(n * step) for n in range(size)]].tolist()


def write_frame(
    wb: Workbook,
    name: str,
    df: pd.DataFrame,
    f: TableFormats,
    *,
    title: str = "",
    totals: dict[str, Decimal | int] | None = None,
    empty_note: str = "（无数据）",
) -> Worksheet:
    """One sheet per table: optional title row, header, rows, optional totals row, autofilter.

    The rows are streamed as XML by ``TableSheet`` (same cells, fast); cell by cell only in a
    workbook that does not stream (not made by ``new_workbook``). ``totals`` are computed by
    the caller from unrounded figures, so the 合计 row agrees with the report (summing the
    rounded cells could be off by a cent)."""
    ws = wb.add_worksheet(name, worksheet_class=TableSheet)
    top = 0
    if title:
        ws.write_string(0, 0, title, f.title)
        top = 1
    columns = list(df.columns)
    for col, label in enumerate(columns):
        ws.write_string(top, col, label, f.header)
    if ws.constant_memory:
        ws.stream_rows(top + 1, df, f)
    else:
        data = [df.iloc[:, c].tolist() for c in range(len(columns))]
        for r, record in enumerate(zip(*data, strict=False), start=top + 1):
            for c, value in enumerate(record):
                write_cell(ws, r, c, value, f)
    last = top + len(df)
    if df.empty:
        ws.write_string(top + 1, 0, empty_note, f.text)
    elif totals:
        last += 1
        ws.write_string(last, 0, "合计", f.header)
        for c, label in enumerate(columns):
            if label in totals:
                ws.write_number(last, c, float(totals[label]), f.total)
    for c, label in enumerate(columns):
        values = _sample(df.iloc[:, c]) if len(df) else []
        widest = max([display_width(label)] + [_width(v) for v in values])
        ws.set_column(c, c, min(max(widest + 2, 8), MAX_WIDTH))
    ws.freeze_panes(top + 1, 0)
    if columns and not df.empty:
        ws.autofilter(top, 0, top + len(df), len(columns) - 1)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(top)
    return ws
