"""``perfeval combine``: roll counties up into a prefecture's or province's summary."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from perfeval.cli_common import print_json
from perfeval.combine.run import combine as run_combine
from perfeval.errors import PerfevalError
from perfeval.render.text import for_terminal

out = Console(emoji=False)
err = Console(stderr=True, emoji=False)


def _plain(value: object) -> str:
    return escape(for_terminal(str(value), 300))


def combine(
    inputs: Annotated[
        list[str], typer.Argument(help="绩效档案（.sqlite 文件或数据库地址）或评价文件夹，可多个")
    ],
    to: Annotated[Path, typer.Option("--to", help="输出文件夹")],
    year: Annotated[int | None, typer.Option(help="只汇总这一年度")] = None,
    title: Annotated[str, typer.Option(help="标题，如“伊犁州2024年度绩效评价汇总”")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出结果")] = False,
) -> None:
    """把多个地区（县）的评价结果汇总为地市或省的汇总表和简要报告。"""
    try:
        done = run_combine(inputs, to, year=year, title=title)
    except PerfevalError as exc:
        err.print(f"[bold red]无法继续：[/]{_plain(exc.render())}")
        raise typer.Exit(exc.exit_code) from exc
    if as_json:
        print_json(
            {
                "regions": [
                    {"region_code": r.region_code, "year": r.year, "region": r.region}
                    for r in done.regions
                ],
                "items": len(done.tables["评价项目清单"]),
                "outputs": [str(p) for p in done.outputs],
            }
        )
        return
    out.print(f"汇总了{len(done.regions)}个地区、{len(done.tables['评价项目清单'])}个评价项目。")
    for path in done.outputs:
        out.print(f"已生成：{_plain(path)}")
