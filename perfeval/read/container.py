"""What kind of file is this, and is it safe to parse? Checked on the raw bytes, before any reader.

Extensions lie (a WPS .xls renamed .xlsx, a CSV saved as .xlsx), readers' own errors mislead users,
and some files are hostile (zip bombs, duplicate parts). Each such file gets one clear finding and
is not parsed. Cells at the far corner of the grid, which make python-calamine abort the process,
are not looked for here (that would mean inflating every sheet of every file): the worker that
dies on one costs that file only, and :func:`far_cells` then explains it.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from perfeval.check.catalogue import Code, Finding, finding
from perfeval.model import CellRef
from perfeval.read.zipdir import inflate, read_directory, stored_bytes

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
MB = 1024 * 1024
#: a cell element, its column and row, and whether it closes at once (an empty styled cell)
#: (never past the next < or >: one pass over the XML, whatever it holds)
_CELL = re.compile(rb'<(?:\w+:)?c\s[^<>]*?\br="([A-Za-z]{1,4})([0-9]{1,10})"[^<>]*?(/?)>')


@dataclass(frozen=True)
class Inspected:
    """The bytes to hand the reader when the file may be parsed; otherwise the one finding that
    explains why not."""

    data: bytes | None
    sha256: str
    finding: Finding | None = None
    macros: bool = False


def is_lock_file(name: str) -> bool:
    """Excel/WPS owner files (~$x.xlsx) and LibreOffice lock files (.~lock.x.xlsx#)."""
    return name.startswith(("~$", ".~lock."))


def inspect_file(path: Path, name: str, max_bytes: int, max_uncompressed: int) -> Inspected:
    ref = CellRef(name)
    if is_lock_file(name):
        return Inspected(None, "", finding(Code.FILE_LOCK, ref))
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return Inspected(
                None,
                "",
                finding(
                    Code.FILE_TOO_LARGE, ref, what="大小", size=size // MB, limit=max_bytes // MB
                ),
            )
        data = path.read_bytes()
    except OSError as exc:
        return Inspected(
            None, "", finding(Code.FILE_UNREADABLE, ref, detail=f"读取失败：{exc.strerror}")
        )
    digest = hashlib.sha256(data).hexdigest()
    if not data:
        return Inspected(None, digest, finding(Code.FILE_UNREADABLE, ref, detail="文件为空"))
    if data.startswith(OLE2_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data:
            return Inspected(None, digest, finding(Code.FILE_ENCRYPTED, ref))
        return Inspected(
            None,
            digest,
            finding(Code.FILE_OLD_FORMAT, ref, detail="旧版Excel或WPS格式（.xls/.et）"),
        )
    if not data.startswith(ZIP_MAGIC):
        head = data[:512].lstrip()
        kind = "网页或XML文件" if head[:1] == b"<" else "文本或其他格式文件"
        return Inspected(None, digest, finding(Code.FILE_OLD_FORMAT, ref, detail=kind))
    problem = _check_zip(data, ref, max_uncompressed)
    if isinstance(problem, Finding):
        return Inspected(None, digest, problem)
    return Inspected(data, digest, None, macros=problem)


def _check_zip(data: bytes, ref: CellRef, max_uncompressed: int) -> Finding | bool:
    """A finding if the zip is unusable, otherwise whether it carries macros. Only the directory
    is read (and, for a zip that is not a workbook, the small part that says what it is): the
    reader inflates the sheets it needs itself, and inflating them here as well cost a fifth of
    the time per file. A sheet that makes the reader abort costs its worker, not the run (see
    :func:`far_cells` for how that file is then explained)."""
    entries = read_directory(data)
    if entries is not None:  # the fast path; None from it means "let zipfile decide"
        verdict = _check_entries(entries, lambda entry: inflate(data, entry), ref, max_uncompressed)
        if verdict is not None:
            return verdict
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:

            def read(info: zipfile.ZipInfo) -> bytes:
                member = inflate(data, info)
                return member if member is not None else zf.read(info)

            verdict = _check_entries(zf.infolist(), read, ref, max_uncompressed)
            return False if verdict is None else verdict
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,  # a damaged compressed stream
        EOFError,
        ValueError,
        NotImplementedError,
    ) as exc:
        return finding(Code.FILE_UNREADABLE, ref, detail=f"文件已损坏或未完整传输：{exc}")


def _check_entries(
    entries: list, read: Callable[[Any], bytes | None], ref: CellRef, max_uncompressed: int
) -> Finding | bool | None:
    """The checks on a zip's members (see :func:`_check_zip`); None when ``read`` could not
    read a member."""
    infos = [i for i in entries if not i.filename.endswith("/")]
    names = [i.filename.lower().replace("\\", "/").lstrip("/") for i in infos]
    if len(set(names)) != len(names):
        return finding(Code.FILE_UNREADABLE, ref, detail="压缩包内有重复的部件")
    total = sum(i.file_size for i in infos)
    if total > max_uncompressed:
        return finding(
            Code.FILE_TOO_LARGE,
            ref,
            what="解压后大小",
            size=total // MB,
            limit=max_uncompressed // MB,
        )
    by_name = dict(zip(names, infos, strict=True))
    if "xl/workbook.xml" not in by_name:
        detail = _not_a_workbook(by_name, read)
        if detail is None:
            return None
        if detail:
            return finding(Code.FILE_OLD_FORMAT, ref, detail=detail)
    return any(n.endswith("vbaproject.bin") or n.startswith("xl/macrosheets/") for n in names)


def _not_a_workbook(by_name: dict[str, Any], read: Callable[[Any], bytes | None]) -> str | None:
    """Why a zip without xl/workbook.xml is not a spreadsheet; '' if it still looks like one;
    None when a member could not be read."""
    if "mimetype" in by_name:
        kind = read(by_name["mimetype"])
        if kind is None:
            return None
        if b"opendocument" in kind[:80]:
            return "OpenDocument文件（.ods/.odt）"
    if "word/document.xml" in by_name:
        return "Word文档"
    if "ppt/presentation.xml" in by_name:
        return "PowerPoint演示文稿"
    if "[content_types].xml" in by_name:
        types = read(by_name["[content_types].xml"])
        if types is None:
            return None
        if b"spreadsheetml" in types:
            return ""  # a workbook with unusual part names: let the reader decide
    return "压缩包中没有Excel工作簿"


def far_cells(path: Path) -> bool:
    """Whether a sheet of the file spans a grid too large for a reader to allocate: the rows and
    columns between its cells that hold something cover more than ``FAR_GRID_CELLS``. Asked
    only after a reader died on the file, to tell the user why. Plain Python over at most
    ``SCAN_MAX`` of each sheet; any trouble reading the file only means no explanation."""
    try:
        data = path.read_bytes()
        entries: list[Any] | None = read_directory(data)
        if entries is None:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                entries = zf.infolist()
        for entry in entries:
            name = entry.filename.lower()
            if "worksheets/" not in name or not name.endswith(".xml"):
                continue
            raw = stored_bytes(data, entry)
            if raw is None:
                continue  # encrypted or another method: not what calamine reads either
            if entry.compress_type == zipfile.ZIP_DEFLATED:
                xml = zlib.decompressobj(-15).decompress(raw, SCAN_MAX)
            else:
                xml = raw[:SCAN_MAX]
            if _grid_cells(xml) > FAR_GRID_CELLS:
                return True
    except Exception:  # a file that crashed a reader may be damaged in any way
        return False
    return False


#: rows × columns a sheet's grid may span before a reader cannot hold it: at 32 bytes or more
#: per cell, 10 million cells are past a worker's memory limit (``worker_memory_mb``)
FAR_GRID_CELLS = 10_000_000
SCAN_MAX = 64 * MB  # of one sheet, inflated to look for far cells


def _grid_cells(xml: bytes) -> int:
    """Rows × columns between the sheet's first and last cells that hold something."""
    top = left = 1 << 40
    bottom = right = 0
    for match in _CELL.finditer(xml):
        if match[3]:
            continue  # empty, only styled
        column = 0
        for letter in match[1].upper():
            column = column * 26 + letter - 64
        row = int(match[2])
        top, bottom = min(top, row), max(bottom, row)
        left, right = min(left, column), max(right, column)
    return (bottom - top + 1) * (right - left + 1) if bottom else 0
