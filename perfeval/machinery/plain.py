"""Plain data (JSON) that perfeval writes for itself and reads back without trusting it.

perfeval's caches live in the evaluation folder, and folders travel between offices on USB sticks
and shared drives: anyone may have replaced a cache file. So caches hold JSON (numbers, text,
lists: nothing that can run code when read), and reading them back is defensive. Whatever is not
exactly what perfeval writes (bad JSON or UTF-8, other shapes or types, numbers out of range, text
that cannot be written out again) raises :class:`Malformed`, which callers treat as a cache miss.

Decimals are written as their text (``str(Decimal)``), findings as lists of text.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from perfeval.check.catalogue import Code
from perfeval.check.finding import Finding, Severity

#: a cache entry larger than this is not read (a legitimate one is a few kilobytes)
MAX_BYTES = 64 * 1024 * 1024
#: the range of sizes (powers of ten) a number read back may have
MIN_ADJUSTED, MAX_ADJUSTED = -40, 25

_scan = json.JSONDecoder().scan_once  # the C scanner, without the wrapper's two regexes
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
_ascii = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"), allow_nan=False).encode
# an escaped UTF-16 surrogate (\ud800-\udfff) not itself escaped: text holding one cannot be
# written to any output file; what perfeval writes never has one (see dumps). The rough form
# is searched first: it is fast, and almost never found
_SURROGATE = re.compile(rb"(?<!\\)(?:\\\\)*\\u[dD][89a-fA-F]")
_ROUGH = re.compile(rb"\\u[dD][89a-fA-F]")


class Malformed(ValueError):
    """Data read back is not what perfeval writes."""


def dumps(value: Any) -> bytes:
    """Compact JSON in UTF-8. Text holding a lone surrogate (never expected) is written escaped,
    so that writing works and reading it back as untrusted data refuses it."""
    try:
        return _encode(value).encode("utf-8")
    except UnicodeEncodeError:
        return _ascii(value).encode("ascii")


def loads(data: bytes, limit: int = MAX_BYTES) -> Any:
    """JSON from an untrusted place: within ``limit`` bytes, UTF-8, no escaped surrogate."""
    if type(data) is not bytes or len(data) > limit:
        raise Malformed("not perfeval's JSON")
    if _ROUGH.search(data) and _SURROGATE.search(data):
        raise Malformed("not perfeval's JSON")
    try:
        text = data.decode("utf-8")
        value, end = _scan(text, 0)
    except (ValueError, RecursionError, StopIteration) as exc:  # UnicodeDecodeError: ValueError
        raise Malformed("not JSON") from exc
    if end != len(text):
        raise Malformed("not JSON")
    return value


def text(value: Any) -> str:
    if type(value) is not str:
        raise Malformed("text expected")
    return value


def texts(value: Any, count: int | None = None) -> list[str]:
    """A list of text (of ``count`` items when given)."""
    if type(value) is not list or (count is not None and len(value) != count):
        raise Malformed("list of text expected")
    try:
        "".join(value)  # the quickest way to find an item that is not text (JSON has no subclass)
    except TypeError as exc:
        raise Malformed("list of text expected") from exc
    return value


def whole(value: Any, high: int = 2**31) -> int:
    """A whole number from 0 to ``high`` (a bool is not one)."""
    if type(value) is not int or not 0 <= value <= high:
        raise Malformed("whole number expected")
    return value


def flag(value: Any) -> bool:
    if type(value) is not bool:
        raise Malformed("true or false expected")
    return value


def number(value: Any) -> Decimal:
    """A Decimal from its text: finite, and zero or between 10**-40 and 10**26 in size, as every
    amount, score and weight perfeval keeps (larger ones could not even be rounded to cents)."""
    if type(value) is not str or len(value) > 100:
        raise Malformed("number text expected")
    try:
        found = Decimal(value)
    except InvalidOperation as exc:
        raise Malformed("number text expected") from exc
    if not found.is_finite() or (found and not MIN_ADJUSTED <= found.adjusted() <= MAX_ADJUSTED):
        raise Malformed("number out of range")
    return found


_FINITE: dict[str, Decimal] = {}  # text -> its Decimal, for every text accepted so far
_FINITE_LIMIT = 200_000


def decimal(value: Any) -> Decimal:
    """:func:`number`, for texts that repeat across thousands of outcomes (scores, subtotals):
    each is parsed once."""
    found = _FINITE.get(value) if type(value) is str else None
    if found is None:
        found = number(value)
        if len(_FINITE) < _FINITE_LIMIT:
            _FINITE[value] = found
    return found


def decimals(values: Any) -> None:
    """Every item of the list ``values`` is the text of a number (see :func:`number`)."""
    for value in set(texts(values)).difference(_FINITE):
        decimal(value)


_CENTS: dict[str, Decimal] = {}


def cents(value: Any) -> Decimal:
    """A Decimal as :func:`perfeval.numbers.q2` makes them: exactly two decimals."""
    found = _CENTS.get(value) if type(value) is str else None
    if found is None:
        found = decimal(value)
        if found.as_tuple().exponent != -2:
            raise Malformed("two decimals expected")
        if len(_CENTS) < _FINITE_LIMIT:
            _CENTS[value] = found
    return found


def all_cents(values: list) -> None:
    """Every item of ``values`` is as :func:`cents` accepts."""
    for value in set(texts(values)).difference(_CENTS):
        cents(value)


def optional(read: Any, value: Any) -> Any:
    """``read(value)``, or None for null."""
    return None if value is None else read(value)


# --- findings ----------------------------------------------------------------------------------

_SEVERITY: dict[str, tuple[str, Severity]] = {
    c.value.code: (c.value.code, c.value.severity) for c in Code
}


def findings_out(findings: Iterable[Finding], *, files: bool = False) -> list[list[str]]:
    """Findings as lists of text; the severity follows from the code. Without ``files`` the
    file is left out: it is the name the findings are read back under."""
    if files:
        return [[f.code, f.file, f.sheet, f.cell, f.message, f.hint, f.item_id] for f in findings]
    return [[f.code, f.sheet, f.cell, f.message, f.hint, f.item_id] for f in findings]


def findings_in(rows: Any, file: str | None = None) -> list[Finding]:
    """Findings from :func:`findings_out`: with ``file``, all in that file; without, each in
    its own (written with ``files``). Only codes of the catalogue are accepted."""
    if type(rows) is not list:
        raise Malformed("list of findings expected")
    width = 7 if file is None else 6
    out = []
    intern = sys.intern
    for row in rows:
        texts(row, width)
        known = _SEVERITY.get(row[0])
        if known is None:
            raise Malformed("unknown finding code")
        code, severity = known
        if file is None:
            _, where, sheet, cell, message, hint, item_id = row
        else:
            where = file
            _, sheet, cell, message, hint, item_id = row
        # codes, sheets and hints repeat in every file: one string object each
        out.append(
            Finding(code, severity, where, intern(sheet), cell, message, intern(hint), item_id)
        )
    return out
