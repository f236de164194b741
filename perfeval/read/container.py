"""What kind of file is this, and is it safe to parse? Checked on the raw bytes, before any reader.

Extensions lie (a WPS .xls renamed .xlsx, a CSV saved as .xlsx), readers' own errors mislead users,
and some files are hostile (zip bombs, cells at the far corner of the grid that make a reader abort
the process). Each such file gets one clear finding and is not parsed.
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
from perfeval.read.zipdir import Archive, Entry, inflate, read_directory, repack

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
MB = 1024 * 1024
#: a cell reference in a column past ZZ or a row past 99999: one fast scan of the sheet XML
_FAR_REF = re.compile(rb'r="(?:[A-Z]{3}[0-9]|[A-Z]{1,2}[0-9]{6})')  # no \b: keeps it fast


@dataclass(frozen=True)
class Inspected:
    """The bytes to hand the reader when the file may be parsed (the archive as checked, possibly
    with its sheets stored uncompressed); otherwise the one finding that explains why not."""

    data: bytes | None
    sha256: str
    finding: Finding | None = None
    macros: bool = False
    archive: Archive | None = None  # the file as read, for steps after reading


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
    problem, readable, plain = _check_zip(data, ref, max_uncompressed)
    if isinstance(problem, Finding):
        return Inspected(None, digest, problem)
    parts = {e.filename: body for e, body in plain.items()}
    return Inspected(readable, digest, None, macros=problem, archive=Archive(data, parts))


def _check_zip(
    data: bytes, ref: CellRef, max_uncompressed: int
) -> tuple[Finding | bool, bytes, dict[Entry, bytes]]:
    """A finding if the zip is unusable, otherwise whether it carries macros; the bytes to hand
    the reader: the sheets this check inflated are passed on uncompressed, which spares the
    reader inflating them again (a third of its time on a returned workbook); and those sheets."""
    plain: dict[Entry, bytes] = {}
    entries = read_directory(data)
    if entries is not None:  # the fast path; None from it means "let zipfile decide"

        def keep(entry: Entry) -> bytes | None:
            member = inflate(data, entry)
            if member is not None and len(member) == entry.file_size:
                plain[entry] = member
            return member

        verdict = _check_entries(entries, keep, ref, max_uncompressed)
        if verdict is not None:
            if isinstance(verdict, Finding) or not plain:
                return verdict, data, plain
            for entry in entries:  # the reader's other large part, in workbooks saved by Excel/WPS
                if entry.filename.lower() == "xl/sharedstrings.xml":
                    keep(entry)
            return verdict, repack(data, entries, plain) or data, plain
        plain.clear()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:

            def read(info: zipfile.ZipInfo) -> bytes:
                member = inflate(data, info)
                return member if member is not None else zf.read(info)

            verdict = _check_entries(zf.infolist(), read, ref, max_uncompressed)
            return (False if verdict is None else verdict), data, plain
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,  # a damaged compressed stream
        EOFError,
        ValueError,
        NotImplementedError,
    ) as exc:
        return (
            finding(Code.FILE_UNREADABLE, ref, detail=f"文件已损坏或未完整传输：{exc}"),
            data,
            plain,
        )


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
    for lower, info in by_name.items():
        if "worksheets/" in lower and lower.endswith(".xml"):
            xml = read(info)
            if xml is None:
                return None
            if _out_of_grid(xml):
                return finding(Code.FILE_UNREADABLE, ref, detail="表格中有超出正常范围的单元格")
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


def _out_of_grid(xml: bytes) -> bool:
    """Cells holding something far outside any issued workbook (empty styled cells are fine)."""
    for match in _FAR_REF.finditer(xml):
        end = xml.find(b">", match.end())
        if end > 0 and xml[end - 1 : end] != b"/":
            return True
    return False
