"""The console's buttons for the year's follow-up: 归档, 下发整改台账, 审核整改台账. Each calls
the same core as its command and returns (status line, output paths) for perfeval.xl to show."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from perfeval.archive.run import archive_folder
from perfeval.config.workspace import open_workspace
from perfeval.rectify.issue import issue_ledgers
from perfeval.rectify.run import check_ledgers
from perfeval.rectify.summary import rate


def archive(folder: Path) -> tuple[str, list[Path]]:
    done = archive_folder(folder)
    r = done.record
    status = (
        f"归档完成：{r.year}年度评价项目{r.count('evaluations')}个、指标{r.count('indicators')}条、"
        f"问题{r.count('problems')}条已存入绩效档案（{done.where}）。"
    )
    if not r.complete:
        status += "项目清单中还有项目未纳入汇总，补齐后请再次归档。"
    return status, [Path(done.where)] if Path(done.where).exists() else []


def issue(folder: Path) -> tuple[str, list[Path]]:
    written = issue_ledgers(open_workspace(folder))
    status = f"下发整改台账完成：{len(written)}个单位，台账在“整改/下发”文件夹。"
    return status, [written[0].parent]


def check(folder: Path) -> tuple[str, list[Path]]:
    done = check_ledgers(open_workspace(folder))
    errors = sum(1 for f in done.ledgers.findings if f.is_error)
    warnings = len(done.ledgers.findings) - errors
    status = f"审核整改台账完成：{done.ledgers.files}份台账，错误{errors}条，警告{warnings}条。"
    r = done.rectification
    if r is not None:
        t = r.total
        shown = rate(t)
        status += (
            f"{r.year}年度问题{t['应整改']}条，已完成{t['已完成']}条，未报送{t['未报送']}条"
            + (f"，完成率{shown}%。" if shown is not None else "。")
        )
    paths = list(done.outputs)
    if done.copies:
        paths.append(done.copies[0].parent)
    return status, paths


FOLLOW_UP: dict[str, Callable[[Path], tuple[str, list[Path]]]] = {
    "archive": archive,
    "rectify_issue": issue,
    "rectify_check": check,
}
