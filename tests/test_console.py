"""The Excel control workbook: built on Linux, its buttons' Python run against a fake sheet.

No Excel here: the checks stop at what Excel would load. README says what is left for a manual
click-test on Windows.
"""

import os
import re
import subprocess
import sys
import zipfile

import openpyxl
import pytest

pyopenvba = pytest.importorskip("pyopenvba")  # part of the test extra; skip only if uninstalled

from perfeval import pipeline  # noqa: E402
from perfeval import xl as XL  # noqa: E402
from perfeval.config.workspace import open_workspace  # noqa: E402
from perfeval.console import layout as C  # noqa: E402
from perfeval.console.build import XLWINGS_VERSION, build_console, conf_values  # noqa: E402


class FakeSheet:
    """The 控制台 sheet as the entry points see it, backed by a dict of cells."""

    def __init__(self, cells: dict[str, object]) -> None:
        self.cells = dict(cells)
        self.links: dict[str, str] = {}

    def get(self, cell):
        return self.cells.get(cell)

    def set(self, cell, value):
        self.cells[cell] = value

    def link(self, cell, path, text):
        self.links[cell] = path
        self.cells[cell] = text


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = pipeline.prepare_demo(tmp_path_factory.mktemp("console") / "demo")
    path = build_console(open_workspace(folder))
    return folder, path


def _sheet_from(path) -> FakeSheet:
    ws = openpyxl.load_workbook(path, keep_vba=True)[C.CONTROL_SHEET]
    return FakeSheet(
        {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}
    )


def test_macro_enabled_workbook_with_vba_project(demo):
    _, path = demo
    assert path.name == C.FILE_NAME
    assert path.name.isascii()
    with zipfile.ZipFile(path) as zf:
        types = zf.read("[Content_Types].xml").decode()
        assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types
        assert "application/vnd.ms-office.vbaProject" in types
        assert len(zf.read("xl/vbaProject.bin")) > 10_000


def test_vba_modules_pinned_version_and_ascii(demo):
    _, path = demo
    project = pyopenvba.ExcelFile(str(path)).vba_project()
    names = project.module_names() if callable(project.module_names) else project.module_names
    assert {
        "xlwings",
        "Dictionary",
        "PerfevalButtons",
        "ThisWorkbook",
        "Sheet1",
        "Sheet2",
        "Sheet3",
    } <= set(names)
    assert "Module1" not in names
    xlwings_src = project.get_module("xlwings").source
    assert f'XLWINGS_VERSION As String = "{XLWINGS_VERSION}"' in xlwings_src
    ours = project.get_module("PerfevalButtons").source
    assert ours.isascii()
    assert xlwings_src.isascii()
    for macro, _, entry, _ in C.BUTTONS:
        assert f"Sub {macro}()" in ours
        assert C.run_python(entry) in ours


def test_each_button_is_bound_to_an_existing_macro_with_its_caption(demo):
    _, path = demo
    with zipfile.ZipFile(path) as zf:
        vml = next(zf.read(n).decode() for n in zf.namelist() if n.endswith(".vml"))
    macros = re.findall(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", vml)
    captions = re.findall(r"<font[^>]*>([^<]*)</font>", vml)
    assert macros == [m for m, _, _, _ in C.BUTTONS]
    assert captions == [c for _, c, _, _ in C.BUTTONS]
    ours = pyopenvba.ExcelFile(str(path)).vba_project().get_module("PerfevalButtons").source
    defined = set(re.findall(r"^Sub (\w+)\(\)", ours, re.M))
    assert set(macros) <= defined


def test_buttons_run_the_right_python_in_a_vba_interpreter(demo):
    """Each Sub, run by pyOpenVBA's VBA interpreter against a stub RunPython."""
    from pyopenvba.apps.excel import ExcelApplication

    _, path = demo
    source = pyopenvba.ExcelFile(str(path)).vba_project().get_module("PerfevalButtons").source
    app = ExcelApplication()
    app.add_workbook()
    app.add_module(
        'Attribute VB_Name = "Stub"\r\nSub RunPython(cmd As String)\r\n'
        '    ActiveWorkbook.Sheets(1).Range("A1").Value = cmd\r\nEnd Sub\r\n',
        name="Stub",
    )
    app.add_module(source, name="PerfevalButtons")
    for macro, _, entry, _ in C.BUTTONS:
        app.run(macro)
        assert app.evaluate('ActiveWorkbook.Sheets(1).Range("A1").Value') == C.run_python(entry)


def test_conf_and_control_sheets(demo):
    folder, path = demo
    wb = openpyxl.load_workbook(path, keep_vba=True)
    assert wb.sheetnames == [C.CONTROL_SHEET, C.SETTINGS_SHEET, C.CONF_SHEET]
    conf = {row[0].value: row[1].value or "" for row in wb[C.CONF_SHEET].iter_rows()}
    assert conf == conf_values(r"%LOCALAPPDATA%\perfeval\venv\Scripts\pythonw.exe")
    control = wb[C.CONTROL_SHEET]
    assert control[C.FOLDER_CELL].value == str(folder.resolve())
    assert control[C.YEAR_CELL].value == 2024


def _statements(path) -> list[str]:
    source = pyopenvba.ExcelFile(str(path)).vba_project().get_module("PerfevalButtons").source
    return re.findall(r'RunPython "([^"]+)"', source)


def test_every_button_statement_runs_against_the_demo(demo, monkeypatch, tmp_path):
    _, path = demo
    monkeypatch.setenv("PERFEVAL_ARCHIVE_URL", f"sqlite:///{tmp_path / '档案.sqlite'}")
    sheet = _sheet_from(path)
    monkeypatch.setattr(XL, "_caller_sheet", lambda: sheet)
    statements = _statements(path)
    assert len(statements) == 8
    *evaluation, review, archive, rectify_issue, rectify_check = statements
    for statement in evaluation:
        exec(statement, {})  # what xlwings runs: import perfeval.xl; perfeval.xl.<entry>()
        assert "没有发现错误。" in sheet.get(C.STATUS_CELL), sheet.get(C.STATUS_CELL)
    assert sheet.get("B14") == 7  # 文件数
    assert sheet.get("B15") == 0  # 错误
    assert (sheet.get(f"A{C.GRADE_ROW + 1}"), sheet.get(f"B{C.GRADE_ROW + 1}")) == ("优", 7)
    outputs = {sheet.get(f"A{C.OUTPUT_ROW + 1 + n}") for n in range(4)}
    assert outputs == {"校验报告.xlsx", "汇总表.xlsx", "工作总结报告.md", "工作总结报告.docx"}
    assert all(os.path.exists(p) for p in sheet.links.values())
    exec(review, {})  # 审核绩效目标: the example's two targets files, both clean
    assert sheet.get(C.STATUS_CELL).startswith("审核绩效目标完成：2个文件、2个项目，错误0条")
    assert sheet.get(f"A{C.OUTPUT_ROW + 1}") == "目标审核报告.xlsx"
    exec(archive, {})  # 归档: the example's year into the archive named by the environment
    assert sheet.get(C.STATUS_CELL).startswith("归档完成：2024年度评价项目7个")
    exec(rectify_issue, {})  # no 2023 in the archive: said, nothing issued
    assert sheet.get(C.STATUS_CELL).startswith("下发整改台账未完成：")
    assert "2023年度" in sheet.get(C.STATUS_CELL)
    exec(rectify_check, {})  # nothing returned, and no previous year to follow up
    assert sheet.get(C.STATUS_CELL).startswith("审核整改台账完成：0份台账，错误0条")


@pytest.mark.parametrize(
    ("folder", "expected"),
    [
        ("", "请先在B3"),
        ("https://example.sharepoint.com/x", "不能是网络地址"),
        ("/no/such/folder", "找不到评价文件夹"),
    ],
)
def test_unusable_folder_becomes_a_chinese_status(folder, expected):
    sheet = FakeSheet({C.FOLDER_CELL: folder})
    XL.validate(sheet)
    assert expected in sheet.get(C.STATUS_CELL)


def test_locked_output_becomes_a_chinese_status(demo, monkeypatch):
    folder, _ = demo
    sheet = FakeSheet({C.FOLDER_CELL: str(folder)})

    def locked(*_):
        raise PermissionError(13, "in use")

    monkeypatch.setattr(os, "replace", locked)
    XL.aggregate(sheet)
    status = sheet.get(C.STATUS_CELL)
    assert status.startswith("汇总未完成")
    assert "正在被Excel或WPS打开" in status


def test_unexpected_error_is_logged_not_shown_as_a_traceback(demo, monkeypatch):
    folder, _ = demo
    sheet = FakeSheet({C.FOLDER_CELL: str(folder)})

    def boom(*_, **__):
        raise RuntimeError("bug")

    monkeypatch.setattr(pipeline, "do_validate", boom)
    XL.validate(sheet)
    status = sheet.get(C.STATUS_CELL)
    assert "程序内部错误" in status
    log = folder / "输出" / XL.LOG_NAME
    assert "RuntimeError: bug" in log.read_text(encoding="utf-8")


def test_perfeval_imports_without_xlwings():
    code = (
        "import sys; sys.modules['xlwings'] = None; sys.modules['pyopenvba'] = None\n"
        "import perfeval, perfeval.xl, perfeval.cli, perfeval.console.build\n"
        "print('ok')"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.stdout.strip() == "ok", done.stderr
