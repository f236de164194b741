"""How perfeval's sheets print: paper, scale, print titles, page numbers, and row heights.

The rule: no printed sheet below 8 pt. A sheet's smallest font (10 pt in tables) times its print
scale must be at least :data:`MIN_PRINTED_PT`. Fitting a wide table to one page's width breaks it
(Excel, WPS and LibreOffice shrink the whole table: 26 columns of 项目汇总 came out at 4 pt), so
each table is placed by its total column width (:func:`plan_table`):

* it fits the width of A4 landscape at ≥ :data:`FIT_MIN` % (10 pt × 80 % = 8 pt): one page wide,
  portrait when it fits A4 portrait at 100 %;
* wider (项目汇总 and 指标明细 always; 部门整体, 问题清单 and 文件汇总 when their names,
  messages and 一级指标 make them so): A4 landscape at :data:`WIDE_SCALE` % (9 pt), as many pages
  wide as it takes, pages numbered across before down (the pages of one block of rows come out
  together), with the header row and the name column(s) repeated on every page (print titles),
  so each sheet of paper says which item and which column a figure belongs to. A3 was the other
  choice; it was not taken because many bureaus print on A4 only, and a printer driver that
  shrinks A3 to A4 prints at 70 % (7 pt).

Text columns are at most 24 characters wide (:data:`perfeval.render.xlsx_tables.MAX_WIDTH`):
longer text wraps, which keeps the repeated name columns to about a quarter of a page.

Every printed sheet has 第 &P 页，共 &N 页 in its footer and margins of 1 cm left and right.

Row heights: LibreOffice and WPS show a file's row heights as written and do not re-fit rows, so
a row with wrapped text gets its height written (:func:`text_lines`, :func:`row_height`). Lines are
estimated from the text and the column width: a wide (CJK) character takes two width units, others
one (:func:`fast_width`, from the UTF-8 length: ASCII one byte, CJK three), and a column of width
``w`` holds ``w - 1`` units a line at 10 pt. That is what ``display_width`` counts, and a little
generous (a 10 pt CJK character is 1.9 units), so a row is never too short. A line is
:data:`LINE_PT` × size / 10 points high (Noto Sans CJK's line spacing, taller than SimSun's).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from xlsxwriter.worksheet import Worksheet

A4, A3 = 9, 8  # Excel's paper codes
_SIZES = {A4: (8.27, 11.69), A3: (11.69, 16.54)}  # inches, short and long side
MARGIN_SIDE = 0.4  # inches, left and right (1 cm)
MARGIN_TOP = 0.6
MARGIN_BOTTOM = 0.6
MARGIN_HEADER = 0.3
FOOTER = "&C第 &P 页，共 &N 页"
MIN_PRINTED_PT = 8.0
FIT_MIN = 80  # % : the least a table is shrunk to fit one page wide (10 pt -> 8 pt)
WIDE_SCALE = 90  # % : tables too wide for that print several pages wide at this scale
LINE_PT = 14.5  # a line of 10 pt text, in points
PAD_PT = 3.0  # above and below the text of a cell
DEFAULT_ROW_PT = 15.0


def column_px(width: float) -> int:
    """Pixels of a column of ``width`` characters (the default font, Calibri 11: 7-pixel digits,
    5 pixels of padding), as Excel and XlsxWriter size it."""
    if width <= 0:
        return 0
    if width < 1:
        return int(width * 12 + 0.5)
    return int(width * 7 + 0.5) + 5


def columns_pt(widths: Iterable[float]) -> float:
    return sum(column_px(w) for w in widths) * 0.75


def printable_pt(paper: int = A4, landscape: bool = True) -> float:
    short, long = _SIZES[paper]
    return ((long if landscape else short) - 2 * MARGIN_SIDE) * 72


def fit_scale(widths: Iterable[float], paper: int = A4, landscape: bool = True) -> int:
    """The scale (%) at which Excel prints columns of these widths one page wide (fitToWidth=1):
    the page's printable width over the columns' width, never above 100."""
    total = columns_pt(widths)
    if total <= 0:
        return 100
    return min(100, math.floor(printable_pt(paper, landscape) / total * 100))


def fast_width(text: str) -> float:
    """Display width of one line (wide characters count 2), from the UTF-8 length."""
    return (len(text) + len(text.encode("utf-8", "replace"))) / 2


def text_lines(text: str, width: float, size: float = 10) -> int:
    """Lines ``text`` takes wrapped in a column of ``width`` characters at ``size`` points."""
    capacity = max(width - 1, 1) * 10 / size
    return sum(max(1, math.ceil(fast_width(part) / capacity)) for part in text.split("\n"))


def row_height(lines: int, size: float = 10) -> float:
    """Points for a row of ``lines`` lines of ``size``-point text (at least the default), in
    whole pixels (0.75 pt) as Excel and XlsxWriter store a height."""
    points = max(DEFAULT_ROW_PT, lines * LINE_PT * size / 10 + PAD_PT)
    return math.ceil(points / 0.75 - 1e-9) * 0.75


@dataclass(frozen=True)
class Plan:
    """How a table prints: ``scale`` None = fit one page wide (Excel computes the scale)."""

    landscape: bool
    scale: int | None
    expected: int  # the scale it prints at (the computed fit, or ``scale``)
    repeat_columns: int  # leading columns repeated on every page (0: none)


def plan_table(widths: Sequence[float], name_columns: int, font_pt: float = 10) -> Plan:
    """Portrait one page wide, landscape one page wide, or several pages wide (see above)."""
    least = math.ceil(MIN_PRINTED_PT / font_pt * 100)
    needed = max(FIT_MIN, least)
    if fit_scale(widths, A4, landscape=False) >= 100:
        return Plan(False, None, 100, 0)
    landscape = fit_scale(widths, A4, landscape=True)
    if landscape >= needed:
        return Plan(True, None, landscape, 0)
    return Plan(True, max(WIDE_SCALE, least), max(WIDE_SCALE, least), name_columns)


def set_paper(
    ws: Worksheet, *, landscape: bool, paper: int = A4, fit: bool = True, scale: int = 100
) -> None:
    """Paper, margins, page numbers; one page wide (``fit``) or at ``scale`` %."""
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_paper(paper)
    ws.set_margins(MARGIN_SIDE, MARGIN_SIDE, MARGIN_TOP, MARGIN_BOTTOM)
    ws.set_footer(FOOTER, margin=MARGIN_HEADER)
    ws.set_start_page(1)  # each sheet numbered from 1 (LibreOffice would go on from the last)
    if fit:
        ws.fit_to_pages(1, 0)
    else:
        ws.set_print_scale(scale)


def print_table(ws: Worksheet, plan: Plan, header_row: int) -> None:
    """Set up a table sheet to print by its :func:`plan_table`: the header row (0-based)
    repeated on every page, and on a table several pages wide the name columns too."""
    set_paper(ws, landscape=plan.landscape, fit=plan.scale is None, scale=plan.scale or 100)
    ws.repeat_rows(header_row)
    if plan.repeat_columns:
        ws.repeat_columns(0, plan.repeat_columns - 1)
        ws.print_across()
