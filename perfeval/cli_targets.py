"""``perfeval targets …``: the commands about each project's approved targets (绩效目标)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from perfeval.config.workspace import TARGETS_KEY, open_workspace
from perfeval.errors import PerfevalError
from perfeval.render.text import for_terminal
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
