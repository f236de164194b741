"""Decimal arithmetic and every number, date and numbering format a user reads.

Money, scores and rates are :class:`~decimal.Decimal` and are rounded half up, as Excel's ROUND
does (2.675 -> 2.68), never with Python's float ``round``. Figures are computed from unrounded
values and rounded once, when they are shown or stored as a result.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal(0)

CN_DIGITS = "零一二三四五六七八九"


def to_decimal(value: object) -> Decimal | None:
    """Exact Decimal for an int, float (through its shortest repr), Decimal or numeric string."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        return Decimal(int(value)) if value.is_integer() else Decimal(repr(value))
    if isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            return None
        return result if result.is_finite() else None
    return None


def q2(value: Decimal) -> Decimal:
    """Round to two decimals, half away from zero (Excel's ROUND(x, 2))."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def ratio(part: Decimal, whole: Decimal) -> Decimal | None:
    """part / whole as a fraction (unrounded); None when whole is zero."""
    if whole == 0:
        return None
    return part / whole


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """part / whole in percent, rounded to two decimals (56.49 / 60 -> 94.15)."""
    share = ratio(part, whole)
    return None if share is None else q2(share * HUNDRED)


def _plain(value: Decimal, trailing_zeros: bool) -> str:
    text = f"{q2(value):f}"
    if not trailing_zeros and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def fmt_money(value: Decimal | None, *, trailing_zeros: bool = True) -> str:
    """万元 amount for text and tables: two decimals, no thousands separator (8780.09)."""
    return "—" if value is None else _plain(value, trailing_zeros)


def fmt_score(value: Decimal | None, *, trailing_zeros: bool = True) -> str:
    """A score: two decimals (92.49)."""
    return "—" if value is None else _plain(value, trailing_zeros)


def fmt_rate(value: Decimal | None, *, trailing_zeros: bool = True) -> str:
    """A rate already in percent, with the percent sign (93.33%)."""
    return "—" if value is None else _plain(value, trailing_zeros) + "%"


def fmt_date(value: dt.date) -> str:
    """Date in running text: 2025年3月16日 (no zero padding)."""
    return f"{value.year}年{value.month}月{value.day}日"


def cn_number(n: int) -> str:
    """Chinese numeral for 1 … 99,999,999, as used in headings (一、 十一、 一百零五、 一千零一十、
    一万零五、): a province's report numbers tens of thousands of items."""
    if not 0 < n < 100_000_000:
        raise ValueError(f"heading number out of range: {n}")
    high, low = divmod(n, 10_000)
    if not high:
        return _cn_group(low, first=True)
    text = _cn_group(high, first=True) + "万"
    if not low:
        return text
    return text + ("零" if low < 1000 else "") + _cn_group(low, first=False)


def _cn_group(n: int, first: bool) -> str:
    """1 … 9999 in Chinese numerals; a number's first group says 十二, not 一十二."""
    out: list[str] = []
    started = gap = False
    for digit, unit in zip(
        (n // 1000, n // 100 % 10, n // 10 % 10, n % 10), "千百十 ", strict=True
    ):
        if not digit:
            gap = started
            continue
        if gap:
            out.append("零")
            gap = False
        if not (first and not started and unit == "十" and digit == 1):
            out.append(CN_DIGITS[digit])
        out.append(unit.strip())
        started = True
    return "".join(out)


def heading_label(level: int, n: int, arabic_style: str = "1.") -> str:
    """Heading numbers after GB/T 9704: 一、 / （一） / 1. / （1）."""
    if level == 1:
        return f"{cn_number(n)}、"
    if level == 2:
        return f"（{cn_number(n)}）"
    if level == 3:
        return f"{n}{'、' if arabic_style == '1、' else '.'}"
    if level == 4:
        return f"（{n}）"
    raise ValueError(f"heading level out of range: {level}")
