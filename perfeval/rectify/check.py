"""Reading and checking returned 整改台账 (整改/回收/): every finding in one pass, on its cell.

A ledger is recognised by its hidden sheet, not its name: region, year and unit there must be
this folder's follow-up (the region's previous year). Each row is matched to the archived
problem it was issued for. A file that cannot be read is one finding; the others go on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from perfeval.check.catalogue import Code, Finding, finding
from perfeval.config.workspace import Workspace
from perfeval.model import CellRef
from perfeval.read.cells import Book, Grid
from perfeval.read.container import inspect_file
from perfeval.read.parse import as_written, parse_date
from perfeval.rectify import ledger as L
from perfeval.rectify.issue import RETURNED, deadline


@dataclass(frozen=True)
class LedgerRow:
    """One problem's follow-up as the unit wrote it."""

    file: str
    unit: str
    item_id: str
    seq: int
    row: int
    values: dict[str, str]  # column key -> text as written
    when: dt.date | None  # 整改时限 read as a date
    status: str  # one of STATUSES, or '' when missing or unknown

    def ref(self, key: str) -> CellRef:
        return CellRef(self.file, L.SHEET, f"{L.letter(key)}{self.row}")


@dataclass
class Ledgers:
    rows: list[LedgerRow]
    findings: list[Finding]
    files: int


def ledger_files(ws: Workspace) -> list[Path]:
    folder = ws.folder / RETURNED
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*.xlsx") if p.is_file() and not p.name.startswith("~$"))


def read_ledgers(ws: Workspace) -> Ledgers:
    s = ws.settings
    code = str(s.raw["evaluation"].get("region_code", "")).strip()
    expected = s.year - 1
    limit = deadline(s)
    out = Ledgers([], [], 0)
    units: dict[str, str] = {}
    for path in ledger_files(ws):
        out.files += 1
        name = path.relative_to(ws.folder).as_posix()
        inspected = inspect_file(path, name, s.max_file_bytes, s.max_uncompressed_bytes)
        if inspected.data is None:
            out.findings += [inspected.finding] if inspected.finding else []
            continue
        try:
            with Book(inspected.data) as book:
                if L.ID_SHEET not in book.sheet_names or L.SHEET not in book.sheet_names:
                    out.findings.append(finding(Code.RECT_NOT_LEDGER, CellRef(name)))
                    continue
                facts = _facts(book.grid(L.ID_SHEET))
                grid = book.grid(L.SHEET)
        except Exception as exc:  # calamine's own error types
            why = str(exc).splitlines()[0][:100] if str(exc) else type(exc).__name__
            out.findings.append(
                finding(Code.FILE_UNREADABLE, CellRef(name), detail=f"文件内部结构损坏；{why}")
            )
            continue
        if facts.get("kind") != L.KIND:
            out.findings.append(finding(Code.RECT_NOT_LEDGER, CellRef(name)))
            continue
        if facts.get("region_code") != code or facts.get("year") != str(expected):
            out.findings.append(
                finding(
                    Code.RECT_OTHER_LEDGER,
                    CellRef(name),
                    code=facts.get("region_code", ""),
                    year=facts.get("year", ""),
                    expected_code=code,
                    expected=expected,
                )
            )
            continue
        unit = facts.get("unit", "")
        if unit in units:
            out.findings.append(
                finding(Code.RECT_TWICE, CellRef(name), unit=unit, first=units[unit])
            )
            continue
        units[unit] = name
        for row, problem in _problems(facts):
            found = _row(grid, name, unit, row, problem, limit, out.findings)
            out.rows.append(found)
    return out


def _facts(grid: Grid) -> dict[str, str]:
    return {as_written(r[0]): as_written(r[1]) for r in grid.rows if len(r) >= 2 and r[0]}


def _problems(facts: dict[str, str]) -> list[tuple[int, tuple[str, int]]]:
    out = []
    for key, value in facts.items():
        if key.startswith("row") and "#" in value:
            item_id, _, seq = value.rpartition("#")
            out.append((int(key[3:]), (item_id, int(seq))))
    return sorted(out)


def _row(grid, name, unit, row, problem, limit, findings) -> LedgerRow:
    values = {key: as_written(grid.get(row, L.column(key))) for key in L.COLUMNS}
    when = parse_date(grid.get(row, L.column("deadline"))).value
    result = LedgerRow(name, unit, problem[0], problem[1], row, values, None, "")
    status = values["status"].strip()
    what = values["description"] or values["name"]
    if not status:
        findings.append(
            finding(
                Code.RECT_STATUS_MISSING,
                result.ref("status"),
                name=values["name"],
                description=what,
            )
        )
    elif status not in L.STATUSES:
        findings.append(finding(Code.RECT_STATUS_UNKNOWN, result.ref("status"), value=status))
        status = ""
    if status and status != "已完成" and not values["progress"].strip():
        findings.append(
            finding(
                Code.RECT_PROGRESS_MISSING,
                result.ref("progress"),
                description=what,
                status=status,
            )
        )
    if status == "已完成" and not values["evidence"].strip():
        findings.append(finding(Code.RECT_NO_EVIDENCE, result.ref("evidence"), description=what))
    if not isinstance(when, dt.date):
        when = None
        if values["deadline"] or (status and status != "已完成"):
            findings.append(
                finding(Code.RECT_DEADLINE_BAD, result.ref("deadline"), value=values["deadline"])
            )
    elif when > limit:
        findings.append(
            finding(
                Code.RECT_DEADLINE_LATE,
                result.ref("deadline"),
                date=f"{when:%Y年%m月%d日}",
                deadline=f"{limit:%Y年%m月%d日}",
            )
        )
    return LedgerRow(name, unit, problem[0], problem[1], row, values, when, status)
