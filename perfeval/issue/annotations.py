"""Notes on an annotated copy: a first sheet listing every finding, and on each noted cell a red
highlight and a comment. Used by :func:`perfeval.issue.workbook.issue_workbook`.

The 校验问题 sheet is the same on every path (here, :mod:`perfeval.render.patch` and
:mod:`perfeval.render.annotate`): a title line telling the clerk what to do (:func:`summary_title`),
the header, one row per finding with the height its wrapped text takes
(:func:`finding_height`), frozen below the header; printed A4 landscape one page wide (about
97 %), the header repeated on every page, page numbers in the footer."""

from __future__ import annotations

from dataclasses import dataclass, field

from xlsxwriter.utility import quote_sheetname, xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from perfeval.check.catalogue import Finding
from perfeval.issue.formats import Formats
from perfeval.issue.overlay import Key, Overlay
from perfeval.render.paper import row_height, set_paper, text_lines

SUMMARY_SHEET = "校验问题"
COLUMNS = (
    ("工作表", 12),
    ("单元格", 8),
    ("代码", 13),
    ("级别", 6),
    ("问题说明", 60),
    ("修改建议", 50),
)
TITLE_ROW, HEADER_ROW = 0, 1  # 0-based; findings from row 2 on
TITLE_PT = 12


def summary_title(findings: list[Finding], how: str = "校验") -> str:
    """``how``: what found them (校验 for a returned workbook, 审核 for a targets file)."""
    errors = sum(1 for f in findings if f.is_error)
    return (
        f"以下是本工作簿{how}发现的{len(findings)}个问题（其中错误{errors}个），请逐条修改后重新"
        "交回；点击“单元格”列中的位置可跳转到该单元格。"
    )


def title_height(text: str) -> float:
    return row_height(text_lines(text, sum(w for _, w in COLUMNS), TITLE_PT), TITLE_PT)


def finding_height(texts: tuple[str, ...]) -> float | None:
    """Points for a finding's row (texts in COLUMNS order); None when it takes one line."""
    lines = max(text_lines(t, w) for t, (_, w) in zip(texts, COLUMNS, strict=True))
    return row_height(lines) if lines > 1 else None


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
        title = wb.add_format({"bold": True, "font_size": TITLE_PT, "text_wrap": True})
        text = summary_title([fnd for fnd, _ in self.findings])
        ws.merge_range(TITLE_ROW, 0, TITLE_ROW, len(COLUMNS) - 1, text, title)
        ws.set_row(TITLE_ROW, title_height(text))
        for col, (label, width) in enumerate(COLUMNS):
            ws.write_string(HEADER_ROW, col, label, f.header)
            ws.set_column(col, col, width)
        notes: dict[tuple[str, int, int], list[Finding]] = {}
        for row, (fnd, key) in enumerate(self.findings, start=HEADER_ROW + 1):
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
            texts = (fnd.code, str(fnd.severity), fnd.message, fnd.hint)
            for col, text in enumerate(texts, start=2):
                ws.write_string(row, col, visible_text(text), f.locked_wrap)
            height = finding_height((sheet, cell, *texts))
            if height:
                ws.set_row(row, height)
        ws.freeze_panes(HEADER_ROW + 1, 0)
        ws.repeat_rows(HEADER_ROW)
        set_paper(ws, landscape=True)
        for other in wb.worksheets():
            other.selected = 0  # one selected tab: two would be grouped (edited together)
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
