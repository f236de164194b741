"""``perfeval archive``: store the year's accepted results in the archive database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from perfeval.archive.run import archive_folder
from perfeval.cli_common import print_json
from perfeval.errors import PerfevalError
from perfeval.render.text import for_terminal

out = Console(emoji=False)
err = Console(stderr=True, emoji=False)


def _plain(value: object) -> str:
    return escape(for_terminal(str(value), 300))


def archive(
    folder: Annotated[Path, typer.Argument(help="评价文件夹（默认当前文件夹）")] = Path("."),
    replace: Annotated[
        bool, typer.Option("--replace", help="该地区该年度已由另一个评价文件夹归档时，仍然替换")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出结果")] = False,
) -> None:
    """把本年度校验通过的评价结果存入绩效档案（再次归档时替换该年度的记录）。"""
    try:
        done = archive_folder(folder, replace=replace)
    except PerfevalError as exc:
        err.print(f"[bold red]无法继续：[/]{_plain(exc.render())}")
        raise typer.Exit(exc.exit_code) from exc
    r = done.record
    counts = {name: r.count(name) for name in ("evaluations", "indicators", "problems", "targets")}
    if as_json:
        print_json(
            {
                "region_code": r.region_code,
                "year": r.year,
                "archive": done.where,
                "complete": r.complete,
                **counts,
            }
        )
        return
    out.print(
        f"已归档{r.year}年度{_plain(r.region)}（区划代码{_plain(r.region_code)}）："
        f"评价项目{counts['evaluations']}个，指标{counts['indicators']}条，"
        f"问题{counts['problems']}条，绩效目标{counts['targets']}条。"
    )
    if not r.complete:
        out.print(
            "注意：项目清单中还有项目未纳入汇总，归档的是目前校验通过的结果；补齐后请再次归档。"
        )
    out.print(f"档案：{_plain(done.where)}")
