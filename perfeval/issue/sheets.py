"""The small sheets of an issued workbook: 填报说明, 问题与建议, the lists and the identity."""

from __future__ import annotations

from xlsxwriter.utility import quote_sheetname, xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from perfeval import layout as L
from perfeval.config.settings import Settings
from perfeval.issue.formats import INPUT_FILL, Formats
from perfeval.issue.plan import Plan
from perfeval.render.paper import row_height, set_paper, text_lines


def col_range(sheet: str, col: int, first: int, last: int) -> str:
    """Absolute reference to a column range, 1-based: '指标'!$K$4:$K$30."""
    start = xl_rowcol_to_cell(first - 1, col - 1, True, True)
    end = xl_rowcol_to_cell(last - 1, col - 1, True, True)
    return f"{quote_sheetname(sheet)}!{start}:{end}"


def write_lists(wb: Workbook, settings: Settings) -> None:
    """The hidden 选项 sheet and one workbook-level name per list (dropdowns refer to names)."""
    ws = wb.add_worksheet(L.SHEET_LISTS)
    lists = (
        (L.LIST_CATEGORIES, [c.label for c in settings.problem_categories]),
        (L.LIST_DIRECTIONS, list(L.DIRECTION_CHOICES)),
        (L.LIST_QUALITATIVE, list(settings.qualitative)),
        (L.LIST_YES_NO, list(L.YES_NO)),
    )
    for col, (name, values) in enumerate(lists):
        ws.write_string(0, col, name)
        for row, value in enumerate(values, start=1):
            ws.write_string(row, col, value)
        wb.define_name(name, f"={col_range(L.SHEET_LISTS, col + 1, 2, len(values) + 1)}")
    ws.protect()
    ws.hide()


def write_identity(wb: Workbook, pairs: list[tuple[str, str]]) -> None:
    ws = wb.add_worksheet(L.SHEET_IDENTITY)
    for row, (key, value) in enumerate(pairs):
        ws.write_string(row, 0, key)
        ws.write_string(row, 1, value)
    ws.protect()
    ws.very_hidden()


GUIDE_WIDTH = 86  # the text column of 填报说明


def write_guide(wb: Workbook, f: Formats, plan: Plan) -> Worksheet:
    s, item = plan.settings, plan.item
    ws = wb.add_worksheet(L.SHEET_GUIDE)
    ws.set_column(0, 0, 14)
    ws.set_column(1, 1, GUIDE_WIDTH)
    ws.merge_range(0, 0, 0, 1, f"{s.year}年度绩效评价填报说明", f.title)
    ws.set_row(0, 30)
    deadline = s.deadline or "财政局通知的日期"
    contact = "，".join(x for x in (s.bureau, s.contact, s.phone) if x) or "组织评价的财政部门"
    custom = any(r.custom for r in plan.rows)
    lines = [
        ("填报对象", f"{item.unit}：{item.name}（项目编号 {item.item_id}）"),
        (
            "填写位置",
            "只在浅黄色单元格中填写（本行左侧示例颜色），其余内容已由财政局预填并锁定。"
            "不要删除、插入、重命名工作表，不要插入或删除行列，不要修改“指标”表A列的编码。",
        ),
        (
            "基本信息",
            "核对预填的项目信息和资金数（万元）；如有资金分项请填写，分项之和应等于总额；"
            "填写项目（部门）概述、主要产出、其他情况和填报人。",
        ),
        (
            "指标",
            "逐行填写实际完成值和得分。得分在0至分值之间；未得满分的，必须在同一行写明偏差原因"
            "分析及改进措施，并从下拉列表选择问题分类。定性指标的实际完成值从下拉列表选择。"
            "预算执行率类指标由表格根据资金数自动计算，无需填写。",
        ),
        (
            "单位自设指标",
            "编码带“+”的行是预留给本单位按项目绩效目标填写的三级指标：填写指标名称、"
            "指标性质、年度指标值、计量单位和分值，同一二级指标下的分值合计应等于该二级指标的"
            "分值；不用的预留行保持空白。"
            if custom
            else "本表的指标、指标值和分值取自本项目批复的绩效目标，已锁定；如与批复不符，请联系"
            "财政局，不要自行修改。"
            if plan.framework.targets_source
            else "本表指标均由指标体系确定，无需自设。",
        ),
        ("问题与建议", "列出项目存在的主要问题，选择问题分类，写明改进措施和涉及金额。"),
        (
            "自动计算",
            "二级、一级指标得分、总分、得分率和评价等级随填写即时计算，仅供核对；得分超过分值"
            "或未满分未写原因的单元格会变红。财政局以重新核算的结果为准。"
            + (
                ""
                if plan.framework.total == 100
                else f"本表总分值为{plan.framework.total}分，评价等级按得分率"
                f"（总分÷{plan.framework.total}×100）评定。"
            ),
        ),
        (
            "交回要求",
            f"请于{deadline}前交回本工作簿：保持.xlsx格式，不要改文件格式、加密码或另存为其他"
            "文件名以外的格式。可以用Excel或WPS填写。",
        ),
        ("联系方式", contact),
    ]
    sample = wb.add_format({"bg_color": INPUT_FILL, "border": 1})
    for row, (head, text) in enumerate(lines, start=2):
        ws.write_string(row, 0, head, f.guide_head)
        ws.write_string(row, 1, text, f.guide)
        ws.set_row(row, row_height(text_lines(text, GUIDE_WIDTH, 11) + 1, 11))
    ws.write_blank(3, 2, None, sample)
    ws.set_column(2, 2, 4)
    set_paper(ws, landscape=False)
    ws.protect()
    ws.activate()  # the workbook opens on 填报说明
    return ws


def write_problems(wb: Workbook, f: Formats, plan: Plan) -> Worksheet:
    ws = wb.add_worksheet(L.SHEET_PROBLEMS)
    widths = [6, 34, 50, 50, 14]
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    ws.merge_range(0, 0, 0, 4, "存在的问题与改进措施", f.title)
    ws.set_row(0, 28)
    note = "如实列出项目存在的主要问题，从下拉列表选择问题分类。没有问题的可不填。"
    ws.merge_range(1, 0, 1, 4, note, f.note)
    for col, label in enumerate(L.PROB_COLUMNS.values()):
        ws.write_string(L.PROB_HEADER_ROW - 1, col, label, f.header)
    for n in range(L.PROB_ROWS):
        r = L.PROB_FIRST_ROW - 1 + n
        ws.write_number(r, 0, n + 1, f.locked_center)
        ov = plan.overlay
        ov.put(ws, r, 1, ("prob", str(n), "category"), f.input)
        ov.put(ws, r, 2, ("prob", str(n), "description"), f.input_wrap)
        ov.put(ws, r, 3, ("prob", str(n), "measure"), f.input_wrap)
        ov.put(ws, r, 4, ("prob", str(n), "amount"), f.input_money)
        ws.set_row(r, 40)
    first, last = L.PROB_FIRST_ROW - 1, L.PROB_FIRST_ROW - 1 + L.PROB_ROWS - 1
    ws.data_validation(first, 1, last, 1, {"validate": "list", "source": f"={L.LIST_CATEGORIES}"})
    ws.data_validation(
        first,
        4,
        last,
        4,
        {
            "validate": "decimal",
            "criteria": ">=",
            "value": 0,
            "error_title": "金额有误",
            "error_message": "请填写不小于0的数字（万元）。",
        },
    )
    ws.freeze_panes(L.PROB_HEADER_ROW, 0)
    ws.repeat_rows(L.PROB_HEADER_ROW - 1)
    set_paper(ws, landscape=True)
    ws.protect(options={"format_columns": True, "format_rows": True})
    return ws
