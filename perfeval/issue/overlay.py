"""What to put into an issued workbook beyond the template: a clerk's values and our notes.

Issuing a blank workbook uses an empty overlay. An annotated copy to send back is the same
workbook issued again with the department's values in the input cells and, for every finding, a
red highlight and a comment on its cell (see :mod:`perfeval.render.returns`). Cells are named by
logical keys such as ``("ind", "1.1.1", "score")`` so re-ordered rows land where they belong.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

Key = tuple[str, ...]


@dataclass
class Overlay:
    values: dict[Key, Any] = field(default_factory=dict)
    notes: dict[Key, str] = field(default_factory=dict)
    positions: dict[Key, tuple[str, int, int]] = field(default_factory=dict)  # filled on write

    def mark(self, ws: Worksheet, r: int, c: int, key: Key) -> None:
        self.positions[key] = (ws.name, r, c)

    def put(
        self,
        ws: Worksheet,
        r: int,
        c: int,
        key: Key,
        fmt: Format,
        *,
        last_col: int | None = None,
        default: Any = None,
    ) -> None:
        """An input cell (or merged input range up to ``last_col``): the overlay's value if
        there is one, else ``default``, else blank."""
        self.mark(ws, r, c, key)
        value = self.values.get(key, default)
        if last_col is not None:
            ws.merge_range(r, c, r, last_col, "", fmt)
        if value is None or value == "":
            if last_col is None:
                ws.write_blank(r, c, None, fmt)
        elif isinstance(value, bool):
            ws.write_string(r, c, "是" if value else "否", fmt)
        elif isinstance(value, int | float | Decimal):
            ws.write_number(r, c, float(value), fmt)
        elif isinstance(value, dt.datetime):
            ws.write_datetime(r, c, value, fmt)
        elif isinstance(value, dt.date):
            ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), fmt)
        else:
            from perfeval.render.text import visible_text

            ws.write_string(r, c, visible_text(str(value)), fmt)
