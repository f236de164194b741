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

    def __str__(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"“{self.sheet}”工作表")
        if self.cell:
            parts.append(f"{self.cell}单元格")
        return " ".join(parts)


@dataclass(frozen=True)
class Value:
    """What the clerk typed (``raw``), what perfeval understood (``parsed``), and where."""

    raw: Any
    parsed: Any
    ref: CellRef
    issue: str | None = None

    @property
    def empty(self) -> bool:
        return self.parsed is None
