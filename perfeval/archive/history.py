"""Reading the previous year from the archive for 汇总表 and the report.

The archive is optional here: no archive, no region code or no previous year simply means no
comparison. An archive that exists but cannot be read (locked, newer, damaged) is one warning,
and the tables and report are made without the comparison.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from perfeval.aggregate.history import History, PastItem
from perfeval.archive import schema as t
from perfeval.archive.database import ArchiveError, archive_url, open_archive
from perfeval.archive.store import read_rows
from perfeval.check.catalogue import Code, Finding, finding
from perfeval.config.settings import Settings
from perfeval.model import CellRef


def load_history(settings: Settings) -> tuple[History | None, list[Finding]]:
    code = str(settings.raw["evaluation"].get("region_code", "")).strip()
    if not code:
        return None, []
    url = archive_url(settings)
    try:
        archive = open_archive(url, wait=settings.raw["archive"]["wait_seconds"], create=False)
    except ArchiveError as e:
        if "还没有绩效档案" in e.message:
            return None, []
        return None, [finding(Code.ARCHIVE_UNREADABLE, CellRef(e.path or url), why=e.message)]
    year = settings.year - 1
    try:
        rows = read_rows(archive, t.evaluations, code, year)
        if not rows:
            return None, []
        levels: dict[str, dict[str, list[Decimal]]] = defaultdict(dict)
        for r in read_rows(archive, t.indicators, code, year):
            pair = levels[r["item_id"]].setdefault(r["l1"], [Decimal(0), Decimal(0)])
            pair[0] += r["weight"]
            pair[1] += r["score"]
        problems: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for r in read_rows(archive, t.problems, code, year):
            problems[r["item_id"]].append((r["category"], r["description"]))
        [region] = [a["region"] for a in read_rows(archive, t.archives, code, year)] or [""]
    except ArchiveError as e:
        return None, [finding(Code.ARCHIVE_UNREADABLE, CellRef(archive.shown), why=e.message)]
    items = tuple(
        PastItem(
            r["item_id"],
            r["project_key"],
            r["kind"],
            r["evaluator"],
            r["name"],
            r["unit"],
            r["budget"],
            r["total"],
            r["grade"],
            tuple((name, w, s) for name, (w, s) in levels[r["item_id"]].items()),
            tuple(problems[r["item_id"]]),
        )
        for r in rows
    )
    return History(year, region, items, archive.shown), []
