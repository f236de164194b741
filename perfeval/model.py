"""The data every stage passes on: cell references and values that remember where they came from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, order=True)
class CellRef:
    """Where a value came from: file name, sheet and A1 cell as the user sees them."""

    file: str
    sheet: str = ""
    cell: str = ""

    @property
    def address(self) -> str:
        """file!sheet!cell, the form used in source columns and the traceability appendix."""
        return f"{self.file}!{self.sheet}!{self.cell}"

    def __str__(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"“{self.sheet}”工作表")
        if self.cell:
            parts.append(f"{self.cell}单元格")
        return " ".join(parts)


class Value:
    """What the clerk typed (``raw``), what perfeval understood (``parsed``), and where.

    Thousands of values are read per second, so this is a slotted class whose :class:`CellRef`
    is built only when someone asks for it (a finding or a traced figure).
    """

    __slots__ = ("_col", "_file", "_row", "_sheet", "issue", "parsed", "raw")

    def __init__(
        self,
        raw: Any,
        parsed: Any,
        file: str,
        sheet: str,
        row: int,
        col: int,
        issue: str | None = None,
    ) -> None:
        self.raw = raw
        self.parsed = parsed
        self.issue = issue
        self._file, self._sheet, self._row, self._col = file, sheet, row, col

    @property
    def ref(self) -> CellRef:
        from perfeval.read.cells import a1

        return CellRef(self._file, self._sheet, a1(self._row, self._col))

    @property
    def empty(self) -> bool:
        """Nothing usable was read (blank, a placeholder, or text that did not parse)."""
        return self.parsed is None

    @property
    def blank(self) -> bool:
        """The cell holds nothing at all."""
        return self.issue == "empty"

    @property
    def text(self) -> str:
        """The parsed text, or '' when the cell held no text."""
        return self.parsed if isinstance(self.parsed, str) else ""

    def __repr__(self) -> str:
        return f"Value({self.raw!r}, {self.parsed!r}, {self.ref}, {self.issue!r})"
