"""校验报告.xlsx: one row per finding, and a per-file summary, sortable and filterable."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from perfeval.atomic import atomic_path
from perfeval.check.catalogue import Severity
from perfeval.render.xlsx_tables import TableFormats, new_workbook, write_frame
from perfeval.validate import ValidationResult
from perfeval.workspace import Workspace

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


def findings_frame(result: ValidationResult, ws: Workspace) -> pd.DataFrame:
    rows = []
    for f in result.findings:
        item = ws.roster.get(f.item_id) if f.item_id else None
        rows.append(
            {
                "文件": f.file,
                "项目编号": f.item_id,
                "项目名称": item.name if item else "",
                "实施单位": item.unit if item else "",
                "工作表": f.sheet,
                "单元格": f.cell,
                "代码": f.code,
                "级别": str(f.severity),
                "问题说明": f.message,
                "修改建议": f.hint,
            }
        )
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


def files_frame(result: ValidationResult, ws: Workspace) -> pd.DataFrame:
    rows = []
    for fr in result.files:
        item = fr.item
        rows.append(
            {
                "文件": fr.file,
                "项目编号": item.item_id if item else "",
                "项目名称": item.name if item else "",
                "实施单位": item.unit if item else "",
                "错误": fr.errors,
                "警告": fr.warnings,
                "状态": "通过" if fr.score is not None else "需退回修改",
                "得分": fr.score.total if fr.score else None,
                "等级": fr.score.grade.name if fr.score else "",
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "文件",
            "项目编号",
            "项目名称",
            "实施单位",
            "错误",
            "警告",
            "状态",
            "得分",
            "等级",
        ],
    )


def write_validation_report(result: ValidationResult, ws: Workspace, target: Path) -> Path:
    with atomic_path(target) as tmp:
        wb = new_workbook(tmp)
        f = TableFormats(wb)
        errors = sum(1 for x in result.findings if x.severity is Severity.ERROR)
        warnings = sum(1 for x in result.findings if x.severity is Severity.WARNING)
        title = (
            f"{ws.settings.region}{ws.settings.year}年度绩效评价校验报告："
            f"{len(result.files)}个文件，错误{errors}条，警告{warnings}条"
        )
        write_frame(
            wb, "问题清单", findings_frame(result, ws), f, title=title, empty_note="未发现问题"
        )
        write_frame(wb, "文件汇总", files_frame(result, ws), f, empty_note="回收文件夹中没有文件")
        wb.close()
    return target
