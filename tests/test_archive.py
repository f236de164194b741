"""perfeval archive: a year's accepted results in the archive, on SQLite and on PostgreSQL;
re-archiving replaces that year only, a failure part-way changes nothing, and every way of
failing is an ArchiveError (exit 2) with nothing archived lost."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from perfeval import pipeline
from perfeval.aggregate.figures import Results
from perfeval.archive import schema as t
from perfeval.archive import store
from perfeval.archive.database import ArchiveError, open_archive
from perfeval.archive.identity import project_key
from perfeval.archive.records import year_record
from perfeval.archive.run import archive_folder
from perfeval.archive.store import archived_years, read_rows, write_year
from perfeval.config.workspace import open_workspace


def set_config(folder: Path, **values: str) -> None:
    """Replace ``key = …`` lines of the folder's perfeval.toml."""
    config = folder / "perfeval.toml"
    lines = config.read_text(encoding="utf-8").splitlines()
    for key, value in values.items():
        lines = [f"{key} = {value}" if line.startswith(f"{key} = ") else line for line in lines]
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def county(tmp_path: Path, archive_url: str, monkeypatch) -> Path:
    """The bundled example, its archive at ``archive_url``."""
    folder = pipeline.prepare_demo(tmp_path / "2024")
    monkeypatch.setenv("PERFEVAL_ARCHIVE_URL", archive_url)
    return folder


def counts(url: str, region_code: str, year: int) -> dict[str, int]:
    archive = open_archive(url, create=False)
    return {
        table.name: len(read_rows(archive, table, region_code, year)) for table in t.YEAR_TABLES
    }


def test_a_year_is_archived_with_its_cells_and_exact_money(county, archive_url):
    done = archive_folder(county)
    roster = open_workspace(county).roster
    archive = open_archive(archive_url, create=False)
    rows = read_rows(archive, t.evaluations, "654027", 2024)
    # every roster item of the example passes: each is one row, keyed by its 项目编号
    assert [r["item_id"] for r in rows] == [i.item_id for i in roster.items]
    first = rows[0]
    assert first["budget"] == Decimal("123.77")
    assert isinstance(first["budget"], Decimal)
    assert first["evaluator"] == "财政评价"
    assert first["budget_cell"].startswith(first["file"] + "!")
    assert {r["evaluator"] for r in rows if r["kind"] == "单位自评"} == {"自评"}
    assert first["project_key"] == project_key("2024年基层民政工作经办能力项目", first["unit"])
    indicators = read_rows(archive, t.indicators, "654027", 2024)
    mine = [r for r in indicators if r["item_id"] == first["item_id"]]
    assert sum(r["score"] for r in mine) == first["total"]
    assert all(r["cell"].startswith(f"{first['file']}!指标!") for r in mine)
    assert len(read_rows(archive, t.problems, "654027", 2024)) == done.record.count("problems")
    assert read_rows(archive, t.targets, "654027", 2024)  # the example's approved targets
    [listed] = archived_years(archive)
    assert (listed.region, listed.items, listed.complete) == ("特克斯县", len(rows), True)


def test_re_archiving_replaces_that_year_and_no_other(county, archive_url, tmp_path):
    archive_folder(county)
    first = counts(archive_url, "654027", 2024)
    other = pipeline.prepare_demo(tmp_path / "2025")
    set_config(other, year="2025")  # its workbooks say 2024: it archives its findings only
    (other / ".perfeval-folder-id").write_text((county / ".perfeval-folder-id").read_text())
    archive_folder(other)
    later = counts(archive_url, "654027", 2025)
    archive_folder(county)  # again: the same rows, not twice as many
    assert counts(archive_url, "654027", 2024) == first
    assert counts(archive_url, "654027", 2025) == later
    assert first["evaluations"] == 7
    assert later["findings"] > 0
    assert [a.year for a in archived_years(open_archive(archive_url))] == [2024, 2025]


def test_a_failure_part_way_leaves_the_archive_as_it_was(county, archive_url, monkeypatch):
    archive_folder(county)
    before = counts(archive_url, "654027", 2024)
    calls = []

    def failing_insert(conn, table, rows):
        calls.append(table.name)
        if table.name == "indicators":
            raise ArchiveError("simulated failure")
        return original(conn, table, rows)

    original = store._insert
    monkeypatch.setattr(store, "_insert", failing_insert)
    with pytest.raises(ArchiveError):
        archive_folder(county)
    assert "evaluations" in calls  # rows had been written before it failed
    assert counts(archive_url, "654027", 2024) == before


def test_another_folder_claiming_the_same_region_and_year_is_refused(county, tmp_path):
    archive_folder(county)
    twin = pipeline.prepare_demo(tmp_path / "twin")
    with pytest.raises(ArchiveError) as refused:
        archive_folder(twin)
    assert refused.value.exit_code == 2
    assert "--replace" in refused.value.hint
    archive_folder(twin, replace=True)


def test_the_migrations_make_exactly_the_tables_perfeval_queries(archive_url):
    archive = open_archive(archive_url)
    with archive.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), t.metadata) == []


def test_an_archive_from_a_newer_perfeval_is_refused(archive_url):
    archive = open_archive(archive_url)
    with archive.engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(ArchiveError, match="更新版本"):
        open_archive(archive_url)


def test_a_database_that_is_not_an_archive_is_refused(tmp_path):
    path = tmp_path / "other.sqlite"
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE payroll (id INTEGER)")
        conn.commit()
    with pytest.raises(ArchiveError, match="不是 perfeval 的绩效档案"):
        open_archive(f"sqlite:///{path}")
    broken = tmp_path / "broken.sqlite"
    broken.write_bytes(b"not a database at all" * 100)
    with pytest.raises(ArchiveError, match="损坏"):
        open_archive(f"sqlite:///{broken}")


def test_a_missing_archive_is_not_created_by_a_reader(tmp_path):
    with pytest.raises(ArchiveError, match="还没有绩效档案"):
        open_archive(f"sqlite:///{tmp_path / 'none.sqlite'}", create=False)
    assert not (tmp_path / "none.sqlite").exists()


def test_a_locked_archive_waits_then_says_so(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.sqlite'}"
    open_archive(url)
    holder = sqlite3.connect(tmp_path / "a.sqlite", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(ArchiveError, match="正被另一个程序使用"):
            open_archive(url, wait=0.2)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_server_that_refuses_the_connection_is_told_plainly():
    with pytest.raises(ArchiveError, match="无法连接") as refused:
        open_archive("postgresql+psycopg://nobody:secret@127.0.0.1:9/none")
    assert "secret" not in refused.value.render()


def test_two_counties_archive_into_one_server_at_once(postgres, tmp_path, monkeypatch):
    from tests.pg_server import create_database

    url = create_database(postgres, "two_counties")
    folder = pipeline.prepare_demo(tmp_path / "2024")
    outcome = pipeline.do_aggregate(folder)
    assert isinstance(outcome.results, Results)
    records = [
        year_record(outcome.results, None, [], region_code=code, folder_id=code, folder=str(folder))
        for code in ("654027", "654028")
    ]
    archive = open_archive(url)
    errors: list[BaseException] = []

    def write(record):
        try:
            for _ in range(3):
                write_year(open_archive(url), record)
        except BaseException as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=write, args=(r,)) for r in records]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    assert [a.region_code for a in archived_years(archive)] == ["654027", "654028"]
    for code in ("654027", "654028"):
        assert len(read_rows(archive, t.evaluations, code, 2024)) == len(outcome.results.items)


def test_archiving_without_a_region_code_is_refused(county):
    set_config(county, region_code='""')
    with pytest.raises(Exception, match="行政区划代码") as refused:
        archive_folder(county)
    assert refused.value.exit_code == 2


def test_a_region_code_that_is_not_a_code_is_refused(county):
    set_config(county, region_code='"特克斯"')
    with pytest.raises(Exception, match="6至12位数字"):
        archive_folder(county)


def test_init_writes_the_region_code(tmp_path):
    from perfeval.config.workspace import init_folder

    ws = init_folder(tmp_path / "f", 2025, "某某县", region_code="654099")
    assert ws.settings.raw["evaluation"]["region_code"] == "654099"


def test_the_command_archives_and_says_why_it_cannot(county, tmp_path, monkeypatch):
    import json

    from typer.testing import CliRunner

    from perfeval.cli import app

    runner = CliRunner()
    done = runner.invoke(app, ["archive", str(county), "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["evaluations"] == 7
    twin = pipeline.prepare_demo(tmp_path / "twin")
    refused = runner.invoke(app, ["archive", str(twin)])
    assert refused.exit_code == 2
    assert "--replace" in refused.output
    monkeypatch.setenv("PERFEVAL_ARCHIVE_URL", "postgresql+psycopg://u:pw@127.0.0.1:9/none")
    refused = runner.invoke(app, ["archive", str(county)])
    assert refused.exit_code == 2
    assert "无法连接" in refused.output


def test_an_archive_of_an_earlier_version_is_upgraded_keeping_its_rows(archive_url, tmp_path):
    from alembic import command
    from alembic.config import Config

    from perfeval.archive.database import MIGRATIONS, _engine, head_revision

    engine = _engine(sa.make_url(archive_url), 5)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")  # the first release's tables only
        conn.execute(
            t.findings.insert(),
            [
                {
                    "region_code": "654027",
                    "year": 2023,
                    "code": "PE-X",
                    "severity": "error",
                    "count": 3,
                }
            ],
        )
    engine.dispose()
    archive = open_archive(archive_url)
    with archive.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head_revision()
    assert [r["count"] for r in read_rows(archive, t.findings, "654027", 2023)] == [3]
    assert read_rows(archive, t.coverage, "654027", 2023) == []


def test_long_text_from_departments_is_archived_whole(county, archive_url):
    outcome = pipeline.do_aggregate(county)
    record = year_record(outcome.results, None, [], region_code="654027", folder_id="f", folder="x")
    long = "很长的项目名称" * 150  # 1,050 characters: names, units and reasons have no limit
    record.rows["evaluations"][0]["name"] = long
    record.rows["evaluations"][0]["unit"] = long
    record.rows["indicators"][0]["reason"] = long * 3
    archive = open_archive(archive_url)
    write_year(archive, record)
    [first, *_] = read_rows(archive, t.evaluations, "654027", 2024)
    assert (first["name"], first["unit"]) == (long, long)
    assert read_rows(archive, t.indicators, "654027", 2024)[0]["reason"] == long * 3
