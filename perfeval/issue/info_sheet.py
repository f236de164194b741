"""The 基本信息 sheet: prefilled facts, the money table, live score summary, narrative inputs."""

from __future__ import annotations

from dataclasses import dataclass

from xlsxwriter.utility import quote_sheetname, xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from perfeval import layout as L
from perfeval.issue.formats import Formats
from perfeval.issue.indicator_sheet import COL
from perfeval.issue.plan import Plan, info_facts
from perfeval.issue.sheets import col_range
from perfeval.render.paper import set_paper

NARRATIVE_HINTS = {
    "overview": "简述项目（部门）的依据、内容、资金使用和实施情况。",
    "outputs": "列出主要产出和效果，尽量使用数字，例如：向32人发放报酬13次。",
}


@dataclass
class InfoResult:
    rate_cell: str  # absolute reference to the 执行率 cell, for formulas on other sheets


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def write_info(wb: Workbook, f: Formats, plan: Plan) -> InfoResult:
    item, s = plan.item, plan.settings
    ws = wb.add_worksheet(L.SHEET_INFO)
    ws.set_column(0, 0, 24)
    ws.set_column(1, 5, 16)
    ws.merge_range(0, 0, 0, 5, f"{s.year}年度{item.kind}绩效评价填报表", f.title)
    ws.set_row(0, 32)
    ws.merge_range(
        1, 0, 1, 5, "浅黄色单元格为填报区，其余内容已预填并锁定。金额单位：万元。", f.note
    )
    result = InfoResult(rate_cell="")
    r = _facts(ws, f, plan, 2, result)
    r = _money(ws, f, plan, r, result)
    r = _scores(ws, f, plan, r)
    r = _section(ws, f, r, "四、项目概述")
    ov = plan.overlay
    for key, label in L.NARRATIVE_FIELDS.items():
        ws.write_string(r, 0, label, f.label)
        ov.put(ws, r, 1, ("narrative", key), f.input_wrap, last_col=5)
        ws.write_comment(r, 1, NARRATIVE_HINTS[key], {"x_scale": 2, "y_scale": 1})
        ws.set_row(r, 120)
        r += 1
    r = _section(ws, f, r, "五、其他情况")
    for key, label in L.OTHER_FIELDS.items():
        ws.write_string(r, 0, label, f.label)
        ov.put(ws, r, 1, ("other", key), f.input_text_center)
        ws.data_validation(r, 1, r, 1, {"validate": "list", "source": f"={L.LIST_YES_NO}"})
        r += 1
    r = _section(ws, f, r, "六、填报人")
    prefill = {"contact": item.contact, "phone": item.phone, "filled_on": ""}
    for key, label in L.CONTACT_FIELDS.items():
        ws.write_string(r, 0, label, f.label)
        fmt = f.input_date if key == "filled_on" else f.input
        ov.put(ws, r, 1, ("contact", key), fmt, last_col=2, default=prefill[key])
        r += 1
    set_paper(ws, landscape=False)
    ws.protect(options={"format_rows": True})
    return result


def _section(ws: Worksheet, f: Formats, r: int, title: str) -> int:
    ws.merge_range(r, 0, r, 5, title, f.section)
    return r + 1


def _facts(ws: Worksheet, f: Formats, plan: Plan, r: int, result: InfoResult) -> int:
    item = plan.item
    r = _section(ws, f, r, "一、基本信息")
    facts = info_facts(item, plan.framework, plan.settings)
    for key, label in L.INFO_FIELDS.items():
        ws.write_string(r, 0, label, f.label)
        ws.merge_range(r, 1, r, 5, facts[key], f.locked_wrap)
        r += 1
    return r


def funding_rows(plan: Plan) -> tuple[str, ...]:
    """The funding sources under 年度资金总额: the framework's 资金来源, else the settings'."""
    return plan.framework.funding or plan.settings.money_parts


def _money(ws: Worksheet, f: Formats, plan: Plan, r: int, result: InfoResult) -> int:
    item = plan.item
    col = {key: c - 1 for key, c in L.MONEY_COLUMNS.items()}  # zero-based, as XlsxWriter counts
    r = _section(ws, f, r, "二、项目资金（万元）")
    ws.write_string(r, 0, L.MONEY_HEADER, f.header)
    for key, c in col.items():
        ws.write_string(r, c, L.MONEY_COLUMN_LABELS[key], f.header)
    r += 1
    ov = plan.overlay
    parts = funding_rows(plan)
    rows = [("total", L.MONEY_TOTAL)] + [
        (name, (L.PART_PREFIX if n == 0 else "") + name) for n, name in enumerate(parts)
    ]
    for key, label in rows:
        ws.write_string(r, 0, label, f.label if key == "total" else f.label_indent)
        cached: float | str = ""
        ov.put(ws, r, col["initial"], ("money", key, "initial"), f.input_money)
        _amount_check(ws, r, col["initial"])
        if key == "total":
            ws.write_number(r, col["budget"], float(item.budget), f.locked_money)
            ov.mark(ws, r, col["budget"], ("money", "total", "budget"))
            if item.executed is None:
                ov.put(ws, r, col["executed"], ("money", "total", "executed"), f.input_money)
                _amount_check(ws, r, col["executed"])
            else:
                ws.write_number(r, col["executed"], float(item.executed), f.locked_money)
                ov.mark(ws, r, col["executed"], ("money", "total", "executed"))
            rate = xl_rowcol_to_cell(r, col["rate"], True, True)
            result.rate_cell = f"{quote_sheetname(L.SHEET_INFO)}!{rate}"
            cached = float(plan.rate) if plan.rate is not None else ""
        else:
            for col_key in ("budget", "executed"):
                ov.put(ws, r, col[col_key], ("money", key, col_key), f.input_money)
                _amount_check(ws, r, col[col_key])
        b, c = xl_rowcol_to_cell(r, col["budget"]), xl_rowcol_to_cell(r, col["executed"])
        ws.write_formula(r, col["rate"], f'=IFERROR({c}/{b},"")', f.calc_rate, cached)
        r += 1
    ws.write_string(r, 0, L.ADJUSTMENT_LABEL, f.label)
    ov.put(ws, r, 1, ("adjustment",), f.input_wrap, last_col=5)
    share = f"{plan.settings.adjustment_reason_above * 100:g}%"
    ws.write_comment(
        r, 1, f"全年预算数与年初预算数相差超过{share}时必须填写：调整的原因、依据和金额。"
    )
    ws.set_row(r, 45)
    return r + 1


def _amount_check(ws: Worksheet, r: int, col: int) -> None:
    ws.data_validation(
        r,
        col,
        r,
        col,
        {
            "validate": "decimal",
            "criteria": ">=",
            "value": 0,
            "error_title": "金额有误",
            "error_message": "请填写不小于0的数字（万元）。",
        },
    )


def _scores(ws: Worksheet, f: Formats, plan: Plan, r: int) -> int:
    fw = plan.framework
    r = _section(ws, f, r, "三、评价得分（自动计算，仅供核对）")
    ws.write_string(r, 0, L.SCORE_HEADER, f.header)
    for col, label in enumerate(("分值", "得分", "得分率"), start=1):
        ws.write_string(r, col, label, f.header)
    r += 1
    rng = {
        key: col_range(L.SHEET_INDICATORS, COL[key] + 1, plan.first_row, plan.last_row)
        for key in ("l1", "l2", "score")
    }
    level1_cells = []
    for top in fw.level1:
        cached = plan.cached(l1=top.name)
        formula = f"=SUMIFS({rng['score']},{rng['l1']},{_quoted(top.name)})"
        _score_row(ws, f, r, top.name, top.weight, formula, cached, f.label)
        level1_cells.append(xl_rowcol_to_cell(r, 2))
        r += 1
        for l2 in fw.children(top.code):
            cached = plan.cached(l1=top.name, l2=l2.name)
            formula = (
                f"=SUMIFS({rng['score']},{rng['l1']},{_quoted(top.name)},"
                f"{rng['l2']},{_quoted(l2.name)})"
            )
            _score_row(ws, f, r, l2.name, l2.weight, formula, cached, f.label_indent)
            r += 1
    total = plan.cached()
    plan.overlay.mark(ws, r, 2, ("cached", "total"))
    # rounded like perfeval's own total, so the grade shown here is the grade perfeval gives
    total_formula = f"=ROUND(SUM({','.join(level1_cells)}),2)"
    _score_row(ws, f, r, L.TOTAL_LABEL, fw.total, total_formula, total, f.label)
    total_cell = xl_rowcol_to_cell(r, 2, True, True)
    r += 1
    ws.write_string(r, 0, L.GRADE_LABEL, f.label)
    grades = plan.settings.grades
    # bands are on 100 points: out of another total, on the 得分率 (as Settings.grade_for)
    basis = total_cell if fw.total == 100 else f"ROUND({total_cell}/{fw.total}*100,2)"
    expr = _quoted(grades[-1].name)
    for grade in reversed(grades[:-1]):
        expr = f"IF({basis}>={grade.min},{_quoted(grade.name)},{expr})"
    manual = [
        col_range(
            L.SHEET_INDICATORS, COL["score"] + 1, plan.row_of(row.code), plan.row_of(row.code)
        ).split("!")[1]
        for row in plan.rows
        if row.leaf is not None and not row.leaf.computed
    ]
    blanks = "+".join(f"COUNTBLANK({quote_sheetname(L.SHEET_INDICATORS)}!{c})" for c in manual[:50])
    formula = f'=IF({blanks or 0}>0,"待填报",{expr})'
    ws.write_formula(r, 1, formula, f.calc_text, "待填报")
    return r + 1


def _score_row(ws, f, r, label, weight, formula, cached, label_format) -> None:
    ws.write_string(r, 0, label, label_format)
    ws.write_number(r, 1, float(weight), f.locked_score)
    ws.write_formula(r, 2, formula, f.calc_score, float(cached))
    rate = float(cached / weight) if weight else 0.0
    ws.write_formula(
        r, 3, f"=IFERROR({xl_rowcol_to_cell(r, 2)}/{xl_rowcol_to_cell(r, 1)},0)", f.calc_rate, rate
    )
