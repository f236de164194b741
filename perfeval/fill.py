"""Filling an issued workbook programmatically, as a department clerk would: only unlocked cells.

Used to build the bundled example and by tests. It edits a *copy* with openpyxl, finds cells by
the same labels the reader uses, and refuses to write a locked cell unless ``force`` is given (tests
use that to simulate tampering).
"""

from __future__ import annotations

import shutil
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from perfeval import layout as L


class LockedCellError(ValueError):
    """Raised when a fill tries to change a locked cell without ``force``."""


@dataclass
class Fill:
    """What a clerk types. Indicator entries map column keys of :data:`layout.IND_COLUMNS`."""

    executed: Any = None
    parts: dict[tuple[str, str], Any] = field(default_factory=dict)  # (row key, budget|executed)
    overview: str | None = None
    outputs: str | None = None
    contact: dict[str, Any] = field(default_factory=dict)
    other: dict[str, Any] = field(default_factory=dict)  # keys of layout.OTHER_FIELDS
    indicators: dict[str, dict[str, Any]] = field(default_factory=dict)
    problems: list[dict[str, Any]] = field(default_factory=list)
    cells: dict[tuple[str, str], Any] = field(default_factory=dict)  # raw (sheet, A1) -> value
    adjustment: str | None = None  # 预算调整说明


#: the funding rows' keys of version 1 workbooks, as tests still name them
LEGACY_PARTS = {"current": "本年财政拨款", "carryover": "上年结转资金", "other": "其他资金"}


def _find_row(ws: Worksheet, label: str, start: int = 1) -> int:
    for row in range(start, ws.max_row + 1):
        value = ws.cell(row, 1).value
        if isinstance(value, str) and value.strip() == label:
            return row
    raise KeyError(f"label {label!r} not found on {ws.title}")


def _put(ws: Worksheet, row: int, col: int, value: Any, force: bool) -> None:
    cell = ws.cell(row, col)
    if ws.protection.sheet and cell.protection.locked and not force:
        raise LockedCellError(f"{ws.title}!{cell.coordinate} is locked")
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # input cells are text-formatted: what is typed stays text


def _header_cols(ws: Worksheet, header_row: int, labels: dict[str, str]) -> dict[str, int]:
    found = {ws.cell(header_row, c).value: c for c in range(1, ws.max_column + 1)}
    return {key: found[label] for key, label in labels.items() if label in found}


def fill_workbook(src: Path, dst: Path, fill: Fill, *, force: bool = False) -> Path:
    """Copy ``src`` to ``dst`` and type ``fill`` into it."""
    shutil.copyfile(src, dst)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        wb = openpyxl.load_workbook(dst)
    info = wb[L.SHEET_INFO]
    money_row = _find_row(info, L.MONEY_HEADER)
    money_cols = _header_cols(info, money_row, L.MONEY_COLUMN_LABELS)
    if fill.executed is not None:
        row = _find_row(info, L.MONEY_TOTAL, money_row)
        _put(info, row, money_cols["executed"], fill.executed, force)
    for (row_key, col_key), value in fill.parts.items():
        name = LEGACY_PARTS.get(row_key, row_key)
        label = L.MONEY_TOTAL if name == "total" else name
        try:
            row = _find_row(info, label, money_row)
        except KeyError:  # the first source is written 其中：…
            row = _find_row(info, L.PART_PREFIX + name, money_row)
        _put(info, row, money_cols[col_key], value, force)
    if fill.adjustment is not None:
        _put(info, _find_row(info, L.ADJUSTMENT_LABEL, money_row), 2, fill.adjustment, force)
    for key, value in (("overview", fill.overview), ("outputs", fill.outputs)):
        if value is not None:
            _put(info, _find_row(info, L.NARRATIVE_FIELDS[key]), 2, value, force)
    for key, value in fill.other.items():
        _put(info, _find_row(info, L.OTHER_FIELDS[key]), 2, value, force)
    for key, value in fill.contact.items():
        _put(info, _find_row(info, L.CONTACT_FIELDS[key]), 2, value, force)

    ind = wb[L.SHEET_INDICATORS]
    cols = _header_cols(ind, L.IND_HEADER_ROW, L.IND_COLUMNS)
    rows = {ind.cell(r, cols["code"]).value: r for r in range(L.IND_FIRST_ROW, ind.max_row + 1)}
    for code, entry in fill.indicators.items():
        for key, value in entry.items():
            _put(ind, rows[code], cols[key], value, force)

    prob = wb[L.SHEET_PROBLEMS]
    pcols = _header_cols(prob, L.PROB_HEADER_ROW, L.PROB_COLUMNS)
    for n, entry in enumerate(fill.problems):
        for key, value in entry.items():
            _put(prob, L.PROB_FIRST_ROW + n, pcols[key], value, force)

    for (sheet, coord), value in fill.cells.items():
        ws = wb[sheet]
        cell = ws[coord]
        _put(ws, cell.row, cell.column, value, force)
    wb.save(dst)
    return dst
