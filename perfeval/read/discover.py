"""Finding the returned files: every entry below the returned folder, each either a file to check
or one finding saying why it is not.

Folders travel between offices on USB sticks and shared drives and are unpacked from zips made
on Chinese Windows, so the folder may hold names in GBK bytes, links to nowhere or in a loop,
sub-folders nobody may read, named pipes, and paths too long to open. None of these may stop the
run or pass unnoticed: each costs one finding, and the other files are checked as usual.

Names are shown as the user sees them. A name that is not UTF-8 (bytes from a GBK zip, on Linux
and macOS) is shown decoded as GBK when that works, and is still opened by its own bytes.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import NamedTuple

from perfeval.check.catalogue import Code, Finding, finding
from perfeval.model import CellRef
from perfeval.read.container import is_lock_file


class Found(NamedTuple):
    """A file to check: ``path`` opens it (the system's own form of the name); ``name`` is the
    relative path shown to users, always printable Unicode."""

    path: str
    name: str


def display_name(name: str) -> tuple[str, bool]:
    """A directory entry's name as users should see it, and whether it was not UTF-8."""
    try:
        name.encode("utf-8")
        return name, False
    except UnicodeEncodeError:  # undecodable bytes, kept by Python as surrogate escapes
        pass
    raw = os.fsencode(name)
    try:
        return raw.decode("gb18030"), True
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace"), True


def _unique_names(entries: list[os.DirEntry]) -> dict[str, tuple[str, bool]]:
    """Each entry's shown name, and whether it was not UTF-8. A decoded name that another entry
    of the folder already has (测试.xlsx in GBK beside 测试.xlsx in UTF-8) is told apart, so
    that findings, rows and annotated copies never mix the two files up."""
    out = {e.name: display_name(e.name) for e in entries}
    taken = {shown for shown, odd in out.values() if not odd}
    for raw, (shown, odd) in out.items():
        if odd:
            stem, dot, suffix = shown.rpartition(".")
            candidate = f"{stem}（GBK编码）.{suffix}" if dot else f"{shown}（GBK编码）"
            n = 1
            while candidate in taken:
                n += 1
                candidate = f"{stem}（GBK编码{n}）.{suffix}" if dot else f"{shown}（GBK编码{n}）"
            if shown in taken:
                out[raw] = (candidate, True)
            taken.add(out[raw][0])
    return out


def _why(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "是循环链接（链接最终指向自己）"
    if exc.errno == errno.ENAMETOOLONG:
        return "路径过长，系统无法打开"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "没有读取权限"
    if exc.errno == errno.ENOENT:
        return "是指向不存在位置的链接"
    return f"无法访问（{exc.strerror or exc}）"


_SPECIAL = (
    (stat.S_ISFIFO, "命名管道"),
    (stat.S_ISSOCK, "套接字"),
    (stat.S_ISCHR, "设备文件"),
    (stat.S_ISBLK, "设备文件"),
)


def _note(code: Code, shown: str, **context: str) -> Finding:
    return finding(code, CellRef(shown), file=shown, shown=shown, **context)


def returned_files(folder: Path, shown_as: str = "") -> tuple[list[Found], list[Finding]]:
    """Every regular file below ``folder`` in name order, and a finding for each entry that
    cannot be one. Links to files are followed; links to folders are not (they could lead
    anywhere, or in a circle). ``shown_as``: how findings name the folder itself."""
    found: list[tuple[tuple[str, ...], Found]] = []
    notes: list[Finding] = []
    top = str(folder)
    shown_top = shown_as or top
    try:
        if not os.path.isdir(top):
            if os.path.lexists(top):
                why = "不是文件夹"
                notes.append(_note(Code.FILE_INACCESSIBLE, shown_top, why=why))
            return [], notes
    except (OSError, ValueError):
        return [], [_note(Code.FILE_INACCESSIBLE, shown_top, why="无法访问")]
    pending: list[tuple[str, tuple[str, ...]]] = [(top, ())]
    while pending:  # os.scandir and plain strings: pathlib costs seconds at 100,000 files
        where, parts = pending.pop()
        try:
            entries = list(os.scandir(where))
        except OSError as exc:
            shown = "/".join(parts) or shown_top
            notes.append(_note(Code.FILE_INACCESSIBLE, shown, why=_why(exc)))
            continue
        names = _unique_names(entries)
        for entry in entries:
            name, odd = names[entry.name]
            rel = (*parts, name)
            shown = "/".join(rel)
            if name.startswith(".") and not is_lock_file(name):
                continue  # hidden files: .DS_Store, ._x.xlsx (macOS), our own temporaries
            if odd:
                notes.append(_note(Code.FILE_NAME_ENCODING, shown))
            try:
                if entry.is_file(follow_symlinks=False):  # from the listing: no system call
                    found.append((rel, Found(entry.path, shown)))
                    continue
                if entry.is_dir(follow_symlinks=False):
                    pending.append((entry.path, rel))
                    continue
                mode = os.stat(entry.path).st_mode  # a link (followed), or a special file
            except (OSError, ValueError) as exc:
                why = _why(exc) if isinstance(exc, OSError) else "名称中含有系统不允许的字符"
                notes.append(_note(Code.FILE_INACCESSIBLE, shown, why=why))
                continue
            if stat.S_ISREG(mode):
                found.append((rel, Found(entry.path, shown)))
            elif stat.S_ISDIR(mode):
                what = "指向文件夹的链接（其中的文件不会读取）"
                notes.append(_note(Code.FILE_NOT_REGULAR, shown, what=what))
            else:
                what = next((w for test, w in _SPECIAL if test(mode)), "特殊文件")
                notes.append(_note(Code.FILE_NOT_REGULAR, shown, what=what))
    found.sort(key=lambda x: x[0])
    return [f for _, f in found], notes
