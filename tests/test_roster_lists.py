"""The roster's dropdowns follow the folder's frameworks and kinds; nothing the staff typed changes.

A framework copied into 指标体系/ after init is offered by 项目清单.xlsx's 指标体系 dropdown after
the next perfeval issue or validate; every cell, style and width of the data sheet stays as it was;
a roster already in step is not written; one that cannot be written is left as it is, with
PE-ROSTER-010.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from perfeval import pipeline
from perfeval.cli import app
from perfeval.config import roster as roster_module
from perfeval.config import roster_lists
from perfeval.config.roster_lists import Found, Lists, differences, inspect, wanted_lists
from perfeval.config.workspace import Workspace, open_workspace
from perfeval.machinery import atomic
from perfeval.machinery.own_files import ROSTER_MEMO
from perfeval.machinery.resources import bundled_frameworks_dir
from perfeval.read.cells import Book
from tests.conftest import make_workspace

NEW = "乡村振兴项目绩效评价"
REFRESHED, NOT_REFRESHED = "PE-ROSTER-009", "PE-ROSTER-010"


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return make_workspace(tmp_path / "eval")


def roster_of(ws: Workspace) -> Path:
    return ws.settings.path("roster")


def add_framework(folder: Path, name: str = NEW, number: str = "xczx-pj") -> Path:
    """A bundled framework copied into 指标体系/ under a new 编号 and 名称, as staff add one."""
    target = folder / "指标体系" / f"{name}.xlsx"
    shutil.copyfile(bundled_frameworks_dir() / "项目支出绩效评价.xlsx", target)
    wb = openpyxl.load_workbook(target)
    for label, value in wb["设置"].iter_rows(min_row=1, max_col=2):
        if label.value == "编号":
            value.value = number
        elif label.value == "名称":
            value.value = name
    wb.save(target)
    return target


def offered(path: Path, name: str = "指标体系列表") -> list:
    """The choices a dropdown's name points at, read back with openpyxl."""
    wb = openpyxl.load_workbook(path)
    sheet, cells = wb.defined_names[name].attr_text.split("!")
    first, last = (c.replace("$", "") for c in cells.split(":"))
    return [c.value for row in wb[sheet.strip("'")][first:last] for c in row]


def reaches(path: Path) -> dict[str, str]:
    """Each dropdown of the data sheet: its name -> the cells it covers."""
    sheet = openpyxl.load_workbook(path)["项目清单"]
    return {v.formula1: str(v.sqref) for v in sheet.data_validations.dataValidation}


def typed(path: Path) -> dict:
    """Everything of the data sheet a person sees: every cell's value, type, number format and
    style, the column widths and the frozen panes (openpyxl), and every value as calamine reads
    it, in full."""
    sheet = openpyxl.load_workbook(path)["项目清单"]
    cells = {
        c.coordinate: (
            (c.value, c.data_type, c.number_format),
            *map(repr, (c.font, c.fill, c.border, c.alignment, c.protection)),
        )
        for row in sheet.iter_rows()
        for c in row
    }
    widths = {k: d.width for k, d in sheet.column_dimensions.items()}
    with Book(path.read_bytes()) as book:
        values = {n: book.grid(n, max_rows=10**6).rows for n in book.sheet_names if n != "选项"}
    return {"cells": cells, "widths": widths, "panes": sheet.freeze_panes, "values": values}


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def codes(ws: Workspace) -> list[str]:
    return [f.code for f in ws.roster.findings]


# --- the pure part ----------------------------------------------------------------------------


def test_a_new_roster_is_in_step_and_left_alone(ws):
    path = roster_of(ws)
    found = inspect(path.read_bytes())
    want = wanted_lists(ws.settings, ws.frameworks)
    assert found is not None
    assert found.lists == want
    assert differences(found, want) == []
    data, stamp = path.read_bytes(), os.stat(path).st_mtime_ns
    ws2, _ = pipeline.do_issue(ws.folder)
    assert path.read_bytes() == data
    assert os.stat(path).st_mtime_ns == stamp
    assert REFRESHED not in codes(ws2)
    assert NOT_REFRESHED not in codes(ws2)


def test_differences_name_what_is_out_of_step():
    have = Lists(("重点项目",), ("甲", "乙"))
    found = Found(have, {}, (), "xl/workbook.xml", "xl/worksheets/sheet2.xml", False)
    assert differences(found, have) == []
    assert differences(found, Lists(("重点项目",), ("甲", "乙", "丙"))) == ["指标体系新增“丙”"]
    assert differences(found, Lists(("重点项目", "专项"), ("甲",))) == [
        "评价类型新增“专项”",
        "指标体系去掉“乙”",
    ]
    assert differences(found, Lists(("重点项目",), ("乙", "甲"))) == ["指标体系选项调整"]
    wrong = Found(have, {"指标体系列表": "选项!$B$1:$B$9"}, (), "", "", False)
    assert differences(wrong, have) == ["选项范围修正"]


# --- refreshed by issue and validate ----------------------------------------------------------


def test_a_framework_added_after_init_is_offered_after_issue(ws):
    path = roster_of(ws)
    before, old_parts = typed(path), parts(path)
    assert NEW not in offered(path)
    add_framework(ws.folder)
    ws2, _ = pipeline.do_issue(ws.folder)
    assert NEW in offered(path)
    assert offered(path) == [f.name for f in ws2.frameworks]
    assert offered(path, "评价类型列表") == [k.name for k in ws2.settings.kinds]
    assert typed(path) == before
    new_parts = parts(path)
    changed = {n for n in old_parts if new_parts[n] != old_parts[n]}
    assert changed == {"xl/workbook.xml", "xl/worksheets/sheet2.xml"}  # 选项 and the names
    assert new_parts.keys() == old_parts.keys()
    assert openpyxl.load_workbook(path)["选项"].sheet_state == "hidden"
    assert codes(ws2).count(REFRESHED) == 1
    refreshed = next(f for f in ws2.roster.findings if f.code == REFRESHED)
    assert (refreshed.file, refreshed.sheet) == ("项目清单.xlsx", "选项")
    assert NEW in refreshed.message

    data, stamp = path.read_bytes(), os.stat(path).st_mtime_ns
    ws3, _ = pipeline.do_issue(ws.folder)  # in step now: not written again
    assert path.read_bytes() == data
    assert os.stat(path).st_mtime_ns == stamp
    assert REFRESHED not in codes(ws3)


def test_validate_refreshes_too_and_reports_it(ws):
    add_framework(ws.folder)
    outcome = pipeline.do_validate(ws.folder)
    assert NEW in offered(roster_of(ws))
    assert REFRESHED in [f.code for f in outcome.validation.findings]
    assert outcome.exit_code == 0  # a note


def test_a_kind_added_to_the_settings_is_offered(ws):
    config = ws.folder / "perfeval.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text + '\n[[kinds]]\nname = "专项评价"\nnoun = "专项评价项目"\n', "utf-8")
    before = typed(roster_of(ws))
    ws2, _ = pipeline.do_issue(ws.folder)
    assert offered(roster_of(ws), "评价类型列表")[-1] == "专项评价"
    assert typed(roster_of(ws)) == before
    assert REFRESHED in codes(ws2)


def test_a_removed_framework_is_no_longer_offered(ws):
    added = add_framework(ws.folder)
    pipeline.do_issue(ws.folder)
    added.unlink()
    pipeline.do_issue(ws.folder)
    assert NEW not in offered(roster_of(ws))


def test_rows_typed_below_the_dropdowns_get_them_too(ws):
    """Staff typed rows past row 201 (where init's dropdowns end) and saved with another program
    (openpyxl here): the dropdowns are lengthened, the cells stay."""
    path = roster_of(ws)
    wb = openpyxl.load_workbook(path)
    sheet = wb["项目清单"]
    for r in range(6, 261):
        for c, v in enumerate((f"X{r}", f"项目{r}", "民政局", "民政局", "重点项目"), start=1):
            sheet.cell(r, c, v)
        sheet.cell(r, 6, "项目支出绩效评价")
        sheet.cell(r, 7, 10.5)
    wb.save(path)
    before = typed(path)
    ws2, _ = pipeline.do_issue(ws.folder, only={"P1"})
    assert reaches(path) == {
        "评价类型列表": "E2:E201 E202:E460",
        "指标体系列表": "F2:F201 F202:F460",
    }
    assert typed(path) == before
    assert REFRESHED in codes(ws2)
    assert len(ws2.roster.items) == 4 + 255


@pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice")
def test_a_roster_saved_by_libreoffice(ws, tmp_path):
    path = roster_of(ws)
    out = tmp_path / "lo"
    env = {**os.environ, "HOME": str(tmp_path)}  # a profile of its own
    command = ["soffice", "--headless", "--convert-to", "xlsx", "--outdir", str(out), str(path)]
    subprocess.run(command, check=True, capture_output=True, timeout=180, env=env)
    shutil.copyfile(out / path.name, path)
    before = typed(path)
    add_framework(ws.folder)
    ws2, _ = pipeline.do_issue(ws.folder)
    assert NEW in offered(path)
    assert typed(path) == before
    assert REFRESHED in codes(ws2)


# --- the memo and the cache -------------------------------------------------------------------


def test_after_a_refresh_the_memo_and_digest_follow_the_new_bytes(ws, monkeypatch):
    add_framework(ws.folder)
    ws2, _ = pipeline.do_issue(ws.folder)
    path = roster_of(ws)
    assert ws2.roster.digest == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (ws.folder / ROSTER_MEMO).is_file()

    def not_parsed(*args):
        raise AssertionError("the roster was parsed again")

    monkeypatch.setattr(roster_module, "_load_roster", not_parsed)
    again = open_workspace(ws.folder)  # served by the memo, keyed to the refreshed file
    assert again.roster.items == ws2.roster.items
    assert again.roster.digest == ws2.roster.digest
    assert REFRESHED not in codes(again)


def test_a_roster_edited_after_a_refresh_is_read_afresh(ws):
    add_framework(ws.folder)
    pipeline.do_issue(ws.folder)
    path = roster_of(ws)
    wb = openpyxl.load_workbook(path)
    wb["项目清单"]["B2"] = "改过的名称"
    wb.save(path)
    assert open_workspace(ws.folder).roster.get("P1").name == "改过的名称"


# --- left as it is ----------------------------------------------------------------------------


def test_a_roster_that_cannot_be_replaced_is_left_as_it_is(ws, monkeypatch):
    """As on Windows while Excel holds the file: the replacing rename fails."""
    path = roster_of(ws)
    data = path.read_bytes()
    add_framework(ws.folder)

    real = os.replace

    def refused(source, target):
        if Path(target) == path:
            raise PermissionError(13, "Permission denied")
        real(source, target)

    monkeypatch.setattr(atomic.os, "replace", refused)
    ws2, _ = pipeline.do_issue(ws.folder)
    monkeypatch.undo()
    assert path.read_bytes() == data
    assert codes(ws2).count(NOT_REFRESHED) == 1
    assert REFRESHED not in codes(ws2)
    assert [p.name for p in path.parent.iterdir() if ".tmp" in p.name] == []
    warning = next(f for f in ws2.roster.findings if f.code == NOT_REFRESHED)
    assert (warning.file, warning.sheet, str(warning.severity)) == ("项目清单.xlsx", "选项", "警告")
    ws3, _ = pipeline.do_issue(ws.folder)  # closed now: refreshed
    assert NEW in offered(path)
    assert REFRESHED in codes(ws3)


@pytest.mark.parametrize("lock", ["~$项目清单.xlsx", ".~lock.项目清单.xlsx#"])
def test_a_roster_open_in_excel_wps_or_libreoffice_is_left_as_it_is(ws, lock):
    path = roster_of(ws)
    data = path.read_bytes()
    add_framework(ws.folder)
    (path.parent / lock).write_bytes(b"owner")
    outcome = pipeline.do_validate(ws.folder)
    assert path.read_bytes() == data
    assert NOT_REFRESHED in [f.code for f in outcome.validation.findings]
    assert outcome.exit_code == 0  # a warning: the run goes on


def test_a_read_only_roster_is_left_as_it_is(ws):
    path = roster_of(ws)
    add_framework(ws.folder)
    mode = path.stat().st_mode
    path.chmod(0o444)
    try:
        data = path.read_bytes()
        ws2, _ = pipeline.do_issue(ws.folder)
        assert path.read_bytes() == data
        assert NOT_REFRESHED in codes(ws2)
    finally:
        path.chmod(mode)


@pytest.mark.skipif(os.name != "posix", reason="links")
def test_a_roster_that_is_a_link_is_left_as_it_is(ws, tmp_path):
    path = roster_of(ws)
    elsewhere = tmp_path / "共享" / "项目清单.xlsx"
    elsewhere.parent.mkdir()
    shutil.move(path, elsewhere)
    path.symlink_to(elsewhere)
    data = elsewhere.read_bytes()
    add_framework(ws.folder)
    ws2, _ = pipeline.do_issue(ws.folder)
    assert path.is_symlink()
    assert elsewhere.read_bytes() == data
    assert NOT_REFRESHED in codes(ws2)


def test_a_roster_changed_while_refreshing_is_not_overwritten(ws, monkeypatch):
    path = roster_of(ws)
    add_framework(ws.folder)
    real = roster_lists.rewritten

    def meanwhile(data, found, want):
        out = real(data, found, want)
        wb = openpyxl.load_workbook(path)
        wb["项目清单"]["B2"] = "刚保存的名称"
        wb.save(path)
        return out

    monkeypatch.setattr(roster_lists, "rewritten", meanwhile)
    ws2, _ = pipeline.do_issue(ws.folder)
    assert openpyxl.load_workbook(path)["项目清单"]["B2"].value == "刚保存的名称"
    assert NOT_REFRESHED in codes(ws2)


def test_a_list_sheet_holding_more_is_left_as_it_is(ws):
    path = roster_of(ws)
    wb = openpyxl.load_workbook(path)
    wb["选项"]["D1"] = "备用"
    wb.save(path)
    data = path.read_bytes()
    add_framework(ws.folder)
    ws2, _ = pipeline.do_issue(ws.folder)
    assert path.read_bytes() == data
    assert NOT_REFRESHED in codes(ws2)


def test_a_roster_perfeval_did_not_make_is_left_alone(ws):
    path = roster_of(ws)
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "项目清单"
    sheet.append(["项目编号", "项目名称", "主管部门", "实施单位", "评价类型", "指标体系", "预算数"])
    sheet.append(["P1", "甲", "民政局", "民政局", "重点项目", "项目支出绩效评价", 10])
    wb.save(path)
    data = path.read_bytes()
    add_framework(ws.folder)
    ws2, _ = pipeline.do_issue(ws.folder)
    assert path.read_bytes() == data
    assert REFRESHED not in codes(ws2)
    assert NOT_REFRESHED not in codes(ws2)


# --- the command line -------------------------------------------------------------------------


def test_perfeval_issue_says_so_in_one_line(ws):
    add_framework(ws.folder)
    result = CliRunner().invoke(app, ["issue", str(ws.folder)])
    assert result.exit_code == 0, result.output
    shown = result.output.replace("\n", "")  # one line, however the terminal wraps it
    assert shown.count(NEW) == 1
    assert "项目清单.xlsx" in shown
    again = CliRunner().invoke(app, ["issue", str(ws.folder)])
    assert NEW not in again.output
