"""``perfeval rectify …``: following up last year's problems (整改)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from perfeval.cli_common import print_json
from perfeval.config.workspace import open_workspace
from perfeval.errors import PerfevalError
from perfeval.rectify.issue import issue_ledgers
from perfeval.rectify.run import check_ledgers
from perfeval.rectify.summary import rate
from perfeval.render.text import for_terminal

app = typer.Typer(
    help="以前年度问题整改：下发整改台账、审核交回的台账。",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
out = Console(emoji=False)
err = Console(stderr=True, emoji=False)
Folder = Annotated[Path, typer.Argument(help="评价文件夹（默认当前文件夹）")]


def _plain(value: object) -> str:
    return escape(for_terminal(str(value), 300))


def _fail(exc: PerfevalError) -> typer.Exit:
    err.print(f"[bold red]无法继续：[/]{_plain(exc.render())}")
    return typer.Exit(exc.exit_code)


@app.command("issue")
def issue(folder: Folder = Path(".")) -> None:
    """按上一年度归档的问题，为每个单位生成整改台账（放在“整改/下发”）。"""
    try:
        written = issue_ledgers(open_workspace(folder))
    except PerfevalError as exc:
        raise _fail(exc) from exc
    out.print(f"已生成{len(written)}个单位的整改台账：{_plain(written[0].parent)}")
    out.print("单位填好后，把台账原样放进“整改/回收”，再运行 perfeval rectify check。")


@app.command("check")
def check(
    folder: Folder = Path("."),
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出全部问题和整改情况")] = False,
) -> None:
    """审核“整改/回收”中交回的整改台账，生成 输出/整改台账审核.xlsx 和批注副本。"""
    try:
        done = check_ledgers(open_workspace(folder))
    except PerfevalError as exc:
        raise _fail(exc) from exc
    r = done.rectification
    if as_json:
        print_json(
            {
                "ledgers": done.ledgers.files,
                "findings": [
                    {
                        "file": f.file,
                        "sheet": f.sheet,
                        "cell": f.cell,
                        "code": f.code,
                        "level": str(f.severity),
                        "message": f.message,
                    }
                    for f in done.ledgers.findings
                ],
                "total": r.total if r else None,
            }
        )
    else:
        errors = sum(1 for f in done.ledgers.findings if f.is_error)
        warnings = len(done.ledgers.findings) - errors
        out.print(f"读取{done.ledgers.files}份整改台账：错误{errors}条，警告{warnings}条。")
        if r is not None:
            t = r.total
            shown = rate(t)
            out.print(
                f"{r.year}年度问题{t['应整改']}条：已完成{t['已完成']}条，部分完成{t['部分完成']}条，"
                f"未完成{t['未完成']}条，未报送{t['未报送']}条"
                + (f"，完成率{shown}%。" if shown is not None else "。")
            )
        for path in done.outputs:
            out.print(f"已生成：{_plain(path)}")
        if done.copies:
            out.print(f"已生成{len(done.copies)}个批注副本：{_plain(done.copies[0].parent)}")
    raise typer.Exit(1 if done.has_errors else 0)
