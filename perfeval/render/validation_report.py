"""校验报告.xlsx: one row per finding, and a per-file summary, sortable and filterable."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from perfeval.check.catalogue import Severity
from perfeval.config.workspace import Workspace
from perfeval.machinery.atomic import atomic_path
from perfeval.render.xlsx_tables import TableFormats, new_workbook, write_frame
from perfeval.validate import ValidationResult

FINDING_COLUMNS = [
    "文件",
    "项目编号",
    "项目名称",
    "实施单位",
    "工作表",
    "单元格",
    "代码",
    "级别",
    "问题说明",
    "修改建议",
]


FILE_COLUMNS = ["文件", "项目编号", "项目名称", "实施单位", "错误", "警告", "状态", "得分", "等级"]


def findings_frame(result: ValidationResult, ws: Workspace) -> pd.DataFrame:
    """Built column by column: a province has hundreds of thousands of findings."""
    by_id = {i.item_id: i for i in ws.roster.items}  # as Roster.get, looked up once
    findings = result.findings
    items = [by_id.get(f.item_id) if f.item_id else None for f in findings]
    columns = {
        "文件": [f.file for f in findings],
        "项目编号": [f.item_id for f in findings],
        "项目名称": [i.name if i else "" for i in items],
        "实施单位": [i.unit if i else "" for i in items],
        "工作表": [f.sheet for f in findings],
        "单元格": [f.cell for f in findings],
        "代码": [f.code for f in findings],
        "级别": [str(f.severity) for f in findings],
        "问题说明": [f.message for f in findings],
        "修改建议": [f.hint for f in findings],
    }
    return pd.DataFrame(columns, columns=FINDING_COLUMNS)


def files_frame(result: ValidationResult, ws: Workspace) -> pd.DataFrame:
    """Scores come from each result's packed total and grade: no score is rebuilt."""
    rows = []
    error, warning = Severity.ERROR, Severity.WARNING
    for fr in result.files:
        item = fr.item
        severities = [f.severity for f in fr.findings]  # counted in one pass, not two
        rows.append(
            (
                fr.file,
                item.item_id if item else "",
                item.name if item else "",
                item.unit if item else "",
                severities.count(error),
                severities.count(warning),
                "通过" if fr.passed else "需退回修改",
                Decimal(fr.total) if fr.passed and fr.total else None,
                fr.grade if fr.passed else "",
            )
        )
    return pd.DataFrame(rows, columns=FILE_COLUMNS)


class ValidationTables:
    """校验报告's contents. Made when written; pickled (to be written by the helper process,
    see :mod:`perfeval.machinery.aside`) as the title and the two tables, not the results they come
    from, which at a province's size are far larger."""

    def __init__(self, result: ValidationResult, ws: Workspace) -> None:
        self.result, self.ws = result, ws

    def sheets(self) -> tuple[str, pd.DataFrame, pd.DataFrame]:
        result, ws = self.result, self.ws
        errors = sum(1 for x in result.findings if x.severity is Severity.ERROR)
        warnings = sum(1 for x in result.findings if x.severity is Severity.WARNING)
        title = (
            f"{ws.settings.region}{ws.settings.year}年度绩效评价校验报告："
            f"{len(result.files)}个文件，错误{errors}条，警告{warnings}条"
        )
        return title, findings_frame(result, ws), files_frame(result, ws)

    def __reduce__(self) -> tuple:
        return (_Made, self.sheets())


class _Made(NamedTuple):
    title: str
    findings: pd.DataFrame
    files: pd.DataFrame

    def sheets(self) -> tuple[str, pd.DataFrame, pd.DataFrame]:
        return self.title, self.findings, self.files


def write_validation_report(tables: ValidationTables | _Made, target: Path) -> Path:
    title, findings, files = tables.sheets()
    with atomic_path(target) as tmp:
        wb = new_workbook(tmp)
        try:
            f = TableFormats(wb)
            write_frame(wb, "问题清单", findings, f, title=title, empty_note="未发现问题")
            write_frame(wb, "文件汇总", files, f, empty_note="回收文件夹中没有文件")
            wb.close()
        except BaseException:
            wb.discard()
            raise
    return target
