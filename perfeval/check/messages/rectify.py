"""Returned 整改台账 (perfeval rectify check): findings on the ledgers."""

from perfeval.check.rule import E, Rule, W

RULES = {
    "RECT_NOT_LEDGER": Rule(
        "PE-RECT-001",
        E,
        "不是整改台账",
        "该文件不是 perfeval 下发的整改台账（没有台账的标识工作表）。",
        "请使用财政部门下发的整改台账填写，不要另建表格或复制内容到新文件。",
    ),
    "RECT_OTHER_LEDGER": Rule(
        "PE-RECT-002",
        E,
        "台账不属于本次整改",
        "这份台账是区划代码{code}的{year}年度问题，本次跟踪的是区划代码{expected_code}的{expected}年度问题。",
        "请交回本次下发的整改台账。",
    ),
    "RECT_STATUS_MISSING": Rule(
        "PE-RECT-003",
        E,
        "是否完成未填写",
        "“{name}”的问题“{description}”未填写是否完成。",
        "请在下拉列表中选择已完成、部分完成或未完成。",
    ),
    "RECT_STATUS_UNKNOWN": Rule(
        "PE-RECT-004",
        E,
        "是否完成填写有误",
        "是否完成填写了“{value}”，应为已完成、部分完成或未完成。",
        "请在下拉列表中选择。",
    ),
    "RECT_PROGRESS_MISSING": Rule(
        "PE-RECT-005",
        E,
        "未完成整改却没有说明",
        "问题“{description}”{status}，但整改情况未填写。",
        "请写明已采取的措施、进展和尚未完成的原因。",
    ),
    "RECT_DEADLINE_BAD": Rule(
        "PE-RECT-006",
        E,
        "整改时限不是日期",
        "整改时限“{value}”不是日期。",
        "请填写日期，如 2025-06-30。",
    ),
    "RECT_DEADLINE_LATE": Rule(
        "PE-RECT-007",
        W,
        "整改时限晚于规定",
        "整改时限{date}晚于规定的{deadline}。",
        "请在规定时限内完成整改；确实不能按期完成的，请在整改情况中说明原因。",
    ),
    "RECT_NO_EVIDENCE": Rule(
        "PE-RECT-008",
        W,
        "已完成整改但没有佐证材料",
        "问题“{description}”已完成整改，但未填写佐证材料。",
        "请填写能证明整改完成的文件名称（如制度文件、会计凭证、验收报告）。",
    ),
    "RECT_TWICE": Rule(
        "PE-RECT-009",
        E,
        "同一单位的台账交回了两份",
        "“{unit}”的整改台账交回了两份：{first}和本文件；只采用先读到的一份。",
        "请只保留一份。",
    ),
}
