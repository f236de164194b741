"""Single cells: required, numbers, placeholders, rates, dates, instruction text left in."""

from perfeval.check.rule import E, Rule, W

RULES = {
    "CELL_REQUIRED": Rule(
        "PE-CELL-001",
        E,
        "必填项为空",
        "“{field}”未填写。",
        "请填写{field}。",
    ),
    "CELL_NOT_NUMBER": Rule(
        "PE-CELL-002",
        E,
        "不是数字",
        "“{field}”应填写数字，现为“{value}”。",
        "请只填写阿拉伯数字，例如 95 或 12.5，不要带文字。",
    ),
    "CELL_TEXT_NUMBER": Rule(
        "PE-CELL-003",
        W,
        "数字以文本形式填写",
        "“{field}”的“{value}”是以文本形式填写的数字，已按{parsed}读取。",
        "请确认读取结果正确；以后请直接填写数字。",
    ),
    "CELL_PLACEHOLDER": Rule(
        "PE-CELL-004",
        E,
        "填写了占位符",
        "“{field}”填写的是占位符“{value}”，不能作为数值。",
        "请填写实际数值；确实不适用的，请在偏差原因中说明并联系财政局。",
    ),
    "CELL_OVER_100": Rule(
        "PE-CELL-005",
        E,
        "比率超过100%",
        "“{field}”为{value}，{name}不可能超过100%。",
        "请核对数值；比率请按百分数填写，例如 95 或 95%。",
    ),
    "CELL_BAD_DATE": Rule(
        "PE-CELL-006",
        W,
        "日期无法识别",
        "“{field}”的“{value}”不是可识别的日期。",
        "请按 2025-03-16 或 2025年3月16日 的格式填写。",
    ),
    "CELL_INSTRUCTION_TEXT": Rule(
        "PE-CELL-007",
        E,
        "留有填报说明或占位文字",
        "“{field}”中留有填报说明或占位文字“{text}”，不是实际填写的内容。",
        "请删除这段说明或占位文字，换成实际情况；本项不需要填写的，删除后留空即可。",
    ),
}
