"""What ``perfeval combine`` reads: archives (every region-year in them, or one year) and
evaluation folders (validated and aggregated in memory, their outputs untouched), all as the
same archive rows. Two inputs that claim the same region and year stop the command."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from perfeval.aggregate.figures import aggregate
from perfeval.archive import schema as t
from perfeval.archive.database import ArchiveError, open_archive
from perfeval.archive.records import year_record
from perfeval.archive.run import region_code
from perfeval.archive.store import archived_years, read_rows
from perfeval.config.settings import CONFIG_NAME
from perfeval.config.workspace import open_workspace
from perfeval.errors import PerfevalError
from perfeval.machinery.heap import long_lived
from perfeval.validate import validate

#: the tables a roll-up reads of each region-year
TABLES = ("evaluations", "problems", "coverage")


class CombineError(PerfevalError):
    """The inputs cannot be combined (nothing was written)."""


@dataclass
class RegionYear:
    region_code: str
    year: int
    region: str
    source: str  # the input it came from, as shown to the user
    rows: dict[str, list[dict]]


def read_inputs(paths: list[str], year: int | None = None) -> list[RegionYear]:
    """Every region-year of the inputs (of ``year`` only, when given), by region code and year."""
    found: dict[tuple[str, int], RegionYear] = {}
    for given in paths:
        for ry in _read_one(given, year):
            key = (ry.region_code, ry.year)
            if key in found:
                raise CombineError(
                    f"{ry.year}年“{ry.region}”（区划代码{ry.region_code}）同时出现在"
                    f"“{found[key].source}”和“{ry.source}”中，无法确定用哪一份。",
                    hint="每个地区每个年度只给一份：去掉重复的文件夹或档案，"
                    "或用 --year 只汇总一个年度。",
                )
            found[key] = ry
    if not found:
        raise CombineError(
            "输入中没有可汇总的地区和年度。"
            + (f"（指定了 --year {year}）" if year is not None else ""),
            hint="请给出评价文件夹或已归档的绩效档案。",
        )
    return [found[k] for k in sorted(found)]


def _read_one(given: str, year: int | None) -> list[RegionYear]:
    path = Path(given)
    if path.is_dir():
        if not (path / CONFIG_NAME).is_file():
            raise CombineError("该文件夹不是评价文件夹（没有 perfeval.toml）。", path=path)
        return _folder(path, year)
    if "://" in given:
        return _archive(given, given, year)
    if not path.exists():
        raise CombineError("找不到该文件或文件夹。", path=path)
    return _archive(f"sqlite:///{path.resolve()}", str(path), year)


def _archive(url: str, shown: str, year: int | None) -> list[RegionYear]:
    archive = open_archive(url, create=False)
    out = []
    for a in archived_years(archive):
        if year is not None and a.year != year:
            continue
        rows = {
            name: read_rows(archive, t.metadata.tables[name], a.region_code, a.year)
            for name in TABLES
        }
        out.append(RegionYear(a.region_code, a.year, a.region, shown, rows))
    if not out and year is None:
        raise ArchiveError("绩效档案中还没有任何年度的记录。", path=archive.shown)
    return out


def _folder(path: Path, year: int | None) -> list[RegionYear]:
    ws = open_workspace(path)
    s = ws.settings
    if year is not None and s.year != year:
        return []
    code = region_code(s)  # refused (exit 2) when missing
    quiet = dataclasses.replace(ws, settings=dataclasses.replace(s, annotated_copies=False))
    with long_lived():
        result = validate(quiet, scores=True)
        results = aggregate(result, quiet.settings, quiet.roster.items)
    record = year_record(results, None, [], region_code=code, folder_id="", folder=str(path))
    rows = {name: record.rows.get(name, []) for name in TABLES}
    return [RegionYear(code, s.year, s.region, str(path), rows)]
