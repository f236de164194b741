"""The issued workbook's layout, shared by the writer (:mod:`perfeval.issue`) and the reader.

The writer puts things where this module says; the reader finds them again by the same labels
(column A of 基本信息, header names on 指标), so moving a row does not break reading. Changing a
label or sheet name here is a template version change: bump :data:`TEMPLATE_VERSION`.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from decimal import Decimal

TEMPLATE_ID = "perfeval.evaluation-workbook"
TEMPLATE_VERSION = "2"
#: versions the reader takes: 1 had no 年初预算数 column, fixed funding rows and no 预算调整说明
READABLE_VERSIONS = ("1", "2")

SHEET_GUIDE = "填报说明"
SHEET_INFO = "基本信息"
SHEET_INDICATORS = "指标"
SHEET_PROBLEMS = "问题与建议"
SHEET_LISTS = "选项"
SHEET_IDENTITY = "_perfeval"
DATA_SHEETS = (SHEET_INFO, SHEET_INDICATORS, SHEET_PROBLEMS)

# 基本信息: labels in column A, values in column B (money table: B/C/D)
INFO_FIELDS = {
    "item_id": "项目编号",
    "name": "项目名称",
    "department": "主管部门",
    "unit": "实施单位",
    "kind": "评价类型",
    "framework": "指标体系",
    "year": "评价年度",
}
MONEY_HEADER = "资金类别"
#: the money table: the total row, then one row per funding source (as the framework or
#: ``[money] parts`` lists them; the first marked 其中：). Rows are keyed "total" and by the
#: source's name; columns are found by their labels, so version 1 workbooks still read.
MONEY_TOTAL = "年度资金总额"
PART_PREFIX = "其中："
MONEY_ROWS = {"total": MONEY_TOTAL}
MONEY_COLUMNS = {"initial": 2, "budget": 3, "executed": 4, "rate": 5}
MONEY_COLUMN_LABELS = {
    "initial": "年初预算数",
    "budget": "全年预算数",
    "executed": "全年执行数",
    "rate": "执行率",
}
ADJUSTMENT_LABEL = "预算调整说明"  # why 全年预算数 differs from 年初预算数
SCORE_HEADER = "一级指标"
TOTAL_LABEL = "总分"
GRADE_LABEL = "评价等级"
NARRATIVE_FIELDS = {
    "overview": "项目（部门）概述",
    "outputs": "主要产出",
}
OTHER_FIELDS = {
    "survey": "是否开展满意度调查",
}
CONTACT_FIELDS = {
    "contact": "联系人",
    "phone": "联系电话",
    "filled_on": "填报日期",
}

# 指标: header row, then one row per 三级 indicator, then the 合计 row
IND_TITLE_ROW = 1
IND_HEADER_ROW = 3
IND_FIRST_ROW = 4
IND_COLUMNS = {
    "code": "编码",
    "l1": "一级指标",
    "l2": "二级指标",
    "l3": "三级指标",
    "direction": "指标性质",
    "target": "年度指标值",
    "unit": "计量单位",
    "weight": "分值",
    "standard": "评分标准",
    "actual": "实际完成值",
    "score": "得分",
    "reason": "偏差原因分析及改进措施",
    "category": "问题分类",
}
IND_TOTAL_LABEL = "合计"
CUSTOM_MARK = "+"


def custom_code(level2_code: str, n: int) -> str:
    """Code of the n-th row reserved under a second-level indicator: 1.1.+1, 1.1.+2, …"""
    return f"{level2_code}.{CUSTOM_MARK}{n}"


def parse_custom_code(code: str) -> tuple[str, int] | None:
    """(second-level code, n) for a reserved row's code, else None."""
    head, _, tail = code.rpartition(".")
    if head and tail.startswith(CUSTOM_MARK) and tail[1:].isdigit():
        return head, int(tail[1:])
    return None


# 问题与建议: header row, then numbered input rows
PROB_HEADER_ROW = 3
PROB_FIRST_ROW = 4
PROB_ROWS = 10
PROB_COLUMNS = {
    "no": "序号",
    "category": "问题分类",
    "description": "问题描述",
    "measure": "改进措施",
    "amount": "涉及金额（万元）",
}

# names of the dropdown lists (workbook-level defined names over the hidden 选项 sheet)
LIST_CATEGORIES = "问题分类列表"
LIST_DIRECTIONS = "指标性质列表"
LIST_QUALITATIVE = "定性等级列表"
LIST_YES_NO = "是否列表"
DIRECTION_CHOICES = ("≥", "≤", "=", "定性")
YES_NO = ("是", "否")


def canon(value: object) -> str:
    """Canonical text of a locked value, identical whether written or read back: the form
    locked cells are compared and fingerprinted in (NFKC, single blanks; a number without
    trailing zeros). Never for showing: workbooks show, and messages quote, text as written."""
    if value is None:
        return ""
    if isinstance(value, float):
        value = Decimal(int(value)) if value.is_integer() else Decimal(repr(value))
    if isinstance(value, int) and not isinstance(value, bool):
        value = Decimal(value)
    if isinstance(value, Decimal):
        text = f"{value.normalize():f}"
        return text
    return " ".join(unicodedata.normalize("NFKC", str(value)).split())


def fingerprint(identity: dict[str, str], pairs: list[tuple[str, object]]) -> str:
    """Hash binding the identity (item, year, framework) to the locked, prefilled content."""
    head = [[key, identity.get(key, "")] for key in ("item_id", "year", "framework_hash")]
    payload = json.dumps(head + [[k, canon(v)] for k, v in pairs], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def display_width(text: str) -> int:
    """Column width for text: East Asian wide characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
