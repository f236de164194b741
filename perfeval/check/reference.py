"""参考得分: the score a row's actual value earns against its approved target, by direction.

≥ and >: min(完成值 ÷ 指标值, 1) × 分值; ≤ and <: min(指标值 ÷ 完成值, 1) × 分值 (nothing spent
over a ceiling: full); =: the smaller of the two ratios; 定性: the share of the weight its grade
allows (``[lists] qualitative_shares``, beside ``qualitative``). Rounded to two decimals, as the
issued workbook's live column computes it. None when the values give no reference (a target or
an actual value that is not one number, or a percentage against a plain number).

A reference, not a rule: the clerk's 得分 may be lower, and a higher one is a warning; only a
quantitative row that misses its approved target with full marks is an error
(:func:`perfeval.check.consistency.check_consistency`).
"""

from __future__ import annotations

from decimal import Decimal

from perfeval.numbers import q2
from perfeval.read.parse import normalize_text

ONE = Decimal(1)


def comparable(
    target: tuple[Decimal, bool] | None, actual: tuple[Decimal, bool] | None, unit: str
) -> tuple[Decimal, Decimal] | None:
    """(target, actual) when both are one number on the same footing (both percentages, or
    neither: a 计量单位 of % makes the target one)."""
    if target is None or actual is None:
        return None
    percent = normalize_text(unit) == "%"
    if (target[1] or percent) != (actual[1] or percent):
        return None
    return target[0], actual[0]


def reference_score(
    direction: str,
    numbers: tuple[Decimal, Decimal] | None,
    actual_text: str,
    weight: Decimal,
    qualitative: tuple[str, ...],
    shares: tuple[Decimal, ...],
) -> Decimal | None:
    if direction == "定性":
        grade = normalize_text(actual_text)
        for name, share in zip(qualitative, shares, strict=False):
            if normalize_text(name) == grade:
                return q2(share / 100 * weight)
        return None
    if numbers is None:
        return None
    t, a = numbers
    if direction in ("≥", ">"):
        share = min(a / t, ONE) if t > 0 else ONE
    elif direction in ("≤", "<"):
        share = ONE if a <= t or a <= 0 else min(t / a, ONE)
    elif direction == "=":
        share = ONE if a == t else (min(a / t, t / a) if a > 0 and t > 0 else Decimal(0))
    else:
        return None
    return q2(max(share, Decimal(0)) * weight)
