"""Native Excel charts for 汇总表.xlsx: scores by item with the grade bands, grade distribution,
and the average 得分率 of each 一级指标. Chart data sits on a 图表数据 sheet as plain values."""

from __future__ import annotations

from xlsxwriter.workbook import Workbook

from perfeval.aggregate import Results
from perfeval.render.xlsx_tables import TableFormats, write_cell
from perfeval.tables import level1_averages

DATA_SHEET = "图表数据"
CHART_SHEET = "图表"


def _range(col: int, first: int, last: int) -> list:
    return [DATA_SHEET, first, col, last, col]


CHART_ITEMS = 100  # a bar per item stops being readable beyond this


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
    bands = [g for g in r.settings.grades if g.min > 0]
    shown = r.items[:CHART_ITEMS]
    scores_block = [["项目", "得分"] + [f"{g.name}（{g.min}分）" for g in bands]]
    scores_block += [[i.item.name, i.total] + [g.min for g in bands] for i in shown]
    grades_block = [["等级", "项目个数"]] + [[g, len(m)] for g, m in r.by_grade()]
    averages = level1_averages(r)
    rates_block = [["一级指标", "平均得分率（%）"]] + [[n, v] for n, v in averages]
    score_col, grade_col, rate_col = _write_blocks(
        data, [scores_block, grades_block, rates_block], f
    )
    last = max(len(shown), 1)
    scores = wb.add_chart({"type": "column"})
    scores.add_series(
        {
            "name": "得分",
            "categories": _range(score_col, 1, last),
            "values": _range(score_col + 1, 1, last),
            "data_labels": {"value": True},
        }
    )
    lines = wb.add_chart({"type": "line"})
    for col in range(score_col + 2, score_col + 2 + len(bands)):
        lines.add_series(
            {
                "name": [DATA_SHEET, 0, col],
                "categories": _range(score_col, 1, last),
                "values": _range(col, 1, last),
                "marker": {"type": "none"},
                "line": {"dash_type": "dash", "width": 1.25},
            }
        )
    scores.combine(lines)
    more = f"（前{CHART_ITEMS}个项目）" if len(r.items) > CHART_ITEMS else ""
    scores.set_title({"name": f"各项目评价得分{more}"})
    scores.set_y_axis({"min": 0, "max": 100, "name": "得分"})
    scores.set_legend({"position": "bottom"})
    scores.set_size({"width": 720, "height": 360})
    charts.insert_chart("A1", scores)

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
    grades.set_title({"name": "评价等级分布"})
    grades.set_legend({"none": True})
    grades.set_size({"width": 480, "height": 320})
    charts.insert_chart("A20", grades)

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
    rates.set_title({"name": "一级指标平均得分率"})
    rates.set_x_axis({"min": 0, "max": 100})
    rates.set_legend({"none": True})
    rates.set_size({"width": 600, "height": 40 * m + 160})
    charts.insert_chart("I20", rates)
    data.set_column(0, rate_col + 1, 14)
    charts.set_landscape()
    charts.set_paper(9)
    charts.fit_to_pages(1, 1)
