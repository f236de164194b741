"""The fast zip directory reader agrees with zipfile, or steps aside (None) for zipfile."""

import io
import zipfile
from pathlib import Path

import pytest
import python_calamine

from perfeval.read.container import inspect_file
from perfeval.read.zipdir import inflate, read_directory

CORPUS = Path(__file__).parent / "data" / "corpus"


@pytest.fixture
def workbook_bytes(folder) -> bytes:
    """A workbook as perfeval issues it (XlsxWriter) and as a clerk returns it (openpyxl here)."""
    assert _agrees(folder.issued["P1"].read_bytes())
    return folder.fill("P1").read_bytes()


def _zip(members: dict[str, bytes], **kwargs) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, **kwargs) as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    return out.getvalue()


def _agrees(data: bytes) -> bool:
    """True when the fast reader read the archive (matching zipfile); False if it stepped aside."""
    entries = read_directory(data)
    if entries is None:
        return False
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = zf.infolist()
        fields = ("filename", "file_size", "compress_size", "CRC", "header_offset", "flag_bits")
        assert [tuple(getattr(e, f) for f in fields) for e in entries] == [
            tuple(getattr(i, f) for f in fields) for i in infos
        ]
        for entry, info in zip(entries, infos, strict=True):
            body = inflate(data, entry)
            if body is not None:
                assert body == zf.read(info), entry.filename
    return True


def test_plain_archives_are_read_like_zipfile(workbook_bytes):
    assert _agrees(workbook_bytes)
    assert _agrees(_zip({"a.xml": b"<a/>" * 100, "名字/b.xml": b"x", "empty": b""}))
    assert _agrees(_zip({"a": b"1"}, compresslevel=9))


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.xls*")), ids=lambda p: p.name)
def test_real_world_files_are_read_like_zipfile_or_left_to_it(path):
    data = path.read_bytes()
    try:
        zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, EOFError, NotImplementedError):
        # zipfile refuses it; the fast reader must not make up a directory zipfile cannot see
        assert read_directory(data) is None
        return
    _agrees(data)  # asserts agreement whenever the fast reader reads it


def test_unusual_archives_are_left_to_zipfile():
    data = _zip({"a.xml": b"<a/>"})
    assert read_directory(b"junk" + data) is None  # data before the archive
    assert read_directory(data[:-5]) is None  # truncated end record
    assert read_directory(data[: len(data) // 2]) is None  # truncated: no end record
    assert read_directory(b"") is None
    assert _agrees(_zip({"a.xml": b"<a/>"}, allowZip64=True))
    commented = io.BytesIO()
    with zipfile.ZipFile(commented, "w") as zf:
        zf.writestr("a.xml", b"<a/>")
        zf.comment = b"PK\x05\x06 inside a comment"
    # the end record's signature inside the comment is found first: the fast reader steps aside
    assert read_directory(commented.getvalue()) is None


def test_a_damaged_member_is_reported_by_zipfile_not_read_wrongly(tmp_path, workbook_bytes):
    data = bytearray(workbook_bytes)
    entries = read_directory(bytes(data))
    sheet = next(e for e in entries if e.filename.startswith("xl/worksheets/"))
    start = sheet.header_offset + 30 + len(sheet.filename)
    data[start : start + 8] = b"\xff" * 8  # corrupt the compressed stream
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(bytes(data))
    result = inspect_file(path, "damaged.xlsx", 10**8, 10**9)
    assert result.data is None
    assert result.finding.code == "PE-FILE-001"


def _sheets(data: bytes) -> dict[str, list] | str:
    """Every sheet's values as python-calamine reads them, or the error it raises."""
    try:
        wb = python_calamine.load_workbook(io.BytesIO(data))
        return {
            name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False, nrows=200)
            for name in wb.sheet_names
        }
    except Exception as exc:
        return type(exc).__name__


@pytest.mark.parametrize(
    "path",
    [p for p in sorted(CORPUS.glob("*.xls*")) if "XFD" not in p.name and "dos" not in p.name],
    ids=lambda p: p.name,
)
def test_the_reader_sees_a_repacked_archive_as_the_original(path, tmp_path):
    """The checks hand python-calamine the archive with its inflated sheets stored; it must read
    exactly what it reads from the department's file."""
    copy = tmp_path / path.name
    copy.write_bytes(path.read_bytes())
    inspected = inspect_file(copy, path.name, 10**8, 10**9)
    if inspected.data is None:
        return  # refused before reading: nothing is handed on
    assert _sheets(inspected.data) == _sheets(path.read_bytes())


def test_a_returned_workbook_is_handed_on_with_its_sheets_stored(workbook_bytes, tmp_path):
    path = tmp_path / "returned.xlsx"
    path.write_bytes(workbook_bytes)
    handed = inspect_file(path, "returned.xlsx", 10**8, 10**9).data
    assert handed != workbook_bytes
    with zipfile.ZipFile(io.BytesIO(handed)) as zf:
        methods = {i.filename: i.compress_type for i in zf.infolist()}
        assert zf.testzip() is None  # every CRC still matches
        stamps = [(i.filename, i.date_time) for i in zf.infolist()]
    with zipfile.ZipFile(io.BytesIO(workbook_bytes)) as zf:
        assert stamps == [(i.filename, i.date_time) for i in zf.infolist()]
    assert methods["xl/worksheets/sheet1.xml"] == zipfile.ZIP_STORED
    assert methods["xl/styles.xml"] == zipfile.ZIP_DEFLATED
    assert _sheets(handed) == _sheets(workbook_bytes)
    assert path.read_bytes() == workbook_bytes  # the department's file is untouched
