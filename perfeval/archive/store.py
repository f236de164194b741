"""Writing a region-year into the archive and reading years back.

Re-archiving a year replaces that year's rows of that region in one transaction and touches no
other; a failure part-way leaves the archive as it was. A region-year archived from another
evaluation folder is not replaced unless asked (``replace``): two folders claiming the same
region and year is a mistake to show, not to settle silently.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import sqlalchemy as sa

from perfeval import __version__
from perfeval.archive import schema as t
from perfeval.archive.database import Archive, ArchiveError
from perfeval.archive.records import YearRecord

_CHUNK = 2000  # rows per INSERT statement


@dataclass(frozen=True)
class Archived:
    """One archived region-year, as the archive lists it."""

    region_code: str
    year: int
    region: str
    bureau: str
    folder: str
    folder_id: str
    archived_at: dt.datetime
    items: int
    complete: bool


def write_year(archive: Archive, record: YearRecord, *, replace: bool = False) -> None:
    """Put ``record`` in the archive in place of the region-year's earlier rows."""
    with archive.writing() as conn:
        if conn.dialect.name == "postgresql":  # the same region-year archived twice at once
            lock = zlib.crc32(f"{record.region_code}/{record.year}".encode())
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock})
        earlier = _archived(conn, record.region_code, record.year)
        if earlier and earlier.folder_id != record.folder_id and not replace:
            raise ArchiveError(
                f"{record.year}年“{earlier.region}”（区划代码{record.region_code}）已由另一个"
                f"评价文件夹（{earlier.folder}）于{earlier.archived_at:%Y-%m-%d %H:%M}归档，"
                "本次没有写入。",
                path=archive.shown,
                hint="确认本文件夹才是该地区该年度的正式结果后，加 --replace 重新归档；"
                "否则请检查 perfeval.toml 中的 region_code 和 year。",
            )
        for table in t.YEAR_TABLES:
            conn.execute(
                table.delete().where(
                    table.c.region_code == record.region_code, table.c.year == record.year
                )
            )
        stamp = {"archived_at": dt.datetime.now(dt.UTC), "perfeval_version": __version__}
        conn.execute(t.archives.insert(), [{**r, **stamp} for r in record.rows["archives"]])
        for table in reversed(t.YEAR_TABLES[:-1]):  # parents first
            _insert(conn, table, record.rows.get(table.name, ()))


def _insert(conn: sa.Connection, table: sa.Table, rows: Iterable[dict]) -> None:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= _CHUNK:
            conn.execute(table.insert(), batch)
            batch = []
    if batch:
        conn.execute(table.insert(), batch)


def _archived(conn: sa.Connection, region_code: str, year: int) -> Archived | None:
    row = (
        conn.execute(
            sa.select(t.archives).where(
                t.archives.c.region_code == region_code, t.archives.c.year == year
            )
        )
        .mappings()
        .first()
    )
    return _as_archived(row) if row else None


def _as_archived(row) -> Archived:
    return Archived(
        row["region_code"],
        row["year"],
        row["region"],
        row["bureau"],
        row["folder"],
        row["folder_id"],
        row["archived_at"],
        row["items"],
        bool(row["complete"]),
    )


def archived_years(archive: Archive) -> list[Archived]:
    """Every archived region-year, by region code and year."""
    with archive.reading() as conn:
        rows = conn.execute(
            sa.select(t.archives).order_by(t.archives.c.region_code, t.archives.c.year)
        ).mappings()
        return [_as_archived(r) for r in rows]


def read_rows(archive: Archive, table: sa.Table, region_code: str, year: int) -> list[dict]:
    """The rows of ``table`` for one region-year, in key order, as plain dicts."""
    with archive.reading() as conn:
        query = (
            sa.select(table)
            .where(table.c.region_code == region_code, table.c.year == year)
            .order_by(*table.primary_key.columns)
        )
        return [dict(r) for r in conn.execute(query).mappings()]


def read_columns(
    archive: Archive, table: sa.Table, names: tuple[str, ...], region_code: str, year: int
) -> Iterator[tuple]:
    """Only ``names`` of ``table``'s rows for one region-year, as tuples, streamed in batches:
    a province's year has millions of indicator rows."""
    with archive.reading() as conn:
        query = sa.select(*(table.c[n] for n in names)).where(
            table.c.region_code == region_code, table.c.year == year
        )
        result = conn.execution_options(yield_per=20_000).execute(query)
        for row in result:
            yield tuple(row)
