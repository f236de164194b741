"""Self-evaluations built from each project's approved targets (绩效目标/)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from perfeval import pipeline
from perfeval.config.workspace import TARGETS_KEY, open_workspace
from perfeval.issue import issue_all
from perfeval.read.cells import Book
from perfeval.targets.values import split_target
from tests.conftest import ITEMS, Folder, full_fill, make_workspace

FW = "项目支出绩效自评（按绩效目标）"
ROW = ("T1", "2024年村级道路养护项目", "测试县交通运输局", "单位自评", FW, "40", "38", "200")
HEAD = ("项目编号", "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "计量单位", "分值")
#: a project's own split of 产出 (25/10/10/5), as approved, and 经济效益 under 效益
TARGETS = [
    ("T1", "产出指标", "数量指标", "养护道路里程", "≥", "35", "公里", 25),
    ("T1", "", "质量指标", "养护合格率", "≥", "95", "%", 10),
    ("T1", "", "时效指标", "完成时间", "定性", "年底前完成", "", 10),
    ("T1", "", "成本指标", "每公里养护成本", "≤", "1.1", "万元", 5),
    ("T1", "效益指标", "经济效益指标", "降低群众出行成本", "定性", "有所降低", "", 10),
    ("T1", "", "社会效益指标", "群众出行条件", "定性", "明显改善", "", 20),
    ("T1", "满意度指标", "服务对象满意度指标", "沿线群众满意度", "≥", "90", "%", 10),
]


def write_table(path: Path, rows, head=HEAD) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "绩效目标"
    ws.append(head)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


@pytest.fixture
def targeted(tmp_path: Path) -> Folder:
    folder = Folder(tmp_path / "eval", [*ITEMS, ROW])
    write_table(folder.ws.folder / TARGETS_KEY / "一体化导出.xlsx", TARGETS)
    folder.reopen()
    folder.issued = {w.item_id: w.path for w in issue_all(folder.ws)}
    return folder


def test_a_project_is_issued_with_its_own_indicators_and_weights(targeted):
    fw = targeted.framework("T1")
    assert fw.targets_source.endswith("一体化导出.xlsx")
    produced = {i.name: (i.l1, i.l2, i.weight) for i in fw.leaves}
    assert produced["养护道路里程"] == ("产出指标", "数量指标", Decimal(25))
    assert produced["降低群众出行成本"] == ("效益指标", "经济效益指标", Decimal(10))
    assert sum(i.weight for i in fw.level1) == Decimal(100)
    with Book(targeted.issued["T1"].read_bytes()) as book:
        grid = book.grid("指标")
    cells = [c for row in grid.rows for c in row]
    assert {"养护道路里程", "每公里养护成本", "降低群众出行成本"} <= set(cells)
    found = targeted.ws.target_findings()
    assert not any(f.code.startswith("PE-TGT") and f.is_error for f in found)


def test_a_faithful_fill_raises_nothing_and_reproduces_the_total(targeted):
    fw = targeted.framework("T1")
    fill = full_fill(fw, **{"1.1.1": {"actual": "36", "score": 25}})
    targeted.fill("T1", fill)
    outcome = pipeline.do_validate(targeted.ws.folder)
    mine = [f for f in outcome.validation.findings if f.item_id == "T1" and f.is_error]
    assert mine == []
    (score,) = [s for s in outcome.validation.scores if s.item.item_id == "T1"]
    # 执行率 38/40 = 95% -> 9.50; everything else full: 90 + 9.50
    assert score.total == Decimal("99.50")


def test_weights_that_do_not_add_up_fall_back_to_the_reserved_rows(tmp_path):
    root = tmp_path / "eval"
    make_workspace(root, [*ITEMS, ROW])
    bad = [*TARGETS]
    bad[0] = (*bad[0][:7], 20)  # 产出 now 45, not 50
    write_table(root / TARGETS_KEY / "t.xlsx", bad)
    ws = open_workspace(root)
    fw = ws.framework_for(ws.roster.get("T1"))
    assert fw.targets_source == ""  # the framework's own rows
    codes = {(f.code, f.sheet, f.cell) for f in ws.target_findings()}
    assert ("PE-TGT-008", "绩效目标", "D2") in codes


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("≥50个", ("≥", "50", "个")),
        ("≤90万元", ("≤", "90", "万元")),
        ("100%", ("?", "100", "%")),  # unstated: ≥, or ≤ for a cost (rows.py)
        ("效果明显", ("定性", "效果明显", "")),
        ("\uff1e95%", (">", "95", "%")),  # full width
        ("不低于98%", ("≥", "98", "%")),
        ("3000人次以上", ("≥", "3000", "人次")),
        ("2024年12月31日前", ("", "2024年12月31日前", "")),
    ],
)
def test_a_value_written_in_one_cell_is_split(raw, expected):
    assert tuple(split_target(raw)) == expected


def findings_of(root: Path) -> set[tuple[str, str, str]]:
    ws = open_workspace(root)
    return {(f.code, f.sheet, f.cell) for f in ws.target_findings()}


@pytest.fixture
def bare(tmp_path: Path) -> Path:
    root = tmp_path / "eval"
    make_workspace(root, [*ITEMS, ROW])
    return root


def test_each_problem_with_targets_is_a_finding_on_the_target_cell(bare):
    rows = [
        ("T1", "产出指标", "数量指标", "养护道路里程", "≥", "约35公里左右", "", 25),  # D2: split
        ("T1", "", "质量", "养护合格率", "大约", "95", "%", 10),  # C3: 二级 "质量" ok; E3 direction
        ("T1", "", "时效指标", "完成时间", "定性", "", "", "十分"),  # F4 empty, H4 bad weight
        ("T1", "", "服务指标", "巡查次数", "≥", "12", "次", 5),  # 二级 outside the list
        ("T1", "", "服务指标", "巡查次数", "≥", "12", "次", 0),  # repeated
        ("T1", "产出效果", "社会效益指标", "出行条件", "定性", "改善", "", 20),  # 一级 unknown
        ("T9", "产出指标", "数量指标", "某指标", "≥", "1", "个", 1),  # not in the roster
    ]
    write_table(bare / TARGETS_KEY / "t.xlsx", rows)
    found = findings_of(bare)
    assert ("PE-TGT-002", "绩效目标", "F2") in found
    assert ("PE-TGT-013", "绩效目标", "F3") in found
    assert ("PE-TGT-012", "绩效目标", "F4") in found
    assert ("PE-TGT-011", "绩效目标", "H4") in found
    assert ("PE-TGT-006", "绩效目标", "D5") in found
    assert ("PE-TGT-015", "绩效目标", "D6") in found
    assert ("PE-TGT-005", "绩效目标", "D7") in found
    assert ("PE-TGT-003", "绩效目标", "A8") in found
    assert ("PE-TGT-016", "", "") in found
    assert ("PE-TGT-002", "绩效目标", "D2") not in found  # the value's cell, not the name's


def test_weights_left_out_are_shared_and_partly_left_out_is_an_error(bare):
    rows = [(*r[:7], None) for r in TARGETS]
    write_table(bare / TARGETS_KEY / "t.xlsx", rows)
    ws = open_workspace(bare)
    fw = ws.framework_for(ws.roster.get("T1"))
    assert fw.targets_source  # used: 产出's 50 shared by its 4 indicators
    assert [i.weight for i in fw.leaves if i.l1 == "产出指标"] == [Decimal("12.5")] * 4
    assert "PE-TGT-009" in {f.code for f in ws.target_findings()}
    rows[1] = (*rows[1][:7], 10)
    write_table(bare / TARGETS_KEY / "t.xlsx", rows)
    assert ("PE-TGT-010", "绩效目标", "D2") in findings_of(bare)


def test_a_missing_required_level2_and_two_sources_are_reported(bare):
    write_table(bare / TARGETS_KEY / "a.xlsx", [r for r in TARGETS if r[3] != "完成时间"])
    write_table(bare / TARGETS_KEY / "b.xlsx", TARGETS)
    found = findings_of(bare)
    assert ("PE-TGT-004", "绩效目标", "A2") in found
    codes = {c for c, _, _ in found}
    assert "PE-TGT-007" in codes  # 时效指标 missing in a.xlsx, the one used
    assert "PE-TGT-008" in codes  # and 产出 then adds up to 40, not 50


def test_a_project_without_targets_is_issued_from_the_reserved_rows_with_a_warning(bare):
    ws = open_workspace(bare)
    fw = ws.framework_for(ws.roster.get("T1"))
    assert fw.targets_source == ""
    assert any(g.reserved for g in fw.level2)
    assert ("PE-TGT-014", "项目清单", "A6") in {
        (f.code, f.sheet, f.cell) for f in ws.target_findings()
    }


def test_a_file_that_is_no_targets_table_is_one_finding(bare):
    write_table(bare / TARGETS_KEY / "x.xlsx", [("a", "b")], head=("说明", "内容"))
    (bare / TARGETS_KEY / "y.xlsx").write_bytes(b"not a workbook")
    found = findings_of(bare)
    assert ("PE-TGT-001", "", "") in found
    assert "PE-FILE-004" in {c for c, _, _ in found}


def write_form(path: Path) -> Path:
    """A 项目支出绩效目标申报表 in the national layout, values written in one cell."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "申报表"
    lines = [
        ("项目支出绩效目标申报表",),
        ("（2024年度）",),
        ("项目名称", ROW[1], None, "主管部门", ROW[2]),
        ("实施单位", "测试县公路养护站", None, "项目属性", "延续项目"),
        ("项目资金（万元）", "年度资金总额：", 40),
        (None, "其中：财政拨款", 40),
        ("年度目标", "完成35公里村级道路养护，合格率不低于95%。"),
        ("一级指标", "二级指标", "三级指标", "指标值", "备注"),
        ("产出指标", "数量指标", "养护道路里程", "≥35公里"),
        (None, "质量指标", "养护合格率", "≥95%"),
        (None, "时效指标", "完成时间", "年底前完成"),
        (None, "成本指标", "每公里养护成本", "≤1.1万元"),
        ("效益指标", "社会效益指标", "群众出行条件", "明显改善"),
        ("满意度指标", "服务对象满意度指标", "沿线群众满意度", "≥90%"),
        ("审核意见",),
        ("主管部门审核意见", "同意"),
    ]
    for line in lines:
        ws.append(line)
    wb.save(path)
    return path


def test_a_national_form_is_read_with_its_cells_and_values_split(bare):
    write_form(bare / TARGETS_KEY / "申报表-道路养护.xlsx")
    ws = open_workspace(bare)
    project = ws.targets.get("T1")
    assert project is not None
    assert project.ref.cell == "B3"  # matched by 项目名称
    assert project.header == {"department": ROW[2], "unit": "测试县公路养护站"}
    assert project.money == {"total": Decimal(40), "fiscal": Decimal(40)}
    assert project.goal.startswith("完成35公里")
    first = project.indicators[0]
    assert (first.direction, first.value, first.unit, first.value_ref.cell) == (
        "≥",
        "35",
        "公里",
        "D9",
    )
    assert [t.l3 for t in project.indicators][-1] == "沿线群众满意度"  # 审核意见 ends the table
    fw = ws.framework_for(ws.roster.get("T1"))
    assert fw.targets_source.endswith("申报表-道路养护.xlsx")
    assert sum(i.weight for i in fw.leaves) == Decimal(100)  # weights shared out per 一级


def write_framework(folder: Path, settings: dict, rows: list[dict]) -> Path:
    """A framework file as finance staff write one (设置 and 指标)."""
    from perfeval.config.framework_file import COLUMNS

    keys = list(COLUMNS)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "设置"
    ws.append(("项目", "值"))
    for key, value in settings.items():
        ws.append((key, value))
    ind = wb.create_sheet("指标")
    ind.append([COLUMNS[k] for k in keys])
    for row in rows:
        ind.append([row.get(k) for k in keys])
    path = folder / "指标体系" / f"{settings['名称']}.xlsx"
    wb.save(path)
    return path


def _open(code, name, weight, allowed="数量指标、质量指标", l2="数量指标"):
    return [
        {"code": code, "l1": name, "weight": weight, "allowed": allowed},
        {"code": f"{code}.1", "l2": l2, "weight": weight, "reserved": 3},
    ]


EXECUTION = [
    {"code": "9", "l1": "预算执行", "weight": 20},
    {"code": "9.1", "l2": "预算执行率", "weight": 20},
    {
        "code": "9.1.1",
        "l3": "预算执行率",
        "weight": 20,
        "method": "执行率计分",
        "direction": "≥",
        "target": "100",
        "unit": "%",
    },
]


def build_folder(root: Path, settings: dict, rows: list[dict], targets: list[tuple]) -> Folder:
    from perfeval.config.roster import write_roster
    from perfeval.config.workspace import init_folder
    from tests.conftest import roster_item

    ws = init_folder(root, 2024, "测试县", "测试县财政局")
    write_framework(root, settings, rows)
    write_table(root / TARGETS_KEY / "t.xlsx", targets)
    ws = open_workspace(root)
    row = (*ROW[:4], settings["名称"], *ROW[5:])
    write_roster(ws.settings.path("roster"), [roster_item(row, 2, ws)], ws.settings, ws.frameworks)
    folder = Folder.__new__(Folder)
    folder.ws = open_workspace(root)
    folder.issued = {w.item_id: w.path for w in issue_all(folder.ws)}
    return folder


def test_a_framework_out_of_120_grades_on_the_score_rate(tmp_path):
    settings = {
        "编号": "q-120",
        "名称": "一百二十分体系",
        "适用评价类型": "单位自评",
        "总分值": 120,
    }
    rows = [
        *EXECUTION,
        *_open("1", "产出指标", 60),
        *_open("2", "效益指标", 40, "社会效益指标", "社会效益指标"),
    ]
    targets = [
        ("T1", "产出指标", "数量指标", "里程", "≥", "35", "公里", 60),
        ("T1", "效益指标", "社会效益指标", "出行条件", "定性", "明显改善", "", 40),
    ]
    folder = build_folder(tmp_path / "eval", settings, rows, targets)
    fw = folder.framework("T1")
    assert (fw.total, fw.targets_source != "") == (Decimal(120), True)
    fill = full_fill(fw, **{"1.1.1": {"actual": "30", "score": 42, "reason": "里程未达标"}})
    folder.fill("T1", fill)
    outcome = pipeline.do_validate(folder.ws.folder)
    (score,) = outcome.validation.scores
    # 19 (执行率 95%) + 42 + 40 = 101 of 120: 84.17% -> 良, though 101 >= 90
    assert (score.total, score.grade.name) == (Decimal("101.00"), "良")


def test_level1_weights_from_targets_express_a_90_point_indicator_block(tmp_path):
    """Sichuan's layout: 预算执行情况 10 + 绩效指标 90, each project splitting the 90 its way."""
    settings = {
        "编号": "sc",
        "名称": "四川式自评",
        "适用评价类型": "单位自评",
        "总分值": 100,
        "一级分值": "按绩效目标",
    }
    execution = [dict(r, weight=10) for r in EXECUTION]
    rows = [
        *execution,
        *_open("1", "产出指标", 50),
        *_open("2", "效益指标", 40, "社会效益指标", "社会效益指标"),
    ]
    targets = [
        ("T1", "产出指标", "数量指标", "里程", "≥", "35", "公里", 40),
        ("T1", "", "质量指标", "合格率", "≥", "95", "%", 20),
        ("T1", "效益指标", "社会效益指标", "出行条件", "定性", "明显改善", "", 30),
    ]
    folder = build_folder(tmp_path / "eval", settings, rows, targets)
    fw = folder.framework("T1")
    assert [(i.name, i.weight) for i in fw.level1] == [
        ("预算执行", Decimal(10)),
        ("产出指标", Decimal(60)),
        ("效益指标", Decimal(30)),
    ]
    targets[0] = (*targets[0][:7], 30)  # now 80 + 10
    write_table(folder.ws.folder / TARGETS_KEY / "t.xlsx", targets)
    assert "PE-TGT-008" in {f.code for f in open_workspace(folder.ws.folder).target_findings()}


def test_scores_are_checked_against_the_approved_targets(targeted):
    from perfeval import layout as L
    from perfeval.read.cells import col_letter
    from tests.conftest import row_of

    fw = targeted.framework("T1")
    score_col = col_letter(list(L.IND_COLUMNS).index("score") + 1)
    code = {i.name: i.code for i in fw.leaves}
    fill = full_fill(
        fw,
        **{
            code["养护道路里程"]: {"actual": "30", "score": 25},  # ≥35 missed, full marks
            code["养护合格率"]: {"actual": "80%", "score": 9.5, "reason": "雨季返工"},  # ref 8.42
            code["群众出行条件"]: {"actual": "部分达成", "score": 18, "reason": "部分路段未完工"},
            code["每公里养护成本"]: {"actual": "1.0", "score": 5},  # ≤1.1 met
        },
    )
    targeted.fill("T1", fill)
    found = {
        (f.code, f.cell)
        for f in pipeline.do_validate(targeted.ws.folder).validation.findings
        if f.item_id == "T1"
    }

    def at(name: str) -> str:
        return f"{score_col}{row_of(fw, code[name])}"

    assert ("PE-SCORE-008", at("养护道路里程")) in found
    assert ("PE-SCORE-009", at("养护合格率")) in found
    assert ("PE-SCORE-009", at("群众出行条件")) in found  # 部分达成: 60% of 20 = 12
    assert not {c for c, cell in found if cell == at("每公里养护成本")}


@pytest.mark.parametrize(
    ("direction", "target", "actual", "expected"),
    [
        ("≥", "35", "28", "20.00"),  # 28/35 × 25
        ("≥", "35", "40", "25.00"),
        ("≤", "1.1", "1.25", "22.00"),  # 1.1/1.25 × 25
        ("≤", "1.1", "0.9", "25.00"),
        ("=", "4", "5", "20.00"),
        ("定性", "明显改善", "基本达成", "20.00"),  # 80%
    ],
)
def test_reference_score_by_direction(direction, target, actual, expected):
    from perfeval.check.consistency import single_number
    from perfeval.check.reference import comparable, reference_score

    numbers = comparable(single_number(target), single_number(actual), "")
    shares = tuple(Decimal(n) for n in (100, 80, 60, 0))
    qualitative = ("达成", "基本达成", "部分达成", "未达成")
    result = reference_score(direction, numbers, actual, Decimal(25), qualitative, shares)
    assert result == Decimal(expected)


def test_the_live_reference_column_shows_what_perfeval_computes(targeted):
    """参考得分 as the clerk's sheet computes it (its formulas evaluated without perfeval)
    equals perfeval's reference, row by row."""
    from perfeval import layout as L
    from perfeval.check.consistency import single_number
    from perfeval.check.reference import comparable, reference_score
    from perfeval.issue.indicator_sheet import REFERENCE_COL
    from perfeval.read.cells import col_letter
    from tests.conftest import row_of
    from tests.formula_eval import Workbook

    fw = targeted.framework("T1")
    actuals = {"1.1.1": "28", "1.2.1": "96%", "1.4.1": "1.25", "2.2.1": "基本达成", "3.1.1": "88"}
    fill = full_fill(fw, **{c: {"actual": a} for c, a in actuals.items()})
    path = targeted.fill("T1", fill)
    book = Workbook(path)
    s = targeted.ws.settings
    for code, actual in actuals.items():
        ind = fw.by_code(code)
        cell = f"{col_letter(REFERENCE_COL + 1)}{row_of(fw, code)}"
        live = book.value(L.SHEET_INDICATORS, cell)
        numbers = comparable(single_number(ind.target), single_number(actual), ind.unit)
        expected = reference_score(
            ind.direction, numbers, actual, ind.weight, s.qualitative, s.qualitative_shares
        )
        assert (code, Decimal(str(live))) == (code, expected)


def test_targets_import_copies_a_readable_file_and_refuses_the_rest(bare, tmp_path):
    from typer.testing import CliRunner

    from perfeval.cli import app

    source = write_table(tmp_path / "src" / "导出.xlsx", TARGETS)
    before = source.read_bytes()
    bad = tmp_path / "src" / "说明.xlsx"
    write_table(bad, [("a",)], head=("说明",))
    runner = CliRunner()
    result = runner.invoke(app, ["targets", "import", str(source), str(bad), "-f", str(bare)])
    assert result.exit_code == 2  # one refused
    assert (bare / TARGETS_KEY / "导出.xlsx").read_bytes() == before == source.read_bytes()
    assert not (bare / TARGETS_KEY / "说明.xlsx").exists()
    assert open_workspace(bare).targets.get("T1") is not None
    write_table(source, TARGETS[:3])  # a different file of the same name: not replaced
    result = runner.invoke(app, ["targets", "import", str(source), "-f", str(bare)])
    assert result.exit_code == 2
    assert (bare / TARGETS_KEY / "导出.xlsx").read_bytes() == before
    args = ["targets", "import", str(source), "-f", str(bare), "--replace"]
    assert runner.invoke(app, args).exit_code == 0
    assert (bare / TARGETS_KEY / "导出.xlsx").read_bytes() == source.read_bytes()


def test_a_targets_file_that_kills_its_reader_costs_one_finding(bare):
    """Targets files are read in isolated workers, as returned workbooks are."""
    from tests.test_hostile import CORNER, _sheet, _tiny_workbook

    write_table(bare / TARGETS_KEY / "good.xlsx", TARGETS)
    (bare / TARGETS_KEY / "corner.xlsx").write_bytes(_tiny_workbook(_sheet(CORNER)))
    ws = open_workspace(bare)
    assert ws.targets.get("T1") is not None
    found = {(f.code, f.file) for f in ws.target_findings()}
    assert ("PE-FILE-001", f"{TARGETS_KEY}/corner.xlsx") in found


def test_a_platform_with_its_own_column_names_is_configuration(bare):
    """A province's export calls the columns 绩效指标编码名称 and 年度目标值: added in [targets]."""
    config = bare / "perfeval.toml"
    text = config.read_text(encoding="utf-8")
    old = 'value = ["指标值", "年度指标值", "目标值", "预期指标值", "指标值及单位"]'
    assert old in text
    config.write_text(text.replace(old, 'value = ["指标值", "年度目标值(本省)"]'), encoding="utf-8")
    head = (*HEAD[:5], "年度目标值（本省）", *HEAD[6:])
    write_table(bare / TARGETS_KEY / "t.xlsx", TARGETS, head=head)
    project = open_workspace(bare).targets.get("T1")
    assert project is not None
    assert (project.indicators[0].value, project.indicators[0].value_ref.cell) == ("35", "F2")
