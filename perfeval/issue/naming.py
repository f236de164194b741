"""File names for issued workbooks: readable, unique, and safe on Windows and in WPS."""

from __future__ import annotations

import re
import unicodedata

from perfeval.config.roster import RosterItem

_FORBIDDEN = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}
MAX_STEM = 80


def file_safe(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _FORBIDDEN.sub("", text)
    return re.sub(r"\s+", "", text).strip(". ")


def short_unit(unit: str, region: str) -> str:
    """特克斯县民政局 -> 民政局 when the region is 特克斯县."""
    if region and unit.startswith(region) and len(unit) > len(region):
        return unit[len(region) :]
    return unit


def short_name(name: str, year: int) -> str:
    """2024年基层民政工作经办能力项目 -> 基层民政工作经办能力项目."""
    for prefix in (f"{year}年度", f"{year}年"):
        if name.startswith(prefix) and len(name) > len(prefix):
            return name[len(prefix) :]
    return name


def workbook_name(item: RosterItem, year: int, region: str, taken: set[str]) -> str:
    """e.g. ``2024_民政局_基层民政工作经办能力项目.xlsx``, unique (ignoring case) in ``taken``."""
    stem = "_".join(
        p
        for p in (
            str(year),
            file_safe(short_unit(item.unit, region)),
            file_safe(short_name(item.name, year)),
        )
        if p
    )[:MAX_STEM]
    if stem.upper() in _RESERVED:
        stem = f"_{stem}"
    candidate = f"{stem}.xlsx"
    if candidate.lower() in taken:
        candidate = f"{stem[: MAX_STEM - 12]}_{file_safe(item.item_id)[:10]}.xlsx"
    n = 2
    base = candidate[:-5]
    while candidate.lower() in taken:
        candidate = f"{base}_{n}.xlsx"
        n += 1
    taken.add(candidate.lower())
    return candidate
