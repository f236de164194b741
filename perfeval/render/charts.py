"""Native Excel charts for 汇总表.xlsx: scores by item, grade distribution, and the average 得分率
of each 一级指标. Chart data sits on a hidden 图表数据 sheet as plain values.

The score chart has to stay readable with 50 items: horizontal bars, one bar per item from top to
bottom in roster order, labelled with a short name (the name without its leading year, at most
:data:`LABEL_CHARS` characters; with the item's 编号 in front when two short names would be the
same). The bars are coloured by grade, one series per grade (so the legend names the grades and
their lower bounds; a column chart with the grade bands drawn as lines could not carry 50 names
under it). The chart grows with the number of items and the plot area is placed by hand, to the
right of the longest label, so labels never squeeze it. Up to :data:`CHART_ITEMS` items are drawn,
one printed A4 page; the title says when there are more.
"""

from __future__ import annotations

import math
import re

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from perfeval.aggregate.figures import Results
from perfeval.aggregate.tables import level1_averages
from perfeval.layout import display_width
from perfeval.render.paper import set_paper
from perfeval.render.xlsx_tables import TableFormats, write_cell

DATA_SHEET = "图表数据"
CHART_SHEET = "图表"
CHART_ITEMS = 50  # a bar per item, one printed page
LABEL_CHARS = 12
BAR_PX = 17  # height per item (50 items and the rest fit one A4 page)
CHART_WIDTH = 600  # pixels: within A4 portrait at 100 % (ten default columns, 640 pixels)
CHART_COLUMN = 88  # characters (621 pixels): column A holds the charts on every office suite
ROW_PX = 20  # XlsxWriter's default row height, in pixels
GRADE_COLOURS = ("#548235", "#2F5597", "#BF8F00", "#C00000", "#7F7F7F", "#7030A0")
_YEAR = re.compile(r"^\d{4}年度?")


def _range(col: int, first: int, last: int) -> list:
    return [DATA_SHEET, first, col, last, col]


def short_labels(names: list[str], ids: list[str]) -> list[str]:
    """Chart labels: each name without a leading year, cut to LABEL_CHARS characters (…); the
    编号 in front of those that would otherwise be the same."""
    short = []
    for name in names:
        text = _YEAR.sub("", name) or name
        short.append(text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…")
    seen: dict[str, int] = {}
    for label in short:
        seen[label] = seen.get(label, 0) + 1
    return [f"{i} {s}" if seen[s] > 1 else s for s, i in zip(short, ids, strict=True)]


def _write_blocks(data, blocks: list[list[list]], f: TableFormats) -> list[int]:
    """Side-by-side column blocks written row by row (the workbook streams rows to disk);
    returns each block's first column."""
    starts, col = [], 0
    for block in blocks:
        starts.append(col)
        col += len(block[0]) + 1
    for row in range(max(len(b) for b in blocks)):
        for start, block in zip(starts, blocks, strict=True):
            if row < len(block):
                for offset, value in enumerate(block[row]):
                    style = f.header if row == 0 else None
                    if style is not None:
                        data.write_string(row, start + offset, str(value), style)
                    else:
                        write_cell(data, row, start + offset, value, f)
    return starts


def write_charts(wb: Workbook, r: Results, f: TableFormats) -> None:
    charts = wb.add_worksheet(CHART_SHEET)
    data = wb.add_worksheet(DATA_SHEET)
    grades = r.settings.grades
    shown = r.items[:CHART_ITEMS]
    labels = short_labels([i.item.name for i in shown], [i.item.item_id for i in shown])
    heads = [f"{g.name}（≥{g.min}分）" if g.min > 0 else g.name for g in grades]
    scores_block = [["项目", "项目编号", "得分", *heads]]
    for label, i in zip(labels, shown, strict=True):
        by_grade = [i.total if i.grade.name == g.name else None for g in grades]
        scores_block.append([label, i.item.item_id, i.total, *by_grade])
    grades_block = [["等级", "项目个数"]] + [[g, len(m)] for g, m in r.by_grade()]
    averages = level1_averages(r)
    rates_block = [["一级指标", "平均得分率（%）"]] + [[n, v] for n, v in averages]
    score_col, grade_col, rate_col = _write_blocks(
        data, [scores_block, grades_block, rates_block], f
    )
    height = _score_chart(wb, charts, r, shown, labels, score_col)
    below = math.ceil(height / ROW_PX) + 1
    _other_charts(wb, charts, r, grade_col, rate_col, averages, below)
    data.set_column(0, 0, 30)
    data.set_column(1, rate_col + 1, 14)
    data.hide()
    charts.set_column(0, 0, CHART_COLUMN)  # the charts sit in column A: one printed page wide
    set_paper(charts, landscape=False, fit=False, scale=100)
    charts.set_h_pagebreaks([below])


def _score_chart(wb, charts: Worksheet, r: Results, shown, labels, col: int) -> int:
    """Horizontal bars, one series per grade; returns the chart's height in pixels."""
    n = max(len(shown), 1)
    last = n
    chart = wb.add_chart({"type": "bar"})
    for k, _grade in enumerate(r.settings.grades):
        chart.add_series(
            {
                "name": [DATA_SHEET, 0, col + 3 + k],
                "categories": _range(col, 1, last),
                "values": _range(col + 3 + k, 1, last),
                "fill": {"color": GRADE_COLOURS[k % len(GRADE_COLOURS)]},
                "border": {"none": True},
                "data_labels": {"value": True, "num_format": "0.00", "font": {"size": 9}},
                "overlap": 100,
                "gap": 40,
            }
        )
    more = f"（前{CHART_ITEMS}个项目）" if len(r.items) > CHART_ITEMS else ""
    chart.set_title({"name": f"各项目评价得分{more}", "name_font": {"size": 12}})
    chart.set_x_axis(
        {
            "min": 0,
            "max": 100,
            "major_unit": 10,
            "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
            "num_font": {"size": 9},
        }
    )
    # the first item on top; the value axis then crosses at the last item (the bottom)
    chart.set_y_axis(
        {"reverse": True, "crossing": "max", "num_font": {"size": 9}, "major_tick_mark": "none"}
    )
    chart.set_legend({"position": "bottom", "font": {"size": 9}})
    top_px, bottom_px = 56, 64  # title; axis numbers and legend
    height = max(260, n * BAR_PX + top_px + bottom_px)
    widest = max((display_width(x) for x in labels), default=4)
    left = min(0.45, (widest * 6.5 + 16) / CHART_WIDTH)  # a 9 pt CJK character: 12 pixels
    chart.set_plotarea(
        {
            "layout": {
                "x": round(left, 3),
                "y": round(top_px / height, 3),
                "width": round(0.95 - left, 3),
                "height": round((height - top_px - bottom_px) / height, 3),
            }
        }
    )
    chart.set_size({"width": CHART_WIDTH, "height": height})
    charts.insert_chart("A1", chart)
    return height


def _other_charts(wb, charts: Worksheet, r: Results, grade_col, rate_col, averages, row) -> None:
    n = len(r.settings.grades)
    grades = wb.add_chart({"type": "column"})
    grades.add_series(
        {
            "name": "项目个数",
            "categories": _range(grade_col, 1, n),
            "values": _range(grade_col + 1, 1, n),
            "data_labels": {"value": True},
        }
    )
    most = max((len(m) for _, m in r.by_grade()), default=0)
    grades.set_y_axis({"min": 0, "major_unit": max(1, math.ceil(most / 5)), "num_format": "0"})
    grades.set_title({"name": "评价等级分布", "name_font": {"size": 12}})
    grades.set_legend({"none": True})
    grades.set_size({"width": CHART_WIDTH, "height": 300})
    charts.insert_chart(row, 0, grades)

    m = max(len(averages), 1)
    rates = wb.add_chart({"type": "bar"})
    rates.add_series(
        {
            "name": "平均得分率（%）",
            "categories": _range(rate_col, 1, m),
            "values": _range(rate_col + 1, 1, m),
            "data_labels": {"value": True},
        }
    )
    rates.set_title({"name": "一级指标平均得分率", "name_font": {"size": 12}})
    rates.set_x_axis({"min": 0, "max": 100})
    rates.set_y_axis({"reverse": True, "crossing": "max"})
    rates.set_legend({"none": True})
    rates.set_size({"width": CHART_WIDTH, "height": 40 * m + 160})
    charts.insert_chart(row + 17, 0, rates)
