"""The roster's dropdowns (评价类型, 指标体系), kept in step with the folder's frameworks and kinds.

项目清单.xlsx offers 评价类型 and 指标体系 as list validations on the names 评价类型列表 and
指标体系列表, which point at columns A and B of the hidden sheet 选项
(:func:`perfeval.config.roster.write_roster`). A framework copied into 指标体系/ after
``perfeval init`` is missing from them until they are refreshed; ``perfeval issue`` and
``perfeval validate`` do it (:func:`refresh_lists`).

The roster is the staff's file, so this is surgery, not a rewrite: every part of the workbook
is copied as it is (still compressed) but the 选项 sheet's cells, the two names' ranges in
workbook.xml and, when rows were typed below a dropdown, that validation's ``sqref`` (lengthened;
no cell, style or width changes). Saving through openpyxl would drop what openpyxl does not know
(pictures, rich text, Excel's newer validations) from a file that Excel or WPS saved last.

Before the new file atomically replaces the old one (keeping its permissions), every value of
every other sheet is read back with calamine and must be as it was, 选项 must offer the wanted
lists, and the file must not have changed since it was read. Nothing is written when the lists are
right. A file that cannot or should not be written (open in Excel, WPS or LibreOffice, read-only,
a link, a shape not handled here) is left as it is with a warning, PE-ROSTER-010; a refresh done
is a note, PE-ROSTER-009.
"""

from __future__ import annotations

import hashlib
import html
import io
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import python_calamine

from perfeval.check.catalogue import Code, Finding, finding
from perfeval.errors import OutputError
from perfeval.machinery.atomic import atomic_path
from perfeval.machinery.own_files import ROSTER_MEMO, regular_file
from perfeval.model import CellRef
from perfeval.render.text import ILLEGAL, workbook_text, xml_text
from perfeval.render.zipcopy import REL, Package, Unsupported, dump, parse, q

if TYPE_CHECKING:
    from perfeval.config.framework import FrameworkRegistry
    from perfeval.config.settings import Settings
    from perfeval.config.workspace import Workspace

LIST_SHEET = "选项"
#: each dropdown's name -> the 选项 column holding its choices
NAMES = {"评价类型列表": "A", "指标体系列表": "B"}
#: rows below the last one in the sheet that a lengthened dropdown reaches
SPARE_ROWS = 200
LAST_ROW = 1_048_576


@dataclass(frozen=True)
class Lists:
    """The choices the two dropdowns offer, in order."""

    kinds: tuple[str, ...]
    frameworks: tuple[str, ...]

    def of(self, name: str) -> tuple[str, ...]:
        return self.kinds if NAMES[name] == "A" else self.frameworks


def wanted_lists(settings: Settings, registry: FrameworkRegistry) -> Lists:
    """What the dropdowns should offer: the configured kinds and every framework of the folder
    (bundled and the folder's own, by 名称), as :func:`write_roster` lists them."""
    return Lists(tuple(k.name for k in settings.kinds), tuple(f.name for f in registry))


@dataclass(frozen=True)
class Reach:
    """A dropdown on a data sheet: its ``sqref`` (at ``span`` in ``part``) and the rows it
    covers, against the last row of that sheet."""

    part: str
    span: tuple[int, int]
    sqref: str
    column: str
    covered: int
    last_row: int

    @property
    def short(self) -> bool:
        return self.column != "" and self.covered < self.last_row


@dataclass(frozen=True)
class Found:
    """What a roster file's dropdowns offer now, and where that is written."""

    lists: Lists
    names: dict[str, str]  # name -> its range on 选项, as written
    reaches: tuple[Reach, ...]
    book: str  # the workbook part
    list_part: str  # the 选项 sheet's part
    other: bool  # 选项 holds something besides the two columns of text


def expected_range(name: str, want: Lists, written: str = LIST_SHEET) -> str:
    """The range ``name`` should refer to (``written``: the sheet as the file names it)."""
    col = NAMES[name]
    return f"{written}!${col}$1:${col}${max(len(want.of(name)), 1)}"


def differences(found: Found, want: Lists) -> list[str]:
    """What is out of step, in words for the messages; empty when the dropdowns are right."""
    out = []
    for label, have, wanted in (
        ("评价类型", found.lists.kinds, want.kinds),
        ("指标体系", found.lists.frameworks, want.frameworks),
    ):
        added = [f"“{n}”" for n in wanted if n not in have]
        gone = [f"“{n}”" for n in have if n and n not in wanted]
        if added:
            out.append(f"{label}新增{'、'.join(added)}")
        if gone:
            out.append(f"{label}去掉{'、'.join(gone)}")
        if have != wanted and not added and not gone:
            out.append(f"{label}选项调整")
    for name, ref in found.names.items():
        sheet = ref.rpartition("!")[0]
        if not out and ref.upper() != expected_range(name, want, sheet).upper():
            out.append("选项范围修正")
    longest = max((r.last_row for r in found.reaches if r.short), default=0)
    if longest:
        out.append(f"下拉选项延长到第{min(longest + SPARE_ROWS, LAST_ROW)}行")
    return out


def inspect(data: bytes) -> Found | None:
    """The dropdowns of the roster workbook ``data``; None for a workbook without a 选项 sheet
    (not one perfeval made: left alone)."""
    pkg = Package(data)
    book = _book_part(pkg)
    wb = parse(pkg.read(book))
    parts = pkg.targets(pkg.relationships(book), book, "worksheet")
    sheets = {s.get("name"): parts.get(s.get(q("id", REL))) for s in wb.iter(q("sheet"))}
    if not sheets.get(LIST_SHEET):
        return None
    names = {}
    for d in wb.iter(q("definedName")):
        ref = (d.text or "").strip()
        if d.get("name") in NAMES and d.get("localSheetId") is None and _on_list_sheet(ref):
            names[d.get("name")] = ref
    book_values = python_calamine.load_workbook(io.BytesIO(data))
    try:
        rows = book_values.get_sheet_by_name(LIST_SHEET).to_python(skip_empty_area=False)
    finally:
        book_values.close()
    reaches = []
    for name, part in sheets.items():
        if name != LIST_SHEET and part:
            reaches += _reaches(part, pkg.read(part))
    lists = Lists(_column(rows, 0), _column(rows, 1))
    other = any(v != "" for r in rows for v in r[2:])
    return Found(lists, names, tuple(reaches), book, sheets[LIST_SHEET], other)


def _book_part(pkg: Package) -> str:
    office = f"{REL}/officeDocument"
    rels = parse(pkg.read("_rels/.rels"))
    target = next((r.get("Target") for r in rels if r.get("Type") == office), None)
    if not target:
        raise Unsupported("no workbook part")
    return pkg.resolve("", target)


def _on_list_sheet(ref: str) -> bool:
    return ref.rpartition("!")[0].strip("'") == LIST_SHEET


def _column(rows: list[list], n: int) -> tuple[str, ...]:
    values = [r[n] if len(r) > n else "" for r in rows]
    while values and values[-1] == "":
        values.pop()
    return tuple(v if isinstance(v, str) else str(v) for v in values)


_VALIDATION = re.compile(  # not a self-closing one: it has no formula
    rb"<(?:[\w.-]+:)?dataValidation\b((?:[^>/]|/(?!>))*)>(.*?)</(?:[\w.-]+:)?dataValidation>",
    re.S,
)
_FORMULA = re.compile(rb"<(?:[\w.-]+:)?formula1>(.*?)</(?:[\w.-]+:)?formula1>", re.S)
_SQREF = re.compile(rb"""\ssqref\s*=\s*"([^"]*)\"""")
_CELL = re.compile(r"([A-Z]{1,3})(\d*)")
_ROW_REF = re.compile(rb'r="[A-Z]{0,3}(\d{1,7})"')


def _reaches(part: str, xml: bytes) -> list[Reach]:
    """The dropdowns on our names in the sheet part ``xml`` (a large sheet's cells are not
    parsed: the validations come after them)."""
    cut = xml.rfind(b"sheetData>")
    start = xml.find(b"dataValidation", max(cut, 0))
    if start < 0:
        return []
    last_row = _last_row(xml, cut)
    out = []
    for m in _VALIDATION.finditer(xml, xml.rfind(b"<", 0, start)):
        formula = _FORMULA.search(m.group(2))
        sqref = _SQREF.search(m.group(1))
        if formula is None or sqref is None:
            continue
        name = html.unescape(formula.group(1).decode("utf-8", "replace"))  # &#35780; and such
        if name.strip().lstrip("=") not in NAMES:
            continue
        text = sqref.group(1).decode("ascii", "replace")
        column, covered = _coverage(text)
        span = (m.start(1) + sqref.start(1), m.start(1) + sqref.end(1))
        out.append(Reach(part, span, text, column, covered, last_row))
    return out


def _coverage(sqref: str) -> tuple[str, int]:
    """The one column ``sqref`` lies in and the last row it covers; ('', 0) when it spans
    several columns or is not a plain list of ranges (it is then left as it is)."""
    columns, last = set(), 0
    for token in sqref.split():
        ends = [_CELL.fullmatch(end) for end in token.split(":")]
        if len(ends) > 2 or not all(ends):
            return "", 0
        columns.update(e.group(1) for e in ends if e)
        last = max(last, *(int(e.group(2)) if e.group(2) else LAST_ROW for e in ends if e))
    return (columns.pop(), last) if len(columns) == 1 else ("", 0)


def _last_row(xml: bytes, cut: int) -> int:
    """The number of the sheet's last row: the last row or cell reference before the end of
    sheetData (0 when there is none)."""
    pos = xml.rfind(b' r="', 0, max(cut, 0))
    while pos >= 0:
        if xml.rfind(b"<", 0, pos) > xml.rfind(b">", 0, pos):  # inside a tag, not text
            m = _ROW_REF.match(xml, pos + 1)
            return int(m.group(1)) if m else 0
        pos = xml.rfind(b' r="', 0, pos)
    return 0


class Changed(Exception):
    """The refreshed workbook would not keep every typed value as it was, or the file changed
    while it was being refreshed; the argument says which, in Chinese."""


_CHECK_FAILED = "核对时发现其他内容会随之改变"


def rewritten(data: bytes, found: Found, want: Lists) -> bytes:
    """The roster workbook ``data`` with its dropdowns refreshed (see the module); raises
    :class:`Unsupported` for a shape not handled, :class:`Changed` if the check fails."""
    if found.other:
        raise Unsupported("选项 holds other content")
    if any(ILLEGAL.search(n) for n in want.kinds + want.frameworks):
        raise Unsupported("a name XML cannot carry")
    pkg = Package(data)
    pkg.put(found.list_part, _list_sheet(pkg.read(found.list_part), want))
    wb = parse(pkg.read(found.book))
    for d in wb.iter(q("definedName")):
        name = d.get("name")
        if name in found.names and d.get("localSheetId") is None:
            d.text = expected_range(name, want, found.names[name].rpartition("!")[0])
    pkg.put(found.book, dump(wb))
    for part in {r.part for r in found.reaches if r.short}:
        xml = pkg.read(part)
        mine = [r for r in found.reaches if r.part == part and r.short]
        for r in sorted(mine, key=lambda r: r.span, reverse=True):
            end = min(r.last_row + SPARE_ROWS, LAST_ROW)
            longer = f"{r.sqref} {r.column}{r.covered + 1}:{r.column}{end}".encode()
            xml = xml[: r.span[0]] + longer + xml[r.span[1] :]
        pkg.put(part, xml)
    out = pkg.output()
    _check(data, out, want)
    return out


_SHEET_DATA = re.compile(rb"<([\w.-]+:)?sheetData\b[^>]*?(?:/>|>.*</(?:[\w.-]+:)?sheetData>)", re.S)
_DIMENSION = re.compile(rb"""(<(?:[\w.-]+:)?dimension\b[^>]*?\sref\s*=\s*")[^"]*""")


def _list_sheet(xml: bytes, want: Lists) -> bytes:
    """The 选项 sheet part with its cells replaced by the lists (inline text: the shared
    strings, which the data sheet uses, stay as they are)."""
    m = _SHEET_DATA.search(xml)
    if m is None:
        raise Unsupported("选项 without sheetData")
    p = (m.group(1) or b"").decode()
    height = max(len(want.kinds), len(want.frameworks))
    rows = []
    for n in range(1, height + 1):
        cells = "".join(
            f'<{p}c r="{col}{n}" t="inlineStr"><{p}is><{p}t xml:space="preserve">'
            f"{xml_text(workbook_text(values[n - 1]))}</{p}t></{p}is></{p}c>"
            for col, values in (("A", want.kinds), ("B", want.frameworks))
            if n <= len(values)
        )
        rows.append(f'<{p}row r="{n}">{cells}</{p}row>')
    data = f"<{p}sheetData>{''.join(rows)}</{p}sheetData>".encode()
    xml = xml[: m.start()] + data + xml[m.end() :]
    return _DIMENSION.sub(lambda d: d.group(1) + f"A1:B{max(height, 1)}".encode(), xml, count=1)


def _check(old: bytes, new: bytes, want: Lists) -> None:
    """Every sheet but 选项 holds the same values, in full, in ``new`` as in ``old``; 选项
    offers ``want``; the sheets and their visibility are as they were."""
    a = python_calamine.load_workbook(io.BytesIO(old))
    b = python_calamine.load_workbook(io.BytesIO(new))
    try:
        if [(m.name, str(m.visible)) for m in a.sheets_metadata] != [
            (m.name, str(m.visible)) for m in b.sheets_metadata
        ]:
            raise Changed(_CHECK_FAILED)
        for name in a.sheet_names:
            after = b.get_sheet_by_name(name).to_python(skip_empty_area=False)
            if name == LIST_SHEET:
                if Lists(_column(after, 0), _column(after, 1)) != want:
                    raise Changed(_CHECK_FAILED)
            elif a.get_sheet_by_name(name).to_python(skip_empty_area=False) != after:
                raise Changed(_CHECK_FAILED)
    finally:
        a.close()
        b.close()


@dataclass
class Refresh:
    """What a refresh did: ``changes`` in words (none: already in step); ``data`` and
    ``written``, the file's bytes before and after when it was rewritten; ``problem``, why it
    was not when it should have been."""

    changes: list[str] = field(default_factory=list)
    data: bytes = b""
    written: bytes | None = None
    problem: str = ""


def refresh(path: Path, want: Lists) -> Refresh:
    """Bring the dropdowns of the roster at ``path`` in step with ``want`` (see the module)."""
    try:
        before = os.stat(path)
        data = path.read_bytes()
        found = inspect(data)
    except Exception:  # an unreadable roster is reported where the roster is read
        return Refresh()
    if found is None:
        return Refresh()
    done = Refresh(differences(found, want), data)
    if not done.changes:
        return done
    done.problem = _not_writable(path)
    if done.problem:
        return done
    try:
        out = rewritten(data, found, want)
        with atomic_path(path) as tmp:
            tmp.write_bytes(out)
            os.chmod(tmp, stat.S_IMODE(before.st_mode))
            if _stamp(os.stat(path)) != _stamp(before):
                raise Changed("项目清单在本次运行期间被保存过")
        done.written = out
    except (OSError, OutputError):
        done.problem = "文件可能正在Excel或WPS中打开，或没有写入权限，或磁盘已满"
    except Changed as exc:
        done.problem = str(exc)
    except Exception:  # a shape not handled here (see Unsupported), or a damaged part
        done.problem = "文件的结构与perfeval生成的不同，无法只改下拉选项"
    return done


def _stamp(st: os.stat_result) -> tuple[int, int, int]:
    return st.st_size, st.st_mtime_ns, st.st_ino


def _not_writable(path: Path) -> str:
    """Why the roster should not be replaced now ('' when it may be)."""
    if not regular_file(path):
        return "项目清单是一个链接（快捷方式），perfeval不替换它"
    if not os.access(path, os.W_OK) or not os.stat(path).st_mode & 0o222:  # root, too
        return "文件设为只读"
    locks = ["~$" + path.name, f".~lock.{path.name}#"]
    if len(path.stem) > 7:  # Excel's owner file of a long name drops its first two characters
        locks.append("~$" + path.name[2:])
    for lock in locks:
        if (path.parent / lock).exists():
            return f"文件正在Excel、WPS或LibreOffice中打开（有“{lock}”）"
    return ""


def refresh_lists(ws: Workspace) -> Refresh:
    """The roster's dropdowns, in step with ``ws``'s frameworks and kinds; what came of it is
    added to ``ws.roster.findings`` (a note when refreshed, a warning when it could not be).
    The roster as read stays valid: the memo and the digest follow the new bytes."""
    s = ws.settings
    path = s.path("roster")
    done = refresh(path, wanted_lists(s, ws.frameworks))
    if not done.changes:
        return done
    where = CellRef(path.name, LIST_SHEET)
    changes = "；".join(done.changes)
    found: Finding
    if done.written is not None:
        if ws.roster.digest == hashlib.sha256(done.data).hexdigest():  # the bytes read before
            memo = ws.folder / ROSTER_MEMO if s.use_cache else None
            ws.roster.remember(done.written, s, ws.frameworks, memo)
        found = finding(Code.ROSTER_LISTS_REFRESHED, where, file=path.name, changes=changes)
    else:
        found = finding(
            Code.ROSTER_LISTS_NOT_REFRESHED,
            where,
            file=path.name,
            changes=changes,
            detail=done.problem,
        )
    ws.roster.findings.append(found)
    return done
