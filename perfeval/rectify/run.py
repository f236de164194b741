"""``perfeval rectify check``: the returned ledgers checked, 输出/整改台账审核.xlsx written
(问题清单 and 整改情况, one row per problem with its status), and a marked copy of each ledger
with problems in 输出/整改台账退回修改/. The ledgers themselves are never modified."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from perfeval.archive.history import load_history
from perfeval.check.catalogue import Finding
from perfeval.config.workspace import Workspace
from perfeval.machinery.atomic import atomic_path, make_folder
from perfeval.rectify.check import Ledgers, read_ledgers
from perfeval.rectify.summary import Rectification, follow_up
from perfeval.render.annotate import write_annotated
from perfeval.render.xlsx_tables import TableFormats, new_workbook, write_frame

REPORT = "整改台账审核.xlsx"
COPIES = "整改台账退回修改"


@dataclass
class Checked:
    ledgers: Ledgers
    rectification: Rectification | None
    outputs: list[Path] = field(default_factory=list)
    copies: list[Path] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(f.is_error for f in self.ledgers.findings)


def rectification_of(ws: Workspace) -> tuple[Rectification | None, Ledgers, list[Finding]]:
    """The previous year's problems with their follow-up (None without an archived previous
    year), the ledgers as read, and notes about the archive."""
    history, notes = load_history(ws.settings)
    ledgers = read_ledgers(ws)
    if history is None:
        return None, ledgers, notes
    return follow_up(history, ledgers.rows, ledgers.files), ledgers, notes


def check_ledgers(ws: Workspace) -> Checked:
    rectification, ledgers, notes = rectification_of(ws)
    done = Checked(ledgers, rectification, notes=notes)
    out = ws.settings.path("output")
    make_folder(out)
    target = out / REPORT
    with atomic_path(target) as tmp:
        wb = new_workbook(tmp)
        try:
            f = TableFormats(wb)
            write_frame(
                wb, "问题清单", findings_frame(ledgers.findings), f, empty_note="未发现问题"
            )
            if rectification is not None:
                write_frame(wb, "整改情况", follow_up_frame(rectification), f)
            wb.close()
        except BaseException:
            wb.discard()
            raise
    done.outputs.append(target)
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for f in ledgers.findings:
        if f.sheet:
            by_file[f.file].append(f)
    copies = out / COPIES
    for name, found in by_file.items():
        make_folder(copies)
        marked = copies / Path(name).name
        with atomic_path(marked) as tmp:
            write_annotated(ws.folder / name, found, tmp, how="审核")
        done.copies.append(marked)
    return done


def findings_frame(findings: list[Finding]) -> pd.DataFrame:
    columns = ["文件", "工作表", "单元格", "代码", "级别", "问题", "处理建议"]
    rows = [[f.file, f.sheet, f.cell, f.code, str(f.severity), f.message, f.hint] for f in findings]
    return pd.DataFrame(rows, columns=columns)


def follow_up_frame(r: Rectification) -> pd.DataFrame:
    rows = [
        {
            "实施单位": f.unit,
            "项目名称": f.name,
            "项目编号": f.item_id,
            "问题分类": f.category,
            "问题描述": f.description,
            "整改状态": f.status,
            "整改情况": f.progress,
            "来源": f.source,
        }
        for f in r.follow_ups
    ]
    return pd.DataFrame(rows)
