"""Build one issued workbook (XlsxWriter, new file, written atomically) and issue a whole roster."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from perfeval import __version__
from perfeval import layout as L
from perfeval.config.framework import Framework
from perfeval.config.roster import RosterItem
from perfeval.config.settings import Settings
from perfeval.config.workspace import Workspace
from perfeval.errors import OutputError
from perfeval.issue.annotations import Annotations
from perfeval.issue.formats import make_formats
from perfeval.issue.formula_sheet import FormulaWorkbook
from perfeval.issue.indicator_sheet import write_indicators
from perfeval.issue.info_sheet import write_info
from perfeval.issue.naming import workbook_name
from perfeval.issue.plan import Plan, info_locked_pairs, locked_pairs
from perfeval.issue.sheets import write_guide, write_identity, write_lists, write_problems
from perfeval.machinery.atomic import atomic_path, make_folder
from perfeval.machinery.pool import run_isolated
from perfeval.numbers import ratio

WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
    "in_memory": True,  # no temporary file per part: several times faster for small workbooks
}


@dataclass(frozen=True)
class IssuedWorkbook:
    item_id: str
    path: Path


def identity_for(
    item: RosterItem, fw: Framework, settings: Settings, issued_at: dt.datetime
) -> dict[str, str]:
    """What the very hidden identity sheet records, with the fingerprint of the locked cells."""
    identity = {
        "template_id": L.TEMPLATE_ID,
        "template_version": L.TEMPLATE_VERSION,
        "framework_id": fw.id,
        "framework_version": fw.version,
        "framework_hash": fw.issue_hash,  # as compared: see check.identity
        "item_id": item.item_id,
        "year": str(settings.year),
        "issued_at": issued_at.isoformat(),
    }
    locked = info_locked_pairs(item, fw, settings) + locked_pairs(fw)
    identity["fingerprint"] = L.fingerprint(identity, locked)
    identity["generator"] = f"perfeval {__version__}"
    return identity


def issue_workbook(
    target: Path,
    item: RosterItem,
    fw: Framework,
    settings: Settings,
    issued_at: dt.datetime | None = None,
    annotations: Annotations | None = None,
) -> Path:
    """Write the workbook for one roster item to ``target``; with ``annotations``, the same
    workbook carrying a department's values and perfeval's notes (an annotated copy)."""
    issued_at = issued_at or dt.datetime.now().replace(microsecond=0)
    rate = ratio(item.executed, item.budget) if item.executed is not None else None
    plan = Plan(item=item, framework=fw, settings=settings, rate=rate)
    if annotations is not None:
        plan.overlay = annotations.overlay
    with atomic_path(target) as tmp:
        wb = FormulaWorkbook(str(tmp), WORKBOOK_OPTIONS)
        wb.set_properties(
            {
                "title": f"{item.name}绩效评价填报表",
                "author": settings.bureau or "perfeval",
                "comments": f"perfeval {__version__}",
            }
        )
        formats = make_formats(wb)
        summary = annotations.start(wb) if annotations is not None else None
        write_guide(wb, formats, plan)
        info = write_info(wb, formats, plan)
        write_indicators(wb, formats, plan, info.rate_cell)
        write_problems(wb, formats, plan)
        write_lists(wb, settings)
        identity = identity_for(item, fw, settings, issued_at)
        write_identity(wb, list(identity.items()))
        if annotations is not None and summary is not None:
            annotations.finish(wb, summary, formats)
        wb.close()
    return target


_ISSUE: tuple[Workspace, dt.datetime] | None = None


def _issue_job(target: str, item_id: str) -> str:
    assert _ISSUE is not None
    ws, issued_at = _ISSUE
    item = ws.roster.get(item_id)
    fw = ws.framework_for(item)
    issue_workbook(Path(target), item, fw, ws.settings, issued_at)
    return target


def _issue_failed(item_id: str, why: str) -> str:
    return ""


def issue_all(
    ws: Workspace,
    only: set[str] | None = None,
    issued_at: dt.datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[IssuedWorkbook]:
    """One workbook per roster item (or only the given item ids) into the issued folder,
    written by worker processes in parallel."""
    global _ISSUE
    out_dir = ws.settings.path("issued")
    make_folder(out_dir)
    issued_at = issued_at or dt.datetime.now().replace(microsecond=0)
    taken: set[str] = set()
    jobs: list[tuple[str, str]] = []
    for item in ws.roster.items:
        name = workbook_name(item, ws.settings.year, ws.settings.region, taken)
        if not only or item.item_id in only:
            jobs.append((str(out_dir / name), item.item_id))
    _ = ws.targets  # read here, by workers of its own: a worker below cannot start any
    _ISSUE = (ws, issued_at)
    if len(jobs) < 8 or ws.settings.workers < 0:
        done = [_issue_job(*job) for job in jobs]
    else:
        done = run_isolated(
            jobs,
            _issue_job,
            _issue_failed,
            workers=ws.settings.workers,
            timeout=ws.settings.file_timeout,
            memory_mb=0,
            progress=progress,
        )
    failed = [item_id for (_, item_id), path in zip(jobs, done, strict=True) if not path]
    if failed:
        raise OutputError(
            f"有{len(failed)}个工作簿未能生成，例如项目{failed[0]}。",
            path=out_dir,
            hint="请检查磁盘空间和文件夹权限后重试。",
        )
    return [IssuedWorkbook(item_id, Path(path)) for (path, item_id) in jobs]
