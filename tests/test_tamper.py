"""Each way a returned workbook can be tampered with gives its own finding, at the right cell."""

import openpyxl

from perfeval import layout as L
from perfeval.validate import validate
from tests.conftest import full_fill, row_of


def edit(path, change):
    wb = openpyxl.load_workbook(path)
    change(wb)
    wb.save(path)
    return path.name


def set_identity(key, value):
    """An edit that changes one entry of the hidden identity sheet."""

    def change(wb):
        ws = wb[L.SHEET_IDENTITY]
        row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == key)
        ws.cell(row, 2).value = value

    return change


def findings_of(folder, name):
    return sorted(f.key for f in validate(folder.ws).findings if f.file == name)


def test_renamed_sheet(folder):
    name = edit(folder.fill("P1"), lambda wb: setattr(wb[L.SHEET_INDICATORS], "title", "打分"))
    assert findings_of(folder, name) == [(name, L.SHEET_INDICATORS, "", "PE-FILE-008")]


def test_deleted_sheet(folder):
    name = edit(folder.fill("P1"), lambda wb: wb.remove(wb[L.SHEET_PROBLEMS]))
    assert findings_of(folder, name) == [(name, L.SHEET_PROBLEMS, "", "PE-FILE-008")]


def test_deleted_identity_sheet_is_not_our_workbook(folder):
    name = edit(folder.fill("P1"), lambda wb: wb.remove(wb[L.SHEET_IDENTITY]))
    assert findings_of(folder, name) == [(name, "", "", "PE-FILE-006")]


def test_deleted_label_is_a_changed_layout(folder):
    def drop_label(wb):
        ws = wb[L.SHEET_INFO]
        row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "评价年度")
        ws.cell(row, 1).value = None

    name = edit(folder.fill("P1"), drop_label)
    assert findings_of(folder, name) == [(name, L.SHEET_INFO, "", "PE-FILE-009")]


def test_rows_inserted_into_the_framework(folder):
    fw = folder.framework("P1")
    at = row_of(fw, "1.1.2")

    def insert(wb):
        ws = wb[L.SHEET_INDICATORS]
        ws.insert_rows(at)
        for col, value in enumerate(["9.9.9", "决策", "项目立项", "多加的指标"], start=1):
            ws.cell(at, col).value = value
        ws.insert_rows(at)
        for col in range(1, len(L.IND_COLUMNS) + 1):  # a copy of the row below the new one
            ws.cell(at, col).value = ws.cell(at + 2, col).value

    name = edit(folder.fill("P1"), insert)
    assert findings_of(folder, name) == sorted(
        [
            (name, L.SHEET_INDICATORS, f"A{at + 1}", "PE-ID-007"),
            (name, L.SHEET_INDICATORS, f"A{at + 2}", "PE-ID-008"),
        ]
    )


def test_deleted_indicator_row(folder):
    fw = folder.framework("P1")
    name = edit(
        folder.fill("P1"), lambda wb: wb[L.SHEET_INDICATORS].delete_rows(row_of(fw, "2.2.1"))
    )
    assert findings_of(folder, name) == [(name, L.SHEET_INDICATORS, "", "PE-ID-006")]


def test_locked_weight_budget_and_names(folder):
    fw = folder.framework("P1")
    fill = full_fill(fw)
    fill.cells[(L.SHEET_INDICATORS, f"H{row_of(fw, '1.1.1')}")] = 10
    fill.cells[(L.SHEET_INDICATORS, f"D{row_of(fw, '1.1.2')}")] = "改过的名字"
    fill.cells[(L.SHEET_INDICATORS, f"F{row_of(fw, '2.1.1')}")] = "90"  # prefilled target
    fill.cells[(L.SHEET_INFO, "C13")] = 999
    fill.cells[(L.SHEET_INFO, "B6")] = "别的单位"
    name = folder.fill("P1", fill, force=True).name
    assert findings_of(folder, name) == sorted(
        [
            (name, L.SHEET_INDICATORS, f"H{row_of(fw, '1.1.1')}", "PE-SCORE-003"),
            (name, L.SHEET_INDICATORS, f"D{row_of(fw, '1.1.2')}", "PE-ID-005"),
            (name, L.SHEET_INDICATORS, f"F{row_of(fw, '2.1.1')}", "PE-ID-005"),
            (name, L.SHEET_INFO, "C13", "PE-MONEY-001"),
            (name, L.SHEET_INFO, "B6", "PE-ID-005"),
        ]
    )


def test_workbook_of_another_item(folder):
    """P1's workbook whose hidden identity was pointed at P2: every locked fact disagrees."""

    name = edit(folder.fill("P1"), set_identity("item_id", "P2"))
    found = findings_of(folder, name)
    assert (name, L.SHEET_INFO, "B4", "PE-ID-005") in found  # 项目编号
    assert (name, L.SHEET_INFO, "B5", "PE-ID-005") in found  # 项目名称
    assert (name, L.SHEET_INFO, "C13", "PE-MONEY-001") in found


def test_workbook_of_another_year(folder):
    name = edit(folder.fill("P1"), set_identity("year", "2023"))
    assert findings_of(folder, name) == [(name, L.SHEET_INFO, "B10", "PE-ID-001")]


def test_other_template_version(folder):
    name = edit(folder.fill("P1"), set_identity("template_version", "0"))
    assert findings_of(folder, name) == [(name, L.SHEET_INFO, "", "PE-FILE-007")]


def test_framework_changed_after_issue(folder):
    """The bureau edits a framework file after issuing: returned workbooks no longer match."""
    name = folder.fill("P1").name
    path = folder.framework("P1").source
    wb = openpyxl.load_workbook(folder.ws.settings.path("frameworks") / path.name)
    ws = wb["指标"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "1.1.1")
    ws.cell(row, 10).value = "改写后的评分标准"
    wb.save(folder.ws.settings.path("frameworks") / path.name)
    folder.reopen()
    assert findings_of(folder, name) == [(name, L.SHEET_INFO, "B9", "PE-ID-004")]
