"""What real editors do to a workbook that is still filled in correctly: it must still read."""

import io
import re
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl

from perfeval import layout as L
from perfeval.validate import validate
from tests.conftest import full_fill, row_of

DATA = Path(__file__).parent / "data" / "libreoffice"
REGENERATE = "python scripts/make_office_fixtures.py"


def own_findings(result, name):
    return [f.key for f in result.findings if f.file == name]


def test_protection_removed(folder):
    path = folder.fill("P1")
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        ws.protection.sheet = False
    wb.save(path)
    assert own_findings(validate(folder.ws), path.name) == []


def test_formulas_replaced_by_values(folder):
    """'Paste values' over every formula of an office-saved workbook: the figures stay right."""
    path = folder.returned / "P2.xlsx"
    shutil.copyfile(DATA / "P2.xlsx", path)
    values = openpyxl.load_workbook(path, data_only=True)
    wb = openpyxl.load_workbook(path)
    replaced = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.value = values[ws.title][cell.coordinate].value
                    replaced += 1
    wb.save(path)
    assert replaced > 15
    result = validate(folder.ws)
    assert own_findings(result, path.name) == []
    assert result.scores[0].total == Decimal("97.50")


def test_a_stale_formula_total_is_a_warning_not_the_figure(folder):
    path = folder.fill("P1")
    wb = openpyxl.load_workbook(path)
    info = wb[L.SHEET_INFO]
    row = next(r for r in range(1, info.max_row + 1) if info.cell(r, 1).value == L.TOTAL_LABEL)
    info.cell(row, 3).value = 12.5
    wb.save(path)
    result = validate(folder.ws)
    assert own_findings(result, path.name) == [(path.name, L.SHEET_INFO, f"C{row}", "PE-SCORE-004")]
    assert result.scores[0].total == Decimal("99.50")


def test_rows_reordered_inside_the_input_area(folder):
    fw = folder.framework("P2")
    path = folder.fill("P2", full_fill(fw, **{"1.1.1": {"score": 2, "reason": "原因"}}))
    wb = openpyxl.load_workbook(path)
    ws = wb[L.SHEET_INDICATORS]
    a, b = row_of(fw, "1.1.1"), row_of(fw, "3.4.1")
    for col in range(1, len(L.IND_COLUMNS) + 1):
        top, bottom = ws.cell(a, col), ws.cell(b, col)
        top.value, bottom.value = bottom.value, top.value
    wb.save(path)
    result = validate(folder.ws)
    assert own_findings(result, path.name) == []
    moved = next(s for s in result.scores[0].indicators if s.indicator.code == "1.1.1")
    assert (moved.score, moved.row) == (2, b)


def _copy_fixtures(folder) -> list[str]:
    names = []
    for path in sorted(DATA.glob("*.xlsx")):
        shutil.copyfile(path, folder.returned / path.name)
        names.append(path.name)
    return names


def test_saved_by_libreoffice(folder):
    """Filled workbooks opened and saved by LibreOffice Calc (tests/data/libreoffice)."""
    names = _copy_fixtures(folder)
    assert names == ["P2.xlsx", "S1.xlsx"]
    result = validate(folder.ws)
    found = [f.key for f in result.findings if f.file in names]
    assert found == [], f"{found}\nIf the template or a framework changed, run: {REGENERATE}"
    totals = {s.item.item_id: s.total for s in result.scores}
    assert totals == {"P2": Decimal("97.50"), "S1": Decimal(100)}


def _wps_like(data: bytes) -> bytes:
    """Re-pack a workbook with what WPS writes: directory entries, an sst without uniqueCount,
    WPS application properties and its custom namespace on the sheets."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for folder in ("_rels/", "docProps/", "xl/", "xl/_rels/", "xl/worksheets/"):
            dst.writestr(folder, b"")
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/sharedStrings.xml":
                body = re.sub(rb' uniqueCount="\d+"', b"", body)
            elif info.filename == "docProps/app.xml":
                body = re.sub(
                    rb"<Application>[^<]*</Application>",
                    b"<Application>WPS Spreadsheets</Application>",
                    body,
                )
            elif info.filename.startswith("xl/worksheets/sheet"):
                body = body.replace(
                    b"<worksheet ",
                    b'<worksheet xmlns:etc="http://www.wps.cn/officeDocument/2017/etCustomData" ',
                    1,
                )
            dst.writestr(info.filename, body)
    return out.getvalue()


def test_saved_with_wps_quirks(folder):
    for path in sorted(DATA.glob("*.xlsx")):
        (folder.returned / path.name).write_bytes(_wps_like(path.read_bytes()))
    result = validate(folder.ws)
    assert [
        f.key for f in result.findings if f.file.endswith(".xlsx") and f.file != "项目清单.xlsx"
    ] == []
    assert len(result.scores) == 2
