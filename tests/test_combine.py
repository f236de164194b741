"""perfeval combine: counties rolled up from archives (SQLite and PostgreSQL) and from folders;
every count and amount equals one computed here from the example's data, and bad input stops
with exit 2 and a Chinese message."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from perfeval import pipeline
from perfeval.archive.database import open_archive
from perfeval.archive.run import archive_folder
from perfeval.cli import app
from perfeval.combine.run import combine
from tests.test_archive import set_config
from tests.two_years import first_year

REGIONS = {"654027": "特克斯县", "654024": "巩留县"}
runner = CliRunner()


def expected() -> dict:
    data = first_year()
    bureau = [i for i in data["items"] if i["kind"] != "单位自评"]
    own = [i for i in data["items"] if i["kind"] == "单位自评"]
    unit_budgets = {i["unit"]: Decimal(i["unit_budget"]) for i in bureau}
    amount = sum(Decimal(i["budget"]) for i in bureau)
    return {
        "count": len(bureau),
        "amount": amount,
        "own": len(own),
        "problems": sum(len(i.get("problems", [])) for i in data["items"]),
        "coverage": (amount * 100 / sum(unit_budgets.values())).quantize(Decimal("0.01")),
    }


@pytest.fixture
def counties(tmp_path: Path, archive_url: str, monkeypatch) -> list[Path]:
    monkeypatch.setenv("PERFEVAL_ARCHIVE_URL", archive_url)
    folders = []
    for code, name in REGIONS.items():
        folder = pipeline.prepare_demo(tmp_path / name)
        set_config(folder, region_code=f'"{code}"', region=f'"{name}"')
        archive_folder(folder)
        folders.append(folder)
    return folders


def rows(path: Path, sheet: str) -> list[dict]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        values = [
            r for r in book[sheet].iter_rows(values_only=True) if any(v is not None for v in r)
        ]
    finally:
        book.close()
    at = next(n for n, r in enumerate(values) if r[0] == "序号" or r[0] == "问题分类")
    return [dict(zip(values[at], r, strict=False)) for r in values[at + 1 :]]


def test_counties_roll_up_from_one_archive(counties, archive_url, tmp_path):
    done = combine([archive_url], tmp_path / "州")
    want = expected()
    book = tmp_path / "州" / "多地区汇总表.xlsx"
    by_region = {r["地区"]: r for r in rows(book, "地区汇总") if r["序号"] != "合计"}
    assert set(by_region) == set(REGIONS.values())
    for r in by_region.values():
        assert r["评价项目数"] == want["count"]
        assert Decimal(str(r["评价金额（万元）"])) == want["amount"]
        assert r["单位自评项目数"] == want["own"]
        assert r["问题条数"] == want["problems"]
        assert Decimal(str(r["覆盖率（%）"])) == want["coverage"]
        assert r["“优”个数"] == want["count"]  # every evaluated item of the example is 优
    listed = rows(book, "评价项目清单")
    assert [r["序号"] for r in listed] == list(range(1, 2 * want["count"] + 1))
    categories = rows(book, "问题分类")
    assert sum(r["问题条数"] for r in categories) == 2 * want["problems"]
    import docx

    text = done.outputs[1].read_text(encoding="utf-8")
    word = "\n".join(p.text for p in docx.Document(done.outputs[2]).paragraphs)
    table = docx.Document(done.outputs[2]).tables[0]
    for report in (text, word):
        assert f"共{2 * want['count']}个，评价金额合计{2 * want['amount']}万元" in report
    assert [c.text for c in table.rows[0].cells][:3] == ["地区", "年度", "评价项目数"]
    assert len(table.rows) == 1 + len(REGIONS)  # header, one row per region


def test_folders_roll_up_as_their_archives_do(counties, archive_url, tmp_path):
    from_archive = combine([archive_url], tmp_path / "a").tables
    from_folders = combine([str(f) for f in counties], tmp_path / "b").tables
    for name, table in from_archive.items():
        assert table.equals(from_folders[name]), name


def test_the_same_region_and_year_twice_is_refused(counties, archive_url, tmp_path):
    refused = runner.invoke(
        app, ["combine", archive_url, str(counties[0]), "--to", str(tmp_path / "x")]
    )
    assert refused.exit_code == 2
    assert "同时出现在" in refused.output
    assert not (tmp_path / "x").exists()
    one_year = runner.invoke(app, ["combine", archive_url, "--to", str(tmp_path / "y"), "--json"])
    assert one_year.exit_code == 0, one_year.output
    assert len(json.loads(one_year.stdout)["regions"]) == 2


def test_a_newer_or_missing_archive_is_refused(tmp_path, monkeypatch):
    missing = runner.invoke(
        app, ["combine", str(tmp_path / "none.sqlite"), "--to", str(tmp_path / "o")]
    )
    assert missing.exit_code == 2
    url = f"sqlite:///{tmp_path / 'a.sqlite'}"
    archive = open_archive(url)
    with archive.engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    newer = runner.invoke(app, ["combine", str(tmp_path / "a.sqlite"), "--to", str(tmp_path / "o")])
    assert newer.exit_code == 2
    assert "更新版本" in newer.output
