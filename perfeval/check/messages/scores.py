"""Scores against weights, reasons and the workbook's own totals."""

from perfeval.check.rule import E, Rule, W

RULES = {
    "SCORE_OUT_OF_RANGE": Rule(
        "PE-SCORE-001",
        E,
        "得分超出范围",
        "指标“{name}”得分{score}超出0至{weight}分的范围。",
        "得分不能为负，也不能超过该指标的分值{weight}分。",
    ),
    "SCORE_REASON_MISSING": Rule(
        "PE-SCORE-002",
        E,
        "未满分未说明原因",
        "指标“{name}”得分{score}低于分值{weight}，但未填写偏差原因分析及改进措施。",
        "请在同一行填写未得满分的原因和改进措施。",
    ),
    "SCORE_WEIGHT_CHANGED": Rule(
        "PE-SCORE-003",
        E,
        "分值被修改",
        "指标“{name}”的分值应为{expected}，现为{found}。",
        "分值由指标体系确定，请恢复原值。",
    ),
    "SCORE_TOTAL_MISMATCH": Rule(
        "PE-SCORE-004",
        W,
        "表内合计与重算不符",
        "表内显示的{what}为{found}，按各项得分重新计算为{expected}。",
        "以重新计算的结果为准；请检查表内公式是否被改动。",
    ),
    "SCORE_GROUP_SUM": Rule(
        "PE-SCORE-005",
        E,
        "下级分值合计不符",
        "二级指标“{name}”分值为{weight}，其下三级指标分值合计为{total}。",
        "请调整本单位自设指标的分值，使同一二级指标下的分值合计等于{weight}。",
    ),
    "SCORE_FULL_BUT_UNFINISHED": Rule(
        "PE-SCORE-006",
        W,
        "满分但原因称未完成",
        "指标“{name}”得满分，但偏差原因写有“{word}”。",
        "请核对：确未完成的应扣分；已完成的请修改原因的表述。",
    ),
    "SCORE_INCONSISTENT": Rule(
        "PE-SCORE-007",
        W,
        "得分与完成情况不一致",
        "指标“{name}”{detail}，却得满分{weight}分。",
        "请按评分标准核对得分，或在原因中说明给满分的依据。",
    ),
    "SCORE_FULL_BUT_MISSED": Rule(
        "PE-SCORE-008",
        E,
        "未达到批复的指标值却得满分",
        "指标“{name}”的实际完成值{actual}未达到批复的年度指标值{target}，却得满分{weight}分。",
        "请按评分标准扣分并在同一行说明原因；如完成值填错，请改正。",
    ),
    "SCORE_ABOVE_REFERENCE": Rule(
        "PE-SCORE-009",
        W,
        "得分高于参考得分",
        "指标“{name}”得分{score}，按实际完成值{actual}与年度指标值{target}计算的参考得分为{reference}。",
        "请核对得分；确有依据的，请在偏差原因中说明。",
    ),
}
