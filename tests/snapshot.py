"""A semantic snapshot of a workbook: what a user sees and what protects it, as plain data.

Compared with a golden JSON file instead of bytes, so a library upgrade that reorders XML does not
fail the test, while any change of a value, lock, format, dropdown, formula or print setting does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl

VOLATILE = {"issued_at", "generator"}  # identity entries that change on every issue


def _cell(cell, cached) -> dict[str, Any]:
    out: dict[str, Any] = {"v": cell.value}
    if cell.data_type == "f":
        out["cached"] = cached
    if not cell.protection.locked:
        out["input"] = True
    if cell.number_format != "General":
        out["fmt"] = cell.number_format
    return out


def snapshot(path: Path) -> dict[str, Any]:
    wb = openpyxl.load_workbook(path)
    values = openpyxl.load_workbook(path, data_only=True)
    sheets = []
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None or not c.protection.locked:
                    cells[c.coordinate] = _cell(c, values[ws.title][c.coordinate].value)
        if ws.title == "_perfeval":
            keys = {coord: cells[coord]["v"] for coord in cells if coord.startswith("A")}
            for coord, key in keys.items():
                if key in VOLATILE:
                    cells["B" + coord[1:]]["v"] = f"<{key}>"
        sheets.append(
            {
                "name": ws.title,
                "state": ws.sheet_state,
                "protected": bool(ws.protection.sheet),
                "freeze": ws.freeze_panes,
                "merged": sorted(str(r) for r in ws.merged_cells.ranges),
                "widths": {
                    k: round(d.width, 1) for k, d in sorted(ws.column_dimensions.items()) if d.width
                },
                "print": {
                    "orientation": ws.page_setup.orientation,
                    "paper": ws.page_setup.paperSize,
                    "fit": bool(
                        ws.sheet_properties.pageSetUpPr
                        and ws.sheet_properties.pageSetUpPr.fitToPage
                    ),
                    "titles": ws.print_title_rows,
                },
                "validations": sorted(
                    [str(dv.sqref), dv.type, dv.formula1, dv.formula2]
                    for dv in ws.data_validations.dataValidation
                ),
                "conditional": sorted(
                    [str(rng.sqref), rule.type, list(rule.formula or [])]
                    for rng in ws.conditional_formatting
                    for rule in rng.rules
                ),
                "cells": cells,
            }
        )
    names = {n: d.attr_text for n, d in sorted(wb.defined_names.items())}
    return json.loads(
        json.dumps({"sheets": sheets, "names": names}, ensure_ascii=False, default=str)
    )


def differences(want: Any, got: Any, path: str = "") -> list[str]:
    """Paths where two snapshots differ, for a readable failure message."""
    if isinstance(want, dict) and isinstance(got, dict):
        out = []
        for key in sorted(set(want) | set(got), key=str):
            if key not in got:
                out.append(f"{path}/{key}: removed ({want[key]!r})")
            elif key not in want:
                out.append(f"{path}/{key}: added ({got[key]!r})")
            else:
                out += differences(want[key], got[key], f"{path}/{key}")
        return out
    if isinstance(want, list) and isinstance(got, list) and len(want) == len(got):
        out = []
        for n, (a, b) in enumerate(zip(want, got, strict=True)):
            name = a.get("name", n) if isinstance(a, dict) else n
            out += differences(a, b, f"{path}/{name}")
        return out
    return [] if want == got else [f"{path}: {want!r} -> {got!r}"]
