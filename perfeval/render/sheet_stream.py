"""Big plain tables at speed: rows of cell XML appended straight to XlsxWriter's row stream.

Why: a cell through ``Worksheet.write_string``/``write_number`` plus ``write_cell`` cost about
12 µs here in pure Python (argument checks, a cell tuple, attribute escaping, four regexes): 汇总表
for 10,000 items (a million cells) took about 12 s, 校验报告 about 4 s. Cleaning the values
column-wise first (the other option considered) would only remove the quarter of that time spent
in visible_text and needs_quote_prefix (profiled); three quarters are inside XlsxWriter.

How: in ``constant_memory`` mode a worksheet writes each finished row as ``<row>`` XML into a
temporary file (its ``fh``) and copies that file into ``<sheetData>`` when the workbook closes;
every other part of the sheet (dimension, sheetViews/panes, cols, autoFilter, pageSetup,
drawing …) is written from the worksheet's own state, in CT_Worksheet order. ``TableSheet``
appends its rows to that same file and extends the dimension, so XlsxWriter still writes the
workbook, the styles, titles, headers, totals, the small sheets and the native charts, and no
part is patched after closing. Style indices come from the Format objects
(``Format._get_xf_index``, which XlsxWriter itself calls for each cell it writes).

The cells are the ones write_cell makes through XlsxWriter (tests/test_fast_writer.py compares
them), with ``r`` references and inline strings (``t="inlineStr"``: no shared-string table to
hold in memory), except that numbers carry their exact value: ``str()`` of a Decimal, ``repr``
of a float, where XlsxWriter writes 16 significant digits; and text shaped like ``<r>…</r>`` is
escaped like any other (XlsxWriter copies it unescaped in constant_memory mode, so department
text could corrupt the workbook).

Work is done per column in batches of ``CHUNK`` rows. The distinct strings of a batch are
joined with a separator and searched once for anything that needs cleaning, escaping, a
``quotePrefix`` style, ``xml:space`` or truncation; if nothing does, each cell is one f-string.
Otherwise that batch goes value by value through ``text_cell``, the full treatment. Numbers are
``map(str, …)`` with one search for NaN/None/inf. All told about 0.7 µs per cell (12 µs before);
deflating the XML at XlsxWriter's level 6 would cost about as much again, hence ``ZIP_LEVEL``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import math
import os
import re
import shutil
import sys
from collections.abc import Sequence
from decimal import Decimal
from itertools import chain
from typing import TYPE_CHECKING, Any

import pandas as pd
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from perfeval.render.paper import row_height, text_lines
from perfeval.render.text import FORMULA_LOOKALIKES, needs_quote_prefix, visible_text, xml_text

if TYPE_CHECKING:
    from perfeval.render.xlsx_tables import TableFormats


class Percent(Decimal):
    """A share, written as a number formatted 0.00% (0.9333 shows 93.33%)."""


CHUNK = 1000
ZIP_LEVEL = 2
MAX_ROWS = 1_048_576
_STR_MAX = 32767  # Excel's limit, in UTF-16 code units
_SEP = "\x01"  # replaced by visible_text, so it never occurs in its output
_EPOCH = dt.date(1899, 12, 30).toordinal()

# A batch of strings joined with _SEP takes the plain path only without: characters to replace
# (visible_text), \r (written as _x000D_) and XML specials; literal _xHHHH_ escapes ("_x" in it);
# after a separator, whitespace or a formula head; before one, whitespace (searched reversed).
_SPECIAL = re.compile(r"[\x00\x02-\x08\x0b-\x1f&<>\ud800-\udfff\ufffe\uffff]")
_LEAD = re.compile(f"\\x01[\\s=+\\-@{FORMULA_LOOKALIKES}]")
_LEAD_SPACE = re.compile(r"\x01\s")
_X_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_NOT_FINITE = re.compile("[A-DF-Za-df-z]")  # in str() of None, NaN, inf, not of a number
_DIGITS = frozenset("0123456789")
_NUMBER_KINDS = ({Decimal}, {float}, {Decimal, float}, {int})


class Styles:
    """xf indices of the table formats, as XlsxWriter will number them in styles.xml."""

    def __init__(self, f: TableFormats) -> None:
        self.text = f.text._get_xf_index()
        self.inert = f.inert_text._get_xf_index()
        self.number = f.number._get_xf_index()
        self.integer = f.integer._get_xf_index()
        self.date = f.date._get_xf_index()
        self.percent = f.percent._get_xf_index()


def text_cell(ref: str, value: str, s: Styles) -> str:
    """One string cell with everything XlsxWriter and write_cell do to text."""
    text = visible_text(value)
    style = s.inert if needs_quote_prefix(text) else s.text
    if len(text) > _STR_MAX // 2 and len(text.encode("utf-16-le", "surrogatepass")) > 2 * _STR_MAX:
        units = 0
        for index, char in enumerate(text):
            units += 2 if ord(char) > 0xFFFF else 1
            if units > _STR_MAX:
                text = text[:index]
                break
    text = _X_ESCAPE.sub(r"_x005F\1", text).replace("\r", "_x000D_")
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t{space}>{xml_text(text)}</t></is></c>'


def _number(ref: str, number: Decimal | float | int, style: int) -> str:
    """str() of a Decimal or int, repr() of a float: the exact value, as the XML wants it."""
    if not math.isfinite(number):
        raise ValueError(f"单元格{ref}的数值无效：{number}")
    return f'<c r="{ref}" s="{style}"><v>{number}</v></c>'


def any_cell(ref: str, value: Any, s: Styles) -> str:
    """Any value, typed as write_cell types it."""
    if type(value) is str:
        return text_cell(ref, value, s)
    if value is None or (isinstance(value, float | Decimal) and value != value):
        return f'<c r="{ref}" s="{s.text}"/>'
    if isinstance(value, bool):
        return text_cell(ref, "是" if value else "否", s)
    if type(value) is Percent:
        return _number(ref, value, s.percent)
    if isinstance(value, Decimal):
        return _number(ref, value, s.number)
    if isinstance(value, int):
        return _number(ref, value, s.integer)
    if isinstance(value, float):
        return _number(ref, value, s.number)
    if isinstance(value, dt.date):
        return _number(ref, _serial(value), s.date)
    return text_cell(ref, str(value), s)


def _serial(day: dt.date) -> int:
    """Excel's day number (1900 system) of the date part, as write_datetime writes it."""
    n = day.toordinal() - _EPOCH
    return n if n > 60 else n - 1  # Excel counts a 29 February 1900 that never was


def plain(values: list[str]) -> bool:
    """Nothing in these strings needs more than copying into <t>…</t>. Each distinct string is
    looked at once (names and categories repeat down a column)."""
    distinct = set(values)
    joined = _SEP + _SEP.join(distinct) + _SEP
    return (
        joined.count(_SEP) == len(distinct) + 1
        and max(map(len, distinct)) <= _STR_MAX // 2
        and not _SPECIAL.search(joined)
        and "_x" not in joined
        and not _LEAD.search(joined)
        and not _LEAD_SPACE.search(joined[::-1])
    )


def _column(letter: str, nums: list[str], values: list, s: Styles) -> list[str]:
    kinds = set(map(type, values))
    head = f'<c r="{letter}'
    if kinds == {str} and plain(values):
        mid = f'" s="{s.text}" t="inlineStr"><is><t>'
        return [f"{head}{n}{mid}{v}</t></is></c>" for n, v in zip(nums, values, strict=True)]
    if kinds - {type(None)} in _NUMBER_KINDS:
        # str() is the exact value (repr for a float); it ends in a digit unless the value is
        # None, NaN or infinite
        texts = list(map(str, values))
        mid = f'" s="{s.integer if int in kinds else s.number}"><v>'
        if not _NOT_FINITE.search("".join(texts)):
            return [f"{head}{n}{mid}{t}</v></c>" for n, t in zip(nums, texts, strict=True)]
        blank = f'" s="{s.text}"/>'
        return [
            f"{head}{n}{mid}{t}</v></c>"
            if t[-1] in _DIGITS
            else f"{head}{n}{blank}"
            if v is None or v != v
            else any_cell(letter + n, v, s)
            for n, t, v in zip(nums, texts, values, strict=True)
        ]
    if str in kinds and plain([v for v in values if type(v) is str]):  # text and numbers
        mid = f'" s="{s.text}" t="inlineStr"><is><t>'
        return [
            f"{head}{n}{mid}{v}</t></is></c>" if type(v) is str else any_cell(letter + n, v, s)
            for n, v in zip(nums, values, strict=True)
        ]
    return [any_cell(letter + n, v, s) for n, v in zip(nums, values, strict=True)]


def _height(lines: int, memo: dict[int, str]) -> str:
    text = memo.get(lines)
    if text is None:
        text = memo[lines] = f' ht="{row_height(lines):g}"'
    return text


def _lines(values: list, width: float) -> list[int] | None:
    """Lines each value takes in a column of ``width``; None when each takes one. Each distinct
    text is measured once, and only when twice its length would not fit a line: lines are
    ``ceil((length + UTF-8 length) / 2 / capacity)`` (:func:`perfeval.render.paper.text_lines`, here
    in integers), by paragraph for the few texts with a line break."""
    capacity = max(int(width) - 1, 1)
    long = [v for v in set(values) if type(v) is str and (2 * len(v) > capacity or "\n" in v)]
    if not long:
        return None
    double = 2 * capacity
    counts = {}
    for text in long:
        if "\n" in text:
            n = text_lines(text, width)
        else:
            n = -(-(len(text) + len(text.encode("utf-8", "replace"))) // double)
        if n > 1:
            counts[text] = n
    if not counts:
        return None
    get = counts.get
    return [get(v, 1) if type(v) is str else 1 for v in values]


def row_lines(columns: list[tuple[list, float]]) -> list[int] | None:
    """Per row, the most lines its wrapped text takes over ``(values, width)`` columns; None
    when every row has one line (most batches of most tables)."""
    counted = [n for values, width in columns if (n := _lines(values, width)) is not None]
    if not counted:
        return None
    return counted[0] if len(counted) == 1 else list(map(max, *counted))


class TableWorkbook(Workbook):
    """A workbook whose parts are deflated at zlib level ZIP_LEVEL instead of the default 6.

    XlsxWriter offers no option for it, so the ZipFile it makes while closing is made with the
    level (the module's name is rebound for that call only; perfeval writes no workbooks from
    threads). Level 2 deflates the sheet XML about three times as fast for files ~20 % larger:
    at 10,000 items 0.6 s less for 汇总表 and 校验报告 together."""

    def discard(self) -> None:
        """After a failure (a full disk): close the sheets' row files and remove them, which
        XlsxWriter leaves open and in the temporary folder when ``close`` does not finish."""
        for sheet in self.worksheets():
            for fh in {getattr(sheet, "row_data_fh", None), getattr(sheet, "fh", None)}:
                with contextlib.suppress(Exception):
                    if fh is not None:
                        fh.close()
            name = getattr(sheet, "row_data_filename", None)
            if name:
                with contextlib.suppress(OSError):
                    os.unlink(name)

    def _store_workbook(self) -> None:
        module = sys.modules[Workbook.__module__]
        made = module.ZipFile
        module.ZipFile = functools.partial(made, compresslevel=ZIP_LEVEL)
        try:
            super()._store_workbook()
        finally:
            module.ZipFile = made


class TableSheet(Worksheet):
    """A worksheet (constant_memory) whose body rows can be streamed as ready-made XML.

    Made with ``wb.add_worksheet(name, worksheet_class=TableSheet)``; everything else about it is
    XlsxWriter's. Its row file is copied into the sheet part as bytes, not decoded and encoded
    again as XlsxWriter copies it."""

    def stream_rows(
        self,
        first: int,
        df: pd.DataFrame,
        f: TableFormats,
        wraps: Sequence[float | None] = (),
    ) -> int:
        """Write the rows of ``df`` from sheet row ``first`` (0-based) on; returns rows written.

        ``wraps``: the width of each column whose text wraps (None for the others); a row whose
        text there takes more than a line gets its height (see :func:`row_lines`). Nothing may
        have been written below ``first`` yet. Rows beyond Excel's 1,048,576 are left out, as
        XlsxWriter leaves them out."""
        count = max(0, min(len(df), MAX_ROWS - first))
        if count == 0 or not len(df.columns):
            return 0
        if not self.constant_memory or first <= self.previous_row:
            raise ValueError("rows are streamed in constant_memory mode, below all written so far")
        s = Styles(f)
        self._write_single_row(first)  # out goes the row XlsxWriter still holds (the header)
        last = first + count - 1
        self._check_dimensions(first, 0)
        self._check_dimensions(last, len(df.columns) - 1)
        letters = [xl_col_to_name(c) for c in range(len(df.columns))]
        series = [df.iloc[:, c] for c in range(len(df.columns))]
        wrapped = [(c, w) for c, w in enumerate(wraps) if w]
        opens_by_lines: dict[int, str] = {}
        self.fh.flush()
        out = self.fh.buffer
        for start in range(0, count, CHUNK):
            stop = min(start + CHUNK, count)
            nums = [str(n) for n in range(first + start + 1, first + stop + 1)]
            values = [col.iloc[start:stop].tolist() for col in series]
            columns = [
                _column(letter, nums, vals, s) for letter, vals in zip(letters, values, strict=True)
            ]
            lines = row_lines([(values[c], w) for c, w in wrapped])
            if lines is None:
                opens = [f'<row r="{n}">' for n in nums]
            else:
                opens = [
                    f'<row r="{n}">'
                    if k == 1
                    else f'<row r="{n}"{_height(k, opens_by_lines)} customHeight="1">'
                    for n, k in zip(nums, lines, strict=True)
                ]
            rows = zip(opens, *columns, ["</row>"] * len(nums), strict=True)
            out.write("".join(chain.from_iterable(rows)).encode())
        self.previous_row = last
        return count

    def _write_optimized_sheet_data(self) -> None:
        if self.dim_rowmin is None:
            super()._write_optimized_sheet_data()
            return
        self._xml_start_tag("sheetData")
        self.row_data_fh.flush()
        self.fh.flush()
        with open(self.row_data_filename, "rb") as rows:
            shutil.copyfileobj(rows, self.fh.buffer, 1 << 20)
        self.row_data_fh.close()
        os.unlink(self.row_data_filename)
        self._xml_end_tag("sheetData")
