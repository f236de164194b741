"""Entry points for the buttons of the control workbook (perfeval_console.xlsm), run by xlwings.

Each button calls one function here through ``RunPython``. The functions only read the evaluation
folder from the calling workbook, call the same pipeline as the command line, and write a Chinese
status line and the results back into the 控制台 sheet. Nothing ever reaches the user as a Python
traceback: an unusable folder or a locked output becomes a status message; anything unexpected is
written to perfeval-console.log and the status says where to find it.

xlwings is imported only when a button is actually pressed (``perfeval[excel]``); tests pass their
own sheet object instead.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any, Protocol

from perfeval import pipeline
from perfeval.check.catalogue import Severity
from perfeval.config.workspace import open_workspace
from perfeval.console import layout as C
from perfeval.console.follow_up import FOLLOW_UP
from perfeval.errors import PerfevalError
from perfeval.review.run import errors_and_warnings, review_folder, write_review

log = logging.getLogger("perfeval.console")
LOG_NAME = "perfeval-console.log"
ACTIONS = {
    "validate": "校验",
    "aggregate": "汇总",
    "report": "生成报告",
    "run": "一键运行",
    "review": "审核绩效目标",
    "archive": "归档",
    "rectify_issue": "下发整改台账",
    "rectify_check": "审核整改台账",
}


class Sheet(Protocol):
    """What the entry points need from the 控制台 sheet."""

    def get(self, cell: str) -> Any: ...
    def set(self, cell: str, value: Any) -> None: ...
    def link(self, cell: str, path: str, text: str) -> None: ...


class XlwingsSheet:
    """The 控制台 sheet of the workbook whose button was pressed."""

    def __init__(self, book: Any) -> None:
        self._sheet = book.sheets[C.CONTROL_SHEET]

    def get(self, cell: str) -> Any:
        return self._sheet.range(cell).value

    def set(self, cell: str, value: Any) -> None:
        self._sheet.range(cell).value = value

    def link(self, cell: str, path: str, text: str) -> None:
        self._sheet.range(cell).add_hyperlink(path, text_to_display=text)


def _caller_sheet() -> Sheet:
    import xlwings as xw

    return XlwingsSheet(xw.Book.caller())


def validate(sheet: Sheet | None = None) -> None:
    _press("validate", sheet)


def aggregate(sheet: Sheet | None = None) -> None:
    _press("aggregate", sheet)


def make_report(sheet: Sheet | None = None) -> None:
    _press("report", sheet)


def run_all(sheet: Sheet | None = None) -> None:
    _press("run", sheet)


def review_targets(sheet: Sheet | None = None) -> None:
    _press("review", sheet)


def archive_year(sheet: Sheet | None = None) -> None:
    _press("archive", sheet)


def issue_rectify(sheet: Sheet | None = None) -> None:
    _press("rectify_issue", sheet)


def check_rectify(sheet: Sheet | None = None) -> None:
    _press("rectify_check", sheet)


def _press(action: str, sheet: Sheet | None) -> None:
    """One button press. Never raises: every outcome ends as a status line in the sheet."""
    sheet = sheet if sheet is not None else _caller_sheet()
    label = ACTIONS[action]
    folder = _folder(sheet)
    handler = _log_to(folder)
    try:
        if isinstance(folder, str):  # a message, not a usable folder
            sheet.set(C.STATUS_CELL, folder)
            return
        sheet.set(C.STATUS_CELL, f"正在{label}，请稍候……")
        if action == "review":
            _show_review(sheet, folder)
        elif action in FOLLOW_UP:
            status, paths = FOLLOW_UP[action](folder)
            show_outputs(sheet, paths)
            sheet.set(C.STATUS_CELL, status)
        else:
            _show(sheet, action, _do(action, folder))
    except PerfevalError as exc:
        sheet.set(C.STATUS_CELL, f"{label}未完成：{exc.render()}".replace("\n", "；"))
    except Exception:
        log.exception("%s failed", action)
        where = handler.baseFilename if handler else LOG_NAME
        sheet.set(
            C.STATUS_CELL,
            f"{label}未完成：程序内部错误。详细信息已记录在 {where}，请发给维护人员。",
        )
    finally:
        if handler is not None:
            log.removeHandler(handler)
            handler.close()


def _folder(sheet: Sheet) -> Path | str:
    raw = sheet.get(C.FOLDER_CELL)
    text = str(raw).strip() if raw is not None else ""
    if not text:
        return f"请先在{C.FOLDER_CELL}单元格填写评价文件夹的路径。"
    if text.lower().startswith(("http://", "https://")):
        return (
            "评价文件夹不能是网络地址（如 OneDrive 或 SharePoint 链接），"
            "请填写本机或共享盘上的路径。"
        )
    folder = Path(text)
    if not (folder / "perfeval.toml").is_file():
        return (
            f"找不到评价文件夹，或其中没有 perfeval.toml：{text}。"
            f"请检查{C.FOLDER_CELL}单元格的路径。"
        )
    return folder


def _log_to(folder: Path | str) -> logging.FileHandler | None:
    base = folder / "输出" if isinstance(folder, Path) else Path(tempfile.gettempdir())
    try:
        base.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(base / LOG_NAME, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    return handler


def _do(action: str, folder: Path) -> pipeline.RunOutcome:
    if action == "validate":
        return pipeline.do_validate(folder)
    if action == "aggregate":
        return pipeline.do_aggregate(folder)
    if action == "report":
        return pipeline.do_report(folder)
    return pipeline.do_run(folder)


def _show(sheet: Sheet, action: str, outcome: pipeline.RunOutcome) -> None:
    v = outcome.validation
    assert v is not None
    count = {s: sum(1 for f in v.findings if f.severity is s) for s in Severity}
    figures = {
        "time": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "action": ACTIONS[action],
        "files": len(v.files),
        "errors": count[Severity.ERROR],
        "warnings": count[Severity.WARNING],
        "infos": count[Severity.INFO],
        "scored": sum(1 for f in v.files if f.passed),
    }
    for row, (_, key) in C.RESULT_LABELS.items():
        sheet.set(f"B{row}", figures[key])
    grades = outcome.results.by_grade() if outcome.results is not None else []
    for n in range(C.MAX_GRADES):
        grade = grades[n] if n < len(grades) else None
        sheet.set(f"A{C.GRADE_ROW + 1 + n}", grade[0] if grade else None)
        sheet.set(f"B{C.GRADE_ROW + 1 + n}", len(grade[1]) if grade else None)
    paths = [*outcome.outputs]
    if outcome.returns:
        paths.append(outcome.returns[0].parent)
    for n in range(C.MAX_OUTPUTS):
        row = C.OUTPUT_ROW + 1 + n
        if n < len(paths):
            name = (
                paths[n].name
                if paths[n].is_file()
                else f"{paths[n].name}（{len(outcome.returns)}个退回副本）"
            )
            sheet.set(f"A{row}", name)
            sheet.link(f"B{row}", str(paths[n]), str(paths[n]))
        else:
            sheet.set(f"A{row}", None)
            sheet.set(f"B{row}", None)
    verdict = "有错误需退回修改" if v.has_errors else "没有发现错误"
    report = outcome.status if action in ("report", "run") else ""
    sheet.set(
        C.STATUS_CELL,
        f"{ACTIONS[action]}完成：{len(v.files)}个文件，错误{count[Severity.ERROR]}条，"
        f"警告{count[Severity.WARNING]}条，{verdict}。{report}",
    )


def show_outputs(sheet: Sheet, paths: list[Path]) -> None:
    """The 输出文件 list: files by name, a folder of copies as such, each with its link."""
    for n in range(C.MAX_OUTPUTS):
        row = C.OUTPUT_ROW + 1 + n
        if n < len(paths):
            name = paths[n].name if paths[n].is_file() else f"{paths[n].name}（文件夹）"
            sheet.set(f"A{row}", name)
            sheet.link(f"B{row}", str(paths[n]), str(paths[n]))
        else:
            sheet.set(f"A{row}", None)
            sheet.set(f"B{row}", None)


def _show_review(sheet: Sheet, folder: Path) -> None:
    """Review the folder's 绩效目标 and say, in the status line and the outputs list, what came
    of it (the result figures belong to the returned workbooks and are left as they are)."""
    ws = open_workspace(folder)
    result = write_review(review_folder(ws), ws)
    errors, warnings = errors_and_warnings(result)
    grades = Counter(r.graded.grade.name for r in result.projects)
    paths = [p for p in (result.report,) if p is not None]
    if result.copies:
        paths.append(result.copies[0].parent)
    show_outputs(sheet, paths)
    shown = "，".join(f"{name}{n}个" for name, n in grades.items()) or "无"
    sheet.set(
        C.STATUS_CELL,
        f"审核绩效目标完成：{result.files}个文件、{len(result.projects)}个项目，错误{errors}条，"
        f"警告{warnings}条；审核等级 {shown}。",
    )
