"""The 指标 sheet: one row per 三级 indicator (fixed, or reserved for the department's own).

Fixed rows show the framework's names, weight and standard locked; the clerk types 实际完成值, 得分,
the reason and a category. Reserved rows also let the clerk name the indicator and set its weight.
Conditional formats turn a score above its weight, or a missing reason, red while filling.
"""

from __future__ import annotations

from decimal import Decimal

from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from perfeval import layout as L
from perfeval.issue.formats import Formats
from perfeval.issue.plan import Plan, SheetRow
from perfeval.layout import display_width
from perfeval.read.parse import normalize_text
from perfeval.render.paper import row_height, set_paper, text_lines

COL = {key: n for n, key in enumerate(L.IND_COLUMNS)}  # zero-based, as XlsxWriter counts
#: widths (characters) at most: the sheet prints one A4 landscape page wide at 80 % (10 pt text
#: prints at 8 pt), and the reason column holds a 150-character reason in 6 lines
CAPS = {
    "code": 7,
    "l1": 8,
    "l2": 9,
    "l3": 16,
    "direction": 6,
    "target": 9,
    "unit": 6,
    "weight": 6,
    "standard": 24,
    "actual": 10,
    "score": 6,
    "reason": 51,
    "category": 18,
}
#: 参考得分: a live column after the others, on rows from a project's approved targets
REFERENCE_COL = len(COL)
REFERENCE_LABEL = "参考得分"
REASON_CHARS = 150  # a reason this long is fully visible in every row, on screen and on paper
CUSTOM_STANDARD = "单位自设指标：请填写指标名称、指标性质、年度指标值、计量单位和分值。"


def _widths(plan: Plan) -> dict[str, int]:
    widths = {key: display_width(label) + 2 for key, label in L.IND_COLUMNS.items()}
    for row in plan.rows:
        texts = {"code": row.code, "l1": row.l1, "l2": row.l2}
        if row.leaf is not None:
            texts |= {
                "l3": row.leaf.name,
                "target": row.leaf.target,
                "unit": row.leaf.unit,
                "standard": row.leaf.standard,
            }
        for key, text in texts.items():
            widths[key] = max(widths[key], display_width(text) + 2)
    labels = [c.label for c in plan.settings.problem_categories]
    widths["category"] = max(display_width(x) for x in labels) + 2
    widths["reason"] = CAPS["reason"]
    widths["actual"] = max(widths["actual"], 14)
    return {key: min(max(w, 6), CAPS[key]) for key, w in widths.items()}


def _height(row: SheetRow, widths: dict[str, int], categories: int) -> float:
    """Points for an indicator row: its longest wrapped text, a reason of REASON_CHARS wide
    characters, and the longest problem category (LibreOffice and WPS do not re-fit rows)."""
    lines = max(text_lines("字" * REASON_CHARS, widths["reason"]), categories)
    texts = [("l1", row.l1), ("l2", row.l2)]
    if row.leaf is not None:
        texts += [(key, getattr(row.leaf, key)) for key in ("name", "target", "unit", "standard")]
    for key, text in texts:
        width = widths["l3" if key == "name" else key]
        lines = max(lines, text_lines(text or "", width))
    return row_height(lines)


def write_indicators(wb: Workbook, f: Formats, plan: Plan, rate_cell: str) -> Worksheet:
    ws = wb.add_worksheet(L.SHEET_INDICATORS)
    ws.dv = Validations()  # gathered while the rows are written, emitted once
    widths = _widths(plan)
    for key, col in COL.items():
        ws.set_column(col, col, widths[key])
    approved = any(r.leaf is not None and r.leaf.approved for r in plan.rows)
    last_col = len(COL) - (0 if approved else 1)  # 参考得分 after the last column, if any
    if approved:
        ws.set_column(REFERENCE_COL, REFERENCE_COL, 8)
        ws.write_string(L.IND_HEADER_ROW - 1, REFERENCE_COL, REFERENCE_LABEL, f.header)
    ws.merge_range(0, 0, 0, last_col, f"{plan.framework.name}评分表", f.title)
    ws.set_row(0, 28)
    note = (
        f"{plan.item.name}（{plan.item.unit}）　浅黄色单元格为填报区；编码带“+”的行为单位自设指标。"
    )
    ws.merge_range(1, 0, 1, last_col, note, f.note)
    for key, label in L.IND_COLUMNS.items():
        ws.write_string(L.IND_HEADER_ROW - 1, COL[key], label, f.header)
    header_lines = max(text_lines(x, widths[k]) for k, x in L.IND_COLUMNS.items())
    ws.set_row(L.IND_HEADER_ROW - 1, row_height(header_lines))
    ws.freeze_panes(L.IND_HEADER_ROW, COL["l3"] + 1)  # the indicator's name stays in view
    labels = [c.label for c in plan.settings.problem_categories]
    categories = max((text_lines(x, widths["category"]) for x in labels), default=1)
    for offset, row in enumerate(plan.rows):
        r = L.IND_FIRST_ROW - 1 + offset
        if row.leaf is None:
            _custom_row(ws, f, plan, row, r)
        else:
            _fixed_row(ws, f, plan, row, r, rate_cell)
            if row.leaf.approved:
                _reference(ws, f, plan, row.leaf, r)
        ws.set_row(r, _height(row, widths, categories))
    ws.dv.write(ws)
    _live_checks(ws, f, plan)
    total_r = plan.last_row  # zero-based index of the row after the last indicator
    ws.write_string(total_r, COL["l3"], L.IND_TOTAL_LABEL, f.calc_text)
    fixed_weights = sum((r.leaf.weight for r in plan.rows if r.leaf is not None), Decimal(0))
    for key, cached in (("weight", fixed_weights), ("score", plan.cached())):
        col = COL[key]
        first = xl_rowcol_to_cell(plan.first_row - 1, col)
        last = xl_rowcol_to_cell(plan.last_row - 1, col)
        ws.write_formula(total_r, col, f"=SUM({first}:{last})", f.calc_score, float(cached))
    ws.repeat_rows(L.IND_HEADER_ROW - 1)
    set_paper(ws, landscape=True)
    ws.protect(options={"format_columns": True, "format_rows": True})
    return ws


class Validations:
    """Dropdowns and number checks of a sheet, gathered per kind and written as a few
    multi-range rules: one rule per cell made issuing several times slower."""

    def __init__(self) -> None:
        self.cells: dict[tuple, list[tuple[int, int]]] = {}

    def add(self, kind: tuple, r: int, c: int) -> None:
        self.cells.setdefault(kind, []).append((r, c))

    def write(self, ws: Worksheet) -> None:
        for kind, cells in self.cells.items():
            (r0, c0), ranges = cells[0], _ranges(cells)
            if kind[0] == "list":
                options = {"validate": "list", "source": f"={kind[1]}"}
            elif kind[0] == "score":  # relative to the first cell: each row's own 分值 in H
                options = {
                    "validate": "decimal",
                    "criteria": "between",
                    "minimum": 0,
                    "maximum": f"={xl_rowcol_to_cell(r0, COL['weight'], col_abs=True)}",
                    "error_title": "得分超出范围",
                    "error_message": "得分应在0至该指标分值之间。",
                }
            else:  # ("weight", group weight)
                options = {
                    "validate": "decimal",
                    "criteria": "between",
                    "minimum": 0,
                    "maximum": kind[1],
                    "error_title": "分值有误",
                    "error_message": f"分值应在0至{kind[1]:g}分之间，同一二级指标下"
                    f"合计为{kind[1]:g}分。",
                }
            ws.data_validation(r0, c0, r0, c0, {**options, "multi_range": ranges})


def _ranges(cells: list[tuple[int, int]]) -> str:
    """'K4:K9 K12' for cells in one column, runs of consecutive rows joined."""
    parts, start, prev = [], cells[0], cells[0]
    for cell in [*cells[1:], None]:
        if cell is not None and cell[1] == prev[1] and cell[0] == prev[0] + 1:
            prev = cell
            continue
        first, last = xl_rowcol_to_cell(*start), xl_rowcol_to_cell(*prev)
        parts.append(first if first == last else f"{first}:{last}")
        if cell is not None:
            start = prev = cell
    return " ".join(parts)


def _list(ws: Worksheet, r: int, key: str, name: str) -> None:
    ws.dv.add(("list", name), r, COL[key])


def _common_inputs(ws: Worksheet, f: Formats, plan: Plan, row: SheetRow, r: int) -> None:
    plan.overlay.put(ws, r, COL["reason"], ("ind", row.code, "reason"), f.input_wrap)
    plan.overlay.put(ws, r, COL["category"], ("ind", row.code, "category"), f.input_wrap)
    _list(ws, r, "category", L.LIST_CATEGORIES)


def _score_input(ws: Worksheet, f: Formats, plan: Plan, row: SheetRow, r: int) -> None:
    plan.overlay.put(ws, r, COL["score"], ("ind", row.code, "score"), f.input_score)
    ws.dv.add(("score",), r, COL["score"])


def _fixed_row(
    ws: Worksheet, f: Formats, plan: Plan, row: SheetRow, r: int, rate_cell: str
) -> None:
    ind = row.leaf
    assert ind is not None
    ws.write_string(r, COL["code"], row.code, f.locked)
    for key, text in (("l1", row.l1), ("l2", row.l2), ("l3", ind.name)):
        ws.write_string(r, COL[key], text, f.locked_wrap)
    for key in ("direction", "target", "unit"):
        value = getattr(ind, key)
        if value:
            ws.write_string(r, COL[key], value, f.locked)
        elif ind.approved or (key == "unit" and ind.direction == "定性"):
            ws.write_blank(r, COL[key], None, f.locked)  # as approved; a 定性 row has no unit
        else:
            fmt = f.input_text_center if key == "direction" else f.input
            plan.overlay.put(ws, r, COL[key], ("ind", row.code, key), fmt)
    if not ind.direction:
        _list(ws, r, "direction", L.LIST_DIRECTIONS)
    ws.write_number(r, COL["weight"], float(ind.weight), f.locked_score)
    plan.overlay.mark(ws, r, COL["weight"], ("ind", row.code, "weight"))
    ws.write_string(r, COL["standard"], ind.standard, f.locked_wrap)
    if ind.computed:
        rate = plan.rate
        ws.write_formula(
            r,
            COL["actual"],
            f'=IFERROR({rate_cell},"")',
            f.calc_rate,
            float(rate) if rate is not None else "",
        )
        weight_cell = xl_rowcol_to_cell(r, COL["weight"])
        ws.write_formula(
            r,
            COL["score"],
            f"=IFERROR(ROUND(MIN({rate_cell},1)*{weight_cell},2),0)",
            f.locked_score,
            float(plan.computed_score(ind)),
        )
    else:
        plan.overlay.put(ws, r, COL["actual"], ("ind", row.code, "actual"), f.input)
        if ind.direction == "定性":
            _list(ws, r, "actual", L.LIST_QUALITATIVE)
        _score_input(ws, f, plan, row, r)
    _common_inputs(ws, f, plan, row, r)


def _custom_row(ws: Worksheet, f: Formats, plan: Plan, row: SheetRow, r: int) -> None:
    ws.write_string(r, COL["code"], row.code, f.locked_code)
    ws.write_string(r, COL["l1"], row.l1, f.locked_wrap)
    ws.write_string(r, COL["l2"], row.l2, f.locked_wrap)
    ov = plan.overlay
    ov.put(ws, r, COL["l3"], ("ind", row.code, "l3"), f.input_wrap)
    ov.put(ws, r, COL["direction"], ("ind", row.code, "direction"), f.input_text_center)
    _list(ws, r, "direction", L.LIST_DIRECTIONS)
    ov.put(ws, r, COL["target"], ("ind", row.code, "target"), f.input)
    ov.put(ws, r, COL["unit"], ("ind", row.code, "unit"), f.input)
    ov.put(ws, r, COL["weight"], ("ind", row.code, "weight"), f.input_score)
    ws.dv.add(("weight", float(row.group.weight)), r, COL["weight"])
    ws.write_string(r, COL["standard"], CUSTOM_STANDARD, f.locked_wrap)
    ov.put(ws, r, COL["actual"], ("ind", row.code, "actual"), f.input)
    _score_input(ws, f, plan, row, r)
    _common_inputs(ws, f, plan, row, r)


def _live_checks(ws: Worksheet, f: Formats, plan: Plan) -> None:
    """Red cells while filling: a score outside 0…分值; a score below 分值 without a reason."""
    first, last = plan.first_row - 1, plan.last_row - 1
    k = xl_rowcol_to_cell(first, COL["score"], row_abs=False, col_abs=True)
    h = xl_rowcol_to_cell(first, COL["weight"], row_abs=False, col_abs=True)
    reason = xl_rowcol_to_cell(first, COL["reason"], row_abs=False, col_abs=True)
    ws.conditional_format(
        first,
        COL["score"],
        last,
        COL["score"],
        {
            "type": "formula",
            "criteria": f"=AND(ISNUMBER({k}),OR({k}<0,{k}>{h}))",
            "format": f.bad,
        },
    )
    ws.conditional_format(
        first,
        COL["reason"],
        last,
        COL["reason"],
        {
            "type": "formula",
            "criteria": f"=AND(ISNUMBER({k}),ISNUMBER({h}),{k}<{h},LEN(TRIM({reason}))=0)",
            "format": f.bad,
        },
    )


def _reference(ws: Worksheet, f: Formats, plan: Plan, ind, r: int) -> None:
    """参考得分 of an approved target's row, as perfeval.check.reference computes it: blank
    until the actual value is one number (or a grade of the list, for 定性)."""
    cell = {k: xl_rowcol_to_cell(r, COL[k]) for k in ("target", "actual", "weight")}
    t, a, w = cell["target"], cell["actual"], cell["weight"]
    if ind.direction == "定性":
        s = plan.settings
        expr = "NA()"
        for name, share in reversed(list(zip(s.qualitative, s.qualitative_shares, strict=False))):
            expr = f'IF({a}="{name}",{share}/100,{expr})'
        formula = f'=IFERROR(ROUND({expr}*{w},2),"")'
    else:
        if normalize_text(ind.unit) == "%":
            actual = f'VALUE(SUBSTITUTE({a},"%",""))'
        else:  # a percentage against a plain number gives no reference
            actual = f'IF(ISNUMBER(SEARCH("%",{a})),NA(),VALUE({a}))'
        target = f"VALUE({t})"
        share = {
            "≥": f"MIN({actual}/{target},1)",
            ">": f"MIN({actual}/{target},1)",
            "≤": f"IF({actual}<={target},1,MIN({target}/{actual},1))",
            "<": f"IF({actual}<={target},1,MIN({target}/{actual},1))",
            "=": f"MIN({actual}/{target},{target}/{actual},1)",
        }.get(ind.direction)
        if share is None:
            return
        formula = f'=IFERROR(ROUND({share}*{w},2),"")'
    formula = f'=IF(TRIM({a})="","",{formula[1:]})'  # blank until the actual value is typed
    ws.write_formula(r, REFERENCE_COL, formula, f.calc_score, "")
