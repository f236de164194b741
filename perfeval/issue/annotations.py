"""Notes on an annotated copy: a first sheet listing every finding, and on each noted cell a red
highlight and a comment. Used by :func:`perfeval.issue.workbook.issue_workbook`."""

from __future__ import annotations

from dataclasses import dataclass, field

from xlsxwriter.utility import quote_sheetname, xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from perfeval.check.catalogue import Finding
from perfeval.issue.formats import Formats
from perfeval.issue.overlay import Key, Overlay

SUMMARY_SHEET = "校验问题"
COLUMNS = (
    ("工作表", 12),
    ("单元格", 8),
    ("代码", 13),
    ("级别", 6),
    ("问题说明", 60),
    ("修改建议", 50),
)


@dataclass
class Annotations:
    overlay: Overlay
    findings: list[tuple[Finding, Key | None]] = field(default_factory=list)

    def start(self, wb: Workbook) -> Worksheet:
        """The summary sheet comes first; it is filled in once every cell's place is known."""
        return wb.add_worksheet(SUMMARY_SHEET)

    def finish(self, wb: Workbook, ws: Worksheet, f: Formats) -> None:
        from perfeval.render.text import visible_text

        link = wb.add_format(
            {"font_color": "#0563C1", "underline": 1, "border": 1, "valign": "top"}
        )
        for col, (label, width) in enumerate(COLUMNS):
            ws.write_string(0, col, label, f.header)
            ws.set_column(col, col, width)
        notes: dict[tuple[str, int, int], list[Finding]] = {}
        for row, (fnd, key) in enumerate(self.findings, start=1):
            place = self.overlay.positions.get(key) if key else None
            sheet, cell = (
                (place[0], xl_rowcol_to_cell(place[1], place[2])) if place else (fnd.sheet, "")
            )
            ws.write_string(row, 0, sheet, f.locked_wrap)
            if place:
                ws.write_url(row, 1, f"internal:{quote_sheetname(sheet)}!{cell}", link, cell)
                notes.setdefault(place, []).append(fnd)
            else:
                ws.write_string(row, 1, "", f.locked_wrap)
            for col, text in enumerate(
                (fnd.code, str(fnd.severity), fnd.message, fnd.hint), start=2
            ):
                ws.write_string(row, col, visible_text(text), f.locked_wrap)
        ws.freeze_panes(1, 0)
        ws.activate()
        for (sheet, r, c), found in notes.items():
            target = wb.get_worksheet_by_name(sheet)
            text = "\n".join(f"【{x.severity}】{x.message}\n{x.hint}" for x in found)
            target.write_comment(
                r, c, visible_text(text), {"x_scale": 3, "y_scale": 1.2 + len(found)}
            )
            target.conditional_format(
                r, c, r, c, {"type": "formula", "criteria": "=TRUE", "format": f.bad}
            )
