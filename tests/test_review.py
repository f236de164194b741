"""绩效目标审核 (perfeval targets check): one realistic 申报表 per rule, one finding at the right
cell; a clean one with none; the grade, its action and the 审核意见 in the report."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from perfeval.config.workspace import TARGETS_KEY, init_folder, open_workspace
from perfeval.review.run import REPORT, review_folder, write_review

HEADER = {
    "项目名称": "2025年农村饮水安全工程维修养护项目",
    "主管部门": "测试县水利局",
    "实施单位": "测试县水利工作站",
    "项目起止时间": "2025年1月-2025年12月",
}
MONEY = {"年度资金总额": 60, "财政拨款": 50, "其他资金": 10}
GOAL = "维修供水管网12公里、水源工程3处，保障8000名农村群众饮水安全。"
ROWS = [
    ("产出指标", "数量指标", "维修供水管网长度", "≥12公里"),
    (None, "数量指标", "维修水源工程", "≥3处"),
    (None, "质量指标", "工程验收合格率", "\uff1d100%"),
    (None, "时效指标", "完成时间", "2025年11月底前"),
    (None, "成本指标", "工程成本", "≤60万元"),
    ("效益指标", "社会效益指标", "受益人口", "≥8000人"),
    (None, "可持续影响指标", "供水保证率", "≥95%"),
    ("满意度指标", "服务对象满意度指标", "受益群众满意度", "≥90%"),
]
FIRST_ROW = 9  # the indicator table's first row in the form written below


def write_form(path: Path, header=None, money=None, goal=GOAL, rows=None) -> Path:
    """A 项目支出绩效目标申报表 in the national layout."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "申报表"
    h = {**HEADER, **(header or {})}
    m = {**MONEY, **(money or {})}
    ws.append(("项目支出绩效目标申报表",))
    ws.append(("项目名称", h["项目名称"], None, "主管部门", h["主管部门"]))
    ws.append(("实施单位", h["实施单位"], None, "项目起止时间", h["项目起止时间"]))
    ws.append(("项目资金（万元）", "年度资金总额", m["年度资金总额"]))
    ws.append((None, "其中：财政拨款", m["财政拨款"]))
    ws.append((None, "其他资金", m["其他资金"]))
    ws.append(("年度目标", goal))
    ws.append(("一级指标", "二级指标", "三级指标", "指标值"))
    for row in ROWS if rows is None else rows:
        ws.append(row)
    ws.append(("审核意见",))
    wb.save(path)
    return path


@pytest.fixture
def root(tmp_path: Path) -> Path:
    init_folder(tmp_path / "eval", 2025, "测试县", "测试县财政局")
    return tmp_path / "eval"


def review(root: Path, **form) -> set[tuple[str, str, str]]:
    write_form(root / TARGETS_KEY / "申报表.xlsx", **form)
    result = review_folder(open_workspace(root))
    return {(f.code, f.sheet, f.cell) for f in result.findings}


def with_row(n: int, value: str | None = None, name: str | None = None, l2=None) -> list:
    rows = [list(r) for r in ROWS]
    if value is not None:
        rows[n][3] = value
    if name is not None:
        rows[n][2] = name
    if l2 is not None:
        rows[n][1] = l2
    return [tuple(r) for r in rows]


def test_a_clean_declaration_has_no_finding_and_grade_you(root):
    assert review(root) == set()
    result = write_review(review_folder(open_workspace(root)), open_workspace(root))
    (r,) = result.projects
    assert (r.graded.score, r.graded.grade.name) == (Decimal(100), "优")
    assert result.copies == []
    wb = openpyxl.load_workbook(root / "输出" / REPORT)
    summary = list(wb["项目汇总"].iter_rows(values_only=True))
    head = next(row for row in summary if row[0] == "文件")
    line = dict(zip(head, summary[summary.index(head) + 1], strict=True))
    assert (line["审核等级"], line["处理"]) == ("优", "直接进入下一步预算安排流程")
    assert line["定量指标占比（%）"] == 87.5  # the 时效 date is a 定性 target


R = FIRST_ROW


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ({"header": {"主管部门": ""}}, ("PE-TGR-001", "E2")),
        ({"goal": ""}, ("PE-TGR-001", "B7")),
        ({"money": {"其他资金": 5}}, ("PE-TGR-002", "C4")),
        ({"rows": ROWS[:7]}, ("PE-TGR-003", "B2")),  # no 满意度
        ({"rows": [r for r in ROWS if r[1] != "时效指标"]}, ("PE-TGR-004", f"C{R}")),
        ({"rows": with_row(1, "≥3")}, ("PE-TGR-005", f"D{R + 1}")),  # no unit
        ({"rows": with_row(1, "待定")}, ("PE-TGR-006", f"D{R + 1}")),
        ({"goal": "对照年度目标，说明……（100字以内）"}, ("PE-TGR-006", "B7")),
        ({"rows": with_row(4, "≥60万元")}, ("PE-TGR-007", f"D{R + 4}")),
        ({"rows": with_row(6, "≥120%")}, ("PE-TGR-008", f"D{R + 6}")),
        ({"rows": with_row(7, "≥190%")}, ("PE-TGR-009", f"D{R + 7}")),
        ({"rows": with_row(3, "2026年3月底前")}, ("PE-TGR-010", f"D{R + 3}")),
        ({"rows": with_row(1, name="维修供水管网长度")}, ("PE-TGR-011", f"C{R}")),
        ({"rows": with_row(2, "明显改善")}, ("PE-TGR-013", f"D{R + 2}")),
        ({"rows": with_row(4, "≤800000元")}, ("PE-TGR-015", "C4")),
    ],
)
def test_each_rule_finds_its_problem_at_its_cell(root, form, expected):
    code, cell = expected
    found = review(root, **form)
    assert {(c, cl) for c, _, cl in found} == {(code, cell)}


def test_a_date_after_the_project_ends_is_reported(root):
    header = {"项目起止时间": "2025年1月-2025年6月"}
    found = review(root, header=header)
    assert {(c, cl) for c, _, cl in found} == {("PE-TGR-010", f"D{R + 3}")}


def test_weights_that_do_not_add_up_to_90(root):
    path = write_form(root / TARGETS_KEY / "申报表.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws.cell(8, 5, "分值")
    for n in range(8):
        ws.cell(R + n, 5, 10)  # 80, not 90
    wb.save(path)
    result = review_folder(open_workspace(root))
    assert {(f.code, f.cell) for f in result.findings} == {("PE-TGR-012", "B2")}


def test_a_rule_can_be_made_a_warning_or_turned_off(root):
    config = root / "perfeval.toml"
    text = config.read_text(encoding="utf-8")
    assert "\noff = []" in text
    config.write_text(text.replace("\noff = []", '\noff = ["PE-TGR-001"]'), encoding="utf-8")
    assert review(root, header={"主管部门": ""}) == set()


def test_findings_lower_the_grade_and_the_copy_is_marked(root):
    rows = with_row(1, "待定")  # an error: 10 points
    write_form(root / TARGETS_KEY / "申报表.xlsx", rows=rows, goal="")
    ws = open_workspace(root)
    before = (root / TARGETS_KEY / "申报表.xlsx").read_bytes()
    result = write_review(review_folder(ws), ws)
    (r,) = result.projects
    assert (r.graded.score, r.graded.grade.name) == (Decimal(80), "良")
    assert "审核等级为“良”" in r.graded.opinion
    (copy,) = result.copies
    assert (root / TARGETS_KEY / "申报表.xlsx").read_bytes() == before  # input untouched
    marked = openpyxl.load_workbook(copy)
    assert marked["申报表"][f"D{R + 1}"].comment is not None
    assert marked.sheetnames[0] != "申报表"  # a first sheet lists the findings


def test_a_low_share_of_quantitative_indicators_when_a_minimum_is_set(root):
    config = root / "perfeval.toml"
    text = config.read_text(encoding="utf-8")
    assert "\nmin_quantitative_share = 0 " in text
    text = text.replace("\nmin_quantitative_share = 0 ", "\nmin_quantitative_share = 0.9 ")
    config.write_text(text, encoding="utf-8")
    assert {(c, cl) for c, _, cl in review(root)} == {("PE-TGR-014", "B2")}  # 87.5% < 90%


def test_the_command_reports_grades_as_json_and_exits_1_on_errors(root):
    import json

    from typer.testing import CliRunner

    from perfeval.cli import app

    write_form(root / TARGETS_KEY / "申报表.xlsx", rows=with_row(1, "待定"))
    result = CliRunner().invoke(app, ["targets", "check", str(root), "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert [(p["grade"], p["score"]) for p in data["projects"]] == [("优", "90")]
    assert [f["code"] for f in data["findings"]] == ["PE-TGR-006"]
    assert (root / "输出" / REPORT).exists()


def test_the_opinion_comes_from_the_folder_template_when_there_is_one(root):
    own = root / "模板" / "review" / "审核意见.j2"
    own.parent.mkdir(parents=True)
    own.write_text("{{ project }}：{{ grade }}（{{ score }}分）", encoding="utf-8")
    write_form(root / TARGETS_KEY / "申报表.xlsx")
    (r,) = review_folder(open_workspace(root)).projects
    assert r.graded.opinion == f"{HEADER['项目名称']}：优（100分）"


@pytest.mark.parametrize(
    ("text", "dates"),
    [
        ("2023.07-2024.01", [(2023, 7, 31), (2024, 1, 31)]),  # a period: both ends, months' ends
        ("2025年1月-2025年6月", [(2025, 1, 31), (2025, 6, 30)]),
        ("2025-6-30", [(2025, 6, 30)]),
        ("11月底前", [(2025, 11, 30)]),
        ("年底前", [(2025, 12, 31)]),
    ],
)
def test_dates_in_targets_read_as_written(text, dates):
    import datetime as dt

    from perfeval.targets.dates import dates_in

    assert dates_in(text, 2025) == [dt.date(*d) for d in dates]
