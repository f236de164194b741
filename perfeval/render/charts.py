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


def write_charts(wb: Workbook, r: Results, f: TableFormats) -> None:
    charts = wb.add_worksheet(CHART_SHEET)
    data = wb.add_worksheet(DATA_SHEET)
    bands = [g for g in r.settings.grades if g.min > 0]
    header = ["项目", "得分"] + [f"{g.name}（{g.min}分）" for g in bands]
    for col, label in enumerate(header):
        data.write_string(0, col, label, f.header)
    for row, item in enumerate(r.items, start=1):
        data.write_string(row, 0, item.item.name, f.text)
        write_cell(data, row, 1, item.total, f)
        for col, grade in enumerate(bands, start=2):
            write_cell(data, row, col, grade.min, f)
    last = max(len(r.items), 1)
    scores = wb.add_chart({"type": "column"})
    scores.add_series(
        {
            "name": "得分",
            "categories": _range(0, 1, last),
            "values": _range(1, 1, last),
            "data_labels": {"value": True},
        }
    )
    lines = wb.add_chart({"type": "line"})
    for col in range(2, 2 + len(bands)):
        lines.add_series(
            {
                "name": [DATA_SHEET, 0, col],
                "categories": _range(0, 1, last),
                "values": _range(col, 1, last),
                "marker": {"type": "none"},
                "line": {"dash_type": "dash", "width": 1.25},
            }
        )
    scores.combine(lines)
    scores.set_title({"name": "各项目评价得分"})
    scores.set_y_axis({"min": 0, "max": 100, "name": "得分"})
    scores.set_legend({"position": "bottom"})
    scores.set_size({"width": 720, "height": 360})
    charts.insert_chart("A1", scores)

    grade_col = len(header) + 1
    data.write_string(0, grade_col, "等级", f.header)
    data.write_string(0, grade_col + 1, "项目个数", f.header)
    for row, (grade, members) in enumerate(r.by_grade(), start=1):
        data.write_string(row, grade_col, grade, f.text)
        write_cell(data, row, grade_col + 1, len(members), f)
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

    rate_col = grade_col + 3
    data.write_string(0, rate_col, "一级指标", f.header)
    data.write_string(0, rate_col + 1, "平均得分率（%）", f.header)
    averages = level1_averages(r)
    for row, (name, rate) in enumerate(averages, start=1):
        data.write_string(row, rate_col, name, f.text)
        write_cell(data, row, rate_col + 1, rate, f)
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
