"""The 绩效目标/ folder: every targets file read, each project matched to its roster item.

A project is matched by 项目编号 when its source gives one, else by 项目名称 (compared
normalized). A project the roster does not know, or a second source for one item, is a finding;
so is a file that cannot be read. Nothing here stops a run.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from perfeval.check.catalogue import Code, Finding, finding
from perfeval.config.roster import RosterItem
from perfeval.machinery.pool import run_isolated
from perfeval.model import CellRef
from perfeval.read.container import is_lock_file
from perfeval.read.parse import normalize_text
from perfeval.targets.columns import DEFAULT_COLUMNS
from perfeval.targets.model import ProjectTargets, TargetBook
from perfeval.targets.read import read_targets_file

SUFFIXES = (".xlsx", ".xlsm")


def target_files(folder: Path) -> list[tuple[Path, str]]:
    """(path, name shown) of every workbook below ``folder``, sorted; lock files skipped."""
    if not folder.is_dir():
        return []
    found = []
    for where, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not os.path.islink(os.path.join(where, d)))
        for name in files:
            if is_lock_file(name) or not name.lower().endswith(SUFFIXES):
                continue
            path = Path(where) / name
            found.append((path, f"{folder.name}/{path.relative_to(folder).as_posix()}"))
    return sorted(found, key=lambda pair: pair[1])


_LIMITS: tuple = (DEFAULT_COLUMNS, 0, 0)  # what a worker reads with (set before the fork)


def _read_job(path: str, name: str) -> tuple[list[ProjectTargets], list[Finding]]:
    columns, max_bytes, max_uncompressed = _LIMITS
    try:
        return read_targets_file(Path(path), name, columns, max_bytes, max_uncompressed)
    except MemoryError:
        raise
    except Exception as exc:  # an unforeseen file costs its finding, never the run
        detail = f"处理时发生意外错误：{type(exc).__name__}"
        return [], [finding(Code.FILE_UNREADABLE, CellRef(name), detail=detail)]


def _failed_job(name: str, why: str) -> tuple[list[ProjectTargets], list[Finding]]:
    detail = {"crash": "读取时程序异常退出", "timeout": "读取超时"}.get(why, "读取时内存超出限制")
    return [], [finding(Code.FILE_UNREADABLE, CellRef(name), detail=detail)]


def read_isolated(
    files: list[tuple[Path, str]], limits: tuple, workers: int, timeout: float, memory_mb: int
) -> list[tuple[list[ProjectTargets], list[Finding]]]:
    """(projects, findings) of each (path, name shown), read in worker processes."""
    global _LIMITS
    _LIMITS = limits  # before the workers are forked: they inherit it
    return run_isolated(
        [(str(path), name) for path, name in files],
        _read_job,
        _failed_job,
        workers=workers,
        timeout=timeout,
        memory_mb=memory_mb,
    )


def load_targets(
    folder: Path,
    items: list[RosterItem],
    *,
    columns: dict[str, tuple[str, ...]] | None = None,
    max_bytes: int = 50 * 1024 * 1024,
    max_uncompressed: int = 500 * 1024 * 1024,
    workers: int = 0,
    timeout: float = 60.0,
    memory_mb: int = 1024,
) -> TargetBook:
    """Every targets file read in isolated worker processes, as returned workbooks are: a file
    that crashes, hangs or exhausts its reader costs one finding."""
    book = TargetBook()
    by_id = {normalize_text(i.item_id): i for i in items}
    by_name: dict[str, RosterItem] = {}
    for item in items:
        by_name.setdefault(normalize_text(item.name), item)
    files = target_files(folder)
    limits = (columns or DEFAULT_COLUMNS, max_bytes, max_uncompressed)
    for projects, findings in read_isolated(files, limits, workers, timeout, memory_mb):
        book.findings += findings
        for project in projects:
            item = by_id.get(project.item_id) if project.item_id else None
            if item is None and not project.item_id:
                item = by_name.get(normalize_text(project.name))
            if item is None:
                book.findings.append(
                    finding(
                        Code.TARGET_NOT_IN_ROSTER,
                        project.ref,
                        name=project.name or "（未写名称）",
                        item_id=project.item_id or "无编号",
                    )
                )
                continue
            project.item_id = item.item_id
            earlier = book.projects.get(item.item_id)
            if earlier is not None:
                book.findings.append(
                    finding(
                        Code.TARGET_DUPLICATE,
                        project.ref,
                        item_id=item.item_id,
                        first=earlier.source,
                        second=project.source,
                    )
                )
                continue
            book.projects[item.item_id] = project
    if files:
        book.findings.append(
            finding(
                Code.TARGET_READ,
                CellRef(folder.name),
                folder=folder.name,
                projects=len(book.projects),
                files=len(files),
            )
        )
    payload = [book.projects[k].fingerprint() for k in sorted(book.projects)]
    text = json.dumps(payload, ensure_ascii=False)
    book.content_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return book
