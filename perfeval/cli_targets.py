"""``perfeval targets …``: the commands about each project's approved targets (绩效目标)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from perfeval.cli_common import Bar, print_json
from perfeval.config.workspace import TARGETS_KEY, open_workspace
from perfeval.errors import PerfevalError
from perfeval.render.text import for_terminal
from perfeval.review.run import errors_and_warnings, review_folder, write_review
from perfeval.targets.importing import import_targets

app = typer.Typer(
    help="项目批复的绩效目标：导入、查看。",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
out = Console(emoji=False)
err = Console(stderr=True, emoji=False)


def _plain(value: object) -> str:
    return escape(for_terminal(str(value), 300))


@app.command("import")
def import_(
    files: Annotated[list[Path], typer.Argument(help="绩效目标文件（一体化系统导出表或申报表）")],
    folder: Annotated[Path, typer.Option("--folder", "-f", help="评价文件夹")] = Path("."),
    replace: Annotated[bool, typer.Option("--replace", help="替换同名的不同文件")] = False,
) -> None:
    """把绩效目标文件复制到评价文件夹的“绩效目标”文件夹（先读取检查，原文件不改动）。"""
    try:
        ws = open_workspace(folder)
        done = import_targets(ws, files, replace=replace)
    except PerfevalError as exc:
        err.print(f"[bold red]无法继续：[/]{_plain(exc.render())}")
        raise typer.Exit(exc.exit_code) from exc
    for f in done.findings[:40]:
        where = " ".join(x for x in (f.file, f.sheet, f.cell) if x)
        err.print(f"[yellow]{_plain(where)}：{_plain(f.message)}[/]")
    for source, why in done.refused:
        err.print(f"[red]未导入：{_plain(source)}（{_plain(why)}）[/]")
    for path in done.copied:
        out.print(f"已导入：{_plain(path)}")
    for path in done.unchanged:
        out.print(f"已有相同文件：{_plain(path)}")
    book = open_workspace(folder).targets  # as every run will read them
    outside = sum(1 for f in book.findings if f.code == "PE-TGT-003")
    out.print(
        f"“{TARGETS_KEY}”中新增或更新{len(done.copied)}个文件；现有{len(book.projects)}个项目清单中"
        f"项目的绩效目标" + (f"，另有{outside}个项目不在项目清单中" if outside else "") + "。"
        "重新下发（perfeval issue）后，工作簿按这些目标预填。"
    )
    raise typer.Exit(2 if done.refused else 0)


@app.command("check")
def check(
    folder: Annotated[Path, typer.Argument(help="评价文件夹（默认当前文件夹）")] = Path("."),
    as_json: Annotated[bool, typer.Option("--json", help="以JSON输出全部问题和审核等级")] = False,
) -> None:
    """审核“绩效目标”文件夹中的全部绩效目标，生成输出/目标审核报告.xlsx 和批注副本。"""
    bar = Bar(enabled=not as_json, label="审核绩效目标")
    try:
        ws = open_workspace(folder)
        result = write_review(review_folder(ws, progress=bar), ws)
    except PerfevalError as exc:
        err.print(f"[bold red]无法继续：[/]{_plain(exc.render())}")
        raise typer.Exit(exc.exit_code) from exc
    finally:
        bar.close()
    errors, warnings = errors_and_warnings(result)
    if as_json:
        payload = {
            "files": result.files,
            "projects": [
                {
                    "file": r.project.source,
                    "project": r.project.name,
                    "item_id": r.project.item_id,
                    "score": str(r.graded.score),
                    "grade": r.graded.grade.name,
                    "action": r.graded.grade.action,
                    "opinion": r.graded.opinion,
                }
                for r in result.projects
            ],
            "findings": [
                {
                    "file": f.file,
                    "sheet": f.sheet,
                    "cell": f.cell,
                    "code": f.code,
                    "severity": str(f.severity),
                    "message": f.message,
                    "hint": f.hint,
                }
                for f in result.findings
            ],
            "outputs": [str(result.report), *map(str, result.copies)],
        }
        print_json(payload)
    else:
        grades = Counter(r.graded.grade.name for r in result.projects)
        shown = "，".join(f"{name}{n}个" for name, n in grades.items()) or "无"
        out.print(
            f"审核{result.files}个文件中的{len(result.projects)}个项目：错误{errors}条，警告{warnings}条；"
            f"审核等级 {shown}。"
        )
        out.print(f"已生成：{_plain(result.report)}")
        if result.copies:
            out.print(f"已生成{len(result.copies)}个批注副本：{_plain(result.copies[0].parent)}")
    raise typer.Exit(1 if errors else 0)
