"""The ``perfeval`` command line: parse arguments, call :mod:`perfeval.pipeline`, show results.

Exit codes: 0 clean, 1 findings with errors, 2 unusable configuration or output; Ctrl+C (130)
and bugs (3) are handled by :mod:`perfeval.entry`. Everything printed that came from a file or a
folder (department text, file names, paths) goes through :func:`_plain` first: control
characters and escape sequences cannot reach the terminal, and long texts are cut.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from perfeval import __version__, pipeline
from perfeval.check.catalogue import Finding, Severity
from perfeval.cli_archive import archive as archive_command
from perfeval.cli_combine import combine as combine_command
from perfeval.cli_common import Bar, err_console, print_json
from perfeval.cli_rectify import app as rectify_app
from perfeval.cli_targets import app as targets_app
from perfeval.config.workspace import init_folder
from perfeval.errors import PerfevalError
from perfeval.render.text import for_terminal
from perfeval.validate import ValidationResult

app = typer.Typer(
    help="perfeval：预算绩效评价工作簿的下发、校验、汇总和报告生成。",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
console_out = Console(emoji=False)  # ":warning:" in a department's text stays as written
MAX_ROWS_SHOWN = 40

app.add_typer(targets_app, name="targets")
app.command("archive")(archive_command)
app.command("combine")(combine_command)
app.add_typer(rectify_app, name="rectify")

Folder = Annotated[Path, typer.Argument(help="评价文件夹（默认当前文件夹）")]


#: the most characters of one text (a message, a file name) the terminal shows
MAX_TEXT_SHOWN = 300


def _plain(value: object, limit: int | None = MAX_TEXT_SHOWN) -> str:
    """Text from files and folders made safe to print: no control characters or escape
    sequences, no rich markup, at most ``limit`` characters."""
    return escape(for_terminal(str(value), limit))


def _fail(exc: PerfevalError) -> typer.Exit:
    err_console.print(f"[bold red]无法继续：[/]{_plain(exc.render(), 20 * MAX_TEXT_SHOWN)}")
    return typer.Exit(exc.exit_code)


def _show_notes(notes: list[Finding] | tuple[Finding, ...]) -> None:
    """Warnings outside any returned workbook (the settings, the roster), one line each."""
    for f in notes[:MAX_ROWS_SHOWN]:
        where = " ".join(x for x in (f.file, f.sheet, f.cell) if x)
        err_console.print(f"[yellow]{_plain(where)}：{_plain(f.message)}[/]")
    if len(notes) > MAX_ROWS_SHOWN:
        err_console.print(f"……另有{len(notes) - MAX_ROWS_SHOWN}条。")


def _show_findings(result: ValidationResult) -> None:
    findings = result.findings
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    warnings = sum(1 for f in findings if f.severity is Severity.WARNING)
    if findings:
        table = Table(show_lines=False, header_style="bold")
        for col in ("文件", "工作表", "单元格", "代码", "级别", "问题说明"):
            table.add_column(col, overflow="fold")
        for f in findings[:MAX_ROWS_SHOWN]:
            style = (
                "red"
                if f.severity is Severity.ERROR
                else ("yellow" if f.severity is Severity.WARNING else "")
            )
            cells = (f.file, f.sheet, f.cell, f.code, str(f.severity), f.message)
            table.add_row(*map(_plain, cells), style=style)
        console_out.print(table)
        if len(findings) > MAX_ROWS_SHOWN:
            console_out.print(f"……另有{len(findings) - MAX_ROWS_SHOWN}条，见校验报告。")
    passed = sum(1 for f in result.files if f.passed)
    console_out.print(
        f"校验{len(result.files)}个文件：{passed}个通过，错误{errors}条，警告{warnings}条。"
    )


def _show_outputs(paths: list[Path], returns: list[Path] | None = None) -> None:
    for path in paths:
        console_out.print(f"已生成：{_plain(path, None)}")
    if returns:
        folder = _plain(returns[0].parent, None)
        console_out.print(f"已为{len(returns)}个有错误的工作簿生成批注副本：{folder}")


@app.command()
def init(
    folder: Folder,
    year: Annotated[int, typer.Option(help="评价年度，如 2024")],
    region: Annotated[str, typer.Option(help="地区，如 特克斯县")],
    bureau: Annotated[str, typer.Option(help="财政部门名称（默认“地区+财政局”）")] = "",
    region_code: Annotated[
        str, typer.Option(help="行政区划代码，如 654027（归档时需要，也可以以后在配置中填写）")
    ] = "",
) -> None:
    """创建评价文件夹：配置、空的项目清单、指标体系和子文件夹。"""
    try:
        ws = init_folder(folder, year, region, bureau, region_code)
    except PerfevalError as exc:
        raise _fail(exc) from exc
    console_out.print(f"已创建评价文件夹：{_plain(ws.folder, None)}")
    roster = _plain(ws.settings.paths["roster"])
    console_out.print(f"下一步：在“{roster}”中登记项目，然后运行 perfeval issue。")


@app.command()
def issue(
    folder: Folder = Path("."),
    item: Annotated[list[str] | None, typer.Option(help="只下发指定项目编号（可多次使用）")] = None,
) -> None:
    """为项目清单中的每个项目生成填报工作簿。"""
    try:
        ws, issued = pipeline.do_issue(folder, set(item) if item else None)
    except PerfevalError as exc:
        raise _fail(exc) from exc
    _show_notes([*ws.settings.notes, *ws.roster.findings])
    console_out.print(f"已下发{len(issued)}个工作簿到：{_plain(ws.settings.path('issued'), None)}")


@app.command()
def validate(
    folder: Folder = Path("."),
    as_json: Annotated[bool, typer.Option("--json", help="以JSON输出全部问题")] = False,
) -> None:
    """校验回收文件夹中的全部工作簿，生成校验报告.xlsx。"""
    bar = Bar(enabled=not as_json)
    try:
        outcome = pipeline.do_validate(folder, progress=bar)
    except PerfevalError as exc:
        raise _fail(exc) from exc
    finally:
        bar.close()
    assert outcome.validation is not None
    if as_json:
        payload = {
            "files": len(outcome.validation.files),
            "findings": [
                {
                    "file": f.file,
                    "sheet": f.sheet,
                    "cell": f.cell,
                    "code": f.code,
                    "severity": str(f.severity),
                    "item_id": f.item_id,
                    "message": f.message,
                    "hint": f.hint,
                }
                for f in outcome.validation.findings
            ],
            "outputs": [str(p) for p in outcome.outputs],
            "returns": [str(p) for p in outcome.returns],
        }
        print_json(payload)
    else:
        _show_findings(outcome.validation)
        _show_outputs(outcome.outputs, outcome.returns)
    raise typer.Exit(outcome.exit_code)


@app.command()
def aggregate(folder: Folder = Path(".")) -> None:
    """汇总校验通过的工作簿，生成汇总表.xlsx。"""
    try:
        outcome = pipeline.do_aggregate(folder)
    except PerfevalError as exc:
        raise _fail(exc) from exc
    assert outcome.results is not None
    _show_notes([*outcome.workspace.settings.notes, *outcome.notes])
    console_out.print(
        f"纳入汇总{len(outcome.results.items)}个项目，未纳入{len(outcome.results.excluded)}个文件。"
    )
    _show_outputs(outcome.outputs)


@app.command()
def report(
    folder: Folder = Path("."),
    check_template: Annotated[Path | None, typer.Option(help="只检查报告模板使用的变量")] = None,
    final: Annotated[
        bool, typer.Option("--final", help="正式稿：有项目未纳入汇总时拒绝生成（退出码2）")
    ] = False,
) -> None:
    """生成工作总结报告（.md 和 .docx）。"""
    try:
        if check_template is not None:
            missing = pipeline.check_template(folder, check_template)
            if missing:
                console_out.print(f"模板使用了系统不提供的变量：{_plain('、'.join(missing))}")
                raise typer.Exit(1)
            console_out.print("模板使用的变量均由系统提供。")
            return
        outcome = pipeline.do_report(folder, final=final)
    except PerfevalError as exc:
        raise _fail(exc) from exc
    _show_notes([*outcome.workspace.settings.notes, *outcome.notes])
    _show_outputs(outcome.outputs)
    _show_status(outcome)


def _show_status(outcome: pipeline.RunOutcome) -> None:
    """One line: the report is final, or a draft and why."""
    if outcome.results is not None:
        style = "green" if outcome.results.complete else "yellow"
        console_out.print(f"[{style}]{_plain(outcome.status, 4 * MAX_TEXT_SHOWN)}[/]")


def _run(folder: Path, final: bool = False) -> None:
    bar = Bar()
    try:
        outcome = pipeline.do_run(folder, progress=bar, final=final)
    except PerfevalError as exc:
        raise _fail(exc) from exc
    finally:
        bar.close()
    assert outcome.validation is not None
    _show_findings(outcome.validation)
    _show_outputs(outcome.outputs, outcome.returns)
    _show_status(outcome)
    raise typer.Exit(outcome.exit_code)


@app.command()
def run(
    folder: Folder = Path("."),
    final: Annotated[
        bool, typer.Option("--final", help="正式稿：有项目未纳入汇总时不生成报告（退出码2）")
    ] = False,
) -> None:
    """依次执行校验、汇总和报告生成。"""
    _run(folder, final)


@app.command()
def demo(
    folder: Annotated[Path, typer.Argument(help="演示文件夹")] = Path("perfeval-demo"),
) -> None:
    """把内置示例（特克斯县2024年度）复制到文件夹并完整运行一遍。"""
    try:
        target = pipeline.prepare_demo(folder)
    except PerfevalError as exc:
        raise _fail(exc) from exc
    console_out.print(f"示例已复制到：{_plain(target, None)}")
    _run(target)


@app.command()
def console(
    folder: Folder = Path("."),
    interpreter: Annotated[
        str, typer.Option(help="按钮使用的 Python 解释器（pythonw.exe 的路径）")
    ] = (r"%LOCALAPPDATA%\perfeval\venv\Scripts\pythonw.exe"),
) -> None:
    """生成带按钮的控制台工作簿 perfeval_console.xlsm（需要 perfeval[excel]）。"""
    from perfeval.config.workspace import open_workspace
    from perfeval.console.build import build_console

    try:
        path = build_console(open_workspace(folder), interpreter=interpreter)
    except PerfevalError as exc:
        raise _fail(exc) from exc
    console_out.print(f"已生成：{_plain(path, None)}")
    console_out.print(
        "在 Windows 的 Excel 中打开，启用宏后即可使用按钮；安装说明见 docs/windows.md。"
    )


@app.command()
def version() -> None:
    """显示版本。"""
    console_out.print(f"perfeval {__version__}")
