"""Broken, hostile and foreign files: one clear finding each, the run goes on, nothing explodes."""

import io
import shutil
import zipfile
from pathlib import Path

import pytest

from perfeval.check.workbook import failed
from perfeval.read.container import far_cells
from perfeval.validate import validate

CORPUS = Path(__file__).parent / "data" / "corpus"
FILE_LEVEL = {"PE-FILE-001", "PE-FILE-002", "PE-FILE-003", "PE-FILE-004", "PE-FILE-006"}


def by_file(result):
    out = {}
    for f in result.findings:
        out.setdefault(f.file, []).append(f.code)
    return out


def test_real_world_corpus_costs_one_finding_per_file(folder):
    folder.fill("P1")
    names = []
    for path in sorted(CORPUS.iterdir()):
        if path.suffix not in (".csv", ".md"):
            shutil.copyfile(path, folder.returned / path.name)
            names.append(path.name)
    result = validate(folder.ws)
    found = by_file(result)
    for name in names:
        codes = [c for c in found[name] if c != "PE-FILE-010"]  # macros: a warning on top
        assert len(codes) == 1, (name, found[name])
        assert codes[0] in FILE_LEVEL, (name, codes)
    expected = {
        "calamine__pass_protected.xlsx": "PE-FILE-002",
        "poi__protected_passtika.xlsx": "PE-FILE-002",
        "pycalamine__empty_file.xlsx": "PE-FILE-001",
        "poi__poc-xmlbomb.xlsx": "PE-FILE-001",
        "poi__duplicate-filename.xlsx": "PE-FILE-001",
        "sheetjs__wps_fn.et": "PE-FILE-004",
        "sheetjs__artifacts_wps_write.xls": "PE-FILE-004",
        "calamine__issue_594_dos.ods": "PE-FILE-004",
        "calamine__too_small.xls": "PE-FILE-004",
        "sheetjs__wps_fn.xlsx": "PE-FILE-006",
        "calamine__issue_174.xlsx": "PE-FILE-006",  # dimension A1:XFD1048576, few real cells
    }
    assert {n: found[n][-1] for n in expected} == expected
    assert "PE-FILE-010" in found["calamine__vba.xlsm"]
    # our own workbook among them is still read and scored
    assert [s.item.item_id for s in result.scores] == ["P1"]


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in parts.items():
            zf.writestr(name, body)
    return out.getvalue()


def _tiny_workbook(sheet_xml: bytes, sheet_name: bytes = b"S") -> bytes:
    ns = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    return _zip(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats'
            b'.org/package/2006/content-types"><Default Extension="rels" ContentType="application/'
            b'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
            b'"application/xml"/><Override PartName="/xl/workbook.xml" '
            b'ContentType="application/vnd.'
            b'openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/'
            b'worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            b'spreadsheetml.worksheet+xml"/></Types>',
            "_rels/.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats'
            b'.org/package/2006/relationships"><Relationship Id="rId1" Type="'
            + rel
            + b'/officeDocument" Target="xl/workbook.xml"/></Relationships>',
            "xl/workbook.xml": b'<?xml version="1.0"?><workbook '
            + ns
            + b' xmlns:r="'
            + rel
            + b'"><sheets><sheet name="'
            + sheet_name
            + b'" sheetId="1" r:id="rId1"/></sheets></workbook>',
            "xl/_rels/workbook.xml.rels": b'<?xml version="1.0"?><Relationships xmlns="http://'
            b'schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="'
            + rel
            + b'/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
            "xl/worksheets/sheet1.xml": sheet_xml,
        }
    )


def _sheet(cells: bytes, dimension: bytes = b"A1") -> bytes:
    return (
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><dimension ref="'
        + dimension
        + b'"/><sheetData>'
        + cells
        + b"</sheetData></worksheet>"
    )


CORNER = (
    b'<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
)


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        # a cell at the grid's far corner makes python-calamine abort the whole process: it
        # costs its worker and this one finding
        ("corner.xlsx", _tiny_workbook(_sheet(CORNER), sheet_name=b"_perfeval"), "PE-FILE-001"),
        # ... but only in a sheet that is read: here the reader never opens it
        ("corner_unread.xlsx", _tiny_workbook(_sheet(CORNER)), "PE-FILE-006"),
        # a sheet claiming a million rows and sixteen thousand columns, holding two cells
        (
            "claims.xlsx",
            _tiny_workbook(
                _sheet(
                    b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>',
                    b"A1:XFD1048576",
                )
            ),
            "PE-FILE-006",
        ),
        (
            "bomb.xlsx",
            _tiny_workbook(_sheet(b'<row r="1">' + b" " * (4 * 1024 * 1024) + b"</row>")),
            "PE-FILE-003",
        ),
        (
            "docx.xlsx",
            _zip({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<x/>"}),
            "PE-FILE-004",
        ),
        ("html.xlsx", b"<html><table><tr><td>1</td></tr></table></html>", "PE-FILE-004"),
    ],
)
def test_generated_hostile_files(folder, name, data, code):
    config = folder.ws.folder / "perfeval.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "max_uncompressed_mb = 300", "max_uncompressed_mb = 2"
        ),
        encoding="utf-8",
    )
    folder.fill("P2")
    (folder.returned / name).write_bytes(data)
    result = validate(folder.reopen())
    assert by_file(result)[name] == [code]
    assert [s.item.item_id for s in result.scores] == ["P2"]
    if name == "corner.xlsx":  # the reader died on it: the parent tells why
        [told] = [f.message for f in result.findings if f.file == name]
        assert told == failed(name, "far").findings[0].message


def test_our_workbook_with_macros_is_read_with_a_warning(folder):
    path = folder.fill("P2")
    data = io.BytesIO(path.read_bytes())
    with zipfile.ZipFile(data, "a") as zf:
        zf.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 not really vba")
    macro = folder.returned / "P2.xlsm"
    macro.write_bytes(data.getvalue())
    path.unlink()
    result = validate(folder.ws)
    assert by_file(result)["P2.xlsm"] == ["PE-FILE-010"]
    assert [s.item.item_id for s in result.scores] == ["P2"]


def test_files_that_are_not_spreadsheets_are_skipped_with_a_note(folder):
    folder.fill("P2")
    (folder.returned / "扫描件.pdf").write_bytes(b"%PDF-1.4")
    (folder.returned / "desktop.ini").write_text("[x]", encoding="utf-8")
    (folder.returned / "~$2024_教育局_测试项目乙.xlsx").write_bytes(b"lock")
    result = validate(folder.ws)
    notes = sorted((f.file, f.code, str(f.severity)) for f in result.skipped)
    assert notes == [
        ("desktop.ini", "PE-FILE-011", "提示"),
        ("~$2024_教育局_测试项目乙.xlsx", "PE-FILE-005", "提示"),
        ("扫描件.pdf", "PE-FILE-011", "提示"),
    ]
    assert [r.file for r in result.files] == ["2024_教育局_测试项目乙.xlsx"]
    assert not any(f.is_error for f in result.findings if f.file != "项目清单.xlsx")


def test_a_reader_crash_on_far_off_cells_is_explained(tmp_path):
    """After a worker dies on a file, the parent looks (in plain Python) for what a reader
    cannot take: cells holding something that span a grid too large to allocate."""
    path = tmp_path / "f.xlsx"
    a1 = b'<row r="1"><c r="A1"><v>1</v></c></row>'
    for cells, far in [
        (CORNER, True),
        (a1 + b'<row r="99999"><c r="ZZ99999"><v>1</v></c></row>', True),  # 702 x 99,999
        (a1 + b'<row r="9"><x:c r="XFD9" t="s"><x:v>0</x:v></x:c></row>', False),  # 9 rows
        (b'<row r="9"><x:c r="XFD1048576" t="s"><x:v>0</x:v></x:c></row>' + a1, True),
        (a1 + b'<row r="5000"><c r="BL5000"><v>2</v></c></row>', False),
        (a1 + b'<row r="1048576"><c r="XFD1048576" s="1"/></row>', False),  # empty, styled
        (b"<c " * 100_000 + a1, False),  # no end in sight: still one pass
        (a1 + b'<row r="1"><c r="' + b"A" * 80_000 + b'1"><v>1</v></c></row>', False),
    ]:
        path.write_bytes(_tiny_workbook(_sheet(cells)))
        assert far_cells(path) is far, cells[:80]
    assert far_cells(tmp_path / "missing.xlsx") is False
    path.write_bytes(b"PK not a zip")
    assert far_cells(path) is False
    packed = io.BytesIO()  # a sheet in a method the zip reader here does not inflate
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_BZIP2) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", _sheet(CORNER))
    path.write_bytes(packed.getvalue())
    assert far_cells(path) is False
    explained = failed("f.xlsx", "far")
    assert explained.cacheable
    assert [f.code for f in explained.findings] == ["PE-FILE-001"]
    assert failed("f.xlsx", "memory").cacheable is False
