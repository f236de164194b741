"""The fast zip directory reader agrees with zipfile, or steps aside (None) for zipfile."""

import io
import zipfile
from pathlib import Path

import pytest

from perfeval.read.container import inspect_file
from perfeval.read.submission import read_submission
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


def test_a_damaged_sheet_costs_one_finding(tmp_path, workbook_bytes):
    """The checks no longer inflate the sheets: a damaged one is found by the reader, and
    still costs the file one finding, not the run."""
    data = bytearray(workbook_bytes)
    for sheet in [e for e in read_directory(bytes(data)) if e.filename.startswith("xl/worksh")]:
        start = sheet.header_offset + 30 + len(sheet.filename)
        data[start : start + 8] = b"\xff" * 8  # corrupt the compressed stream
        assert inflate(bytes(data), sheet) is None  # never read wrongly
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(bytes(data))
    result = read_submission(path, "damaged.xlsx", 10**8, 10**9)
    assert result.submission is None
    assert [f.code for f in result.findings] == ["PE-FILE-001"]


def test_a_returned_workbook_is_handed_on_as_it_is(workbook_bytes, tmp_path):
    path = tmp_path / "returned.xlsx"
    path.write_bytes(workbook_bytes)
    inspected = inspect_file(path, "returned.xlsx", 10**8, 10**9)
    assert inspected.data == workbook_bytes
    assert read_submission(path, "returned.xlsx", 10**8, 10**9).data == workbook_bytes  # handed on
    assert path.read_bytes() == workbook_bytes  # the department's file is untouched
