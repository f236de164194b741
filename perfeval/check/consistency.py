"""Does a row's score agree with its target and actual value?

Warnings, not errors, because evaluators may have reasons; each says what looks inconsistent:
full marks although the target was missed, full marks with a reason saying it was not done. One
error: a rate such as 满意度 above 100%.
"""

from __future__ import annotations

import re
from decimal import Decimal

from perfeval.check.catalogue import Code, Finding, finding
from perfeval.check.reference import comparable, reference_score
from perfeval.config.framework import Indicator
from perfeval.config.settings import Settings
from perfeval.read.parse import normalize_text, remembered
from perfeval.read.submission import IndicatorRow

_ONE_NUMBER = re.compile(r"^[≥≤=<>]?\s*([+-]?\d+(?:\.\d+)?)\s*(%?)[^\d]*$")
MISSED_GRADES = ("部分达成", "未达成")


#: targets, actual values and indicator names repeat across a framework's workbooks
_NUMBERS: dict[str, tuple[Decimal, bool] | None] = {}
_CAPPED: dict[tuple[str, tuple[str, ...]], bool] = {}


def single_number(text: str) -> tuple[Decimal, bool] | None:
    """(number, is_percent) when the text holds exactly one number, such as '≥32人' or '95.5%'."""
    return remembered(_NUMBERS, text, _single_number)


def _single_number(text: str) -> tuple[Decimal, bool] | None:
    match = _ONE_NUMBER.match(normalize_text(text).replace(",", ""))
    return None if match is None else (Decimal(match.group(1)), bool(match.group(2)))


def _capped(name: str, settings: Settings) -> bool:
    """Is this indicator a rate that cannot exceed 100% (满意度…)? Once per name and word list."""
    return remembered(_CAPPED, (name, settings.percent_capped), _names_a_capped_rate)


def _names_a_capped_rate(key: tuple[str, tuple[str, ...]]) -> bool:
    name, words = key
    name = normalize_text(name)  # compared: names are kept as written
    return any(normalize_text(word) in name for word in words)


def _target_missed(direction: str, target: Decimal, actual: Decimal) -> bool:
    if direction == "≥":
        return actual < target
    if direction == ">":
        return actual <= target
    if direction == "≤":
        return actual > target
    if direction == "<":
        return actual >= target
    if direction == "=":
        return actual != target
    return False


def check_consistency(
    ind: Indicator, row: IndicatorRow, settings: Settings, item_id: str
) -> list[Finding]:
    v = row.values
    name = ind.name or ind.code
    out: list[Finding] = []
    direction = ind.direction or normalize_text(v["direction"].text)
    target_text = ind.target or v["target"].text
    unit = ind.unit or v["unit"].text
    actual_text = v["actual"].text
    if _capped(name, settings):
        for key, text in (("target", target_text), ("actual", actual_text)):
            number = single_number(text)
            if number and number[0] > 100 and (number[1] or normalize_text(unit) == "%"):
                label = "年度指标值" if key == "target" else "实际完成值"
                out.append(
                    finding(
                        Code.CELL_OVER_100,
                        v[key].ref,
                        item_id=item_id,
                        field=f"{name}的{label}",
                        value=text,
                        name=name,
                    )
                )
    score = v["score"].parsed
    if ind.computed or not isinstance(score, Decimal):
        return out
    if ind.approved:
        return out + _against_target(ind, v, score, settings, item_id)
    if score != ind.weight:
        return out
    reason = v["reason"].text
    word = next((w for w in settings.unfinished_words if w in reason), None)
    if word:
        out.append(
            finding(
                Code.SCORE_FULL_BUT_UNFINISHED,
                v["reason"].ref,
                item_id=item_id,
                name=name,
                word=word,
            )
        )
    detail = ""
    if direction == "定性" and normalize_text(actual_text) in MISSED_GRADES:
        detail = f"完成情况为“{actual_text}”"
    else:
        target, actual = single_number(target_text), single_number(actual_text)
        if (
            direction in ("≥", "≤", "=")
            and target
            and actual
            and _target_missed(direction, target[0], actual[0])
        ):
            detail = f"实际完成值{actual_text}未达到年度指标值{direction}{target_text}"
    if detail:
        out.append(
            finding(
                Code.SCORE_INCONSISTENT,
                v["score"].ref,
                item_id=item_id,
                name=name,
                detail=detail,
                weight=ind.weight,
            )
        )
    return out


def _against_target(
    ind: Indicator, v: dict, score: Decimal, settings: Settings, item_id: str
) -> list[Finding]:
    """An approved target's row: full marks for a missed quantitative target are an error; a
    score above the 参考得分 (beyond the tolerance) a warning."""
    name = ind.name or ind.code
    actual_text = v["actual"].text
    numbers = comparable(single_number(ind.target), single_number(actual_text), ind.unit)
    shown_target = f"{ind.direction}{ind.target}{ind.unit}"
    if (
        score == ind.weight
        and numbers is not None
        and ind.direction in ("≥", "≤", "=", ">", "<")
        and _target_missed(ind.direction, numbers[0], numbers[1])
    ):
        return [
            finding(
                Code.SCORE_FULL_BUT_MISSED,
                v["score"].ref,
                item_id=item_id,
                name=name,
                actual=actual_text,
                target=shown_target,
                weight=ind.weight,
            )
        ]
    reference = reference_score(
        ind.direction,
        numbers,
        actual_text,
        ind.weight,
        settings.qualitative,
        settings.qualitative_shares,
    )
    if reference is None or score <= reference + settings.reference_tolerance:
        return []
    return [
        finding(
            Code.SCORE_ABOVE_REFERENCE,
            v["score"].ref,
            item_id=item_id,
            name=name,
            score=score,
            actual=actual_text,
            target=shown_target,
            reference=reference,
        )
    ]
