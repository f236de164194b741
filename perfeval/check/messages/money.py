"""Budget, execution and the funding rows."""

from perfeval.check.rule import E, Rule, W

RULES = {
    "MONEY_BUDGET_CHANGED": Rule(
        "PE-MONEY-001",
        E,
        "资金数与清单不符",
        "“{field}”为{found}万元，项目清单为{expected}万元。",
        "资金数由财政局预填，请恢复原值；如清单有误请联系财政局。",
    ),
    "MONEY_OVERSPENT": Rule(
        "PE-MONEY-002",
        W,
        "执行数大于预算数",
        "全年执行数{executed}万元大于全年预算数{budget}万元。",
        "请核对执行数；如确有超支，请在项目概述中说明。",
    ),
    "MONEY_BUDGET_NOT_POSITIVE": Rule(
        "PE-MONEY-003",
        E,
        "预算数不大于零",
        "全年预算数为{budget}万元，无法计算预算执行率。",
        "请核对预算数；如清单有误请联系财政局。",
    ),
    "MONEY_PARTS_MISMATCH": Rule(
        "PE-MONEY-004",
        E,
        "资金合计与分项不符",
        "{column}：年度资金总额{total}万元，分项合计{parts}万元。",
        "请核对本年财政拨款、上年结转资金和其他资金，使分项之和等于总额。",
    ),
    "MONEY_LOW_EXECUTION": Rule(
        "PE-MONEY-005",
        E,
        "执行率偏低未说明",
        "预算执行率为{rate}，低于{threshold}，但未说明原因。",
        "请在“预算执行率”指标行的偏差原因分析及改进措施中说明执行率偏低的原因。",
    ),
    "MONEY_NEGATIVE": Rule(
        "PE-MONEY-006",
        E,
        "金额为负数",
        "“{field}”为{value}万元，金额不能为负数。",
        "请核对后填写不小于0的金额。",
    ),
    "MONEY_ADJUSTMENT_UNEXPLAINED": Rule(
        "PE-MONEY-007",
        E,
        "预算调整未说明",
        "全年预算数{budget}万元与年初预算数{initial}万元相差{change}，超过{threshold}，但未填写预算调整说明。",
        "请在“预算调整说明”中写明调整的原因、依据和金额。",
    ),
}
