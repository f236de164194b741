"""Annotated copies to send back to departments (退回修改/).

By default (``[run] annotated_copy = "mark"``) the copy is the department's own file, patched at
the zip/XML level (:mod:`perfeval.render.patch`): a first sheet 校验问题 listing every finding, and
a red highlight plus a comment on each cell with a finding (merged into the sheet's comments when
it has some, such as the template's hints on 基本信息). It keeps exactly what they sent and takes a
few milliseconds. A file of a shape the patch does not handle (threaded comments, a copy sent back
again, an unusual XML form) falls back to the slower paths below.

With ``annotated_copy = "reissue"`` (and as the fallback), a workbook that is ours and matches its
roster item is issued again, with every value the department typed in its input cells and the same
notes: dropdowns, protection and formulas come back intact even if their office suite damaged
them. A workbook whose identity or locked cells are in question is copied from the department's
file with openpyxl and annotated there (:mod:`perfeval.render.annotate`), so they see exactly what
they sent.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from perfeval import layout as L
from perfeval.check.catalogue import Finding
from perfeval.check.workbook import FileOutcome
from perfeval.config.workspace import Workspace
from perfeval.issue.annotations import Annotations
from perfeval.issue.overlay import Key, Overlay
from perfeval.issue.workbook import issue_workbook
from perfeval.read.submission import Submission
from perfeval.render.annotate import write_annotated
from perfeval.render.patch import patch_annotated

log = logging.getLogger(__name__)

#: findings about the bureau's side, not the department's: no copy is sent back for these alone
BUREAU_SIDE = {"PE-ID-009"}
#: findings about identity, structure or locked cells: annotate the department's own file
KEEP_THEIR_FILE_PREFIXES = ("PE-FILE-", "PE-ID-")
KEEP_THEIR_FILE = {"PE-MONEY-001", "PE-SCORE-003"}
INPUT_KEYS = (
    "direction",
    "target",
    "unit",
    "l3",
    "weight",
    "actual",
    "score",
    "reason",
    "category",
)


def needs_copy(findings: list[Finding]) -> bool:
    return any(f.is_error and f.code not in BUREAU_SIDE for f in findings)


def _keys_by_cell(sub: Submission) -> dict[tuple[str, str], tuple[Key, object]]:
    """(sheet, cell) -> (logical key, raw value) for every value read from the workbook."""
    out: dict[tuple[str, str], tuple[Key, object]] = {}

    def add(key: Key, value) -> None:
        ref = value.ref
        out[(ref.sheet, ref.cell)] = (key, value.raw)

    for key, value in sub.info.items():
        add(("info", key), value)
    for (row_key, col_key), value in sub.money.items():
        add(("money", row_key, col_key), value)
    for group in ("narrative", "other", "contact"):
        for key, value in getattr(sub, group).items():
            add((group, key), value)
    if sub.adjustment is not None:
        add(("adjustment",), sub.adjustment)
    if "total" in sub.cached:
        add(("cached", "total"), sub.cached["total"])
    for row in sub.indicators:
        for key, value in row.values.items():
            add(("ind", row.code, key), value)
    for prob in sub.problems:
        for key, value in prob.values.items():
            add(("prob", str(prob.row - L.PROB_FIRST_ROW), key), value)
    return out


def annotations_for(sub: Submission, findings: list[Finding]) -> Annotations:
    cells = _keys_by_cell(sub)
    overlay = Overlay()
    for key, raw in cells.values():
        editable = (
            key[0] in ("narrative", "other", "contact", "prob", "adjustment")
            or (key[0] == "money" and key[1:] != ("total", "budget") and key[2] != "rate")
            or (key[0] == "ind" and key[2] in INPUT_KEYS)
        )
        if editable and raw not in (None, ""):
            overlay.values[key] = raw
    notes = Annotations(overlay)
    for f in findings:
        key = cells.get((f.sheet, f.cell), (None, None))[0] if f.cell else None
        notes.findings.append((f, key))
    return notes


def write_late_copy(source: Path, findings: list[Finding], target: Path) -> Path | None:
    """The copy of a workbook returned twice, made in the main process once the cross-file rule
    has added that finding (the worker wrote its copy before it: without it, or none when it
    was the only error). Their own file, patched, else annotated with openpyxl."""
    if not needs_copy(findings):
        return None
    try:
        data = source.read_bytes()
    except OSError:
        return None
    return patch_annotated(data, findings, target) or write_annotated(source, findings, target)


def write_return(
    source: Path,
    sub: Submission | None,
    outcome: FileOutcome,
    ws: Workspace,
    target: Path,
    data: bytes | None = None,
) -> Path | None:
    """Write the annotated copy of one workbook with errors; None when none is due. ``data``
    is the file as it was read and checked (otherwise ``source`` is read again)."""
    if sub is None or not outcome.readable or not needs_copy(outcome.findings):
        return None
    item = ws.roster.get(outcome.item_id) if outcome.item_id else None
    fw = ws.framework_for(item) if item else None
    theirs = any(
        f.code.startswith(KEEP_THEIR_FILE_PREFIXES) or f.code in KEEP_THEIR_FILE
        for f in outcome.findings
        if f.is_error
    )
    if ws.settings.annotated_copy == "mark":
        if data is None:
            try:
                data = source.read_bytes()
            except OSError:
                data = None
        if data is not None and patch_annotated(data, outcome.findings, target):
            return target
        log.debug("annotated copy of %s: falling back to the slow path", source.name)
    if item is None or fw is None or theirs:
        return write_annotated(source, outcome.findings, target)
    try:
        issued_at = dt.datetime.fromisoformat(sub.identity.get("issued_at", ""))
    except ValueError:
        issued_at = None
    return issue_workbook(
        target, item, fw, ws.settings, issued_at, annotations=annotations_for(sub, outcome.findings)
    )
