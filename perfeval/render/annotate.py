"""Annotated copies to send back: each offending cell highlighted, with the message as a comment.

The copy is made from the department's own file (never changing it), with a first sheet 校验问题
listing every finding with a link to its cell. The copy keeps the hidden identity sheet, so the
department can correct it and send it back as their return.
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from pathlib import Path

import openpyxl
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import quote_sheetname
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from perfeval.check.catalogue import Finding
from perfeval.issue.annotations import (
    COLUMNS,
    SUMMARY_SHEET,
    TITLE_PT,
    finding_height,
    summary_title,
    title_height,
)
from perfeval.machinery.atomic import atomic_path, make_folder
from perfeval.render import paper as P
from perfeval.render.text import needs_quote_prefix, workbook_text

BAD_FILL = PatternFill("solid", fgColor="FFC7CE")
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")


def _target_cell(ws: Worksheet, coordinate: str):
    cell = ws[coordinate]
    if isinstance(cell, MergedCell):
        for rng in ws.merged_cells.ranges:
            if coordinate in rng:
                return ws.cell(rng.min_row, rng.min_col)
    return cell


def _text_cell(ws: Worksheet, row: int, col: int, text: str) -> None:
    cell = ws.cell(row, col)
    cell.value = workbook_text(text)
    cell.data_type = "s"  # department text stays text, whatever it starts with
    if needs_quote_prefix(text):
        cell.quotePrefix = True
    cell.alignment = Alignment(wrap_text=True, vertical="top")


def _summary(
    wb: openpyxl.Workbook, ws: Worksheet, findings: list[Finding], how: str = "校验"
) -> None:
    """校验问题 as :mod:`perfeval.issue.annotations` describes it: title, header, findings."""
    last = len(COLUMNS)
    title = summary_title(findings, how)
    ws.cell(1, 1, title).font = Font(bold=True, size=TITLE_PT)
    ws.cell(1, 1).alignment = Alignment(wrap_text=True, vertical="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last)
    ws.row_dimensions[1].height = title_height(title)
    for col, (label, width) in enumerate(COLUMNS, start=1):
        head = ws.cell(2, col, label)
        head.font = Font(bold=True)
        head.fill = HEADER_FILL
        ws.column_dimensions[openpyxl.utils.get_column_letter(col)].width = width + 0.71
    for row, f in enumerate(findings, start=3):
        texts = (f.sheet, f.cell, f.code, str(f.severity), f.message, f.hint)
        for col, text in enumerate(texts, start=1):
            _text_cell(ws, row, col, text)
        if height := finding_height(texts):
            ws.row_dimensions[row].height = height
        if f.sheet in wb.sheetnames and f.cell:
            link = ws.cell(row, 2)
            link.hyperlink = Hyperlink(
                ref=link.coordinate, location=f"{quote_sheetname(f.sheet)}!{f.cell}"
            )
            link.font = Font(color="0563C1", underline="single")
    ws.freeze_panes = "A3"
    ws.print_title_rows = "2:2"
    setup = ws.page_setup
    setup.orientation, setup.paperSize = "landscape", P.A4
    setup.fitToWidth, setup.fitToHeight = 1, 0
    setup.firstPageNumber, setup.useFirstPageNumber = 1, True
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    m = ws.page_margins
    m.left = m.right = P.MARGIN_SIDE
    m.top, m.bottom = P.MARGIN_TOP, P.MARGIN_BOTTOM
    m.header = m.footer = P.MARGIN_HEADER
    ws.oddFooter.center.text = P.FOOTER.removeprefix("&C")


def write_annotated(source: Path, findings: list[Finding], target: Path, how: str = "校验") -> Path:
    """A marked copy of ``source`` at ``target``; ``how`` names what found the problems."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # extensions openpyxl cannot keep
        wb = openpyxl.load_workbook(source)
    by_cell: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in findings:
        if f.sheet in wb.sheetnames and f.cell:
            by_cell[(f.sheet, f.cell)].append(f)
    for (sheet, coordinate), found in by_cell.items():
        cell = _target_cell(wb[sheet], coordinate)
        cell.fill = BAD_FILL
        text = "\n".join(f"【{f.severity}】{f.message}\n{f.hint}" for f in found)
        cell.comment = Comment(
            workbook_text(text), "perfeval", width=360, height=40 + 60 * len(found)
        )
    if SUMMARY_SHEET in wb.sheetnames:  # a copy sent back again: replace the old list
        wb.remove(wb[SUMMARY_SHEET])
    ws = wb.create_sheet(SUMMARY_SHEET, 0)
    _summary(wb, ws, findings, how)
    wb.active = 0
    for sheet in wb.worksheets[1:]:
        sheet.sheet_view.tabSelected = False
    make_folder(target.parent)
    with atomic_path(target) as tmp:
        wb.save(tmp)
    return target
