"""Build one issued workbook (XlsxWriter, new file, written atomically) and issue a whole roster."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter

from perfeval import __version__
from perfeval import layout as L
from perfeval.atomic import atomic_path
from perfeval.framework import Framework
from perfeval.issue.formats import make_formats
from perfeval.issue.indicator_sheet import write_indicators
from perfeval.issue.info_sheet import write_info
from perfeval.issue.naming import workbook_name
from perfeval.issue.plan import Plan, locked_pairs
from perfeval.issue.sheets import write_guide, write_identity, write_lists, write_problems
from perfeval.numbers import ratio
from perfeval.roster import RosterItem
from perfeval.settings import Settings
from perfeval.workspace import Workspace

WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}


@dataclass(frozen=True)
class IssuedWorkbook:
    item_id: str
    path: Path


def issue_workbook(
    target: Path,
    item: RosterItem,
    fw: Framework,
    settings: Settings,
    issued_at: dt.datetime | None = None,
) -> Path:
    """Write the workbook for one roster item to ``target``."""
    issued_at = issued_at or dt.datetime.now().replace(microsecond=0)
    rate = ratio(item.executed, item.budget) if item.executed is not None else None
    plan = Plan(item=item, framework=fw, settings=settings, rate=rate)
    with atomic_path(target) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), WORKBOOK_OPTIONS)
        wb.set_properties(
            {
                "title": f"{item.name}绩效评价填报表",
                "author": settings.bureau or "perfeval",
                "comments": f"perfeval {__version__}",
            }
        )
        formats = make_formats(wb)
        write_guide(wb, formats, plan)
        info = write_info(wb, formats, plan)
        write_indicators(wb, formats, plan, info.rate_cell)
        write_problems(wb, formats, plan)
        write_lists(wb, settings)
        identity = {
            "template_id": L.TEMPLATE_ID,
            "template_version": L.TEMPLATE_VERSION,
            "framework_id": fw.id,
            "framework_version": fw.version,
            "framework_hash": fw.content_hash,
            "item_id": item.item_id,
            "year": str(settings.year),
            "issued_at": issued_at.isoformat(),
        }
        identity["fingerprint"] = L.fingerprint(identity, info.locked + locked_pairs(fw))
        identity["generator"] = f"perfeval {__version__}"
        write_identity(wb, list(identity.items()))
        wb.close()
    return target


def issue_all(
    ws: Workspace, only: set[str] | None = None, issued_at: dt.datetime | None = None
) -> list[IssuedWorkbook]:
    """One workbook per roster item (or only the given item ids) into the issued folder."""
    out_dir = ws.settings.path("issued")
    out_dir.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    issued: list[IssuedWorkbook] = []
    for item in ws.roster.items:
        name = workbook_name(item, ws.settings.year, ws.settings.region, taken)
        if only and item.item_id not in only:
            continue
        fw = ws.frameworks.get(item.framework_id)
        assert fw is not None  # the roster only keeps items whose framework exists
        path = issue_workbook(out_dir / name, item, fw, ws.settings, issued_at)
        issued.append(IssuedWorkbook(item.item_id, path))
    return issued
