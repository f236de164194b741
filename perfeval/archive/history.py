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
from perfeval.archive.database import (
    Archive,
    ArchiveError,
    NoArchive,
    archive_url,
    open_archive,
)
from perfeval.archive.store import archived_years, read_columns, read_rows
from perfeval.check.catalogue import Code, Finding, finding
from perfeval.config.settings import Settings
from perfeval.model import CellRef
from perfeval.read.parse import normalize_text
from perfeval.review.history_rules import PastProject, PastProjects, name_without_year


def _open(settings: Settings) -> tuple[Archive | None, str, list[Finding]]:
    """The archive to read (None when there is none, or no region code to read by)."""
    code = str(settings.raw["evaluation"].get("region_code", "")).strip()
    if not code:
        return None, code, []
    url = archive_url(settings)
    try:
        archive = open_archive(url, wait=settings.raw["archive"]["wait_seconds"], create=False)
    except NoArchive:
        return None, code, []
    except ArchiveError as e:
        return None, code, [finding(Code.ARCHIVE_UNREADABLE, CellRef(e.path or url), why=e.message)]
    return archive, code, []


def load_history(settings: Settings) -> tuple[History | None, list[Finding]]:
    """The region's previous year, for 汇总表's and the report's comparisons."""
    archive, code, notes = _open(settings)
    if archive is None:
        return None, notes
    year = settings.year - 1
    try:
        rows = read_rows(archive, t.evaluations, code, year)
        if not rows:
            return None, []
        levels: dict[str, dict[str, list[Decimal]]] = defaultdict(dict)
        columns = ("item_id", "l1", "weight", "score")
        for item_id, l1, weight, score in read_columns(archive, t.indicators, columns, code, year):
            pair = levels[item_id].setdefault(l1, [Decimal(0), Decimal(0)])
            pair[0] += weight
            pair[1] += score
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


def load_past_projects(settings: Settings) -> tuple[PastProjects | None, list[Finding]]:
    """Every project of the region's earlier archived years: its latest archived targets and its
    latest archived 实际完成值 (for the targets review's look back)."""
    archive, code, notes = _open(settings)
    if archive is None:
        return None, notes
    past = PastProjects()
    try:
        years = [a.year for a in archived_years(archive) if a.region_code == code]
        for year in sorted((y for y in years if y < settings.year), reverse=True):
            targets: dict[str, list] = defaultdict(list)
            for r in read_rows(archive, t.targets, code, year):
                targets[r["item_id"]].append((r["l3"], r["direction"], r["value"], r["unit"]))
            actuals: dict[str, dict] = defaultdict(dict)
            columns = ("item_id", "l3", "actual", "cell")
            for item_id, l3, actual, cell in read_columns(
                archive, t.indicators, columns, code, year
            ):
                if actual:
                    actuals[item_id][normalize_text(l3)] = (actual, cell)
            for r in read_rows(archive, t.evaluations, code, year):
                _remember(past, r, year, targets[r["item_id"]], actuals[r["item_id"]])
    except ArchiveError as e:
        return None, [finding(Code.ARCHIVE_UNREADABLE, CellRef(archive.shown), why=e.message)]
    return past, []


def _remember(past: PastProjects, row: dict, year: int, targets: list, actuals: dict) -> None:
    """Years come newest first: each project keeps the newest targets and actuals it has."""
    same = past.find(row["name"], row["unit"])
    if same is None or normalize_text(same.unit) != normalize_text(row["unit"]):
        same = PastProject(row["name"], row["unit"])
        past.by_name.setdefault(name_without_year(row["name"]), []).append(same)
    if targets and not same.targets:
        same.targets, same.targets_year = targets, year
    if actuals and not same.actuals:
        same.actuals, same.actuals_year = actuals, year
