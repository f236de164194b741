"""``perfeval rectify issue``: one 整改台账 per unit, from the problems archived for last year.

The problems are those the region's previous archived year recorded (the units' own 问题 rows,
with their own 改进措施). Without an archive, a region code, or a previous year with problems,
nothing is issued and the command says why (exit 2): a ledger is never made up.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from perfeval.archive import schema as t
from perfeval.archive.database import archive_url, open_archive
from perfeval.archive.run import region_code
from perfeval.archive.store import read_rows
from perfeval.config.settings import Settings
from perfeval.config.workspace import RECTIFY_KEY, Workspace
from perfeval.errors import PerfevalError
from perfeval.issue.naming import file_safe, short_unit
from perfeval.machinery.atomic import atomic_path, make_folder
from perfeval.rectify import ledger as L
from perfeval.render.paper import row_height, text_lines
from perfeval.render.text import needs_quote_prefix
from perfeval.render.xlsx_tables import SAFE_OPTIONS

ISSUED = Path(RECTIFY_KEY) / "下发"
RETURNED = Path(RECTIFY_KEY) / "回收"


class RectifyError(PerfevalError):
    """Ledgers cannot be issued or read (nothing was written)."""


@dataclass(frozen=True)
class Problem:
    """A problem archived for the previous year, to be followed up."""

    item_id: str
    seq: int
    name: str
    unit: str
    category: str
    description: str
    measure: str


def last_year_problems(settings: Settings) -> tuple[int, list[Problem]]:
    code = region_code(settings)
    year = settings.year - 1
    archive = open_archive(
        archive_url(settings), wait=settings.raw["archive"]["wait_seconds"], create=False
    )
    items = {e["item_id"]: e for e in read_rows(archive, t.evaluations, code, year)}
    if not items:
        raise RectifyError(
            f"绩效档案中没有{year}年度（区划代码{code}）的评价结果，无法生成整改台账。",
            path=archive.shown,
            hint=f"先在{year}年度的评价文件夹中运行 perfeval archive。",
        )
    problems = [
        Problem(
            p["item_id"],
            p["seq"],
            items[p["item_id"]]["name"],
            items[p["item_id"]]["unit"],
            p["category"],
            p["description"],
            p["measure"],
        )
        for p in read_rows(archive, t.problems, code, year)
        if p["item_id"] in items
    ]
    return year, problems


def issue_ledgers(ws: Workspace, issued_at: dt.datetime | None = None) -> list[Path]:
    """One ledger per unit with problems, into 整改/下发/; returns the files written."""
    s = ws.settings
    year, problems = last_year_problems(s)
    if not problems:
        raise RectifyError(f"{year}年度的评价结果中没有单位反映的问题，不需要整改台账。")
    by_unit: dict[str, list[Problem]] = defaultdict(list)
    for p in problems:
        by_unit[p.unit].append(p)
    folder = ws.folder / ISSUED
    make_folder(folder)
    stamp = (issued_at or dt.datetime.now()).replace(microsecond=0)
    written = []
    for unit, mine in by_unit.items():
        name = f"{year}年度问题整改台账_{file_safe(short_unit(unit, s.region)) or '单位'}.xlsx"
        target = folder / name
        with atomic_path(target) as tmp:
            _write(tmp, s, year, unit, mine, stamp, region_code(s))
        written.append(target)
    return written


def deadline(s: Settings) -> dt.date:
    """The last day a 整改时限 may name: ``[rectify] deadline``, or the end of this year."""
    given = s.raw["rectify"]["deadline"]
    if isinstance(given, str) and given.strip():
        return dt.date.fromisoformat(given.strip())
    return given if isinstance(given, dt.date) else dt.date(s.year, 12, 31)


def _write(path, s: Settings, year, unit, problems, stamp, code) -> None:
    from xlsxwriter import Workbook

    wb = Workbook(str(path), SAFE_OPTIONS)
    base = {"font_name": "宋体", "font_size": 10, "border": 1, "valign": "vcenter", "text_wrap": 1}
    fixed = wb.add_format({**base, "bg_color": "#EDEDED", "locked": True})
    fixed_inert = wb.add_format({**base, "bg_color": "#EDEDED", "locked": True, "quote_prefix": 1})
    open_ = wb.add_format({**base, "locked": False})
    date = wb.add_format({**base, "locked": False, "num_format": "yyyy-mm-dd"})
    header = wb.add_format({**base, "bold": True, "bg_color": "#D9E1F2", "align": "center"})
    title = wb.add_format({"font_name": "宋体", "font_size": 14, "bold": True})
    note = wb.add_format({"font_name": "宋体", "font_size": 10, "text_wrap": 1, "valign": "top"})
    ws = wb.add_worksheet(L.SHEET)
    last = len(L.COLUMNS) - 1
    ws.merge_range(0, 0, 0, last, f"{s.region}{year}年度绩效评价问题整改台账（{unit}）", title)
    limit = deadline(s)
    ws.merge_range(
        1,
        0,
        1,
        last,
        "填报说明：灰色单元格由财政部门根据上一年度评价结果预填，请勿修改。请逐条填写整改措施、责任人、"
        f"整改时限（日期，不晚于{limit:%Y年%m月%d日}）、整改情况、是否完成（下拉选择）和佐证材料"
        "（文件名称）。是否完成选“部分完成”或“未完成”时，整改情况中写明进展和原因。",
        note,
    )
    ws.set_row(1, 45)
    widths = (4, 11, 16, 14, 24, 18, 20, 7, 10, 20, 8, 12)
    for c, (label, width) in enumerate(zip(L.COLUMNS.values(), widths, strict=True)):
        ws.set_column(c, c, width)
        ws.write_string(L.HEADER_ROW - 1, c, label, header)
    for n, p in enumerate(problems):
        row = L.FIRST_ROW - 1 + n
        values = (str(n + 1), p.item_id, p.name, p.category, p.description, p.measure)
        lines = max(text_lines(v, w) for v, w in zip(values, widths, strict=False))
        ws.set_row(row, row_height(max(lines, 2)))
        for c, value in enumerate(values):
            ws.write_string(row, c, value, fixed_inert if needs_quote_prefix(value) else fixed)
        for key in ("action", "owner", "progress", "evidence", "status"):
            ws.write_blank(row, L.column(key) - 1, None, open_)
        ws.write_blank(row, L.column("deadline") - 1, None, date)
    end = L.FIRST_ROW - 2 + len(problems)
    status = L.column("status") - 1
    ws.data_validation(
        L.FIRST_ROW - 1,
        status,
        end,
        status,
        {
            "validate": "list",
            "source": list(L.STATUSES),
            "error_title": "是否完成",
            "error_message": "请从下拉列表中选择：已完成、部分完成或未完成。",
        },
    )
    when = L.column("deadline") - 1
    ws.data_validation(
        L.FIRST_ROW - 1,
        when,
        end,
        when,
        {
            "validate": "date",
            "criteria": "between",
            "minimum": dt.date(year, 1, 1),
            "maximum": dt.date(2100, 12, 31),
            "error_title": "整改时限",
            "error_message": "请填写日期，如 2025-06-30。",
        },
    )
    ws.freeze_panes(L.FIRST_ROW - 1, 3)
    ws.protect(options={"format_rows": True, "format_columns": True})
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(L.HEADER_ROW - 1)
    hidden = wb.add_worksheet(L.ID_SHEET)
    facts = (
        ("kind", L.KIND),
        ("region_code", code),
        ("year", str(year)),
        ("unit", unit),
        ("issued_at", stamp.isoformat()),
    )
    for r, (key, value) in enumerate(facts):
        hidden.write_string(r, 0, key)
        hidden.write_string(r, 1, value)
    for n, p in enumerate(problems):
        hidden.write_string(len(facts) + n, 0, f"row{L.FIRST_ROW + n}")
        hidden.write_string(len(facts) + n, 1, f"{p.item_id}#{p.seq}")
    hidden.hide()
    hidden.protect()
    wb.close()
