"""汇总表.xlsx on the bundled example: sheets, figures, formats, charts, traceability."""

import csv
import re
import zipfile

import openpyxl
import pytest

from perfeval import pipeline

SHEETS = [
    "项目汇总",
    "指标明细",
    "一级指标分析",
    "等级分布",
    "问题汇总",
    "部门整体",
    "覆盖率",
    "结果应用",
    "图表",
    "图表数据",
    "数据来源",
    "未纳入汇总",
]


@pytest.fixture(scope="module")
def summary(tmp_path_factory):
    folder = pipeline.prepare_demo(tmp_path_factory.mktemp("s") / "demo")
    outcome = pipeline.do_aggregate(folder)
    return next(p for p in outcome.outputs if p.name == "汇总表.xlsx")


def table(path, sheet, header_row=None):
    """The rows under the header: the first full row (below the title and the note saying which
    items the table counts)."""
    rows = list(openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True))
    if header_row is None:
        header_row = next(n for n, r in enumerate(rows, 1) if all(v is not None for v in r))
    head = rows[header_row - 1]
    return [dict(zip(head, r, strict=True)) for r in rows[header_row:]]


def test_sheets(summary):
    assert openpyxl.load_workbook(summary).sheetnames == SHEETS


def test_items_and_totals(summary):
    rows = table(summary, "项目汇总")
    items = [r for r in rows if r["项目编号"] != "合计"]
    assert [r["得分"] for r in items] == [97.17, 94.8, 96.07, 93.61, 92.49, 98.36, 99.47]
    assert {r["等级"] for r in items} == {"优"}
    total = next(r for r in rows if r["项目编号"] == "合计")
    assert total["预算数（万元）"] == pytest.approx(8880.09)  # with the two 单位自评
    ws = openpyxl.load_workbook(summary)["项目汇总"]
    assert ws["A2"].value.startswith("统计范围：")  # which items the table counts
    assert ws.freeze_panes == "C4"  # the header and the item's 编号 and name stay in view
    assert ws.auto_filter.ref.startswith("A3:")
    assert ws["G4"].number_format == "#,##0.00"


def test_department_whole(summary):
    (dept,) = table(summary, "部门整体")
    assert (dept["指标个数"], dept["满分指标个数"]) == (31, 26)
    assert (dept["部门决策分值"], dept["部门决策得分"], dept["部门决策得分率（%）"]) == (
        15,
        14,
        93.33,
    )
    assert (dept["部门管理得分"], dept["部门管理得分率（%）"]) == (22, 88)
    assert (dept["部门绩效得分"], dept["部门绩效得分率（%）"]) == (56.49, 94.15)
    assert dept["总分"] == 92.49


def test_level1_averages_grades_coverage_and_application(summary):
    level1 = table(summary, "一级指标分析")
    averages = {r["一级指标"]: r for r in level1 if r["项目编号"] == "平均"}
    assert averages["决策"]["项目名称"] == "4个项目平均"
    assert averages["部门决策"]["得分率（%）"] == 93.33
    grades = {r["等级"]: r for r in table(summary, "等级分布") if r["等级"] != "合计"}
    assert (grades["优"]["重点评价项目个数"], grades["优"]["重点评价金额（万元）"]) == (5, 8780.09)
    assert grades["优"]["单位自评项目个数"] == 2
    assert grades["差"]["重点评价项目个数"] == 0
    coverage = table(summary, "覆盖率")
    assert {
        r["实施单位"]: r["是否低于下限"] for r in coverage if r["实施单位"] != "合计"
    } == dict.fromkeys(
        (
            "特克斯县民政局",
            "特克斯县残疾人联合会",
            "特克斯县发展和改革委员会",
            "特克斯县教育局",
            "特克斯县人力资源和社会保障局",
        ),
        "否",
    )
    applied = table(summary, "结果应用")
    assert {r["结果应用"] for r in applied} == {"下一年度预算予以优先保障"}
    problems = {r["问题分类"]: r["项目个数"] for r in table(summary, "问题汇总")}
    assert problems["B2 预算编制不科学、测算依据不足"] == 3


def test_native_charts(summary):
    with zipfile.ZipFile(summary) as zf:
        charts = sorted(n for n in zf.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
        xml = [zf.read(n).decode("utf-8") for n in charts]
    assert len(charts) == 3
    assert '<c:barDir val="bar"/>' in xml[0]  # scores by item: horizontal bars …
    assert xml[0].count("<c:ser>") == 4  # … one series (colour) per grade
    assert "<c:barChart>" in xml[2]
    assert all("图表数据" in x for x in xml)
    data = table(summary, "图表数据", header_row=1)
    published = [97.17, 94.8, 96.07, 93.61, 92.49, 98.36, 99.47]
    assert [r["得分"] for r in data if r["项目"]] == published
    assert [r["优（≥90分）"] for r in data if r["项目"]] == published
    assert {r["良（≥80分）"] for r in data if r["项目"]} == {None}
    assert data[0]["项目"] == "基层民政工作经办能力项目"  # the name without its year


def test_every_stated_figure_has_a_source(summary):
    sources = table(summary, "数据来源")
    assert all(r["来源"] for r in sources)
    labels = {r["数据"]: r["数值"] for r in sources}
    assert labels["评价金额合计（万元）"] == 8780.09  # numbers are numbers …
    assert labels["评价项目个数"] == 5
    assert labels["评价结果为“优”的项目个数/金额（万元）"] == "5/8780.09"  # … pairs text
    budget = labels["2024年特克斯第一小学债券项目 预算数（万元）"]
    assert budget == 1000
    cell = next(r["来源"] for r in sources if r["数据"].endswith("第一小学债券项目 预算数（万元）"))
    assert re.fullmatch(r".+\.xlsx!基本信息![B-D]\d+", cell)


def test_long_tables_go_to_csv_files_beside_the_workbook(tmp_path):
    """Beyond [run] detail_sheet_max_rows, 指标明细 and 数据来源 are CSV files (written in a
    background process) holding every row, and their sheets say where the rows went."""
    folder = pipeline.prepare_demo(tmp_path / "demo")
    config = folder / "perfeval.toml"
    text = config.read_text(encoding="utf-8")
    text = re.sub(r"detail_sheet_max_rows = \d+", "detail_sheet_max_rows = 10", text)
    assert "detail_sheet_max_rows = 10" in text
    config.write_text(text, encoding="utf-8")
    outcome = pipeline.do_aggregate(folder)
    summary = next(p for p in outcome.outputs if p.name == "汇总表.xlsx")
    wb = openpyxl.load_workbook(summary)
    for sheet, table in (("指标明细", "指标明细"), ("数据来源", None)):
        csv_path = summary.with_name(f"{sheet}.csv")
        with csv_path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        expected = len(outcome.results.tables[table]) if table else len(outcome.results.figures)
        assert expected > 10  # more rows than the limit
        assert len(rows) == expected + 1  # header and every row
        note = wb[sheet]["A3" if sheet == "指标明细" else "A2"].value  # 指标明细 has a note
        assert csv_path.name in note
        assert str(expected) in note
    # figures are made on demand: their count is computed, not taken from a list
    figures = list(outcome.results.figures)
    assert len(figures) == len(outcome.results.figures)
    assert rows[1:] == [list(f) for f in figures]
