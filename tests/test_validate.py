"""Validation findings as (file, sheet, cell, code) tuples, on workbooks built in the test."""

import hashlib
import shutil
import zipfile
from dataclasses import replace
from decimal import Decimal

import openpyxl

from perfeval import layout as L
from perfeval.config.roster import write_roster
from perfeval.fill import Fill
from perfeval.validate import validate
from tests.conftest import full_fill, row_of

COL = {key: chr(64 + n) for n, key in enumerate(L.IND_COLUMNS, start=1)}


def keys(result, *, severity=None):
    return sorted(f.key for f in result.findings if severity is None or str(f.severity) == severity)


def file_keys(result, name):
    return sorted(f.key for f in result.findings if f.file == name)


def fill_all(folder):
    for iid in folder.issued:
        folder.fill(iid)


def test_clean_workbooks_validate_clean_and_score(folder):
    fill_all(folder)
    result = validate(folder.ws)
    assert keys(result) == []
    scores = {s.item.item_id: s for s in result.scores}
    assert set(scores) == {"P1", "P2", "D1", "S1"}
    p1 = scores["P1"]
    # everything at full marks except the computed 预算执行率 (90 of 100 executed -> 90% of 5)
    assert p1.execution_rate == Decimal("90.00")
    assert p1.total == Decimal("99.50")
    assert p1.grade.name == "优"
    d1 = scores["D1"]
    assert (len(d1.indicators), d1.full_marks, d1.total) == (31, 31, Decimal(100))
    s1 = scores["S1"]  # 自评: own indicators from reserved rows, 执行数 typed by the clerk
    assert sum(1 for s in s1.indicators if s.indicator.custom) == 6
    assert (s1.execution_rate, s1.total) == (Decimal("100.00"), Decimal(100))


def test_scores_unpacked_as_results_arrive_are_the_same(folder):
    """validate(scores=True), as perfeval run calls it, unpacks each score when its result
    comes in; what it finds and scores is what the default finds and scores."""
    fill_all(folder)
    folder.fill("P2", full_fill(folder.framework("P2"), **{"1.1.1": {"score": None}}))
    later = validate(folder.ws, use_cache=False)
    early = validate(folder.ws, use_cache=False, scores=True)
    assert keys(early) == keys(later) != []
    assert [(s.item.item_id, s.total, s.grade.name) for s in early.scores] == [
        (s.item.item_id, s.total, s.grade.name) for s in later.scores
    ]
    assert len(early.scores) == 3  # P2 has an error


def test_score_above_weight_blank_cells_and_missing_reason(folder):
    fw = folder.framework("P1")
    fill = full_fill(
        fw,
        **{
            "1.1.1": {"score": 5},  # weight 3
            "1.1.2": {"actual": None},  # required
            "1.2.1": {"score": None},  # required
            "1.2.2": {"score": 1},  # below 3, no reason
            "1.3.1": {"score": 1, "reason": "资料不全"},  # below, with reason: fine
        },
    )
    name = folder.fill("P1", fill).name
    folder.fill("P2")
    result = validate(folder.ws)
    sheet = L.SHEET_INDICATORS
    assert file_keys(result, name) == sorted(
        [
            (name, sheet, f"{COL['score']}{row_of(fw, '1.1.1')}", "PE-SCORE-001"),
            (name, sheet, f"{COL['actual']}{row_of(fw, '1.1.2')}", "PE-CELL-001"),
            (name, sheet, f"{COL['score']}{row_of(fw, '1.2.1')}", "PE-CELL-001"),
            (name, sheet, f"{COL['reason']}{row_of(fw, '1.2.2')}", "PE-SCORE-002"),
        ]
    )
    assert result.has_errors
    # the other workbook is still checked and scored
    assert [s.item.item_id for s in result.scores] == ["P2"]


def test_numbers_typed_as_text_are_read_with_a_warning(folder):
    fw = folder.framework("P2")
    fill = full_fill(fw, **{"1.1.1": {"score": "３分"}, "1.1.2": {"score": "九十"}})
    name = folder.fill("P2", fill).name
    result = validate(folder.ws)
    found = file_keys(result, name)
    assert (name, "指标", f"K{row_of(fw, '1.1.1')}", "PE-CELL-003") in found
    assert (name, "指标", f"K{row_of(fw, '1.1.2')}", "PE-CELL-002") in found


def test_placeholder_and_unknown_category(folder):
    fw = folder.framework("P2")
    fill = full_fill(fw, **{"1.1.1": {"actual": "—"}})
    fill.cells[(L.SHEET_INDICATORS, f"M{row_of(fw, '1.1.2')}")] = "随便写的分类"
    name = folder.fill("P2", fill).name
    found = file_keys(validate(folder.ws), name)
    assert found == sorted(
        [
            (name, "指标", f"J{row_of(fw, '1.1.1')}", "PE-CELL-004"),
            (name, "指标", f"M{row_of(fw, '1.1.2')}", "PE-VOCAB-001"),
        ]
    )


def test_roster_changed_after_issue_is_not_blamed_on_the_clerk(folder):
    name = folder.fill("P1").name
    items = [
        replace(i, budget=Decimal("120")) if i.item_id == "P1" else i
        for i in folder.ws.roster.items
    ]
    write_roster(folder.ws.settings.path("roster"), items, folder.ws.settings, folder.ws.frameworks)
    found = file_keys(validate(folder.reopen()), name)
    assert found == [(name, "基本信息", "C13", "PE-ID-009")]


def test_money_parts_and_execution(folder):
    fill = full_fill(folder.framework("P2"))
    fill.parts = {("current", "budget"): 40, ("carryover", "budget"): 10}  # 50 != 50.5
    name = folder.fill("P2", fill).name
    assert file_keys(validate(folder.ws), name) == [(name, "基本信息", "C13", "PE-MONEY-004")]


def test_duplicate_returns_of_one_item(folder):
    a = folder.fill("P2").name
    b = folder.fill("P2", name="副本.xlsx").name
    result = validate(folder.ws)
    assert (a, "", "", "PE-ID-003") in keys(result)
    assert (b, "", "", "PE-ID-003") in keys(result)
    assert result.scores == []


def test_wrong_year_unknown_item_and_not_returned(folder):
    name = folder.fill("P2").name
    config = folder.ws.folder / "perfeval.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("year = 2024", "year = 2025", 1),
        encoding="utf-8",
    )
    found = keys(validate(folder.reopen()))
    assert (name, "基本信息", "B10", "PE-ID-001") in found
    config.write_text(
        config.read_text(encoding="utf-8").replace("year = 2025", "year = 2024", 1),
        encoding="utf-8",
    )
    ws = folder.reopen()
    write_roster(
        ws.settings.path("roster"),
        [i for i in ws.roster.items if i.item_id != "P2"],
        ws.settings,
        ws.frameworks,
    )
    ws = folder.reopen()
    result = validate(ws)
    assert (name, "基本信息", "B4", "PE-ID-002") in keys(result)
    assert ("项目清单.xlsx", "项目清单", "A2", "PE-ROSTER-006") in keys(result, severity="警告")


def test_files_that_are_not_our_workbooks(folder):
    returned = folder.returned
    folder.fill("P1")
    wb = openpyxl.Workbook()
    wb.active["A1"] = "别人的表格"
    wb.save(returned / "foreign.xlsx")
    (returned / "empty.xlsx").write_bytes(b"")
    (returned / "csv.xlsx").write_text("a,b\n1,2\n", encoding="utf-8")
    (returned / "old.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    data = folder.issued["P2"].read_bytes()
    (returned / "truncated.xlsx").write_bytes(data[: len(data) // 2])
    (returned / "~$owner.xlsx").write_bytes(b"lock")
    with zipfile.ZipFile(returned / "word.xlsx", "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
    result = validate(folder.ws)
    found = {f.file: f.code for f in result.findings if f.file != "项目清单.xlsx"}
    assert found == {
        "foreign.xlsx": "PE-FILE-006",
        "empty.xlsx": "PE-FILE-001",
        "csv.xlsx": "PE-FILE-004",
        "old.xlsx": "PE-FILE-004",
        "truncated.xlsx": "PE-FILE-001",
        "~$owner.xlsx": "PE-FILE-005",
        "word.xlsx": "PE-FILE-004",
    }
    assert [s.item.item_id for s in result.scores] == ["P1"]


def test_inputs_are_never_modified(folder):
    fill_all(folder)
    shutil.copyfile(folder.issued["P1"], folder.returned / "extra.xlsx")
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.returned.iterdir()}
    validate(folder.ws)
    after = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.returned.iterdir()}
    assert before == after


def test_empty_fill_reports_each_required_cell(folder):
    name = folder.fill("D1", Fill()).name
    found = file_keys(validate(folder.ws), name)
    fw = folder.framework("D1")
    manual = [i for i in fw.leaves if not i.computed]
    assert sum(1 for k in found if k[3] == "PE-CELL-001") == 2 * len(manual) + 1
    info = openpyxl.load_workbook(folder.issued["D1"])[L.SHEET_INFO]
    overview_row = next(
        r
        for r in range(1, info.max_row + 1)
        if info.cell(r, 1).value == L.NARRATIVE_FIELDS["overview"]
    )
    assert (name, "基本信息", f"B{overview_row}", "PE-CELL-001") in found
