import re
import zipfile

import openpyxl
import pytest

from perfeval import layout as L
from perfeval.issue.naming import workbook_name
from tests.conftest import row_of

INPUT_KEYS = {"actual", "score", "reason", "category"}


def load(path):
    return openpyxl.load_workbook(path)


def test_file_names_are_readable_and_unique(folder):
    names = sorted(p.name for p in folder.issued.values())
    assert names == [
        "2024_人社局_测试局部门整体支出.xlsx",
        "2024_教育局_测试项目乙.xlsx",
        "2024_民政局_测试项目甲.xlsx",
    ]
    item = folder.ws.roster.get("P1")
    taken = {"2024_民政局_测试项目甲.xlsx"}
    assert workbook_name(item, 2024, "测试县", taken) == "2024_民政局_测试项目甲_P1.xlsx"


def test_unsafe_characters_are_removed(folder):
    from dataclasses import replace

    item = replace(folder.ws.roster.get("P1"), name='2024年项目:a/b*c?"d"<e>|f')
    assert workbook_name(item, 2024, "测试县", set()) == "2024_民政局_项目abcdef.xlsx"


def test_sheets_visibility_and_protection(folder):
    wb = load(folder.issued["P1"])
    assert wb.sheetnames == [
        L.SHEET_GUIDE,
        L.SHEET_INFO,
        L.SHEET_INDICATORS,
        L.SHEET_PROBLEMS,
        L.SHEET_LISTS,
        L.SHEET_IDENTITY,
    ]
    assert wb[L.SHEET_LISTS].sheet_state == "hidden"
    assert wb[L.SHEET_IDENTITY].sheet_state == "veryHidden"
    for name in wb.sheetnames:
        assert wb[name].protection.sheet, name


def test_exactly_the_input_cells_are_unlocked_on_the_indicator_sheet(folder):
    fw = folder.framework("P1")
    ws = load(folder.issued["P1"])[L.SHEET_INDICATORS]
    cols = {key: n for n, key in enumerate(L.IND_COLUMNS, start=1)}
    for ind in fw.leaves:
        row = row_of(fw, ind.code)
        assert ws.cell(row, cols["code"]).value == ind.code
        unlocked = {k for k, c in cols.items() if not ws.cell(row, c).protection.locked}
        expected = set() if ind.computed else {"actual", "score"}
        expected |= {"reason", "category"}
        expected |= {k for k in ("direction", "target", "unit") if not getattr(ind, k)}
        assert unlocked == expected, ind.code
        assert ws.cell(row, cols["weight"]).value == float(ind.weight)


def test_prefilled_facts_are_locked(folder):
    ws = load(folder.issued["P1"])[L.SHEET_INFO]
    labels = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    for label in L.INFO_FIELDS.values():
        cell = ws.cell(labels[label], 2)
        assert cell.protection.locked
    budget = ws.cell(labels["年度资金总额"], 2)
    assert budget.value == 100
    assert budget.protection.locked
    assert not ws.cell(labels[L.NARRATIVE_FIELDS["overview"]], 2).protection.locked


def test_dropdowns_refer_to_defined_names(folder):
    wb = load(folder.issued["P1"])
    names = set(wb.defined_names)
    assert {L.LIST_CATEGORIES, L.LIST_DIRECTIONS} <= names
    sources = [
        dv.formula1
        for name in (L.SHEET_INDICATORS, L.SHEET_PROBLEMS)
        for dv in wb[name].data_validations.dataValidation
        if dv.type == "list"
    ]
    assert sources
    assert all(s in (L.LIST_CATEGORIES, L.LIST_DIRECTIONS) for s in sources)
    categories = wb[L.SHEET_LISTS]["A1"].value
    assert categories == folder.ws.settings.problem_categories[0].label


def test_every_formula_carries_a_cached_value(folder):
    with zipfile.ZipFile(folder.issued["P1"]) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
        formulas = 0
        for name in sheets:
            xml = zf.read(name).decode("utf-8")
            for cell in re.findall(r"<c [^>]*>.*?</c>", xml):
                if "<f>" in cell:
                    formulas += 1
                    assert "<v>" in cell, cell
    assert formulas >= 15


def test_identity_sheet(folder):
    wb = load(folder.issued["D1"])
    ident = {r[0]: r[1] for r in wb[L.SHEET_IDENTITY].iter_rows(values_only=True)}
    fw = folder.framework("D1")
    assert ident["template_id"] == L.TEMPLATE_ID
    assert ident["item_id"] == "D1"
    assert ident["year"] == "2024"
    assert (ident["framework_id"], ident["framework_hash"]) == (fw.id, fw.content_hash)
    assert re.fullmatch(r"[0-9a-f]{16}", ident["fingerprint"])


def test_computed_execution_rate_row_has_cached_score(folder):
    fw = folder.framework("P1")  # budget 100, executed 90 -> rate 0.9
    ind = next(i for i in fw.leaves if i.computed)
    ws = openpyxl.load_workbook(folder.issued["P1"], data_only=True)[L.SHEET_INDICATORS]
    cols = {key: n for n, key in enumerate(L.IND_COLUMNS, start=1)}
    cached = ws.cell(row_of(fw, ind.code), cols["score"]).value
    assert cached == pytest.approx(float(ind.weight) * 0.9)


def test_issue_only_some_items(folder):
    from perfeval.issue import issue_all

    issued = issue_all(folder.ws, only={"P2"})
    assert [w.item_id for w in issued] == ["P2"]
