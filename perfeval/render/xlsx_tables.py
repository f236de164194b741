"""Writing tables into new workbooks with XlsxWriter: typed cells, CJK-aware widths, inert text.

Text that came from departments is always written as a string cell: never a formula, a number or a
link, whatever it starts with (text Excel would take for a formula once edited gets quotePrefix).
Characters XML cannot carry are dropped. The rows of a table are streamed as ready-made XML by
sheet_stream.TableSheet, with the heights of rows whose text wraps; titles, notes, headers,
totals, widths, panes, filters and print settings are XlsxWriter's own. Amounts have thousands
separators (#,##0.00). How a table prints (paper, scale, print titles, page numbers) and how row
heights are estimated: :mod:`.paper`. CSV for tables too long for a sheet: csv_export.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from perfeval.layout import display_width
from perfeval.render.paper import plan_table, print_table, row_height, text_lines
from perfeval.render.sheet_stream import Percent, TableSheet, TableWorkbook
from perfeval.render.text import needs_quote_prefix, visible_text, xml_text

SAFE_OPTIONS = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
MAX_WIDTH = 24  # longer text wraps (its row gets the height)


def new_workbook(path: Path) -> Workbook:
    """Rows are streamed to disk as they are written (constant memory): sheets must be written
    top to bottom, which every writer here does."""
    wb = TableWorkbook(str(path), {**SAFE_OPTIONS, "constant_memory": True})
    wb.set_properties({"author": "perfeval"})
    return wb


NAME_LABELS = ("项目名称", "文件", "部门", "实施单位", "数据", "问题分类", "等级", "说明")


class TableFormats:
    def __init__(self, wb: Workbook) -> None:
        base = {"font_name": "宋体", "font_size": 10, "border": 1, "valign": "vcenter"}
        self.header = wb.add_format(
            {**base, "bold": True, "bg_color": "#D9E1F2", "text_wrap": True, "align": "center"}
        )
        self.text = wb.add_format({**base, "text_wrap": True})
        self.inert_text = wb.add_format({**base, "text_wrap": True, "quote_prefix": True})
        self.number = wb.add_format({**base, "num_format": "#,##0.00"})
        self.integer = wb.add_format({**base, "num_format": "#,##0"})
        self.percent = wb.add_format({**base, "num_format": "0.00%"})
        self.date = wb.add_format({**base, "num_format": "yyyy-mm-dd"})
        self.total = wb.add_format({**base, "bold": True, "num_format": "#,##0.00"})
        self.total_count = wb.add_format({**base, "bold": True, "num_format": "#,##0"})
        self.title = wb.add_format(
            {"font_name": "宋体", "bold": True, "font_size": 14, "text_wrap": True}
        )
        self.title.set_valign("vcenter")
        self.note = wb.add_format(
            {"font_name": "宋体", "font_size": 10, "font_color": "#404040", "text_wrap": True}
        )
        self.note.set_valign("vcenter")
        # the same, running over into the cells beside (a wide table's lines are not merged)
        self.title_line = wb.add_format({"font_name": "宋体", "bold": True, "font_size": 14})
        self.note_line = wb.add_format(
            {"font_name": "宋体", "font_size": 10, "font_color": "#404040"}
        )


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
    elif type(value) is Percent:
        ws.write_number(row, col, float(value), f.percent)
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
    """Display width of a value as shown: numbers with their thousands separators."""
    if isinstance(value, bool):
        return 2
    if type(value) is Percent:
        return 8
    if isinstance(value, int):
        return len(f"{value:,}")
    if isinstance(value, Decimal | float):
        return len(f"{float(value):,.2f}") if value == value else 0
    text = str(value) if value is not None else ""
    return max((display_width(line) for line in text.split("\n")), default=0)


def _widest(values: list[Any]) -> int:
    """The widest of ``values``: of numbers, the largest (and a minus sign if any is below
    zero), measured once; of the rest, each."""
    numbers = [v for v in values if type(v) in _NUMBER_TYPES and v == v]
    rest = [v for v in values if type(v) not in _NUMBER_TYPES]
    widest = max(map(_width, rest), default=0)
    if numbers:
        largest = max(numbers, key=abs)
        widest = max(widest, _width(abs(largest)) + (min(numbers) < 0))
    return widest


_NUMBER_TYPES = frozenset((int, float, Decimal))


def _sample(column: pd.Series, size: int = 300) -> list[Any]:
    """Widths are judged on an even sample: measuring every cell of a long sheet is slow."""
    if len(column) <= size:
        return column.tolist()
    step = len(column) / size
    return column.iloc[[int(n * step) for n in range(size)]].tolist()


def column_widths(df: pd.DataFrame) -> list[int]:
    """Each column as wide as its widest value (sampled), at most MAX_WIDTH (longer text wraps
    and its row gets the height); a header as wide as half its label (it wraps to two lines)."""
    widths = []
    for c, label in enumerate(df.columns):
        values = _sample(df.iloc[:, c]) if len(df) else []
        widest = max(math.ceil(display_width(label) / 2), _widest(values))
        widths.append(min(max(widest + 2, 8), MAX_WIDTH))
    return widths


def name_columns(columns: list[str]) -> int:
    """How many leading columns name a row (frozen on screen, repeated on printed pages): up to
    the first name-like column among the first three, else none."""
    for n, label in enumerate(columns[:3]):
        if label in NAME_LABELS:
            return n + 1
    return 0


def _banner(
    ws: Worksheet, row: int, text: str, style: Any, widths: list[int], size: int, merge: bool
) -> None:
    """A title or note line: across a table that prints one page wide, merged, wrapped, with
    the height its lines take; on a wider table one line running over (merged, it would be cut
    at each page's edge)."""
    if merge and len(widths) > 1:
        ws.merge_range(row, 0, row, len(widths) - 1, text, style)
        lines = text_lines(text, sum(widths), size)
    else:
        ws.write_string(row, 0, text, style)
        lines = 1
    ws.set_row(row, row_height(lines, size))


def write_frame(
    wb: Workbook,
    name: str,
    df: pd.DataFrame,
    f: TableFormats,
    *,
    title: str = "",
    note: str = "",
    totals: dict[str, Decimal | int] | None = None,
    empty_note: str = "（无数据）",
) -> Worksheet:
    """One sheet per table: optional title line, optional note line (which items the table
    counts), header, rows, optional totals row, autofilter, and its print setup.

    The rows are streamed as XML by ``TableSheet`` (same cells, fast, with the heights of rows
    whose text wraps); cell by cell only in a workbook that does not stream (not made by
    ``new_workbook``). ``totals`` are computed by the caller from unrounded figures, so the 合计
    row agrees with the report (summing the rounded cells could be off by a cent). How the sheet
    prints: :mod:`.paper`."""
    ws = wb.add_worksheet(name, worksheet_class=TableSheet)
    columns = list(df.columns)
    widths = column_widths(df) if columns else [MAX_WIDTH]
    for c, width in enumerate(widths):
        ws.set_column(c, c, width)
    names = name_columns(columns)
    plan = plan_table(widths, names)
    one_page = plan.scale is None
    top = 0
    if title:
        _banner(ws, top, title, f.title if one_page else f.title_line, widths, 14, one_page)
        top += 1
    if note:
        _banner(ws, top, note, f.note if one_page else f.note_line, widths, 10, one_page)
        top += 1
    header_lines = max((text_lines(x, w) for x, w in zip(columns, widths, strict=False)), default=1)
    if header_lines > 1:
        ws.set_row(top, row_height(header_lines))
    for col, label in enumerate(columns):
        ws.write_string(top, col, label, f.header)
    numeric = [pd.api.types.is_numeric_dtype(t) for t in df.dtypes]
    wraps = [None if n else w for n, w in zip(numeric, widths, strict=False)]
    if ws.constant_memory:
        ws.stream_rows(top + 1, df, f, wraps)
    else:
        data = [df.iloc[:, c].tolist() for c in range(len(columns))]
        for r, record in enumerate(zip(*data, strict=False), start=top + 1):
            texts = zip(record, wraps, strict=True)
            lines = max((text_lines(v, w) for v, w in texts if w and type(v) is str), default=1)
            if lines > 1:
                ws.set_row(r, row_height(lines))
            for c, value in enumerate(record):
                write_cell(ws, r, c, value, f)
    last = top + len(df)
    if df.empty:
        _banner(ws, top + 1, empty_note, f.text, widths, 10, merge=True)
    elif totals:
        last += 1
        ws.write_string(last, 0, "合计", f.header)
        for c, label in enumerate(columns):
            if label in totals:
                value = totals[label]
                shown = f.total_count if isinstance(value, int) else f.total  # counts: no decimals
                ws.write_number(last, c, float(value), shown)
    ws.freeze_panes(top + 1, names)
    if columns and not df.empty:
        ws.autofilter(top, 0, top + len(df), len(columns) - 1)
    print_table(ws, plan, top)
    return ws
