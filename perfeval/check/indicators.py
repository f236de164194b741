"""Rules on the 指标 and 问题与建议 sheets.

Each indicator row filled; scores numeric and within 0…分值; a reason for every score below full
marks; values from the dropdown lists (problem category, qualitative grade, yes/no); and the
department's own indicators in reserved rows named, weighted, and adding up to their group.
Dropdown values are compared normalized (a category typed in other widths or blanks is the
category); messages quote cells as the clerk sees them.
"""

from __future__ import annotations

from decimal import Decimal

from perfeval import layout as L
from perfeval.check import placeholder_text, values
from perfeval.check.catalogue import Code, Finding, finding
from perfeval.check.consistency import check_consistency
from perfeval.config.framework import Framework, Indicator
from perfeval.config.settings import Settings
from perfeval.issue.plan import SheetRow
from perfeval.model import Value
from perfeval.read.parse import as_written, normalize_text
from perfeval.read.rows import resolve_rows
from perfeval.read.submission import IndicatorRow, Submission


def check_indicators(
    sub: Submission,
    fw: Framework,
    rows: dict[str, IndicatorRow],
    settings: Settings,
    item_id: str,
    resolved: list[tuple[SheetRow, Indicator, IndicatorRow]] | None = None,
) -> list[Finding]:
    out: list[Finding] = []
    if resolved is None:
        resolved = resolve_rows(fw, rows)
    for _, ind, row in resolved:
        if ind.custom:
            out += _check_custom(ind, row, item_id)
        found = _check_row(ind, row, settings, item_id)
        out += found
        if not any(f.is_error for f in found):
            out += check_consistency(ind, row, settings, item_id)
    vocab = placeholder_text.vocabulary(settings)
    out += _left_text(resolved, vocab, item_id)
    out += _group_sums(fw, resolved, rows, item_id)
    for prob in sub.problems:
        v = prob.values
        out += _category(v["category"], settings, item_id)
        if v["category"].empty:
            out += values.required_text(v["category"], "问题分类", item_id)
        if v["description"].empty:
            out += values.required_text(v["description"], "问题描述", item_id)
        for key in ("description", "measure"):
            out += placeholder_text.check_text(v[key], L.PROB_COLUMNS[key], item_id, vocab)
        out += values.number(v["amount"], "涉及金额", item_id, required=False)
    for key, label in L.OTHER_FIELDS.items():
        out += _in_list(sub.other[key], label, L.YES_NO, item_id)
    return out


def _category(value: Value, settings: Settings, item_id: str) -> list[Finding]:
    if value.empty:
        return []
    if (
        settings.category(value.parsed) is None
        and settings.category(normalize_text(value.parsed)) is None
    ):
        return [finding(Code.VOCAB_CATEGORY, value.ref, item_id=item_id, value=value.parsed)]
    return []


def _in_list(value: Value, field: str, choices: tuple[str, ...], item_id: str) -> list[Finding]:
    if value.empty or value.parsed in choices or normalize_text(value.parsed) in choices:
        return []  # as picked from the dropdown, or as typed with other widths or spaces
    return [
        finding(
            Code.VOCAB_LIST,
            value.ref,
            item_id=item_id,
            field=field,
            value=value.parsed,
            choices="、".join(choices),
        )
    ]


_TEXTS, _REASON = ("actual", "reason"), ("reason",)


def _left_text(
    resolved: list[tuple[SheetRow, Indicator, IndicatorRow]],
    vocab: placeholder_text.Vocabulary,
    item_id: str,
) -> list[Finding]:
    """Instruction or placeholder text in the rows' free text: each reason, and each 实际完成值
    unless it is computed or a dropdown value checked against its list (a framework's 定性 row)."""
    out: list[Finding] = []
    for _, ind, row in resolved:
        keys = _REASON if ind.computed or (ind.direction == "定性" and not ind.custom) else _TEXTS
        for key in keys:
            value = row.values[key]
            text = value.parsed
            if not text or not isinstance(text, str):
                continue
            fragment = placeholder_text.left_text(text, vocab)
            if fragment is not None:  # the field named only for a finding
                field = f"{ind.name or ind.code}的{L.IND_COLUMNS[key]}"
                out.append(placeholder_text.text_finding(value, field, fragment, item_id))
    return out


def _check_custom(ind: Indicator, row: IndicatorRow, item_id: str) -> list[Finding]:
    """A reserved row in use must name the indicator and give it a positive weight."""
    v = row.values
    label = f"自设指标（{ind.code}）"
    out = values.required_text(v["l3"], f"{label}的三级指标名称", item_id)
    out += values.number(v["weight"], f"{label}的分值", item_id)
    if values.usable_number(v["weight"]) and v["weight"].parsed <= 0:
        out.append(
            finding(
                Code.CELL_NOT_NUMBER,
                v["weight"].ref,
                item_id=item_id,
                field=f"{label}的分值",
                value=as_written(v["weight"].raw),
            )
        )
    out += values.required_text(v["direction"], f"{label}的指标性质", item_id)
    out += values.required_text(v["target"], f"{label}的年度指标值", item_id)
    return out


def _check_row(
    ind: Indicator, row: IndicatorRow, settings: Settings, item_id: str
) -> list[Finding]:
    # about twenty rows per workbook, most of them in order: a field's label is only made, and
    # its rule only called, where a cell's issue or content calls for it (the rules would find
    # nothing otherwise)
    out: list[Finding] = []
    v = row.values
    name = ind.name or ind.code
    if not ind.custom and not ind.approved:  # an approved target's gaps are its own findings
        for key, label in (("direction", "指标性质"), ("target", "年度指标值")):
            if not getattr(ind, key) and v[key].issue is not None:
                out += values.required_text(v[key], f"{name}的{label}", item_id)
    direction = v["direction"]
    if not direction.empty and direction.parsed not in L.DIRECTION_CHOICES:
        out += _in_list(direction, f"{name}的指标性质", L.DIRECTION_CHOICES, item_id)
    out += _category(v["category"], settings, item_id)
    if ind.computed:
        return out
    actual, score_cell = v["actual"], v["score"]
    if actual.issue is not None:
        out += values.required_text(actual, f"{name}的实际完成值", item_id)
    if ind.direction == "定性" and not ind.custom and actual.parsed not in settings.qualitative:
        out += _in_list(actual, f"{name}的实际完成值", settings.qualitative, item_id)
    if score_cell.issue is not None:
        out += values.number(score_cell, f"{name}的得分", item_id)
    if not values.usable_number(score_cell) or (ind.custom and ind.weight <= 0):
        return out
    score: Decimal = score_cell.parsed
    if score < 0 or score > ind.weight:
        out.append(
            finding(
                Code.SCORE_OUT_OF_RANGE,
                score_cell.ref,
                item_id=item_id,
                name=name,
                score=as_written(score_cell.raw),
                weight=ind.weight,
            )
        )
    elif score < ind.weight and v["reason"].empty:
        out.append(
            finding(
                Code.SCORE_REASON_MISSING,
                v["reason"].ref,
                item_id=item_id,
                name=name,
                score=as_written(score_cell.raw),
                weight=ind.weight,
            )
        )
    return out


def _group_sums(
    fw: Framework,
    resolved: list[tuple[SheetRow, Indicator, IndicatorRow]],
    rows: dict[str, IndicatorRow],
    item_id: str,
) -> list[Finding]:
    """Under a group with reserved rows, fixed and own weights must add up to the group's."""
    out: list[Finding] = []
    for group in fw.level2:
        if not group.reserved:
            continue
        mine = [(spec, ind, row) for spec, ind, row in resolved if spec.group.code == group.code]
        total = sum((ind.weight for _, ind, _ in mine), Decimal(0))
        if total == group.weight:
            continue
        custom = [row for _, ind, row in mine if ind.custom]
        first = custom[0] if custom else rows.get(L.custom_code(group.code, 1))
        if first is None:  # the reserved rows were deleted; reported as tampering already
            continue
        ref = first.values["weight"].ref
        out.append(
            finding(
                Code.SCORE_GROUP_SUM,
                ref,
                item_id=item_id,
                name=group.name,
                weight=group.weight,
                total=total,
            )
        )
    return out
