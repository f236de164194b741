"""The commands' core: validate -> aggregate -> report, and the demo. Shells call only these.

Each function takes an evaluation folder, does its work through the pure modules, writes its
outputs atomically into the output folder and returns what a shell needs to present.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from perfeval.aggregate.figures import Results, aggregate
from perfeval.aggregate.scope import report_status
from perfeval.archive.history import load_history
from perfeval.check.catalogue import Code, Finding, finding
from perfeval.config.roster_lists import refresh_lists
from perfeval.config.workspace import Workspace, open_workspace
from perfeval.errors import ConfigError, PerfevalError
from perfeval.issue import IssuedWorkbook, issue_all
from perfeval.machinery import own_files
from perfeval.machinery.aside import run_aside, start_deferred, start_helper
from perfeval.machinery.atomic import make_folder, sweep_temporaries, write_bytes, write_text
from perfeval.machinery.heap import long_lived
from perfeval.machinery.resources import example_dir
from perfeval.model import CellRef
from perfeval.rectify.check import read_ledgers
from perfeval.rectify.summary import follow_up
from perfeval.render.context import build_context
from perfeval.render.report import (
    DOCX_TEMPLATE,
    MD_TEMPLATE,
    template_path,
    undeclared_variables,
    write_docx,
    write_markdown,
)
from perfeval.render.summary import write_summary
from perfeval.render.validation_report import ValidationTables, write_validation_report
from perfeval.validate import Progress, ValidationResult, validate

VALIDATION_REPORT = "校验报告.xlsx"
SUMMARY = "汇总表.xlsx"
REPORT_STEM = "工作总结报告"
DEMO_MARKER = own_files.DEMO_MARKER

log = logging.getLogger(__name__)


class IncompleteError(PerfevalError):
    """``--final`` while roster items are missing from 汇总表: nothing is written as final."""

    def __init__(self, results: Results) -> None:
        lines = [
            f"{m.item.item_id} {m.item.name}（{m.item.unit}）：{m.why}" for m in results.missing
        ]
        lines += [f"{name}：无法对应到项目清单中的项目" for name in results.unmatched]
        lines = [line if len(line) <= 200 else line[:200] + "…" for line in lines]
        shown = "\n".join(f"· {line}" for line in lines[:40])
        more = f"\n……另有{len(lines) - 40}项" if len(lines) > 40 else ""
        super().__init__(
            f"以下项目尚未纳入汇总，不能生成正式报告：\n{shown}{more}",
            hint="待上述项目交回并通过校验后再运行；不加 --final 时生成标注"
            f"“{results.settings.draft_mark}”的报告。",
        )


@dataclass
class RunOutcome:
    workspace: Workspace
    validation: ValidationResult | None = None
    results: Results | None = None
    outputs: list[Path] = field(default_factory=list)
    returns: list[Path] = field(default_factory=list)  # annotated copies to send back
    notes: list[Finding] = field(default_factory=list)  # e.g. an archive that could not be read
    #: outputs still being written beside the next step (see aside.run_aside); finish() waits
    pending: list[Callable[[], None]] = field(default_factory=list, repr=False)

    def finish(self) -> RunOutcome:
        """Wait for every output still being written; then all of ``outputs`` exist."""
        with long_lived():
            while self.pending:
                self.pending.pop(0)()
        return self

    @property
    def status(self) -> str:
        """Whether the report is final, in one line (see scope.report_status)."""
        r = self.results
        if r is None:
            return ""
        return report_status(r.missing, r.unmatched, len(r.roster), r.settings.draft_mark)

    @property
    def exit_code(self) -> int:
        return 1 if self.validation is not None and self.validation.has_errors else 0


def sweep(ws: Workspace) -> list[Path]:
    """Remove the temporary files killed runs left where perfeval writes (see
    :func:`perfeval.machinery.atomic.sweep_temporaries`)."""
    s = ws.settings
    folders = [ws.folder, s.path("issued"), s.path("output")]
    for where, subfolders, _ in os.walk(s.path("returns")):  # copies mirror 回收's sub-folders
        subfolders[:] = [n for n in subfolders if not os.path.islink(os.path.join(where, n))]
        folders += [Path(where) / name for name in subfolders]  # never through a link
    folders.append(s.path("returns"))
    return sweep_temporaries(folders)


def do_issue(folder: Path, only: set[str] | None = None) -> tuple[Workspace, list[IssuedWorkbook]]:
    """Issue the workbooks; the roster's dropdowns are refreshed first, and what came of it is
    among ``ws.roster.findings`` (see :mod:`perfeval.config.roster_lists`)."""
    ws = open_workspace(folder)
    sweep(ws)
    refresh_lists(ws)
    return ws, issue_all(ws, only)


def do_validate(
    folder: Path,
    ws: Workspace | None = None,
    progress: Progress | None = None,
    *,
    wait: bool = True,
    scores: bool = False,
) -> RunOutcome:
    """Validate and write 校验报告. With ``wait=False`` the report may still be being written
    (beside the aggregation that follows) when this returns: call ``finish()``. ``scores``:
    the caller aggregates next (see :func:`perfeval.validate.validate`)."""
    start_helper()  # while this process is small: it writes beside a large one (see aside)
    ws = ws or open_workspace(folder)
    sweep(ws)
    refresh_lists(ws)
    result = validate(ws, progress=progress, scores=scores)
    out = ws.settings.path("output") / VALIDATION_REPORT
    outcome = RunOutcome(ws, result, outputs=[out])
    outcome.returns = copy_findings(result, ws)
    tables = ValidationTables(result, ws)
    outcome.pending.append(run_aside(write_validation_report, tables, out, portable=True))
    return outcome.finish() if wait else outcome


def copy_findings(result: ValidationResult, ws: Workspace) -> list[Path]:
    """The annotated copies due after this run (written by the workers where allowed; stale ones
    that perfeval wrote are removed, see machinery.manifest). Due copies that could not be
    written are one finding, and those held by a file perfeval did not write (left as it is)
    another."""
    s, tidied = ws.settings, result.copies
    if tidied.foreign:
        result.skipped.append(
            finding(
                Code.OUTPUT_COPIES_FOREIGN,
                CellRef(s.paths["returns"]),
                count=len(tidied.foreign),
                first=tidied.foreign[0],
                folder=s.paths["returns"],
            )
        )
    if tidied.missing:
        result.skipped.append(
            finding(
                Code.OUTPUT_COPIES_MISSING,
                CellRef(s.paths["returns"]),
                count=len(tidied.missing),
                first=tidied.missing[0],
                folder=s.paths["returns"],
            )
        )
    return tidied.kept


def do_aggregate(
    folder: Path, outcome: RunOutcome | None = None, *, wait: bool = True
) -> RunOutcome:
    """Aggregate and write 汇总表. With ``wait=False`` 汇总表 may still be being written (beside
    the report that follows) when this returns: call ``finish()``."""
    outcome = outcome or do_validate(folder, wait=False, scores=True)
    ws = outcome.workspace
    assert outcome.validation is not None
    try:
        with long_lived():
            history, notes = load_history(ws.settings)
            outcome.notes += notes
            rectified = follow_up(history, read_ledgers(ws).rows) if history else None
            results = aggregate(
                outcome.validation, ws.settings, ws.roster.items, history, rectified
            )
            outcome.results = results
            target = ws.settings.path("output") / SUMMARY
            if wait:  # nothing to do beside it: a forked writer would only copy pages it touches
                write_summary(results, target)
            else:
                outcome.pending.append(run_aside(write_summary, results, target))
            outcome.outputs.append(target)
    except BaseException:  # 校验报告 is complete even when the aggregation fails
        outcome.finish()
        raise
    return outcome.finish() if wait else outcome


def do_report(
    folder: Path,
    outcome: RunOutcome | None = None,
    today: dt.date | None = None,
    *,
    final: bool = False,
) -> RunOutcome:
    """Write the report. ``final``: refuse (:class:`IncompleteError`) while any roster item is
    not in 汇总表, instead of writing a draft marked as such."""
    outcome = outcome if outcome is not None and outcome.results else do_aggregate(folder, outcome)
    ws = outcome.workspace
    assert outcome.results is not None
    if final and not outcome.results.complete:
        outcome.finish()
        raise IncompleteError(outcome.results)
    out_dir = ws.settings.path("output")
    md_template = template_path(ws.folder, MD_TEMPLATE)
    docx_template = template_path(ws.folder, DOCX_TEMPLATE)
    for template in (md_template, docx_template):
        if not template.is_file():
            raise ConfigError("找不到报告模板。", path=template)
    start_deferred()  # 汇总表 may have waited for 校验报告's writer: it can start now
    with long_lived():
        context = build_context(outcome.results, today)
        md = write_markdown(context, md_template, out_dir / f"{REPORT_STEM}.md")
        outcome.outputs.append(md)
        outcome.outputs.append(write_docx(context, docx_template, out_dir / f"{REPORT_STEM}.docx"))
    return outcome.finish()


def check_template(folder: Path, template: Path) -> list[str]:
    """The variables ``template`` uses that the report's context does not provide. Nothing is
    written: the returned workbooks are checked and aggregated in memory only."""
    ws = open_workspace(folder)
    quiet = replace(ws, settings=replace(ws.settings, annotated_copies=False))
    with long_lived():
        result = validate(quiet, scores=True)
        history, _ = load_history(quiet.settings)
        results = aggregate(result, quiet.settings, quiet.roster.items, history)
        return undeclared_variables(Path(template), build_context(results))


def do_run(
    folder: Path,
    today: dt.date | None = None,
    progress: Progress | None = None,
    *,
    final: bool = False,
) -> RunOutcome:
    """validate -> aggregate -> report in one pass over the returned workbooks."""
    validated = do_validate(folder, progress=progress, wait=False, scores=True)
    aggregated = do_aggregate(folder, validated, wait=False)
    try:
        return do_report(folder, aggregated, today, final=final)
    except BaseException:  # 校验报告 and 汇总表 are complete even when the report fails
        aggregated.finish()
        raise


def _within(path: Path, folder: Path) -> bool:
    real, top = os.path.realpath(path), os.path.realpath(folder)
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def prepare_demo(target: Path) -> Path:
    """Copy the bundled example into ``target``: a new or empty folder, or one an earlier demo
    made (its example files are copied over again; nothing else in it is touched)."""
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise ConfigError(
            "目标位置是一个文件，不是文件夹。",
            path=target,
            hint="请指定一个新的或空的文件夹，例如 perfeval demo ./perfeval-demo-2",
        )
    if target.exists() and any(target.iterdir()) and not (target / DEMO_MARKER).exists():
        raise ConfigError(
            "目标文件夹已存在且不是演示文件夹，为避免覆盖未执行。",
            path=target,
            hint="请指定一个新的或空的文件夹，例如 perfeval demo ./perfeval-demo-2",
        )
    make_folder(target)
    write_text(target / DEMO_MARKER, "perfeval demo folder; safe to delete\n")  # marked first
    source = example_dir()
    for where, folders, files in os.walk(source):
        here = Path(where)
        folders[:] = [f for f in folders if not f.startswith(".")]
        for name in files:
            if name.startswith(("~$", ".~lock", own_files.PREFIX)):
                continue
            # a file is replaced, never written through: a link in an old demo folder leads
            # elsewhere
            dest = target / (here / name).relative_to(source)
            make_folder(dest.parent)
            if not _within(dest.parent, target):
                raise ConfigError(
                    "演示文件夹中有指向别处的文件夹链接，为避免写到别处未执行。",
                    path=dest.parent,
                    hint="请删除这个链接，或换一个新的文件夹，例如 perfeval demo ./perfeval-demo-2",
                )
            write_bytes(dest, (here / name).read_bytes(), durable=False)
    return target
