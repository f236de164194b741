"""The 基本信息 sheet: prefilled facts, the money table, live score summary, narrative inputs."""

from __future__ import annotations

from dataclasses import dataclass, field

from xlsxwriter.utility import quote_sheetname, xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook

from perfeval import layout as L
from perfeval.issue.formats import Formats
from perfeval.issue.sheets import IND_COL, Plan, _col_range


@dataclass
class InfoResult:
    rate_cell: str  # absolute reference to the 执行率 cell, for formulas on other sheets
    locked: list[tuple[str, object]] = field(default_factory=list)


def _grade_formula(total_cell: str, plan: Plan, blanks: str) -> tuple[str, str]:
    grades = plan.settings.grades
    expr = f'"{grades[-1].name}"'
    for grade in reversed(grades[:-1]):
        expr = f'IF({total_cell}>={grade.min},"{grade.name}",{expr})'
    return f'=IF(COUNTBLANK({blanks})>0,"待填报",{expr})', "待填报"


def write_info(wb: Workbook, f: Formats, plan: Plan) -> InfoResult:
    item, fw, s = plan.item, plan.framework, plan.settings
    ws = wb.add_worksheet(L.SHEET_INFO)
    ws.set_column(0, 0, 22)
    ws.set_column(1, 5, 16)
    ws.merge_range(0, 0, 0, 5, f"{s.year}年度{item.kind}绩效评价填报表", f.title)
    ws.set_row(0, 32)
    ws.merge_range(
        1, 0, 1, 5, "浅黄色单元格为填报区，其余内容已预填并锁定。金额单位：万元。", f.note
    )
    locked: list[tuple[str, object]] = []
    r = 2
    ws.merge_range(r, 0, r, 5, "一、基本信息", f.section)
    r += 1
    facts = {
        "item_id": item.item_id,
        "name": item.name,
        "department": item.department,
        "unit": item.unit,
        "kind": item.kind,
        "framework": fw.name,
        "year": str(s.year),
    }
    for key, label in L.INFO_FIELDS.items():
        ws.write_string(r, 0, label, f.label)
        ws.merge_range(r, 1, r, 5, facts[key], f.locked_wrap)
        locked.append((key, facts[key]))
        r += 1

    ws.merge_range(r, 0, r, 5, "二、项目资金（万元）", f.section)
    r += 1
    ws.write_string(r, 0, L.MONEY_HEADER, f.header)
    for key, col in L.MONEY_COLUMNS.items():
        ws.write_string(r, col - 1, L.MONEY_COLUMN_LABELS[key], f.header)
    r += 1
    rate_cell = ""
    for key, label in L.MONEY_ROWS.items():
        ws.write_string(r, 0, label, f.label)
        b_cell = xl_rowcol_to_cell(r, 1)
        c_cell = xl_rowcol_to_cell(r, 2)
        if key == "total":
            ws.write_number(r, 1, float(item.budget), f.locked_money)
            locked.append(("budget", item.budget))
            if item.executed is None:
                ws.write_blank(r, 2, None, f.input_money)
            else:
                ws.write_number(r, 2, float(item.executed), f.locked_money)
                locked.append(("executed", item.executed))
            rate_cell = f"{quote_sheetname(L.SHEET_INFO)}!{xl_rowcol_to_cell(r, 3, True, True)}"
            cached: float | str = float(plan.rate) if plan.rate is not None else ""
        else:
            ws.write_blank(r, 1, None, f.input_money)
            ws.write_blank(r, 2, None, f.input_money)
            cached = ""
        for col in (1, 2):
            if key != "total" or (col == 2 and item.executed is None):
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
        ws.write_formula(r, 3, f'=IFERROR({c_cell}/{b_cell},"")', f.calc_rate, cached)
        r += 1

    ws.merge_range(r, 0, r, 5, "三、评价得分（自动计算，仅供参考）", f.section)
    r += 1
    ws.write_string(r, 0, L.SCORE_HEADER, f.header)
    for col, label in enumerate(("分值", "得分", "得分率"), start=1):
        ws.write_string(r, col, label, f.header)
    r += 1
    l1_range = _col_range(L.SHEET_INDICATORS, IND_COL["l1"], plan.first_row, plan.last_row)
    score_range = _col_range(L.SHEET_INDICATORS, IND_COL["score"], plan.first_row, plan.last_row)
    first_l1 = r
    for ind in fw.level1:
        ws.write_string(r, 0, ind.name, f.label)
        ws.write_number(r, 1, float(ind.weight), f.locked_score)
        a_cell = xl_rowcol_to_cell(r, 0)
        cached_score = plan.level1_cached(ind.name)
        ws.write_formula(
            r, 2, f"=SUMIF({l1_range},{a_cell},{score_range})", f.calc_score, float(cached_score)
        )
        ws.write_formula(
            r,
            3,
            f"=IFERROR({xl_rowcol_to_cell(r, 2)}/{xl_rowcol_to_cell(r, 1)},0)",
            f.calc_rate,
            float(cached_score / ind.weight),
        )
        r += 1
    ws.write_string(r, 0, L.TOTAL_LABEL, f.label)
    ws.write_number(r, 1, float(fw.total), f.locked_score)
    total_cached = plan.total_cached()
    sum_range = f"{xl_rowcol_to_cell(first_l1, 2)}:{xl_rowcol_to_cell(r - 1, 2)}"
    ws.write_formula(r, 2, f"=SUM({sum_range})", f.calc_score, float(total_cached))
    ws.write_formula(
        r,
        3,
        f"=IFERROR({xl_rowcol_to_cell(r, 2)}/{xl_rowcol_to_cell(r, 1)},0)",
        f.calc_rate,
        float(total_cached / fw.total) if fw.total else 0.0,
    )
    total_cell = xl_rowcol_to_cell(r, 2, True, True)
    r += 1
    ws.write_string(r, 0, L.GRADE_LABEL, f.label)
    formula, cached_grade = _grade_formula(total_cell, plan, score_range)
    ws.write_formula(r, 1, formula, f.calc_text, cached_grade)
    r += 1

    ws.merge_range(r, 0, r, 5, "四、项目概述", f.section)
    r += 1
    hints = {
        "overview": "简述项目（部门）的依据、内容、资金使用和实施情况。",
        "outputs": "列出主要产出和效果，尽量使用数字，例如：向32人发放报酬13次。",
    }
    for key, label in L.NARRATIVE_FIELDS.items():
        ws.write_string(r, 0, label, f.label)
        ws.merge_range(r, 1, r, 5, "", f.input_wrap)
        ws.write_comment(r, 1, hints[key], {"x_scale": 2, "y_scale": 1})
        ws.set_row(r, 120)
        r += 1

    ws.merge_range(r, 0, r, 5, "五、填报人", f.section)
    r += 1
    prefill = {"contact": item.contact, "phone": item.phone, "filled_on": ""}
    for key, label in L.CONTACT_FIELDS.items():
        ws.write_string(r, 0, label, f.label)
        fmt = f.input_date if key == "filled_on" else f.input
        if prefill[key]:
            ws.merge_range(r, 1, r, 2, prefill[key], fmt)
        else:
            ws.merge_range(r, 1, r, 2, "", fmt)
        r += 1

    ws.set_portrait()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.protect(options={"format_rows": True})
    ws.activate()
    return InfoResult(rate_cell=rate_cell, locked=locked)
