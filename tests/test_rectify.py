"""perfeval rectify: ledgers issued per unit from last year's archived problems (SQLite and
PostgreSQL), returned, checked cell by cell, and summed up; inputs never modified."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from perfeval import pipeline
from perfeval.archive.run import archive_folder
from perfeval.cli import app
from perfeval.config.workspace import init_folder, open_workspace
from perfeval.rectify import ledger as L
from perfeval.rectify.issue import ISSUED, RETURNED, issue_ledgers
from perfeval.rectify.run import check_ledgers
from perfeval.rectify.summary import rate
from tests.two_years import first_year

runner = CliRunner()


@pytest.fixture
def year2(tmp_path: Path, archive_url: str, monkeypatch) -> Path:
    monkeypatch.setenv("PERFEVAL_ARCHIVE_URL", archive_url)
    archive_folder(pipeline.prepare_demo(tmp_path / "2024"))
    init_folder(tmp_path / "2025", 2025, "特克斯县", region_code="654027")
    return tmp_path / "2025"


def problems_by_unit() -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for it in first_year()["items"]:
        for p in it.get("problems", []):
            out.setdefault(it["unit"], []).append({**p, "item_id": it["item_id"]})
    return out


def fill(path: Path, answers: list[tuple]) -> None:
    """Type the unit's columns row by row: (status, progress, deadline, evidence)."""
    wb = openpyxl.load_workbook(path)
    ws = wb[L.SHEET]
    for n, (status, progress, when, evidence) in enumerate(answers):
        row = L.FIRST_ROW + n
        ws.cell(row, L.column("action"), "已制定措施")
        ws.cell(row, L.column("owner"), "张三")
        ws.cell(row, L.column("deadline"), when)
        ws.cell(row, L.column("progress"), progress)
        ws.cell(row, L.column("status"), status)
        ws.cell(row, L.column("evidence"), evidence)
    wb.save(path)


def test_one_ledger_per_unit_with_its_problems(year2):
    written = issue_ledgers(open_workspace(year2))
    want = problems_by_unit()
    assert len(written) == len(want)
    for path in written:
        wb = openpyxl.load_workbook(path)
        ws = wb[L.SHEET]
        rows = [
            ws.cell(r, L.column("description")).value
            for r in range(L.FIRST_ROW, ws.max_row + 1)
            if ws.cell(r, L.column("item_id")).value
        ]
        unit = next(u for u in want if u.endswith(path.stem.rsplit("_", 1)[1]))
        assert rows == [p["description"] for p in want[unit]]
        assert ws.protection.sheet
        assert ws.cell(L.FIRST_ROW, L.column("status")).protection.locked is False
        assert ws.cell(L.FIRST_ROW, L.column("description")).protection.locked is True
        assert wb[L.ID_SHEET].sheet_state == "hidden"


def test_returned_ledgers_are_checked_cell_by_cell_and_summed_up(year2):
    written = issue_ledgers(open_workspace(year2))
    returned = year2 / RETURNED
    returned.mkdir(parents=True)
    by_unit = {p.stem.rsplit("_", 1)[1]: p for p in written}
    late = dt.date(2026, 3, 1)
    on_time = dt.date(2025, 6, 30)
    answers = {
        "民政局": [("已完成", "已按季度分解指标", on_time, "考核办法.pdf")],
        "残疾人联合会": [
            ("已完成", "已设明细科目", on_time, ""),  # no evidence: a warning
            ("部分完成", "", on_time, ""),  # no 整改情况: an error
        ],
        "发展和改革委员会": [("未完成", "测算办法起草中", late, "")],  # late: a warning
        "教育局": [
            ("完成了", "x", on_time, "a"),
            (None, "", on_time, ""),
            ("已完成", "y", "下月", "b"),
        ],
    }
    for unit, rows in answers.items():
        target = returned / by_unit[unit].name
        shutil.copyfile(by_unit[unit], target)
        fill(target, rows)
    digests = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in returned.iterdir()}
    done = check_ledgers(open_workspace(year2))
    cell = lambda unit, key, n: (by_unit[unit].name, f"{L.letter(key)}{L.FIRST_ROW + n}")  # noqa: E731
    found = {(f.code, Path(f.file).name, f.cell) for f in done.ledgers.findings}
    assert found == {
        ("PE-RECT-008", *cell("残疾人联合会", "evidence", 0)),
        ("PE-RECT-005", *cell("残疾人联合会", "progress", 1)),
        ("PE-RECT-007", *cell("发展和改革委员会", "deadline", 0)),
        ("PE-RECT-004", *cell("教育局", "status", 0)),
        ("PE-RECT-003", *cell("教育局", "status", 1)),
        ("PE-RECT-006", *cell("教育局", "deadline", 2)),
    }
    total = done.rectification.total
    problems = sum(len(v) for v in problems_by_unit().values())
    # 已完成: 民政局 1, 残联 1, 教育局 row 3 (its date is wrong, its status is not) = 3
    assert total == {
        "应整改": problems,
        "已完成": 3,
        "部分完成": 1,
        "未完成": 1,
        "未报送": problems - 5,  # 教育局's two unusable answers and the 人社局's unreturned ledger
    }
    assert rate(total) == round(3 * 100 / problems, 2)
    assert {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in returned.iterdir()} == digests
    assert len(done.copies) == 3  # the ledgers with findings on cells


def test_without_last_year_nothing_is_issued(tmp_path, monkeypatch):
    monkeypatch.setenv("PERFEVAL_ARCHIVE_URL", f"sqlite:///{tmp_path / 'none.sqlite'}")
    init_folder(tmp_path / "2025", 2025, "特克斯县", region_code="654027")
    refused = runner.invoke(app, ["rectify", "issue", str(tmp_path / "2025")])
    assert refused.exit_code == 2
    assert "还没有绩效档案" in refused.output
    assert not (tmp_path / "2025" / ISSUED).exists()


def test_a_file_that_is_not_a_ledger_is_one_finding(year2):
    returned = year2 / RETURNED
    returned.mkdir(parents=True)
    wb = openpyxl.Workbook()
    wb.save(returned / "自制表格.xlsx")
    (returned / "坏文件.xlsx").write_bytes(b"PK\x03\x04 broken")
    done = check_ledgers(open_workspace(year2))
    codes = sorted(f.code for f in done.ledgers.findings)
    assert len(codes) == 2
    assert "PE-RECT-001" in codes  # the workbook of its own; the broken file is a PE-FILE code
    assert done.rectification.total["未报送"] == done.rectification.total["应整改"]


def test_a_ledger_twice_or_of_another_year_is_refused(year2):
    written = issue_ledgers(open_workspace(year2))
    returned = year2 / RETURNED
    returned.mkdir(parents=True)
    shutil.copyfile(written[0], returned / "a.xlsx")
    shutil.copyfile(written[0], returned / "b.xlsx")  # the same unit again
    other = returned / "c.xlsx"
    shutil.copyfile(written[1], other)
    wb = openpyxl.load_workbook(other)
    facts = wb[L.ID_SHEET]
    for row in facts.iter_rows():
        if row[0].value == "year":
            row[1].value = "2023"
    wb.save(other)
    done = check_ledgers(open_workspace(year2))
    assert sorted((f.code, Path(f.file).name) for f in done.ledgers.findings) == [
        ("PE-RECT-002", "c.xlsx"),
        ("PE-RECT-003", "a.xlsx"),  # a.xlsx is read: its rows are not filled in
        ("PE-RECT-009", "b.xlsx"),
    ]
