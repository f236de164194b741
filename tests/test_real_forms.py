"""Real published self-evaluation forms (tests/data/forms/, see docs/real-forms.md), transcribed
as a clerk would: their approved targets into 绩效目标/, their figures into the issued workbook.
Each must fit its framework by configuration alone, raise only its own real errors, and
reproduce its printed total."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from perfeval import pipeline
from perfeval.config.roster import RosterItem, write_roster
from perfeval.config.workspace import TARGETS_KEY, init_folder, open_workspace
from perfeval.fill import Fill, fill_workbook
from perfeval.issue import issue_all
from tests.conftest import row_of
from tests.test_targets import write_table

FORMS = Path(__file__).parent / "data" / "forms"


def form(name: str) -> dict:
    return tomllib.loads((FORMS / f"{name}.toml").read_text(encoding="utf-8"))


def targets_of(data: dict, weights: dict[int, str] | None = None) -> list[tuple]:
    """The form's indicators as approved targets (empty template rows, "/", left out)."""
    rows = []
    for n, ind in enumerate(data["indicators"]):
        if ind.get("指标值") == "/":
            continue
        weight = (weights or {}).get(n) or ind.get("分值")
        rows.append(
            (
                "F1",
                ind["l1"],
                ind["l2"],
                ind["l3"],
                ind.get("指标性质", ""),
                ind.get("指标值", ""),
                ind.get("计量单位", ""),
                Decimal(weight) if weight else None,
            )
        )
    return rows


def folder_for(root: Path, framework: str, funding: dict, targets: list[tuple], config=None):
    ws = init_folder(root, 2022, "测试县", "测试县财政局")
    if config:
        path = root / "perfeval.toml"
        text = path.read_text(encoding="utf-8")
        for old, new in config.items():
            assert old in text
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")
        ws = open_workspace(root)
    write_table(root / TARGETS_KEY / "targets.xlsx", targets)
    item = RosterItem(
        "F1",
        "真实表样项目",
        "测试县某局",
        "测试县某局",
        "单位自评",
        ws.frameworks.get(framework).id,
        Decimal(funding["全年预算数"]),
        Decimal(funding["全年执行数"]),
        None,
        "",
        "",
        "",
        2,
    )
    write_roster(ws.settings.path("roster"), [item], ws.settings, ws.frameworks)
    ws = open_workspace(root)
    (issued,) = issue_all(ws)
    return ws, issued.path


def fill_as_printed(ws, issued: Path, data: dict, actual_for_blank: str | None = None, **extra):
    """Type the form's figures into the issued workbook: each indicator's 实际完成值 and 得分 as
    printed (a 定性 row's grade from the dropdown: 达成 for full marks)."""
    fw = ws.framework_for(ws.roster.get("F1"))
    by_name = {i.name: i for i in fw.leaves}
    entries = {}
    for ind in data["indicators"]:
        row = by_name.get(ind["l3"])
        if row is None:
            continue
        actual = ind.get("实际完成值", "")
        if row.direction == "定性" and actual:
            actual = "达成"
        if not actual and actual_for_blank:
            actual = actual_for_blank
        score = ind.get("得分", "")
        entries[row.code] = {"actual": actual or None, "score": float(score) if score else None}
    extra.setdefault("outputs", "主要产出。")
    fill = Fill(overview="项目概述。", indicators=entries, **extra)
    return fill_workbook(issued, ws.settings.path("returned") / issued.name, fill)


def test_a_national_form_fits_raises_its_own_errors_and_reproduces_its_total(tmp_path):
    """天长市水利局 2022: 效益 split 经济10/社会10/可持续10 (the built-in 自评 framework has
    社会20/可持续10); six rows have no 年度指标值 and no 实际完成值 yet score full marks."""
    data = form("national_tianchang_flood_2022")
    funding = data["funding"][0]
    ws, issued = folder_for(
        tmp_path / "a", "项目支出绩效自评（按绩效目标）", funding, targets_of(data)
    )
    fw = ws.framework_for(ws.roster.get("F1"))
    assert fw.targets_source  # its own weights were taken, as approved
    blank = {i["l3"] for i in data["indicators"] if i.get("指标值") == ""}
    assert len(blank) == 6
    target_codes = {(f.code, f.cell) for f in ws.target_findings() if f.code != "PE-TGT-016"}
    cells = {i.value_ref.cell for i in ws.targets.get("F1").indicators if i.l3 in blank}
    assert target_codes == {("PE-TGT-012", cell) for cell in cells}  # targets without values
    returned = fill_as_printed(ws, issued, data, parts={("total", "initial"): 880})
    outcome = pipeline.do_validate(ws.folder)
    errors = {(f.code, f.cell) for f in outcome.validation.findings if f.is_error}
    rows = {i.name: i.code for i in fw.leaves}
    expected = {("PE-CELL-001", f"J{row_of(fw, rows[name])}") for name in blank}
    assert errors == expected  # the form's real error: full marks with no 实际完成值
    # the same form with those six 实际完成值 supplied: no error, and the printed total
    returned.unlink()
    fill_as_printed(ws, issued, data, actual_for_blank="达成", parts={("total", "initial"): 880})
    outcome = pipeline.do_validate(ws.folder)
    assert [f for f in outcome.validation.findings if f.is_error] == []
    (score,) = outcome.validation.scores
    assert score.total == Decimal(data["published"]["总分"])


def test_a_district_form_on_a_100_basis_inside_80_points_is_configuration(tmp_path):
    """区商务局 2020: 20 × 执行率 + 年度绩效目标 80, whose 产出60/效益40 are printed on 100; no
    weight column, every row at full marks (its scores are its weights)."""
    data = form("district_commerce_fuwumaoyi_2020")
    funding = data["funding"][0]
    weights = {n: ind["得分"] for n, ind in enumerate(data["indicators"])}
    targets = targets_of(data, weights)
    ws, issued = folder_for(tmp_path / "d", "项目支出绩效自评（年度目标80分）", funding, targets)
    fw = ws.framework_for(ws.roster.get("F1"))
    assert [(i.name, i.weight) for i in fw.level1] == [
        ("预算执行情况", Decimal(20)),
        ("产出指标", Decimal(48)),  # 60 of 100, as 80 points
        ("效益指标", Decimal(32)),
    ]
    assert not [f for f in ws.target_findings() if f.is_error]
    scaled = {n: str(Decimal(w) * Decimal("0.8")) for n, w in weights.items()}
    for n, ind in enumerate(data["indicators"]):
        ind["得分"] = scaled[n]  # full marks, on the workbook's own (80-point) weights
    fill_as_printed(ws, issued, data)
    outcome = pipeline.do_validate(ws.folder)
    assert [f for f in outcome.validation.findings if f.is_error] == []
    (score,) = outcome.validation.scores
    assert score.total == Decimal(data["published"]["总分"])  # 20 + 100 × 0.8


def test_a_sichuan_form_is_configuration_and_its_own_errors_are_found(tmp_path):
    """青神县 2023: 预算执行情况 10 + 绩效指标 90 (60 + 30, no 满意度), five funding rows;
    published unscored, its budget adjusted (238.93 -> 251.89) with no reason given, and the
    template's instruction text left in place."""
    data = form("sichuan_qingshen_salary_2023")
    total = data["funding"][0]
    config = {"adjustment_reason_above = 0.10": "adjustment_reason_above = 0"}  # 川: any
    ws, issued = folder_for(
        tmp_path / "s", "项目支出绩效自评（四川）", total, targets_of(data), config
    )
    fw = ws.framework_for(ws.roster.get("F1"))
    assert [(i.name, i.weight) for i in fw.level1] == [
        ("预算执行情况", Decimal(10)),
        ("产出指标", Decimal(60)),
        ("效益指标", Decimal(30)),
    ]
    assert fw.funding == ("财政资金", "财政专户管理资金", "单位资金", "其他资金")
    assert not [f for f in ws.target_findings() if f.is_error]
    parts = {("total", "initial"): float(total["年初预算数"])}
    for row in data["funding"][1:4]:
        name = row["name"].removeprefix("其中：")
        for key, col in (
            ("年初预算数", "initial"),
            ("全年预算数", "budget"),
            ("全年执行数", "executed"),
        ):
            parts[(name, col)] = float(row[key])
    left = data["published"]["评价结论"]  # the template's instruction, left as printed
    fill_as_printed(ws, issued, data, parts=parts, outputs=left)
    outcome = pipeline.do_validate(ws.folder)
    codes = {f.code for f in outcome.validation.findings if f.is_error}
    assert "PE-MONEY-007" in codes  # the adjustment without its reason
    assert "PE-CELL-007" in codes  # "……（200字以内）" where the conclusion should be
    assert "PE-CELL-001" in codes  # unscored
    assert "PE-MONEY-004" not in codes  # its funding rows add up


@pytest.mark.parametrize(
    "name",
    sorted(p.stem for p in FORMS.glob("*.toml") if not p.stem.startswith("declaration_")),
)
def test_every_transcribed_form_is_well_formed(name):
    data = form(name)
    assert data["source"]["layout"] in ("national", "sichuan", "district")
    assert data["indicators"]
