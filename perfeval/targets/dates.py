"""Dates written in targets: "2025年12月31日", "2025-6-30", "2025年11月底前", "年底前", and the
two ends of a period ("2023.07-2024.01").

A date without its day means the end of that month ("11月底前" is 30 November, not the 1st);
without its year, the budget year; "年底"/"年末" is 31 December of the budget year.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from perfeval.read.parse import normalize_text

_FULL = re.compile(r"(\d{4})\s*[年./-]\s*(\d{1,2})(?!\d)\s*(?:[月./-]\s*(\d{1,2})(?!\d)\s*日?)?")
_MONTH = re.compile(r"(?<!\d)(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?")
_YEAR_END = ("年底", "年末", "年终")


def _day(year: int, month: int, day: str | None) -> dt.date | None:
    if not 1 <= month <= 12:
        return None
    last = calendar.monthrange(year, month)[1]
    number = int(day) if day else last
    return dt.date(year, month, number) if 1 <= number <= last else None


def dates_in(text: str, budget_year: int) -> list[dt.date]:
    """Every date the text names, in order."""
    text = normalize_text(text)
    out: list[dt.date] = []
    taken: list[tuple[int, int]] = []
    for m in _FULL.finditer(text):
        found = _day(int(m.group(1)), int(m.group(2)), m.group(3))
        if found:
            out.append(found)
            taken.append(m.span())
    for m in _MONTH.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        found = _day(budget_year, int(m.group(1)), m.group(2))
        if found:
            out.append(found)
    if not out and any(word in text for word in _YEAR_END):
        out.append(dt.date(budget_year, 12, 31))
    return out
