"""The roster's dropdowns follow the folder's frameworks; the rows the staff typed never change."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import openpyxl
import pytest

from perfeval import pipeline
from perfeval.read.cells import Book
from tests.conftest import Folder


def add_framework(folder: Path) -> Path:
    """A copy of a bundled framework under a new 编号 and 名称, as staff add one after init."""
    src = folder / "指标体系" / "项目支出绩效评价.xlsx"
    dst = folder / "指标体系" / "乡村振兴项目绩效评价.xlsx"
    shutil.copyfile(src, dst)
    wb = openpyxl.load_workbook(dst)
    ws = wb["设置"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "编号":
            row[1].value = "xczx-pj"
        if row[0].value == "名称":
            row[1].value = "乡村振兴项目绩效评价"
    wb.save(dst)
    return dst


def roster_values(path: Path) -> dict[str, list[list]]:
    with Book(path.read_bytes()) as book:
        return {name: book.grid(name).rows for name in book.sheet_names if name != "选项"}


def offered(path: Path) -> list[str]:
    wb = openpyxl.load_workbook(path)
    defined = wb.defined_names["指标体系列表"].attr_text
    sheet, cells = defined.split("!")
    first, last = (c.replace("$", "") for c in cells.split(":"))
    return [c.value for row in wb[sheet][first:last] for c in row]


@pytest.fixture
def folder(tmp_path: Path) -> Folder:
    return Folder(tmp_path / "eval")


def test_a_framework_added_after_init_appears_in_the_roster_dropdown(folder):
    roster = folder.ws.settings.path("roster")
    before = roster_values(roster)
    assert "乡村振兴项目绩效评价" not in offered(roster)
    add_framework(folder.ws.folder)
    ws, _ = pipeline.do_issue(folder.ws.folder)
    assert "乡村振兴项目绩效评价" in offered(roster)
    assert roster_values(roster) == before  # every typed cell as it was
    assert "PE-ROSTER-009" in {f.code for f in ws.roster.findings}
    data = roster.read_bytes()
    ws, _ = pipeline.do_issue(folder.ws.folder)  # already right: not rewritten
    assert roster.read_bytes() == data
    assert "PE-ROSTER-009" not in {f.code for f in ws.roster.findings}


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes a read-only folder anyway")
def test_a_roster_that_cannot_be_rewritten_is_left_as_it_is_with_a_warning(folder):
    roster = folder.ws.settings.path("roster")
    data = roster.read_bytes()
    add_framework(folder.ws.folder)
    where = roster.parent
    mode = where.stat().st_mode
    where.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        ws, _ = pipeline.do_issue(folder.ws.folder)
    finally:
        where.chmod(mode)
    assert roster.read_bytes() == data
    assert "PE-ROSTER-010" in {f.code for f in ws.roster.findings}


def test_a_failed_rewrite_leaves_the_roster_and_warns(folder, monkeypatch):
    """As when the file is open in Excel on Windows: the save fails."""
    from perfeval.config import roster_refresh

    roster = folder.ws.settings.path("roster")
    data = roster.read_bytes()
    add_framework(folder.ws.folder)

    def locked(*args, **kwargs):
        raise PermissionError("locked")

    monkeypatch.setattr(roster_refresh.openpyxl.Workbook, "save", locked)
    ws, _ = pipeline.do_issue(folder.ws.folder)
    assert roster.read_bytes() == data
    assert "PE-ROSTER-010" in {f.code for f in ws.roster.findings}
