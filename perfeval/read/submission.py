"""Read one returned workbook into a :class:`Submission`: every value with its sheet and cell.

Reading never judges content (that is :mod:`perfeval.check`); it only reports what makes the file
unreadable as ours: not a workbook, not our template, a sheet or a label missing. Values are found
by labels (column A of 基本信息, headers on 指标) and indicator rows by their code in column A, so
re-ordered rows still read correctly. Formula cells are read but never trusted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from perfeval import layout as L
from perfeval.check.catalogue import Code, Finding, finding
from perfeval.model import CellRef, Value
from perfeval.read.cells import Book, Grid
from perfeval.read.container import inspect_file
from perfeval.read.parse import (
    Parsed,
    as_written,
    is_blank,
    normalize_text,
    parse_date,
    parse_number,
    parse_text,
    remembered,
)

SCORE_UNITS = ("分",)
MONEY_UNITS = ("万元",)


@dataclass
class IndicatorRow:
    code: str
    row: int
    values: dict[str, Value]


@dataclass
class ProblemRow:
    row: int
    values: dict[str, Value]


@dataclass
class Submission:
    file: str
    sha256: str
    identity: dict[str, str]
    info: dict[str, Value] = field(default_factory=dict)
    money: dict[tuple[str, str], Value] = field(default_factory=dict)
    money_parts: list[str] = field(default_factory=list)  # funding sources, as their rows say
    adjustment: Value | None = None  # 预算调整说明 (not in version 1 workbooks)
    narrative: dict[str, Value] = field(default_factory=dict)
    contact: dict[str, Value] = field(default_factory=dict)
    indicators: list[IndicatorRow] = field(default_factory=list)
    problems: list[ProblemRow] = field(default_factory=list)
    cached: dict[str, Value] = field(default_factory=dict)
    other: dict[str, Value] = field(default_factory=dict)
    macros: bool = False

    @property
    def item_id(self) -> str:
        return self.identity.get("item_id", "")


@dataclass
class ReadResult:
    file: str
    submission: Submission | None
    findings: list[Finding]
    sha256: str = ""
    data: bytes | None = None  # the file's bytes as read and checked (stay in the worker)


def _parse_score(raw: object) -> Parsed:
    return parse_number(raw, units=SCORE_UNITS)


def _parse_money(raw: object) -> Parsed:
    return parse_number(raw, units=MONEY_UNITS)


#: parser -> {raw cell value -> Parsed}. The same texts and numbers recur in every workbook of a
#: framework; parsing each once per process makes reading several times faster. Parsed results are
#: immutable, so sharing them is safe.
_MEMO: dict[Callable, dict[object, Parsed]] = {}


def _memo(parser: Callable) -> dict[object, Parsed]:
    memo = _MEMO.get(parser)
    if memo is None:
        memo = _MEMO[parser] = {}
    return memo


#: the raw types whose parses are remembered (bools and dates are rare, and 1 == True as a key)
_MEMO_KINDS = frozenset({str, float})


def _parsed(parser: Callable, raw: object, memo: dict[object, Parsed] | None = None) -> Parsed:
    if raw.__class__ not in _MEMO_KINDS:
        return parser(raw)
    return remembered(_memo(parser) if memo is None else memo, raw, parser)


def _value(grid: Grid, file: str, row: int, col: int, parser) -> Value:
    raw = grid.get(row, col)
    parsed = _parsed(parser, raw)
    return Value(raw, parsed.value, file, grid.sheet, row, col, parsed.issue)


class _LayoutError(Exception):
    def __init__(self, sheet: str, label: str) -> None:
        self.sheet, self.label = sheet, label


def read_submission(
    path: Path, name: str, max_bytes: int, max_uncompressed: int, opener: Callable = Book
) -> ReadResult:
    """Read ``path`` (shown to users as ``name``). ``opener`` makes the :class:`Book` from the
    file's bytes; the benchmark swaps in a pandas-based one to time the naive approach."""
    inspected = inspect_file(path, name, max_bytes, max_uncompressed)
    if inspected.data is None:
        return ReadResult(
            name, None, [inspected.finding] if inspected.finding else [], inspected.sha256
        )
    findings: list[Finding] = []
    if inspected.macros:
        findings.append(finding(Code.FILE_MACROS, CellRef(name)))
    try:
        with opener(inspected.data) as book:
            sub = _read_book(book, name, inspected.sha256, findings)
    except _LayoutError as exc:
        findings.append(
            finding(
                Code.FILE_LAYOUT_CHANGED, CellRef(name, exc.sheet), sheet=exc.sheet, label=exc.label
            )
        )
        sub = None
    except Exception as exc:  # calamine's own error types: damaged parts, bad XML, entities
        technical = str(exc).splitlines()[0][:100] if str(exc) else type(exc).__name__
        detail = f"文件内部结构损坏或含有不安全的内容；技术信息：{technical}"
        findings.append(finding(Code.FILE_UNREADABLE, CellRef(name), detail=detail))
        sub = None
    if sub is not None:
        sub.macros = inspected.macros
    return ReadResult(name, sub, findings, inspected.sha256, inspected.data)


def _read_book(book: Book, name: str, sha256: str, findings: list[Finding]) -> Submission | None:
    if L.SHEET_IDENTITY not in book.sheet_names:
        findings.append(finding(Code.FILE_FOREIGN, CellRef(name), detail="缺少模板标识"))
        return None
    ident_grid = book.grid(L.SHEET_IDENTITY)
    identity = {
        normalize_text(ident_grid.get(r, 1)): normalize_text(ident_grid.get(r, 2))
        for r in range(1, ident_grid.height + 1)
        if normalize_text(ident_grid.get(r, 1))
    }
    if identity.get("template_id") != L.TEMPLATE_ID:
        findings.append(finding(Code.FILE_FOREIGN, CellRef(name), detail="模板标识不符"))
        return None
    missing = [s for s in L.DATA_SHEETS if s not in book.sheet_names]
    for sheet in missing:
        findings.append(finding(Code.FILE_SHEET_MISSING, CellRef(name, sheet), sheet=sheet))
    if missing:
        return None
    sub = Submission(file=name, sha256=sha256, identity=identity)
    _read_info(book.grid(L.SHEET_INFO), sub)
    _read_indicators(book.grid(L.SHEET_INDICATORS), sub)
    _read_problems(book.grid(L.SHEET_PROBLEMS), sub)
    return sub


def _row_of(grid: Grid, label: str, start: int = 1) -> int:
    row = grid.find_in_column(1, label, start)
    if row is None:
        raise _LayoutError(grid.sheet, label)
    return row


def _read_info(grid: Grid, sub: Submission) -> None:
    f = sub.file
    for key, label in L.INFO_FIELDS.items():
        sub.info[key] = _value(grid, f, _row_of(grid, label), 2, parse_text)
    _read_money(grid, sub)
    score_start = _row_of(grid, L.SCORE_HEADER)
    total_row = _row_of(grid, L.TOTAL_LABEL, score_start)
    sub.cached["total"] = _value(grid, f, total_row, 3, _parse_score)
    sub.cached["grade"] = _value(grid, f, _row_of(grid, L.GRADE_LABEL, total_row), 2, parse_text)
    for key, label in L.NARRATIVE_FIELDS.items():
        sub.narrative[key] = _value(grid, f, _row_of(grid, label), 2, parse_text)
    for key, label in L.OTHER_FIELDS.items():
        sub.other[key] = _value(grid, f, _row_of(grid, label), 2, parse_text)
    for key, label in L.CONTACT_FIELDS.items():
        parser = parse_date if key == "filled_on" else parse_text
        sub.contact[key] = _value(grid, f, _row_of(grid, label), 2, parser)


def _read_money(grid: Grid, sub: Submission) -> None:
    """The money table: its columns by their labels (年初预算数 only from version 2), the total
    row, then each funding source's row until the first row without a label."""
    header = _row_of(grid, L.MONEY_HEADER)
    labels = {normalize_text(grid.get(header, c)): c for c in range(2, 10)}
    cols = {
        key: labels[normalize_text(label)]
        for key, label in L.MONEY_COLUMN_LABELS.items()
        if key != "rate" and normalize_text(label) in labels  # 执行率 is a formula: not read
    }
    if "budget" not in cols or "executed" not in cols:
        raise _LayoutError(grid.sheet, L.MONEY_COLUMN_LABELS["budget"])
    total = _row_of(grid, L.MONEY_TOTAL, header)
    rows = [("total", total)]
    for row in range(total + 1, min(total + 12, grid.height) + 1):
        label = as_written(grid.get(row, 1))
        if not label or label.startswith(("三、", L.ADJUSTMENT_LABEL)):
            break
        key = label.removeprefix(L.PART_PREFIX).strip()
        rows.append((key, row))
        sub.money_parts.append(key)
    for key, row in rows:
        for col_key, col in cols.items():
            sub.money[(key, col_key)] = _value(grid, sub.file, row, col, _parse_money)
    found = grid.find_in_column(1, L.ADJUSTMENT_LABEL, total)
    if found is not None:
        sub.adjustment = _value(grid, sub.file, found, 2, parse_text)


def _header_columns(grid: Grid, header_row: int, labels: dict[str, str]) -> dict[str, int]:
    line = grid.rows[header_row - 1] if header_row <= grid.height else []
    found = {normalize_text(v): c for c, v in enumerate(line, start=1) if v not in ("", None)}
    cols: dict[str, int] = {}
    for key, label in labels.items():
        col = found.get(normalize_text(label))
        if col is None:
            raise _LayoutError(grid.sheet, label)
        cols[key] = col
    return cols


#: 评分标准 is long locked text nothing checks; it is not read
IND_READ = {k: v for k, v in L.IND_COLUMNS.items() if k != "standard"}


def _read_indicators(grid: Grid, sub: Submission) -> None:
    cols = _header_columns(grid, L.IND_HEADER_ROW, IND_READ)
    parsers = dict.fromkeys(IND_READ, parse_text)
    parsers["weight"] = _parse_score
    parsers["score"] = _parse_score
    # the innermost loop of reading: a few hundred cells per workbook, names bound once
    plan = [(key, col, col - 1, parsers[key], _memo(parsers[key])) for key, col in cols.items()]
    file, sheet = sub.file, grid.sheet
    code_at, label_at = cols["code"] - 1, cols["l3"] - 1
    for row, line in enumerate(grid.rows[L.IND_HEADER_ROW :], start=L.IND_HEADER_ROW + 1):
        width = len(line)
        code = normalize_text(line[code_at]) if code_at < width else ""
        label = normalize_text(line[label_at]) if label_at < width else ""
        if label == L.IND_TOTAL_LABEL and not code:
            sub.cached["indicator_total"] = _value(grid, file, row, cols["score"], _parse_score)
            continue
        if not code and not label:
            continue
        values = {}
        for key, col, at, parser, memo in plan:
            raw = line[at] if at < width else ""
            # _parsed, inlined: a remembered str or float is the common case by far
            parsed = memo.get(raw) if raw.__class__ in _MEMO_KINDS else None
            if parsed is None:
                parsed = _parsed(parser, raw, memo)
            values[key] = Value(raw, parsed[0], file, sheet, row, col, parsed[1])
        sub.indicators.append(IndicatorRow(code, row, values))


def _read_problems(grid: Grid, sub: Submission) -> None:
    cols = _header_columns(grid, L.PROB_HEADER_ROW, L.PROB_COLUMNS)
    cols.pop("no", None)
    for row in range(L.PROB_FIRST_ROW, grid.height + 1):
        line = grid.rows[row - 1]
        if all(is_blank(line[c - 1]) for c in cols.values() if c <= len(line)):
            continue  # the template's empty rows: nothing to read
        values = {
            key: _value(grid, sub.file, row, col, _parse_money if key == "amount" else parse_text)
            for key, col in cols.items()
        }
        if any(not v.blank for v in values.values()):
            sub.problems.append(ProblemRow(row, values))
