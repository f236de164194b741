"""One test per content rule: (file, sheet, cell, code) on workbooks built in the test."""

from dataclasses import replace
from decimal import Decimal

import openpyxl
import pytest

from perfeval import layout as L
from perfeval.config.roster import write_roster
from perfeval.layout import custom_code
from perfeval.validate import validate
from tests.conftest import Folder, full_fill, row_of

IND = L.SHEET_INDICATORS


def found(folder, name):
    return found_keys(folder, name)


def found_keys(folder, name):
    return sorted(f.key for f in validate(folder.ws).findings if f.file == name)


def col(key):
    return chr(64 + list(L.IND_COLUMNS).index(key) + 1)


def test_own_indicators_must_add_up_to_their_group(folder):
    fw = folder.framework("S1")
    first = custom_code("1.1", 1)
    fill = full_fill(fw, **{first: {"weight": 15, "score": 15}})  # group 数量指标 is 20
    name = folder.fill("S1", fill).name
    assert found(folder, name) == [(name, IND, f"H{row_of(fw, first)}", "PE-SCORE-005")]


def test_own_indicator_needs_a_name_and_a_weight(folder):
    fw = folder.framework("S1")
    second = custom_code("1.1", 2)
    fill = full_fill(fw, **{second: {"actual": "5", "score": 0, "reason": "未做"}})
    name = folder.fill("S1", fill).name
    row = row_of(fw, second)
    assert found(folder, name) == sorted(
        [
            (name, IND, f"D{row}", "PE-CELL-001"),  # 三级指标名称
            (name, IND, f"E{row}", "PE-CELL-001"),  # 指标性质
            (name, IND, f"F{row}", "PE-CELL-001"),  # 年度指标值
            (name, IND, f"H{row}", "PE-CELL-001"),  # 分值
        ]
    )


def test_unused_reserved_group_is_reported_at_its_first_row(folder):
    fw = folder.framework("S1")
    fill = full_fill(fw)
    del fill.indicators[custom_code("1.2", 1)]
    name = folder.fill("S1", fill).name
    assert found(folder, name) == [
        (name, IND, f"H{row_of(fw, custom_code('1.2', 1))}", "PE-SCORE-005")
    ]


def test_full_marks_with_a_reason_saying_not_done(folder):
    fw = folder.framework("P1")
    fill = full_fill(fw, **{"1.1.1": {"reason": "部分资料未完成归档"}})
    name = folder.fill("P1", fill).name
    assert found(folder, name) == [(name, IND, f"L{row_of(fw, '1.1.1')}", "PE-SCORE-006")]


@pytest.mark.parametrize(
    ("code", "entry"),
    [
        ("3.1.1", {"direction": "≥", "target": "32", "unit": "人", "actual": "30"}),
        ("3.4.1", {"direction": "≤", "target": "100", "unit": "万元", "actual": "120"}),
        ("2.1.1", {"actual": "95"}),  # framework target =100%
        ("1.1.1", {"actual": "未达成"}),  # qualitative
    ],
)
def test_full_marks_although_the_target_was_missed(folder, code, entry):
    fw = folder.framework("P1")
    name = folder.fill("P1", full_fill(fw, **{code: entry})).name
    assert found(folder, name) == [(name, IND, f"K{row_of(fw, code)}", "PE-SCORE-007")]


def test_target_met_or_reason_given_is_consistent(folder):
    fw = folder.framework("P1")
    fill = full_fill(
        fw,
        **{
            "3.1.1": {"direction": "≥", "target": "≥32人", "unit": "人", "actual": "35人"},
            "3.4.1": {"direction": "≤", "target": "100", "unit": "万元", "actual": "98.5"},
            "4.2.1": {"actual": "85%", "score": 9.44, "reason": "个别对象不满意"},
        },
    )
    assert found(folder, folder.fill("P1", fill).name) == []


def test_satisfaction_above_100_percent(folder):
    fw = folder.framework("P1")
    name = folder.fill("P1", full_fill(fw, **{"4.2.1": {"actual": "105%"}})).name
    assert found(folder, name) == [(name, IND, f"J{row_of(fw, '4.2.1')}", "PE-CELL-005")]


def test_value_outside_a_dropdown_list(folder):
    fw = folder.framework("P1")
    fill = full_fill(fw, **{"1.1.1": {"actual": "很好"}})
    fill.other = {"survey": "可能"}
    fill.cells[(IND, f"E{row_of(fw, '3.1.1')}")] = "大于"
    name = folder.fill("P1", fill).name
    info = openpyxl.load_workbook(folder.issued["P1"])[L.SHEET_INFO]
    survey_row = next(
        r for r in range(1, info.max_row + 1) if info.cell(r, 1).value == L.OTHER_FIELDS["survey"]
    )
    assert found(folder, name) == sorted(
        [
            (name, IND, f"J{row_of(fw, '1.1.1')}", "PE-VOCAB-002"),
            (name, IND, f"E{row_of(fw, '3.1.1')}", "PE-VOCAB-002"),
            (name, L.SHEET_INFO, f"B{survey_row}", "PE-VOCAB-002"),
        ]
    )


def test_dropdown_value_typed_in_full_width_is_accepted(folder):
    fw = folder.framework("P1")
    entry = {"direction": "＝", "target": "10", "unit": "个", "actual": "10"}  # ＝ is U+FF1D
    name = folder.fill("P1", full_fill(fw, **{"3.1.1": entry})).name
    assert found(folder, name) == []


def test_unreadable_date(folder):
    fill = full_fill(folder.framework("P1"))
    fill.contact = {"filled_on": "上周五"}
    name = folder.fill("P1", fill).name
    assert [k[3] for k in found(folder, name)] == ["PE-CELL-006"]


def test_execution_above_budget_is_a_warning(folder):
    fill = full_fill(folder.framework("S1"))
    fill.executed = 25  # budget 20
    name = folder.fill("S1", fill).name
    result = validate(folder.ws)
    assert sorted(f.key for f in result.findings if f.file == name) == [
        (name, L.SHEET_INFO, "D13", "PE-MONEY-002")
    ]
    assert [s.item.item_id for s in result.scores] == ["S1"]  # a warning does not block
    rate = next(s for s in result.scores[0].indicators if s.indicator.computed)
    assert rate.score == Decimal(10)  # capped at the weight


def test_low_execution_needs_a_reason(folder):
    fw = folder.framework("S1")
    fill = full_fill(fw)
    fill.executed = 10  # 50% of 20, below the configured 90%
    name = folder.fill("S1", fill).name
    rate_row = row_of(fw, next(i.code for i in fw.leaves if i.computed))
    assert found(folder, name) == [(name, IND, f"L{rate_row}", "PE-MONEY-005")]
    fill.indicators[fw.leaves[-1].code] = {"reason": "项目延期到下一年度实施"}
    name = folder.fill("S1", fill).name
    assert found(folder, name) == []


def test_budget_not_positive(tmp_path):
    row = ("Z1", "2024年零预算项目", "测试县民政局", "重点项目", "项目支出绩效评价", "0", "0", "")
    folder = Folder(tmp_path / "eval", rows=[row])
    name = folder.fill("Z1").name
    assert (name, L.SHEET_INFO, "C13", "PE-MONEY-003") in found(folder, name)


def test_unit_coverage_below_the_minimum(folder):
    items = [
        replace(i, unit_budget=Decimal(1000)) if i.item_id == "P2" else i
        for i in folder.ws.roster.items
    ]
    write_roster(folder.ws.settings.path("roster"), items, folder.ws.settings, folder.ws.frameworks)
    result = validate(folder.reopen())
    coverage = [f.key for f in result.findings if f.code == "PE-ROSTER-007"]
    assert coverage == [("项目清单.xlsx", "项目清单", "I3", "PE-ROSTER-007")]


def test_negative_money(folder):
    fill = full_fill(folder.framework("S1"))
    fill.executed = -5
    fill.parts = {("current", "budget"): 25, ("other", "budget"): -5}
    name = folder.fill("S1", fill).name
    found = [k for k in found_keys(folder, name) if k[3] == "PE-MONEY-006"]
    assert found == [
        (name, L.SHEET_INFO, "C16", "PE-MONEY-006"),
        (name, L.SHEET_INFO, "D13", "PE-MONEY-006"),
    ]
    assert "PE-MONEY-005" not in [k[3] for k in found_keys(folder, name)]  # no knock-on
