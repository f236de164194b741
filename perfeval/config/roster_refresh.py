"""Keeping the roster's dropdowns in step with the folder's frameworks and kinds.

项目清单.xlsx offers its 评价类型 and 指标体系 as dropdowns whose choices sit on its hidden 选项
sheet (through the names 评价类型列表 and 指标体系列表). A framework added to 指标体系/ after
``perfeval init`` is missing from them until they are refreshed: ``perfeval issue`` and
``perfeval validate`` do it. Only the 选项 sheet and the two names change; the rows the staff
typed are compared cell by cell before the new file replaces the old one (atomically), and if
anything else would differ, or the file cannot be written (open in Excel, read-only), it is left
as it was and a warning says so. Nothing happens when the lists are already right.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import openpyxl

from perfeval.check.catalogue import Code, Finding, finding
from perfeval.config.framework import FrameworkRegistry
from perfeval.config.settings import Settings
from perfeval.machinery.atomic import atomic_path
from perfeval.model import CellRef
from perfeval.read.cells import Book

LIST_SHEET = "选项"
NAMES = {"kinds": "评价类型列表", "frameworks": "指标体系列表"}


@dataclass(frozen=True)
class Lists:
    kinds: tuple[str, ...]
    frameworks: tuple[str, ...]


def wanted(settings: Settings, registry: FrameworkRegistry) -> Lists:
    return Lists(tuple(k.name for k in settings.kinds), tuple(f.name for f in registry))


def _read(path: Path) -> tuple[Lists | None, dict[str, list[list]]]:
    """The lists the file offers now, and every sheet's values (for the comparison)."""
    with Book(path.read_bytes()) as book:
        values = {name: book.grid(name).rows for name in book.sheet_names}
    rows = values.get(LIST_SHEET)
    if rows is None:
        return None, values

    def column(n: int) -> tuple[str, ...]:
        return tuple(str(r[n]) for r in rows if len(r) > n and str(r[n]).strip())

    return Lists(column(0), column(1)), values


def refresh_roster_lists(path: Path, settings: Settings, registry: FrameworkRegistry):
    """True when the dropdowns were refreshed, False when they were right already; a warning
    finding when they should have been and could not be."""
    want = wanted(settings, registry)
    try:
        have, before = _read(path)
    except Exception:  # an unreadable roster is reported where the roster is read
        return False
    if have == want or have is None:  # None: not a roster perfeval made; left alone
        return False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            wb = openpyxl.load_workbook(path)
        sheet = wb[LIST_SHEET]
        sheet.delete_cols(1, 2)
        for n, name in enumerate(want.kinds, start=1):
            sheet.cell(n, 1, name).data_type = "s"
        for n, name in enumerate(want.frameworks, start=1):
            sheet.cell(n, 2, name).data_type = "s"
        for key, col in (("kinds", "A"), ("frameworks", "B")):
            rows = max(len(getattr(want, key)), 1)
            defined = wb.defined_names.get(NAMES[key])
            if defined is not None:
                defined.attr_text = f"{LIST_SHEET}!${col}$1:${col}${rows}"
        with atomic_path(path) as tmp:
            wb.save(tmp)
            _, after = _read(tmp)
            if {k: v for k, v in after.items() if k != LIST_SHEET} != {
                k: v for k, v in before.items() if k != LIST_SHEET
            }:
                raise ValueError("the rewrite would change the typed rows")
    except Exception as exc:  # open in Excel, read-only, or not as expected: left as it is
        return finding(
            Code.ROSTER_LISTS_NOT_REFRESHED,
            CellRef(path.name, LIST_SHEET),
            detail=type(exc).__name__,
        )
    return True


def refresh_finding(path: Path, settings: Settings, registry: FrameworkRegistry) -> list[Finding]:
    """The refresh, as findings: an information when done, a warning when it could not be."""
    done = refresh_roster_lists(path, settings, registry)
    if done is True:
        return [finding(Code.ROSTER_LISTS_REFRESHED, CellRef(path.name, LIST_SHEET))]
    return [done] if isinstance(done, Finding) else []
