"""Is this workbook the one we issued, for this item, this year, unchanged where it is locked?

The identity sheet names the roster item and carries a fingerprint of the locked cells at issue
time. If the locked cells still match the fingerprint, any difference from today's roster or
framework means *the bureau's* data changed after issue (PE-ID-009), not that the clerk tampered.

Locked text is compared in its normalized form (:func:`perfeval.layout.canon`: a width or a blank
is no change), on both sides of the fingerprint and against today's roster and framework; the
framework is identified by its :attr:`~.Framework.issue_hash`, made the same
way. Messages quote both sides as written.
"""

from __future__ import annotations

from dataclasses import dataclass

from perfeval import layout as L
from perfeval.check.catalogue import Code, Finding, finding
from perfeval.config.framework import Framework
from perfeval.config.roster import RosterItem
from perfeval.config.settings import Settings
from perfeval.config.workspace import Workspace
from perfeval.issue.plan import info_locked_pairs, locked_pairs, sheet_rows
from perfeval.model import CellRef, Value
from perfeval.numbers import fmt_money
from perfeval.read.parse import as_written
from perfeval.read.submission import IndicatorRow, Submission


@dataclass
class Identity:
    """What a submission resolved to; ``rows`` maps indicator code -> its row in the workbook."""

    item: RosterItem | None = None
    framework: Framework | None = None
    rows: dict[str, IndicatorRow] | None = None


def check_identity(sub: Submission, ws: Workspace) -> tuple[list[Finding], Identity]:
    out: list[Finding] = []
    ident = sub.identity
    info_ref = CellRef(sub.file, L.SHEET_INFO)
    version = ident.get("template_version", "")
    if version not in L.READABLE_VERSIONS:
        out.append(
            finding(
                Code.FILE_TEMPLATE_VERSION,
                info_ref,
                found=version or "未知",
                expected=L.TEMPLATE_VERSION,
            )
        )
        return out, Identity()
    year_value = sub.info["year"]
    if ident.get("year") != str(ws.settings.year):
        out.append(
            finding(
                Code.ID_WRONG_YEAR,
                year_value.ref,
                found=ident.get("year", "未知"),
                expected=ws.settings.year,
            )
        )
        return out, Identity()
    item_id = ident.get("item_id", "")
    item = ws.roster.get(item_id)
    if item is None:
        out.append(finding(Code.ID_UNKNOWN_ITEM, sub.info["item_id"].ref, item_id=item_id))
        return out, Identity()
    fw = ws.framework_for(item)
    if (
        fw is None
        or ident.get("framework_id") != fw.id
        or ident.get("framework_hash") != fw.issue_hash
    ):
        found = ident.get("framework_id", "未知")
        if fw is not None and ident.get("framework_id") == fw.id:
            found = f"{fw.name}（下发后已修改）"
        out.append(
            finding(
                Code.ID_FRAMEWORK_MISMATCH,
                sub.info["framework"].ref,
                item_id=item_id,
                found=found,
                expected=fw.name if fw else item.framework_id,
            )
        )
        return out, Identity(item=item)
    rows, row_findings = _indicator_rows(sub, fw, item_id)
    out += row_findings
    out += _locked_values(sub, item, fw, rows, ws.settings)
    return out, Identity(item=item, framework=fw, rows=rows)


def _indicator_rows(
    sub: Submission, fw: Framework, item_id: str
) -> tuple[dict[str, IndicatorRow], list[Finding]]:
    out: list[Finding] = []
    rows: dict[str, IndicatorRow] = {}
    known = {r.code for r in sheet_rows(fw)}
    for row in sub.indicators:
        if row.code in rows:
            out.append(
                finding(
                    Code.ID_INDICATOR_DUPLICATE,
                    row.values["code"].ref,
                    item_id=item_id,
                    code=as_written(row.values["code"].raw),
                    other=rows[row.code].row,
                )
            )
        elif row.code not in known:
            out.append(
                finding(
                    Code.ID_INDICATOR_UNKNOWN,
                    row.values["code"].ref,
                    item_id=item_id,
                    code=as_written(row.values["code"].raw) or "（空）",
                )
            )
        else:
            rows[row.code] = row
    for ind in fw.leaves:
        if ind.code not in rows:
            out.append(
                finding(
                    Code.ID_INDICATOR_MISSING,
                    CellRef(sub.file, L.SHEET_INDICATORS),
                    item_id=item_id,
                    code=ind.code,
                    name=ind.name,
                )
            )
    return rows, out


LABELS = {k: L.IND_COLUMNS[k] for k in ("l1", "l2", "l3", "weight", "direction", "target", "unit")}


_PAIRS: dict[tuple[str, str], tuple[tuple[str, object, str, str, str, str], ...]] = {}


def _framework_pairs(fw: Framework) -> tuple[tuple[str, object, str, str, str, str], ...]:
    """(key, value as issued, its canonical text, label, code, column) of every locked 指标
    cell; once per framework."""
    cache_key = (fw.id, fw.content_hash)
    if cache_key not in _PAIRS:
        out = []
        for key, value in locked_pairs(fw):
            code, _, col = key.rpartition(".")
            out.append((key, value, L.canon(value), f"{code} {LABELS[col]}", code, col))
        _PAIRS[cache_key] = tuple(out)
    return _PAIRS[cache_key]


def _same(issued: object, canonical: str | None, parsed: object) -> bool:
    """Does a locked cell still hold what was issued? Read back as written (the common case: no
    work), in the canonical form, or else compared canonically (``canonical`` is made from
    ``issued`` when not given)."""
    if parsed == issued:
        return True
    if canonical is None:
        canonical = L.canon(issued)
    return parsed == canonical or L.canon(parsed) == canonical


def _shown(value: object) -> str:
    """What was issued, in a message: text as written, a number as the cell shows it."""
    return (value.strip() if isinstance(value, str) else L.canon(value)) or "（空）"


def _found(value: Value) -> str:
    """What a locked cell holds now, in a message: as the clerk sees it."""
    return as_written(value.raw) or "（空）"


def _locked_values(
    sub: Submission,
    item: RosterItem,
    fw: Framework,
    rows: dict[str, IndicatorRow],
    settings: Settings,
) -> list[Finding]:
    """Compare every locked cell with what perfeval issued for today's roster and framework."""
    expected: list[tuple[str, object, Value, str]] = []  # key, expected, value read, label
    cells = {
        **sub.info,
        "budget": sub.money[("total", "budget")],
        "executed": sub.money[("total", "executed")],
    }
    labels = {**L.INFO_FIELDS, "budget": "全年预算数", "executed": "全年执行数"}
    for key, want in info_locked_pairs(item, fw, settings):
        expected.append((key, want, cells[key], labels[key]))
    read_pairs: list[tuple[str, object]] = [(k, v.parsed) for k, _, v, _ in expected]
    differ = [(k, w, got, label) for k, w, got, label in expected if not _same(w, None, got.parsed)]
    found_rows = []  # (key, read value) of the locked 指标 cells, for the fingerprint
    for key, issued, canonical, label, code, col in _framework_pairs(fw):
        row = rows.get(code)
        if row is None:
            continue
        got = row.values[col]
        found_rows.append((key, got))
        if not _same(issued, canonical, got.parsed):
            differ.append((key, issued, got, label))
    if not differ:  # the common case: no fingerprint needed
        return []
    read_pairs += [(key, got.parsed) for key, got in found_rows]
    untouched = L.fingerprint(sub.identity, read_pairs) == sub.identity.get("fingerprint")
    out: list[Finding] = []
    for key, want, got, label in differ:
        if untouched:
            out.append(
                finding(
                    Code.ID_ROSTER_CHANGED,
                    got.ref,
                    item_id=item.item_id,
                    field=label,
                    found=_found(got),
                    expected=_shown(want),
                )
            )
        elif key in ("budget", "executed"):
            out.append(
                finding(
                    Code.MONEY_BUDGET_CHANGED,
                    got.ref,
                    item_id=item.item_id,
                    field=label,
                    found=fmt_money(got.parsed)
                    if got.parsed is not None and not isinstance(got.parsed, str)
                    else _found(got),
                    expected=fmt_money(want),
                )
            )
        elif key.endswith(".weight"):
            ind = fw.by_code(key.rpartition(".")[0])
            out.append(
                finding(
                    Code.SCORE_WEIGHT_CHANGED,
                    got.ref,
                    item_id=item.item_id,
                    name=ind.name if ind else label,
                    expected=_shown(want),
                    found=_found(got),
                )
            )
        else:
            out.append(
                finding(
                    Code.ID_LOCKED_CHANGED,
                    got.ref,
                    item_id=item.item_id,
                    field=label,
                    expected=_shown(want),
                    found=_found(got),
                )
            )
    return out
