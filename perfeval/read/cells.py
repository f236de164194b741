"""Cell grids read with python-calamine, addressed as the user sees them (A1, rows from 1).

calamine returns every number as float and an empty cell as ''. A :class:`Grid` keeps the sheet
name and turns (row, column) into A1 references, so every value read can say where it came from.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import python_calamine

from perfeval.read.parse import normalize_text

MAX_ROWS = 5000
MAX_COLS = 64


def col_letter(col: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def a1(row: int, col: int) -> str:
    return f"{col_letter(col)}{row}"


@dataclass(frozen=True)
class Grid:
    """Values of one sheet; ``get(row, col)`` with 1-based Excel coordinates."""

    sheet: str
    rows: list[list[Any]]
    _index: dict[int, dict[str, list[int]]] = field(default_factory=dict, repr=False)

    def get(self, row: int, col: int) -> Any:
        if 1 <= row <= len(self.rows):
            line = self.rows[row - 1]
            if 1 <= col <= len(line):
                return line[col - 1]
        return ""

    @property
    def height(self) -> int:
        return len(self.rows)

    def find_in_column(self, col: int, text: str, start: int = 1) -> int | None:
        """First row (from ``start``) whose cell in ``col`` equals ``text`` after trimming."""
        index = self._index.get(col)
        if index is None:
            index = {}
            for row, line in enumerate(self.rows, start=1):
                value = line[col - 1] if col <= len(line) else ""
                if isinstance(value, str) and value:
                    index.setdefault(normalize_text(value), []).append(row)
            self._index[col] = index
        for row in index.get(normalize_text(text), ()):
            if row >= start:
                return row
        return None


class Book:
    """An open workbook: sheet names, visibility and bounded grids."""

    def __init__(self, source: Path | bytes) -> None:
        handle = io.BytesIO(source) if isinstance(source, bytes) else source
        self._wb = python_calamine.load_workbook(handle)
        self.sheet_names: list[str] = list(self._wb.sheet_names)
        self.visibility = {
            m.name: str(m.visible).rsplit(".", 1)[-1] for m in self._wb.sheets_metadata
        }

    def grid(self, name: str, max_rows: int = MAX_ROWS) -> Grid:
        sheet = self._wb.get_sheet_by_name(name)
        rows = sheet.to_python(skip_empty_area=False, nrows=max_rows)
        return Grid(name, [r if len(r) <= MAX_COLS else r[:MAX_COLS] for r in rows])

    def close(self) -> None:
        self._wb.close()

    def __enter__(self) -> Book:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
