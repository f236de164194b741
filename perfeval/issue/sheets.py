"""The sheets of an issued workbook, one function each.

Positions come from :mod:`perfeval.layout`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from xlsxwriter.utility import quote_sheetname, xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from perfeval import layout as L
from perfeval.framework import Framework, Indicator
from perfeval.issue.formats import Formats
from perfeval.numbers import q2
from perfeval.roster import RosterItem
from perfeval.settings import Settings


@dataclass
class Plan:
    """What one workbook holds, worked out before writing so formulas can carry cached values."""

    item: RosterItem
    framework: Framework
    settings: Settings
    leaves: list[Indicator] = field(default_factory=list)
    rate: Decimal | None = None

    @property
    def first_row(self) -> int:
        return L.IND_FIRST_ROW

    @property
    def last_row(self) -> int:
        return L.IND_FIRST_ROW + len(self.leaves) - 1

    def computed_score(self, ind: Indicator) -> Decimal:
        if self.rate is None:
            return Decimal(0)
        return q2(min(self.rate, Decimal(1)) * ind.weight)

    def level1_cached(self, name: str) -> Decimal:
        """Cached value of a 一级 subtotal at issue time: only computed scores are known."""
        return sum(
            (self.computed_score(i) for i in self.leaves if i.l1 == name and i.computed), Decimal(0)
        )

    def total_cached(self) -> Decimal:
        return sum((self.level1_cached(i.name) for i in self.framework.level1), Decimal(0))


def _ref(sheet: str, row: int, col: int, absolute: bool = True) -> str:
    return f"{quote_sheetname(sheet)}!{xl_rowcol_to_cell(row - 1, col - 1, absolute, absolute)}"


def _col_range(sheet: str, col: int, first: int, last: int) -> str:
    start = xl_rowcol_to_cell(first - 1, col - 1, True, True)
    end = xl_rowcol_to_cell(last - 1, col - 1, True, True)
    return f"{quote_sheetname(sheet)}!{start}:{end}"


IND_COL = {key: n for n, key in enumerate(L.IND_COLUMNS, start=1)}


def write_lists(wb: Workbook, settings: Settings) -> None:
    ws = wb.add_worksheet(L.SHEET_LISTS)
    labels = [c.label for c in settings.problem_categories]
    ws.write_column(0, 0, labels)
    ws.write_column(0, 1, L.DIRECTION_CHOICES)
    wb.define_name(L.LIST_CATEGORIES, f"={_col_range(L.SHEET_LISTS, 1, 1, len(labels))}")
    wb.define_name(
        L.LIST_DIRECTIONS, f"={_col_range(L.SHEET_LISTS, 2, 1, len(L.DIRECTION_CHOICES))}"
    )
    ws.protect()
    ws.hide()


def write_identity(wb: Workbook, pairs: list[tuple[str, str]]) -> None:
    ws = wb.add_worksheet(L.SHEET_IDENTITY)
    for row, (key, value) in enumerate(pairs):
        ws.write_string(row, 0, key)
        ws.write_string(row, 1, value)
    ws.protect()
    ws.very_hidden()


def write_guide(wb: Workbook, f: Formats, plan: Plan) -> Worksheet:
    s = plan.settings
    ws = wb.add_worksheet(L.SHEET_GUIDE)
    ws.set_column(0, 0, 100)
    ws.write_string(0, 0, f"{s.year}年度绩效评价填报说明", f.title)
    ws.set_row(0, 30)
    deadline = s.deadline or "按财政局通知"
    contact = "、".join(x for x in (s.contact, s.phone) if x) or "财政局绩效管理股"
    lines = [
        ("填报对象", f"{plan.item.unit}：{plan.item.name}（项目编号 {plan.item.item_id}）"),
        (
            "填报方法",
            "只在浅黄色单元格中填写，其余内容已由财政局预填并锁定，不能修改。"
            "请不要删除、插入或重命名工作表和行列，不要修改A列的指标编码。",
        ),
        (
            "基本信息",
            "核对预填的项目信息和资金数；填写资金分项（如有）、项目概述、主要产出和填报人。",
        ),
        (
            "指标",
            "逐项填写实际完成值和得分。得分在0至分值之间；未得满分的，必须在同一行填写"
            "偏差原因分析及改进措施，并可选择问题分类。执行率类指标由表格自动计算。",
        ),
        ("问题与建议", "列出项目存在的主要问题，从下拉列表选择问题分类，并写明改进措施。"),
        (
            "自动计算",
            "一级指标得分、总分和评价等级随填写自动计算，仅供参考；财政局以重新核算的结果为准。",
        ),
        ("截止日期", f"请于{deadline}前交回本工作簿（保持.xlsx格式，不要改名为其他格式或加密）。"),
        ("联系方式", contact),
    ]
    row = 2
    for head, text in lines:
        ws.write_string(row, 0, head, f.guide_head)
        ws.write_string(row + 1, 0, text, f.guide)
        ws.set_row(row + 1, 32)
        row += 3
    ws.protect()
    return ws


def write_indicators(wb: Workbook, f: Formats, plan: Plan, rate_cell: str) -> Worksheet:
    ws = wb.add_worksheet(L.SHEET_INDICATORS)
    widths = {
        "code": 8,
        "l1": 10,
        "l2": 12,
        "l3": 22,
        "direction": 8,
        "target": 12,
        "unit": 8,
        "weight": 7,
        "standard": 40,
        "actual": 14,
        "score": 8,
        "reason": 36,
        "category": 30,
    }
    for key, col in IND_COL.items():
        ws.set_column(col - 1, col - 1, widths[key])
    last_col = len(IND_COL) - 1
    ws.merge_range(0, 0, 0, last_col, f"{plan.framework.name}评分表", f.title)
    ws.set_row(0, 28)
    ws.merge_range(
        1, 0, 1, last_col, f"{plan.item.name}（{plan.item.unit}）　浅黄色单元格为填报区", f.note
    )
    for key, label in L.IND_COLUMNS.items():
        ws.write_string(L.IND_HEADER_ROW - 1, IND_COL[key] - 1, label, f.header)
    ws.set_row(L.IND_HEADER_ROW - 1, 30)
    ws.freeze_panes(L.IND_HEADER_ROW, IND_COL["l3"])
    for offset, ind in enumerate(plan.leaves):
        r = L.IND_FIRST_ROW - 1 + offset
        _write_indicator_row(ws, f, plan, ind, r, rate_cell)
    total_r = plan.last_row  # zero-based row of the 合计 line
    ws.write_string(total_r, IND_COL["l3"] - 1, L.IND_TOTAL_LABEL, f.calc_text)
    weight_sum = sum((i.weight for i in plan.leaves), Decimal(0))
    for key, cached in (("weight", weight_sum), ("score", plan.total_cached())):
        col = IND_COL[key]
        rng = _col_range(L.SHEET_INDICATORS, col, plan.first_row, plan.last_row).split("!")[1]
        ws.write_formula(total_r, col - 1, f"=SUM({rng})", f.calc_score, float(cached))
    ws.repeat_rows(L.IND_HEADER_ROW - 1)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.protect(options={"format_columns": True, "format_rows": True})
    return ws


def _write_indicator_row(
    ws: Worksheet, f: Formats, plan: Plan, ind: Indicator, r: int, rate_cell: str
) -> None:
    c = {k: v - 1 for k, v in IND_COL.items()}
    ws.write_string(r, c["code"], ind.code, f.locked)
    ws.write_string(r, c["l1"], ind.l1, f.locked_wrap)
    ws.write_string(r, c["l2"], ind.l2, f.locked_wrap)
    ws.write_string(r, c["l3"], ind.name, f.locked_wrap)
    for key in ("direction", "target", "unit"):
        value = getattr(ind, key)
        if value:
            ws.write_string(r, c[key], value, f.locked)
        else:
            ws.write_blank(r, c[key], None, f.input)
    if not ind.direction:
        ws.data_validation(
            r,
            c["direction"],
            r,
            c["direction"],
            {"validate": "list", "source": f"={L.LIST_DIRECTIONS}"},
        )
    ws.write_number(r, c["weight"], float(ind.weight), f.locked_score)
    ws.write_string(r, c["standard"], ind.standard, f.locked_wrap)
    if ind.computed:
        rate = plan.rate
        ws.write_formula(
            r,
            c["actual"],
            f'=IFERROR({rate_cell},"")',
            f.calc_rate,
            float(rate) if rate is not None else "",
        )
        weight_cell = xl_rowcol_to_cell(r, c["weight"])
        ws.write_formula(
            r,
            c["score"],
            f"=IFERROR(ROUND(MIN({rate_cell},1)*{weight_cell},2),0)",
            f.locked_score,
            float(plan.computed_score(ind)),
        )
    else:
        ws.write_blank(r, c["actual"], None, f.input)
        ws.write_blank(r, c["score"], None, f.input_score)
        ws.data_validation(
            r,
            c["score"],
            r,
            c["score"],
            {
                "validate": "decimal",
                "criteria": "between",
                "minimum": 0,
                "maximum": float(ind.weight),
                "error_title": "得分超出范围",
                "error_message": f"得分应在0至{ind.weight}分之间。",
            },
        )
    ws.write_blank(r, c["reason"], None, f.input_wrap)
    ws.write_blank(r, c["category"], None, f.input)
    ws.data_validation(
        r, c["category"], r, c["category"], {"validate": "list", "source": f"={L.LIST_CATEGORIES}"}
    )
    ws.set_row(r, 45)


def write_problems(wb: Workbook, f: Formats, plan: Plan) -> Worksheet:
    ws = wb.add_worksheet(L.SHEET_PROBLEMS)
    widths = [6, 34, 50, 50, 14]
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    ws.merge_range(0, 0, 0, 4, "存在的问题与改进措施", f.title)
    ws.set_row(0, 28)
    ws.merge_range(
        1, 0, 1, 4, "如实列出项目存在的主要问题，从下拉列表选择问题分类。没有问题的可不填。", f.note
    )
    for col, label in enumerate(L.PROB_COLUMNS.values()):
        ws.write_string(L.PROB_HEADER_ROW - 1, col, label, f.header)
    for n in range(L.PROB_ROWS):
        r = L.PROB_FIRST_ROW - 1 + n
        ws.write_number(r, 0, n + 1, f.locked_score)
        ws.write_blank(r, 1, None, f.input)
        ws.write_blank(r, 2, None, f.input_wrap)
        ws.write_blank(r, 3, None, f.input_wrap)
        ws.write_blank(r, 4, None, f.input_money)
        ws.set_row(r, 40)
    last = L.PROB_FIRST_ROW - 1 + L.PROB_ROWS - 1
    ws.data_validation(
        L.PROB_FIRST_ROW - 1, 1, last, 1, {"validate": "list", "source": f"={L.LIST_CATEGORIES}"}
    )
    ws.freeze_panes(L.PROB_HEADER_ROW, 0)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.protect(options={"format_columns": True, "format_rows": True})
    return ws
