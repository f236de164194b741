"""Issued workbooks read back: structure, protection, inputs, dropdowns, formulas, identity."""

import inspect
import re
import zipfile
from dataclasses import replace

import openpyxl
import pytest
from xlsxwriter.worksheet import Worksheet

from perfeval import layout as L
from perfeval.issue import issue_all
from perfeval.issue.formula_sheet import DYNAMIC_FUNCTIONS, FormulaSheet
from perfeval.issue.naming import workbook_name
from perfeval.issue.plan import sheet_rows
from perfeval.render.paper import row_height, text_lines
from perfeval.validate import validate
from tests.conftest import full_fill, row_of

COLS = {key: n for n, key in enumerate(L.IND_COLUMNS, start=1)}
EVERY_FRAMEWORK = ["P1", "D1", "S1"]  # 项目支出绩效评价, 部门整体支出绩效评价, 项目支出绩效自评


def load(path, **kw):
    return openpyxl.load_workbook(path, **kw)


def unlocked(ws):
    return {c.coordinate for row in ws.iter_rows() for c in row if not c.protection.locked}


def test_file_names_are_readable_and_unique(folder):
    assert sorted(p.name for p in folder.issued.values()) == sorted(
        [
            "2024_人社局_测试局部门整体支出.xlsx",
            "2024_教育局_测试项目乙.xlsx",
            "2024_民政局_测试项目甲.xlsx",
            "2024_农业农村局_测试自评项目.xlsx",
        ]
    )
    item = folder.ws.roster.get("P1")
    taken = {"2024_民政局_测试项目甲.xlsx"}
    assert workbook_name(item, 2024, "测试县", taken) == "2024_民政局_测试项目甲_P1.xlsx"


def test_unsafe_characters_and_reserved_names(folder):
    item = replace(folder.ws.roster.get("P1"), name='2024年项目:a/b*c?"d"<e>|f')
    assert workbook_name(item, 2024, "测试县", set()) == "2024_民政局_项目abcdef.xlsx"
    long = replace(item, name="很" * 200)
    assert len(workbook_name(long, 2024, "测试县", set())) <= 85


@pytest.mark.parametrize("iid", EVERY_FRAMEWORK)
def test_every_framework_issues_fills_and_validates_clean(folder, iid):
    folder.fill(iid)  # fill_workbook refuses to touch a locked cell
    result = validate(folder.ws)
    mine = [f for f in result.findings if f.item_id == iid and f.file != "项目清单.xlsx"]
    assert mine == []
    assert [s.item.item_id for s in result.scores] == [iid]


@pytest.mark.parametrize("iid", EVERY_FRAMEWORK)
def test_sheets_visibility_and_protection(folder, iid):
    wb = load(folder.issued[iid])
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
    assert unlocked(wb[L.SHEET_GUIDE]) == set()
    assert unlocked(wb[L.SHEET_LISTS]) == set()


@pytest.mark.parametrize("iid", EVERY_FRAMEWORK)
def test_exactly_the_input_cells_are_unlocked_on_the_indicator_sheet(folder, iid):
    fw = folder.framework(iid)
    ws = load(folder.issued[iid])[L.SHEET_INDICATORS]
    expected = set()
    for spec in sheet_rows(fw):
        row = row_of(fw, spec.code)
        assert ws.cell(row, COLS["code"]).value == spec.code
        keys = {"reason", "category"}
        if spec.leaf is None:
            keys |= {"l3", "direction", "target", "unit", "weight", "actual", "score"}
        else:
            assert ws.cell(row, COLS["weight"]).value == float(spec.leaf.weight)
            if not spec.leaf.computed:
                keys |= {"actual", "score"}
            keys |= {k for k in ("direction", "target", "unit") if not getattr(spec.leaf, k)}
            if spec.leaf.direction == "定性":
                keys.discard("unit")  # a 定性 row has no unit to type
        expected |= {f"{openpyxl.utils.get_column_letter(COLS[k])}{row}" for k in keys}
    assert unlocked(ws) == expected


def test_exactly_the_input_cells_are_unlocked_on_the_other_sheets(folder):
    wb = load(folder.issued["P1"])  # 执行数 prefilled from the roster
    info = wb[L.SHEET_INFO]
    labels = {info.cell(r, 1).value: r for r in range(1, info.max_row + 1)}

    def rows(names, cols):
        return {f"{c}{labels[n]}" for n in names for c in cols}

    parts = ["其中：本年财政拨款", "上年结转资金", "其他资金"]
    expected = rows(parts, "BCD")  # 年初预算数, 全年预算数, 全年执行数
    expected |= rows([L.MONEY_TOTAL], "B")  # 年初预算数 of the total
    expected |= rows([L.ADJUSTMENT_LABEL], "BCDEF")  # merged B:F
    expected |= rows(L.NARRATIVE_FIELDS.values(), "BCDEF")  # merged B:F
    expected |= rows(L.OTHER_FIELDS.values(), "B")
    expected |= rows(L.CONTACT_FIELDS.values(), "BC")  # merged B:C
    assert unlocked(info) == expected
    budget = info.cell(labels[L.MONEY_ROWS["total"]], 3)
    assert budget.value == 100
    assert budget.protection.locked
    s1 = load(folder.issued["S1"])[L.SHEET_INFO]  # no 执行数 in the roster: the clerk types it
    row = next(r for r in range(1, s1.max_row + 1) if s1.cell(r, 1).value == L.MONEY_ROWS["total"])
    assert not s1.cell(row, 4).protection.locked
    problems = wb[L.SHEET_PROBLEMS]
    first, last = L.PROB_FIRST_ROW, L.PROB_FIRST_ROW + L.PROB_ROWS - 1
    assert unlocked(problems) == {f"{c}{r}" for c in "BCDE" for r in range(first, last + 1)}


@pytest.mark.parametrize("iid", EVERY_FRAMEWORK)
def test_every_dropdown_refers_to_a_defined_name_over_the_list_sheet(folder, iid):
    wb = load(folder.issued[iid])
    names = {name: dn.attr_text for name, dn in wb.defined_names.items()}
    assert set(names) == {L.LIST_CATEGORIES, L.LIST_DIRECTIONS, L.LIST_QUALITATIVE, L.LIST_YES_NO}
    assert all(v.startswith(f"{L.SHEET_LISTS}!") for v in names.values())
    lists = 0
    for ws in wb.worksheets:
        for dv in ws.data_validations.dataValidation:
            if dv.type == "list":
                lists += 1
                assert dv.formula1 in names, (ws.title, dv.sqref, dv.formula1)
    assert lists >= 3
    values = [c.value for c in wb[L.SHEET_LISTS]["A"][1:]]
    assert values == [c.label for c in folder.ws.settings.problem_categories]


def test_qualitative_rows_get_the_grade_dropdown(folder):
    fw = folder.framework("P1")
    ws = load(folder.issued["P1"])[L.SHEET_INDICATORS]
    actual = openpyxl.utils.get_column_letter(COLS["actual"])
    graded = {
        cell
        for dv in ws.data_validations.dataValidation
        if dv.formula1 == L.LIST_QUALITATIVE
        for rng in dv.sqref.ranges
        for row in rng.rows
        for cell in (c for c in row)
    }
    assert graded == {(row_of(fw, i.code), 10) for i in fw.leaves if i.direction == "定性"}
    assert actual == "J"


@pytest.mark.parametrize("iid", EVERY_FRAMEWORK)
def test_every_formula_carries_a_cached_value(folder, iid):
    formulas = 0
    with zipfile.ZipFile(folder.issued[iid]) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/sheet"):
                xml = zf.read(name).decode("utf-8")
                for cell in re.findall(r"<c [^>]*>.*?</c>", xml):
                    if "<f>" in cell:
                        formulas += 1
                        assert "<v>" in cell, cell
    assert formulas >= 15


def test_live_feedback_formulas(folder):
    wb = load(folder.issued["P1"], data_only=True)
    info = wb[L.SHEET_INFO]
    labels = {info.cell(r, 1).value: r for r in range(1, info.max_row + 1)}
    total = labels[L.MONEY_ROWS["total"]]
    assert info.cell(total, 5).value == pytest.approx(0.9)  # 执行率 = 90 / 100
    assert info.cell(labels[L.GRADE_LABEL], 2).value == "待填报"
    process = labels["过程"]  # holds the computed 预算执行率 indicator: 0.9 * 5
    assert info.cell(process, 3).value == pytest.approx(4.5)
    assert info.cell(labels["资金管理"], 3).value == pytest.approx(4.5)  # a 二级 subtotal
    formulas = load(folder.issued["P1"])[L.SHEET_INFO]
    assert formulas.cell(labels["资金管理"], 3).value.startswith("=SUMIFS(")
    ind = load(folder.issued["P1"])[L.SHEET_INDICATORS]
    rules = [r.formula[0] for rng in ind.conditional_formatting for r in rng.rules]
    assert any("$K4>$H4" in f for f in rules)
    assert any("LEN(TRIM($L4))=0" in f for f in rules)


def test_identity_sheet(folder):
    wb = load(folder.issued["D1"])
    ident = {r[0]: r[1] for r in wb[L.SHEET_IDENTITY].iter_rows(values_only=True)}
    fw = folder.framework("D1")
    assert ident["template_id"] == L.TEMPLATE_ID
    assert ident["template_version"] == L.TEMPLATE_VERSION
    assert (ident["item_id"], ident["year"]) == ("D1", "2024")
    assert (ident["framework_id"], ident["framework_hash"]) == (fw.id, fw.issue_hash)
    assert re.fullmatch(r"[0-9a-f]{16}", ident["fingerprint"])


def test_print_setup_and_frozen_headers(folder):
    ws = load(folder.issued["D1"])[L.SHEET_INDICATORS]
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.paperSize == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == f"${L.IND_HEADER_ROW}:${L.IND_HEADER_ROW}"
    assert ws.freeze_panes == f"E{L.IND_HEADER_ROW + 1}"


def test_cjk_columns_are_wide_enough(folder):
    """问题分类 wraps (the sheet must print at 80 %): its rows are tall enough for the longest
    label, counted as the row heights are (tests/test_print.py checks the estimate itself)."""
    ws = load(folder.issued["D1"])[L.SHEET_INDICATORS]
    width = ws.column_dimensions["M"].width - 0.71  # 问题分类
    longest = max((c.label for c in folder.ws.settings.problem_categories), key=L.display_width)
    lines = text_lines(longest, width)
    assert lines <= 2
    assert ws.row_dimensions[L.IND_FIRST_ROW].height >= row_height(lines)


def test_issue_only_some_items(folder):
    assert [w.item_id for w in issue_all(folder.ws, only={"P2"})] == ["P2"]


def test_fill_refuses_locked_cells(folder):
    from perfeval.fill import Fill, LockedCellError

    fill = Fill(cells={(L.SHEET_INDICATORS, "H4"): 99})
    with pytest.raises(LockedCellError):
        folder.fill("P1", fill)
    assert full_fill(folder.framework("P1")).indicators


def test_formula_sheets_write_what_xlsxwriter_writes(folder):
    """FormulaSheet skips XlsxWriter's renaming of dynamic-array functions only for formulas
    that name none of them; its list must cover the installed XlsxWriter's."""
    source = inspect.getsource(Worksheet._prepare_formula).split("use_future_functions")[0]
    renamed = re.findall(r're\.sub\(r"\\[bS]([A-Z.]+)\\\(', source)
    assert len(renamed) > 20
    assert set(renamed) <= set(DYNAMIC_FUNCTIONS)
    with zipfile.ZipFile(folder.issued["P1"]) as zf:
        ours = [
            m
            for name in zf.namelist()
            if name.startswith("xl/worksheets/")
            for m in re.findall(r"<f>([^<]*)</f>", zf.read(name).decode("utf-8"))
        ]
    assert len(ours) > 10
    samples = [f"={f}" for f in ours] + [
        "=SUM(A1:A3)",
        "{=SUM(A1:A3*B1:B3)}",
        "=FILTER(A1:A9,B1:B9>0)",
        "=_xlfn.XLOOKUP(1,A:A,B:B)",
        "=XSINGLE(A1)",
        "=LAMBDA(x,x+1)(2)",
        "=STDEV.S(A1:A9)",
    ]
    plain, fast = Worksheet(), FormulaSheet()
    for formula in samples:
        assert fast._prepare_formula(formula) == plain._prepare_formula(formula), formula
    plain.use_future_functions = fast.use_future_functions = True
    for formula in samples:
        assert fast._prepare_formula(formula) == plain._prepare_formula(formula), formula
