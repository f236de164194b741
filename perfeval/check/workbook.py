"""Every check on one returned workbook, producing a :class:`FileOutcome` of plain data.

This is what a worker process runs per file and what the cache stores (encoded by
machinery.outcome_codec): findings, the roster item the workbook belongs to, and (when no
error was found) its packed score.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from perfeval import layout as L
from perfeval.check import placeholder_text, values
from perfeval.check.catalogue import Code, Finding, finding
from perfeval.check.identity import check_identity
from perfeval.check.indicators import check_indicators
from perfeval.check.money import check_money
from perfeval.config.workspace import Workspace
from perfeval.machinery.score_pack import pack
from perfeval.model import CellRef
from perfeval.read.parse import as_written
from perfeval.read.rows import resolve_rows
from perfeval.read.submission import ReadResult, Submission
from perfeval.score import ItemScore, score_item


@dataclass
class FileOutcome:
    """What checking one workbook produced. Plain data: crosses processes, goes in the cache."""

    file: str
    sha256: str
    findings: list[Finding] = field(default_factory=list)
    item_id: str | None = None
    readable: bool = False  # opened as one of our workbooks (an annotated copy can be made)
    packed: bytes | None = None  # the score (see score_pack.pack), when no error was found
    total: str = ""  # the score's total and grade, for lists that need no full score
    grade: str = ""
    cacheable: bool = True  # False for a timeout or memory limit: they depend on the machine
    failure: str = ""  # why reading it failed, when its worker crashed, hung or ran out of memory


def failed(name: str, why: str) -> FileOutcome:
    """Stand-in outcome for a file whose reading crashed, hung or ran out of memory ("crash",
    "timeout", "memory"), or crashed on cells far outside any issued workbook ("far")."""
    detail = {
        "crash": "读取时程序异常退出",
        "timeout": "读取超时",
        "memory": "读取时内存超出限制",
        "far": "表格中有超出正常范围的单元格",
    }.get(why, why)
    return FileOutcome(
        name,
        "",
        cacheable=why in ("crash", "far"),  # the same bytes crash the same reader again
        failure=why,
        findings=[
            finding(
                Code.FILE_UNREADABLE,
                CellRef(name),
                detail=f"{detail}，文件可能已损坏或含有异常内容",
            )
        ],
    )


def check_file(read: ReadResult, ws: Workspace) -> FileOutcome:
    """All checks for one read workbook; scores it when no error was found."""
    out = FileOutcome(read.file, read.sha256, list(read.findings))
    sub = read.submission
    if sub is None:
        return out
    out.readable = True
    found, ident = check_identity(sub, ws)
    out.findings += found
    out.item_id = ident.item.item_id if ident.item is not None else None
    if ident.item is None or ident.framework is None or ident.rows is None:
        return out
    iid = ident.item.item_id
    out.findings = [f if f.item_id else dataclasses.replace(f, item_id=iid) for f in out.findings]
    resolved = resolve_rows(ident.framework, ident.rows)
    out.findings += check_indicators(sub, ident.framework, ident.rows, ws.settings, iid, resolved)
    rate_row = next(
        (ident.rows[i.code] for i in ident.framework.leaves if i.computed and i.code in ident.rows),
        None,
    )
    rate_reason = rate_row.values["reason"] if rate_row else None
    out.findings += check_money(sub, ident.item, ws.settings, rate_reason)
    out.findings += _filled_on(sub, iid)
    out.findings += values.required_text(
        sub.narrative["overview"], L.NARRATIVE_FIELDS["overview"], iid
    )
    out.findings += _left_text(sub, ws, iid)
    if not any(f.is_error for f in out.findings):
        score = score_item(sub, ident.item, ident.framework, resolved, ws.settings)
        out.findings += _total_mismatch(sub, score, ws)
        # packed once here: it crosses the process boundary, goes into the cache and waits in
        # the parent as ~1.3 KB of JSON instead of hundreds of small objects
        out.packed = pack(score)
        out.total, out.grade = str(score.total), score.grade.name
    return out


def _filled_on(sub: Submission, item_id: str) -> list[Finding]:
    value = sub.contact["filled_on"]
    if value.issue == "not_number":
        return [
            finding(
                Code.CELL_BAD_DATE,
                value.ref,
                item_id=item_id,
                field=L.CONTACT_FIELDS["filled_on"],
                value=as_written(value.raw),
            )
        ]
    return []


def _left_text(sub: Submission, ws: Workspace, item_id: str) -> list[Finding]:
    """Instruction or placeholder text in 基本信息's free text (the 指标 and 问题与建议 sheets'
    is checked with their rows)."""
    vocab = placeholder_text.vocabulary(ws.settings)
    cells = [(sub.narrative[key], label) for key, label in L.NARRATIVE_FIELDS.items()]
    if sub.adjustment is not None:  # not in version 1 workbooks
        cells.append((sub.adjustment, L.ADJUSTMENT_LABEL))
    out: list[Finding] = []
    for value, label in cells:
        out += placeholder_text.check_text(value, label, item_id, vocab)
    return out


def _total_mismatch(sub: Submission, score: ItemScore, ws: Workspace) -> list[Finding]:
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
