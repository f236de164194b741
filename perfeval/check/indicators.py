"""Rules on the 指标 and 问题与建议 sheets.

Each indicator row filled, scores numeric and within 0…分值, a reason for every score below full
marks, problem categories from the vocabulary.
"""

from __future__ import annotations

from decimal import Decimal

from perfeval.check import values
from perfeval.check.catalogue import Code, Finding, finding
from perfeval.framework import Framework, Indicator
from perfeval.read.parse import normalize_text
from perfeval.read.submission import IndicatorRow, Submission
from perfeval.settings import Settings


def check_indicators(
    sub: Submission, fw: Framework, rows: dict[str, IndicatorRow], settings: Settings, item_id: str
) -> list[Finding]:
    out: list[Finding] = []
    for ind in fw.leaves:
        row = rows.get(ind.code)
        if row is not None:
            out += _check_row(ind, row, settings, item_id)
    for prob in sub.problems:
        out += _category(prob.values["category"], settings, item_id)
        if prob.values["category"].empty:
            out += values.required_text(prob.values["category"], "问题分类", item_id)
        if prob.values["description"].empty:
            out += values.required_text(prob.values["description"], "问题描述", item_id)
        out += values.number(prob.values["amount"], "涉及金额", item_id, required=False)
    return out


def _category(value, settings: Settings, item_id: str) -> list[Finding]:
    if value.empty:
        return []
    text = normalize_text(value.parsed)
    if settings.category(text) is None:
        return [finding(Code.VOCAB_CATEGORY, value.ref, item_id=item_id, value=text)]
    return []


def _check_row(
    ind: Indicator, row: IndicatorRow, settings: Settings, item_id: str
) -> list[Finding]:
    out: list[Finding] = []
    v = row.values
    name = ind.name
    for key, label in (("direction", "指标性质"), ("target", "年度指标值"), ("unit", "计量单位")):
        if not getattr(ind, key) and key != "unit":
            out += values.required_text(v[key], f"{name}的{label}", item_id)
    out += _category(v["category"], settings, item_id)
    if ind.computed:
        return out
    out += values.required_text(v["actual"], f"{name}的实际完成值", item_id)
    score_findings = values.number(v["score"], f"{name}的得分", item_id)
    out += score_findings
    if not values.usable_number(v["score"]):
        return out
    score: Decimal = v["score"].parsed
    if score < 0 or score > ind.weight:
        out.append(
            finding(
                Code.SCORE_OUT_OF_RANGE,
                v["score"].ref,
                item_id=item_id,
                name=name,
                score=normalize_text(v["score"].raw),
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
                score=normalize_text(v["score"].raw),
                weight=ind.weight,
            )
        )
    return out
