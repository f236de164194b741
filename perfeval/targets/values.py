"""Splitting a target written in one cell ("≥50个", "≤90万元", "100%", "效果明显") into
指标性质, 指标值 and 计量单位, as the platform keeps them (its 运算符号: ≥ > = < ≤ 定性).

The value is kept as written; the direction is a symbol. Words that say a direction ("不低于",
"以上", "不超过", "以内") count as the symbol they mean. A cell with no number is 定性 (its text is
the target). A cell with a number and more than a short unit around it cannot be split: the
caller reports it and keeps the text as a 定性 target.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from perfeval.read.parse import normalize_text

#: the platform's symbols, and what people write for them (compared normalized, NFKC)
SYMBOLS = {
    "≥": "≥",
    ">=": "≥",
    "≧": "≥",
    ">": ">",
    "=": "=",
    "<": "<",
    "≤": "≤",
    "<=": "≤",
    "≦": "≤",
    "定性": "定性",
}
#: a column 指标性质 may say only whether the target is a number
QUANTITATIVE_WORDS = ("定量", "正向", "反向", "")
_PREFIX_WORDS = {
    "大于等于": "≥",
    "不低于": "≥",
    "不少于": "≥",
    "不小于": "≥",
    "达到": "≥",
    "小于等于": "≤",
    "不高于": "≤",
    "不超过": "≤",
    "不多于": "≤",
    "不大于": "≤",
    "控制在": "≤",
    "大于": ">",
    "高于": ">",
    "小于": "<",
    "低于": "<",
    "等于": "=",
}
_SUFFIX_WORDS = {"以上": "≥", "及以上": "≥", "以内": "≤", "以下": "≤", "及以下": "≤"}
_OPERATOR = re.compile(r"^(>=|<=|≥|≤|≧|≦|>|<|=)")
_NUMBER = re.compile(r"^[+-]?\d[\d,]*(\.\d+)?|^[+-]?\.\d+")
_UNIT_MAX = 6  # "个", "%", "万元", "人次", "平方米", "公里": a unit is short
_UNIT_BAD = re.compile(r"[\d,，;；。、()]")


#: a number written without a direction ("90%", "3"); the caller decides (see rows.py)
UNSTATED = "?"


class Split(NamedTuple):
    direction: str  # ≥ > = < ≤ 定性, or '' when the cell could not be split
    value: str  # the number as written, or the 定性 text
    unit: str


def direction_of(label: str) -> str | None:
    """The symbol for a 指标性质/运算符号 cell; '' when it says only 定量 (or nothing); None
    when it is not understood."""
    text = normalize_text(label)
    if text in SYMBOLS:
        return SYMBOLS[text]
    if text in QUANTITATIVE_WORDS:
        return ""
    return None


def split_target(raw: str) -> Split:
    """Split one cell's target. An empty direction means it could not be split."""
    written = raw.strip()
    text = normalize_text(written)
    if not text:
        return Split("", "", "")
    if not re.search(r"\d", text):
        return Split("定性", written, "")
    direction = ""
    match = _OPERATOR.match(text)
    if match:
        direction, text = SYMBOLS[match.group(1)], text[match.end() :].strip()
    else:
        for word, symbol in _PREFIX_WORDS.items():
            if text.startswith(word):
                direction, text = symbol, text[len(word) :].strip()
                break
    for word, symbol in sorted(_SUFFIX_WORDS.items(), key=lambda kv: -len(kv[0])):
        if text.endswith(word) and not direction:
            direction, text = symbol, text[: -len(word)].strip()
            break
    number = _NUMBER.match(text)
    if not number:
        return Split("", written, "")
    unit = text[number.end() :].strip()
    if len(unit) > _UNIT_MAX or _UNIT_BAD.search(unit):
        return Split("", written, "")
    return Split(direction or UNSTATED, number.group(0).replace(",", ""), unit)
