"""Typed parsing of what clerks type into cells.

Readers hand over raw cell values (float, str, date, '' for empty). These functions turn them into
Decimals or clean text and say, with a short issue tag, what was odd about them. They never raise
and never guess silently: a number typed as text is accepted but tagged, so the check stage can
report it. Issue tags are turned into findings by :mod:`perfeval.check`.

Text has two forms. What is *shown* (kept, written into workbooks, quoted in a message) is the
text as written, only its surrounding blanks trimmed (:func:`as_written`; free text also keeps its
line breaks, :func:`parse_text`). What is *compared* (labels, dropdown values, codes, placeholders,
numbers) is :func:`normalize_text`: NFKC, so a full-width '９' or '（' typed by a clerk matches
'9' or '(', with single blanks. Never keep the compared form for showing.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from typing import Any, NamedTuple

from perfeval.numbers import to_decimal

#: Values people type to mean "nothing here"; they are not zero.
PLACEHOLDERS = frozenset({"—", "——", "-", "--", "*", "/", "\\", "无", "N/A", "NA", "XX", "xx", "X"})

#: longer text is no placeholder in any width: only short text is normalized to be compared
_PLACEHOLDER_MAX = 2 * max(map(len, PLACEHOLDERS))

_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_GROUPED_RE = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
_SPACE_RE = re.compile(r"\s+")

# issue tags
EMPTY = "empty"
PLACEHOLDER = "placeholder"
TEXT_NUMBER = "text_number"
NOT_NUMBER = "not_number"
PERCENT = "percent"


class Parsed(NamedTuple):
    """Result of parsing one cell: the value understood (or None) and what was odd, if anything."""

    value: Decimal | str | dt.date | None
    issue: str | None = None


#: Most cells of returned workbooks repeat across files (labels, locked framework text, common
#: answers), so parsing results for text are remembered per process, up to this many entries.
MEMO_LIMIT = 200_000
_NORMALIZED: dict[str, str] = {}


_MISSING = object()


def remembered(memo: dict, key: Any, make: Callable[[Any], Any], limit: int = MEMO_LIMIT) -> Any:
    """``make(key)``, computed once per process for each key (while the memo has fewer than
    ``limit`` entries)."""
    done = memo.get(key, _MISSING)
    if done is _MISSING:
        done = make(key)
        if len(memo) < limit:
            memo[key] = done
    return done


def normalize_text(raw: object) -> str:
    """The form text is compared in: NFKC (full-width digits and punctuation to ASCII), no
    surrounding or doubled blanks. Not for showing: see :func:`as_written`."""
    if raw is None:
        return ""
    if isinstance(raw, str):
        return remembered(_NORMALIZED, raw, _normalize)
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return _normalize(str(raw))


def _normalize(text: str) -> str:
    if text.isascii():  # NFKC leaves ASCII alone; split() knows the same blanks as \s
        return " ".join(text.split())
    text = unicodedata.normalize("NFKC", text).replace("\u00a0", " ")
    return _SPACE_RE.sub(" ", text).strip()


def as_written(raw: object) -> str:
    """A cell's text as its writer sees it, for showing and quoting: surrounding blanks trimmed,
    nothing else changed ('９５分' stays '９５分'). A number as Excel shows it (95.0 -> '95')."""
    if raw is None:
        return ""
    if isinstance(raw, str):
        return raw.strip()
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return str(raw)


def is_blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and raw.strip() == "")


#: Excel keeps 15 significant digits: a number of 10^15 or more in a cell is a slip (an ID
#: typed into an amount, "1e30"), and cannot be computed with exactly
MAX_ADJUSTED = 14


def _sane(value: Decimal) -> bool:
    return value.is_finite() and (not value or value.adjusted() <= MAX_ADJUSTED)


def _settled(value: Decimal) -> Decimal:
    """A number below 10^-15 is what is left of a sum of decimals in binary (0.1+0.2-0.3 in a
    cell gives 5.55e-17): zero, as Excel shows it."""
    return Decimal(0) if value and value.adjusted() < -15 else value


def parse_number(raw: object, *, units: tuple[str, ...] = ()) -> Parsed:
    """A number from a cell. Accepts real numbers, and text like '９５', '95分', '1,234.5'.

    ``units`` are suffixes allowed after the number (for example '分' for scores, '万元' for
    money). A trailing '%' is accepted and tagged ``percent`` with the value in percent units,
    so the caller decides what it means.
    """
    if is_blank(raw):
        return Parsed(None, EMPTY)
    if isinstance(raw, bool):
        return Parsed(None, NOT_NUMBER)
    if isinstance(raw, int | float | Decimal):
        value = to_decimal(raw)
        if value is None or not _sane(value):
            return Parsed(None, NOT_NUMBER)
        return Parsed(_settled(value))
    text = normalize_text(raw)
    if text in PLACEHOLDERS:
        return Parsed(None, PLACEHOLDER)
    text = text.replace(" ", "")
    is_percent = text.endswith("%")
    if is_percent:
        text = text[:-1]
    for unit in sorted(units, key=len, reverse=True):
        if text.endswith(unit):
            text = text[: -len(unit)]
            break
    if _GROUPED_RE.match(text):
        text = text.replace(",", "")
    if not _NUMBER_RE.match(text):
        return Parsed(None, NOT_NUMBER)
    value = Decimal(text)
    if not _sane(value):
        return Parsed(None, NOT_NUMBER)
    return Parsed(_settled(value), PERCENT if is_percent else TEXT_NUMBER)


def parse_text(raw: object) -> Parsed:
    """Free text as written (each line trimmed, the writer's line breaks kept); placeholders (in
    any width: a full-width slash too) and blanks are 'nothing here'."""
    if is_blank(raw):
        return Parsed(None, EMPTY)
    if isinstance(raw, dt.datetime):
        return Parsed(raw.date().isoformat())
    if isinstance(raw, dt.date):
        return Parsed(raw.isoformat())
    if not isinstance(raw, str):
        return Parsed(as_written(raw))
    text = _clean_keep_lines(raw)
    if text in PLACEHOLDERS or (
        len(text) <= _PLACEHOLDER_MAX and not text.isascii() and _normalize(text) in PLACEHOLDERS
    ):
        return Parsed(None, PLACEHOLDER)
    return Parsed(text)


def _clean_keep_lines(raw: str) -> str:
    """Strip each line of free text but keep the clerk's line breaks and original characters."""
    if "\n" not in raw and "\r" not in raw:
        return raw.strip()
    lines = [line.strip() for line in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(line for line in lines if line)


_DATE_RES = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def parse_date(raw: object) -> Parsed:
    """A date from a real date cell or from text such as 2025-03-16, 2025/3/16, 2025年3月16日."""
    if is_blank(raw):
        return Parsed(None, EMPTY)
    if isinstance(raw, dt.datetime):
        return Parsed(raw.date())
    if isinstance(raw, dt.date):
        return Parsed(raw)
    text = normalize_text(raw).replace(" ", "")
    for pattern in _DATE_RES:
        match = pattern.match(text)
        if match:
            try:
                return Parsed(dt.date(*(int(g) for g in match.groups())), TEXT_NUMBER)
            except ValueError:
                return Parsed(None, NOT_NUMBER)
    return Parsed(None, NOT_NUMBER)
