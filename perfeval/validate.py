"""Validate every returned workbook in one pass: read, check, and score the clean ones.

A bad file costs one finding, never the run. The result keeps every finding (roster, files,
cross-file) and an :class:`~perfeval.score.ItemScore` for each workbook without errors, which is
what aggregation and the report use.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from perfeval import layout as L
from perfeval.check import values
from perfeval.check.catalogue import Code, Finding, Severity, finding
from perfeval.check.identity import Identity, check_identity
from perfeval.check.indicators import check_indicators
from perfeval.check.money import check_money
from perfeval.check.roster_rules import roster_rules
from perfeval.model import CellRef
from perfeval.read.container import is_lock_file
from perfeval.read.submission import ReadResult, read_submission
from perfeval.score import ItemScore, score_item
from perfeval.workspace import Workspace

log = logging.getLogger(__name__)


@dataclass
class FileResult:
    file: str
    sha256: str
    findings: list[Finding]
    identity: Identity = field(default_factory=Identity)
    score: ItemScore | None = None
    readable: bool = False  # opened as one of our workbooks (an annotated copy can be made)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.is_error)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.WARNING)


@dataclass
class ValidationResult:
    files: list[FileResult]
    roster_findings: list[Finding]

    @property
    def findings(self) -> list[Finding]:
        out = list(self.roster_findings)
        for f in self.files:
            out += f.findings
        return out

    @property
    def has_errors(self) -> bool:
        return any(f.is_error for f in self.findings)

    @property
    def scores(self) -> list[ItemScore]:
        return [f.score for f in self.files if f.score is not None]


def returned_files(folder: Path) -> list[tuple[Path, str]]:
    """Every file under the returned folder, with the name shown to users (relative path)."""
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_file() and not (path.name.startswith(".") and not is_lock_file(path.name)):
            found.append((path, rel))
    return found


def check_file(read: ReadResult, ws: Workspace) -> FileResult:
    """All checks for one read workbook; scores it when no error was found."""
    result = FileResult(read.file, read.sha256, list(read.findings))
    sub = read.submission
    if sub is None:
        return result
    result.readable = True
    found, ident = check_identity(sub, ws)
    result.findings += found
    result.identity = ident
    if ident.item is None or ident.framework is None or ident.rows is None:
        return result
    iid = ident.item.item_id
    result.findings = [_with_item(f, iid) for f in result.findings]
    result.findings += check_indicators(sub, ident.framework, ident.rows, ws.settings, iid)
    rate_row = next(
        (ident.rows[i.code] for i in ident.framework.leaves if i.computed and i.code in ident.rows),
        None,
    )
    rate_reason = rate_row.values["reason"] if rate_row else None
    result.findings += check_money(sub, ident.item, ws.settings, rate_reason)
    result.findings += _filled_on(sub, iid)
    result.findings += values.required_text(
        sub.narrative["overview"], L.NARRATIVE_FIELDS["overview"], iid
    )
    if not any(f.is_error for f in result.findings):
        result.score = score_item(sub, ident.item, ident.framework, ident.rows, ws.settings)
        result.findings += _total_mismatch(sub, result.score, ws)
    return result


def _filled_on(sub, item_id: str) -> list[Finding]:
    value = sub.contact["filled_on"]
    if value.issue == "not_number":
        return [
            finding(
                Code.CELL_BAD_DATE,
                value.ref,
                item_id=item_id,
                field=L.CONTACT_FIELDS["filled_on"],
                value=str(value.raw),
            )
        ]
    return []


def _with_item(f: Finding, item_id: str) -> Finding:
    if f.item_id:
        return f
    return Finding(f.code, f.severity, f.file, f.sheet, f.cell, f.message, f.hint, item_id)


def _total_mismatch(sub, score: ItemScore, ws: Workspace) -> list[Finding]:
    """Compare the workbook's own formula total (when a viewer cached one) with ours."""
    cached = sub.cached.get("total")
    if cached is None or not values.usable_number(cached):
        return []
    if abs(cached.parsed - score.total) <= ws.settings.score_tolerance:
        return []
    return [
        finding(
            Code.SCORE_TOTAL_MISMATCH,
            cached.ref,
            item_id=score.item.item_id,
            what="总分",
            found=cached.parsed,
            expected=score.total,
        )
    ]


def validate(ws: Workspace) -> ValidationResult:
    s = ws.settings
    results: list[FileResult] = []
    for path, name in returned_files(s.path("returned")):
        try:
            read = read_submission(path, name, s.max_file_bytes, s.max_uncompressed_bytes)
            results.append(check_file(read, ws))
        except Exception as exc:  # a bug or an unforeseen file must not stop the run
            log.exception("unexpected failure on %s", name)
            results.append(
                FileResult(
                    name,
                    "",
                    [
                        finding(
                            Code.FILE_UNREADABLE,
                            CellRef(name),
                            detail=f"处理时发生意外错误：{type(exc).__name__}",
                        )
                    ],
                )
            )
    _duplicates(results)
    returned = {r.identity.item.item_id for r in results if r.identity.item is not None}
    return ValidationResult(results, list(ws.roster.findings) + roster_rules(ws, returned))


def _duplicates(results: list[FileResult]) -> None:
    by_item: dict[str, list[FileResult]] = defaultdict(list)
    for r in results:
        if r.identity.item is not None:
            by_item[r.identity.item.item_id].append(r)
    for item_id, group in by_item.items():
        if len(group) < 2:
            continue
        for r in group:
            others = "、".join(o.file for o in group if o is not r)
            r.findings.append(
                finding(Code.ID_DUPLICATE_ITEM, CellRef(r.file), item_id=item_id, other=others)
            )
            r.score = None
