"""Reviewing the 绩效目标/ folder: every file read (in isolated workers), every project reviewed
and graded, 目标审核报告.xlsx written, and a marked copy of each file with problems.

Inputs are never modified: the copies are made from the files into 输出/绩效目标退回修改/.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pandas as pd

from perfeval.archive.history import load_past_projects
from perfeval.check.catalogue import Finding, Severity
from perfeval.config.workspace import TARGETS_KEY, Workspace
from perfeval.machinery.atomic import atomic_path
from perfeval.numbers import HUNDRED, q2
from perfeval.render.annotate import write_annotated
from perfeval.render.xlsx_tables import TableFormats, new_workbook, write_frame
from perfeval.review.config import ReviewConfig
from perfeval.review.grade import Graded, grade_project
from perfeval.review.history_rules import looking_back
from perfeval.review.rules import QUANTITATIVE, leveled, review_project
from perfeval.targets.apply import name_key
from perfeval.targets.columns import configured_columns
from perfeval.targets.load import read_isolated, target_files
from perfeval.targets.model import ProjectTargets

REPORT = "目标审核报告.xlsx"
COPIES = "绩效目标退回修改"
LEVEL1 = ("产出指标", "效益指标", "满意度指标")


@dataclass
class Reviewed:
    project: ProjectTargets
    findings: list[Finding]
    graded: Graded


@dataclass
class ReviewResult:
    projects: list[Reviewed] = field(default_factory=list)
    file_findings: list[Finding] = field(default_factory=list)  # files that could not be read
    files: int = 0
    report: Path | None = None
    copies: list[Path] = field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        return [*self.file_findings, *(f for r in self.projects for f in r.findings)]

    @property
    def has_errors(self) -> bool:
        return any(f.is_error for f in self.findings)


def review_folder(
    ws: Workspace, progress: Callable[[int, int], None] | None = None
) -> ReviewResult:
    s = ws.settings
    cfg = ReviewConfig.from_raw(s.raw)
    files = target_files(ws.folder / TARGETS_KEY)
    limits = (configured_columns(s.raw), s.max_file_bytes, s.max_uncompressed_bytes)
    read = read_isolated(files, limits, max(s.workers, 0), s.file_timeout, s.worker_memory_mb)
    result = ReviewResult(files=len(files))
    past, notes = load_past_projects(s)
    result.file_findings += notes
    roster = {i.item_id: i for i in ws.roster.items}
    for n, (projects, findings) in enumerate(read, start=1):
        result.file_findings += findings
        for project in projects:
            found = review_project(project, cfg, s.year)
            if past is not None:
                item = roster.get(project.item_id)
                name = project.name or (item.name if item else "")
                unit = project.fields.get("unit") or (item.unit if item else "")
                found += leveled(looking_back(project, name, unit, past), cfg, project.item_id)
            graded = grade_project(project.name or project.item_id, found, cfg, ws.folder)
            result.projects.append(Reviewed(project, found, graded))
        if progress is not None:
            progress(n, len(files))
    return result


def findings_frame(result: ReviewResult) -> pd.DataFrame:
    names = {id(f): r.project.name for r in result.projects for f in r.findings}
    rows = [
        {
            "文件": f.file,
            "项目": names.get(id(f), ""),
            "工作表": f.sheet,
            "单元格": f.cell,
            "代码": f.code,
            "级别": str(f.severity),
            "问题": f.message,
            "处理建议": f.hint,
        }
        for f in result.findings
    ]
    return pd.DataFrame(
        rows, columns=["文件", "项目", "工作表", "单元格", "代码", "级别", "问题", "处理建议"]
    )


def projects_frame(result: ReviewResult) -> pd.DataFrame:
    rows = []
    for r in result.projects:
        p = r.project
        by_l1 = Counter(name_key(t.l1) for t in p.indicators)
        level2 = "、".join(dict.fromkeys(t.l2 for t in p.indicators if t.l2))
        quantitative = sum(1 for t in p.indicators if t.direction in QUANTITATIVE)
        share = q2(Decimal(quantitative) / len(p.indicators) * HUNDRED) if p.indicators else None
        rows.append(
            {
                "文件": p.source,
                "项目名称": p.name,
                "项目编号": p.item_id,
                "主管部门": p.fields.get("department", ""),
                **{f"{l1}数": by_l1.get(name_key(l1), 0) for l1 in LEVEL1},
                "二级指标": level2,
                "指标数": len(p.indicators),
                "定量指标占比（%）": share,
                "错误": r.graded.errors,
                "警告": r.graded.warnings,
                "审核得分": r.graded.score,
                "审核等级": r.graded.grade.name,
                "处理": r.graded.grade.action,
                "审核意见": r.graded.opinion,
            }
        )
    columns = ["文件", "项目名称", "项目编号", "主管部门", *(f"{x}数" for x in LEVEL1)]
    columns += ["二级指标", "指标数", "定量指标占比（%）", "错误", "警告", "审核得分"]
    columns += ["审核等级", "处理", "审核意见"]
    return pd.DataFrame(rows, columns=columns)


def write_review(result: ReviewResult, ws: Workspace) -> ReviewResult:
    """目标审核报告.xlsx, and a marked copy of every readable file with findings."""
    out = ws.settings.path("output")
    target = out / REPORT
    with atomic_path(target) as tmp:
        wb = new_workbook(tmp)
        try:
            f = TableFormats(wb)
            count = f"{result.files}个文件，{len(result.projects)}个项目"
            title = f"{ws.settings.year}年度绩效目标审核：{count}"
            write_frame(
                wb,
                "项目汇总",
                projects_frame(result),
                f,
                title=title,
                empty_note="没有读到绩效目标",
            )
            write_frame(wb, "问题清单", findings_frame(result), f, empty_note="未发现问题")
            wb.close()
        except BaseException:
            wb.discard()
            raise
    result.report = target
    by_file: dict[str, list[Finding]] = {}
    for r in result.projects:
        if r.findings:
            by_file.setdefault(r.project.source, []).extend(r.findings)
    for name, found in sorted(by_file.items()):
        source = ws.folder / name
        copy = out / COPIES / Path(name).relative_to(TARGETS_KEY)
        result.copies.append(write_annotated(source, found, copy, how="审核"))
    return result


def errors_and_warnings(result: ReviewResult) -> tuple[int, int]:
    found = result.findings
    return (
        sum(1 for f in found if f.severity is Severity.ERROR),
        sum(1 for f in found if f.severity is Severity.WARNING),
    )
