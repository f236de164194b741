"""A small evaluator of the formulas perfeval writes into issued workbooks, for tests.

It computes a filled workbook's own live figures (执行率, the ROUND of a 执行率计分 score, the
SUMIFS subtotals, the ROUND(SUM(…)) total, the grade) from the formulas as they stand in the file,
in floating point as a spreadsheet does, without any of perfeval's code: what the clerk's sheet
shows, to hold perfeval's figures against. Only the functions the template uses are known (IF,
IFERROR, ROUND, MIN, SUM, SUMIFS, COUNTBLANK, and VALUE, SUBSTITUTE, SEARCH, ISNUMBER, NA, TRIM for
参考得分); anything else fails the test loudly.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import column_index_from_string

_TOKEN = re.compile(
    r"""\s*(?:
    (?P<string>"(?:[^"]|"")*")
    |(?P<ref>(?:(?:'(?:[^']|'')+'|[^\W\d][\w.]*)!)?\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?)(?![\w(])
    |(?P<func>[A-Z][A-Z0-9.]*)\(
    |(?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
    |(?P<op><>|>=|<=|[-+*/&=<>(),])
    )""",
    re.VERBOSE,
)
_CELL = re.compile(r"\$?([A-Z]{1,3})\$?(\d+)")
_COMPARISONS = {("op", o) for o in ("=", "<>", ">=", "<=", ">", "<")}


class XLError(Exception):
    """#DIV/0!, #VALUE! and the like: IFERROR catches them."""


def _tokens(formula: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = formula.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise ValueError(f"cannot read formula at {text[pos:]!r}")
        kind = match.lastgroup
        out.append((kind, match.group(kind)))
        pos = match.end()
    return out


class _Parser:
    """Formula text -> a tree of tuples: ('num', x), ('str', s), ('ref', sheet, a1),
    ('call', name, args), ('op', op, left, right), ('neg', x)."""

    def __init__(self, formula: str, sheet: str) -> None:
        self.tokens = _tokens(formula.lstrip("="))
        self.pos = 0
        self.sheet = sheet

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse(self) -> tuple:
        tree = self.compare()
        if self.peek() is not None:
            raise ValueError(f"unexpected {self.peek()}")
        return tree

    def compare(self) -> tuple:
        left = self.concat()
        while self.peek() in _COMPARISONS:
            left = ("op", self.take()[1], left, self.concat())
        return left

    def concat(self) -> tuple:
        left = self.additive()
        while self.peek() == ("op", "&"):
            self.take()
            left = ("op", "&", left, self.additive())
        return left

    def additive(self) -> tuple:
        left = self.term()
        while self.peek() in (("op", "+"), ("op", "-")):
            left = ("op", self.take()[1], left, self.term())
        return left

    def term(self) -> tuple:
        left = self.factor()
        while self.peek() in (("op", "*"), ("op", "/")):
            left = ("op", self.take()[1], left, self.factor())
        return left

    def factor(self) -> tuple:
        kind, text = self.take()
        if kind == "number":
            return ("num", float(text))
        if kind == "string":
            return ("str", text[1:-1].replace('""', '"'))
        if kind == "ref":
            sheet, _, a1 = text.rpartition("!")
            sheet = sheet.strip("'").replace("''", "'") if sheet else self.sheet
            return ("ref", sheet, a1.replace("$", ""))
        if kind == "func":
            args = []
            if self.peek() != ("op", ")"):
                args.append(self.compare())
                while self.peek() == ("op", ","):
                    self.take()
                    args.append(self.compare())
            if self.take() != ("op", ")"):
                raise ValueError("')' expected")
            return ("call", text, args)
        if (kind, text) == ("op", "("):
            inner = self.compare()
            if self.take() != ("op", ")"):
                raise ValueError("')' expected")
            return inner
        if (kind, text) == ("op", "-"):
            return ("neg", self.factor())
        raise ValueError(f"unexpected {text!r}")


def excel_round(value: float, digits: int) -> float:
    """ROUND: half away from zero on the number as a spreadsheet shows it."""
    step = Decimal(1).scaleb(-digits)
    return float(Decimal(repr(float(value))).quantize(step, rounding=ROUND_HALF_UP))


class Workbook:
    """A filled workbook's cells, every formula computed on demand (and remembered)."""

    def __init__(self, path: Path) -> None:
        self.book = openpyxl.load_workbook(path)
        self.done: dict[tuple[str, str], Any] = {}

    def value(self, sheet: str, a1: str) -> Any:
        key = (sheet, a1)
        if key not in self.done:
            cell = self.book[sheet][a1]
            raw = cell.value
            if cell.data_type == "f":
                try:
                    raw = self.evaluate(_Parser(raw, sheet).parse())
                except XLError as exc:
                    raw = exc
            self.done[key] = raw
        found = self.done[key]
        if isinstance(found, XLError):
            raise found
        return found

    def cells(self, sheet: str, a1: str) -> list[Any]:
        first, _, last = a1.partition(":")
        (c1, r1), (c2, r2) = (_CELL.fullmatch(x).groups() for x in (first, last or first))
        cols = range(column_index_from_string(c1), column_index_from_string(c2) + 1)
        letters = [openpyxl.utils.get_column_letter(c) for c in cols]
        return [
            self.value(sheet, f"{col}{row}")
            for row in range(int(r1), int(r2) + 1)
            for col in letters
        ]

    def evaluate(self, tree: tuple) -> Any:
        kind = tree[0]
        if kind in ("num", "str"):
            return tree[1]
        if kind == "ref":
            values = self.cells(tree[1], tree[2])
            return values[0] if len(values) == 1 else values
        if kind == "neg":
            return -_number(self.evaluate(tree[1]))
        if kind == "op":
            return _operate(tree[1], self.evaluate(tree[2]), self.evaluate(tree[3]))
        name, args = tree[1], tree[2]
        if name == "IF":
            branch = args[1] if self.evaluate(args[0]) else args[2]
            return self.evaluate(branch)
        if name == "ISNUMBER":  # its argument's error is FALSE, not an error
            try:
                return _numeric(self.evaluate(args[0]))
            except XLError:
                return False
        if name == "IFERROR":
            try:
                return self.evaluate(args[0])
            except XLError:
                return self.evaluate(args[1])
        if name == "SUMIFS":
            return self._sumifs(args)
        if name == "COUNTBLANK":
            return sum(1 for v in self._range(args[0]) if v is None or v == "")
        values = [self.evaluate(a) for a in args]
        if name == "ROUND":
            return excel_round(_number(values[0]), int(_number(values[1])))
        if name == "MIN":
            return min(_number(v) for v in values)
        if name == "TRIM":
            return " ".join(str(values[0] or "").split())
        if name == "VALUE":
            return _value(values[0])
        if name == "SUBSTITUTE":
            return str(values[0] or "").replace(str(values[1]), str(values[2]))
        if name == "SEARCH":
            found = str(values[1] or "").casefold().find(str(values[0]).casefold())
            if found < 0:
                raise XLError("#VALUE!")
            return float(found + 1)
        if name == "ISNUMBER":
            return _numeric(values[0])
        if name == "NA":
            raise XLError("#N/A")
        if name == "SUM":
            return sum(
                (x for v in values for x in (v if isinstance(v, list) else [v]) if _numeric(x)),
                0.0,
            )
        raise ValueError(f"function {name} is not known to this evaluator")

    def _range(self, tree: tuple) -> list[Any]:
        if tree[0] != "ref":
            raise ValueError("a range expected")
        return self.cells(tree[1], tree[2])

    def _sumifs(self, args: list[tuple]) -> float:
        total = 0.0
        values = self._range(args[0])
        tests = [
            (self._range(args[n]), str(self.evaluate(args[n + 1]))) for n in range(1, len(args), 2)
        ]
        for i, value in enumerate(values):
            if _numeric(value) and all(
                str(cells[i] or "").casefold() == wanted.casefold() for cells, wanted in tests
            ):
                total += value
        return total


def _numeric(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _value(value: Any) -> float:
    """VALUE: a number, or text that reads as one ("36", " 1.5 ", "95%" as 0.95)."""
    if _numeric(value):
        return float(value)
    text = str(value or "").strip()
    try:
        return float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise XLError("#VALUE!") from None


def _number(value: Any) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return float(value)
    if _numeric(value):
        return float(value)
    raise XLError("#VALUE!")


def _operate(op: str, left: Any, right: Any) -> Any:
    if op == "&":
        return f"{'' if left is None else left}{'' if right is None else right}"
    if op in ("=", "<>", ">=", "<=", ">", "<"):
        if isinstance(left, str) or isinstance(right, str):
            a, b = str(left or "").casefold(), str(right or "").casefold()
        else:
            a, b = _number(left), _number(right)
        return {
            "=": a == b,
            "<>": a != b,
            ">=": a >= b,
            "<=": a <= b,
            ">": a > b,
            "<": a < b,
        }[op]
    a, b = _number(left), _number(right)
    if op == "/":
        if b == 0:
            raise XLError("#DIV/0!")
        return a / b
    return {"+": a + b, "-": a - b, "*": a * b}[op]
