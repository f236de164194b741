"""``perfeval archive``: the year's accepted results into the archive.

The folder is validated and aggregated as ``perfeval aggregate`` does (unchanged files come from
the cache), then its items, indicator rows with their cells, money, grades, problems and
measures, approved targets and a count of findings by code are written for the folder's
区划代码 and year.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from perfeval import pipeline
from perfeval.archive.database import archive_url, open_archive
from perfeval.archive.records import YearRecord, year_record
from perfeval.archive.store import write_year
from perfeval.config.settings import Settings
from perfeval.errors import ConfigError
from perfeval.machinery.atomic import write_text
from perfeval.machinery.own_files import FOLDER_ID, occupied


@dataclass
class ArchiveOutcome:
    record: YearRecord
    where: str  # the archive, as shown to the user
    outputs: list[Path]


def region_code(settings: Settings) -> str:
    """The folder's 区划代码, which archive rows are keyed by; refused when missing."""
    code = str(settings.raw["evaluation"].get("region_code", "")).strip()
    if not code:
        raise ConfigError(
            "归档需要行政区划代码，perfeval.toml 中还没有填写。",
            path=settings.folder / "perfeval.toml",
            hint='在 [evaluation] 中填写 region_code，如 region_code = "654027"。',
        )
    if not (code.isascii() and code.isdigit() and 6 <= len(code) <= 12):
        raise ConfigError(
            f"行政区划代码“{code}”应为6至12位数字。",
            path=settings.folder / "perfeval.toml",
            hint='县级代码为6位，如 region_code = "654027"。',
        )
    return code


def folder_id(folder: Path) -> str:
    """This evaluation folder's identity (kept in the folder, travelling with it)."""
    path = folder / FOLDER_ID
    if occupied(path):
        raise ConfigError("该位置上不是普通文件。", path=path, hint="请删除它后重试。")
    if path.is_file():
        text = path.read_text(encoding="utf-8").strip()
        if text:
            return text[:40]
    made = uuid.uuid4().hex
    write_text(path, made + "\n")
    return made


def archive_folder(folder: Path, *, replace: bool = False) -> ArchiveOutcome:
    outcome = pipeline.do_aggregate(folder)
    ws = outcome.workspace
    assert outcome.results is not None
    assert outcome.validation is not None
    code = region_code(ws.settings)
    wait = ws.settings.raw["archive"]["wait_seconds"]
    archive = open_archive(archive_url(ws.settings), wait=wait)
    targets = ws.targets if ws.targets.projects else None
    record = year_record(
        outcome.results,
        targets,
        outcome.validation.findings,
        region_code=code,
        folder_id=folder_id(ws.folder),
        folder=str(ws.folder.resolve()),
    )
    write_year(archive, record, replace=replace)
    return ArchiveOutcome(record, archive.shown, outcome.outputs)
