"""The workbook's identity against the roster and the framework it was issued from."""

from perfeval.check.rule import E, Rule

RULES = {
    "ID_WRONG_YEAR": Rule(
        "PE-ID-001",
        E,
        "评价年度不符",
        "填报表的评价年度为{found}，本次评价为{expected}年度。",
        "请确认交回的是本年度下发的填报表。",
    ),
    "ID_UNKNOWN_ITEM": Rule(
        "PE-ID-002",
        E,
        "项目不在清单中",
        "项目编号“{item_id}”不在项目清单中。",
        "请确认交回的是财政局下发给本单位的填报表。",
    ),
    "ID_DUPLICATE_ITEM": Rule(
        "PE-ID-003",
        E,
        "同一项目重复交回",
        "项目“{item_id}”交回了多份填报表，另见{other}。",
        "请只保留最终版本，删除其他版本后重新校验。",
    ),
    "ID_FRAMEWORK_MISMATCH": Rule(
        "PE-ID-004",
        E,
        "指标体系不符",
        "填报表使用的指标体系为“{found}”，项目清单要求“{expected}”。",
        "请向财政局索取按当前指标体系下发的填报表。",
    ),
    "ID_LOCKED_CHANGED": Rule(
        "PE-ID-005",
        E,
        "锁定内容被修改",
        "“{field}”为下发时预填的锁定内容，原为“{expected}”，现为“{found}”。",
        "请恢复为原值；如原值有误，请联系财政局重新下发。",
    ),
    "ID_INDICATOR_MISSING": Rule(
        "PE-ID-006",
        E,
        "指标行缺失",
        "指标体系中的指标“{code} {name}”在填报表中找不到。",
        "请不要删除指标行或修改指标编码。",
    ),
    "ID_INDICATOR_UNKNOWN": Rule(
        "PE-ID-007",
        E,
        "未知指标编码",
        "指标编码“{code}”不属于该指标体系。",
        "请不要修改A列的指标编码。",
    ),
    "ID_INDICATOR_DUPLICATE": Rule(
        "PE-ID-008",
        E,
        "指标行重复",
        "指标编码“{code}”出现了多次，另见第{other}行。",
        "请删除复制出来的重复行。",
    ),
    "ID_ROSTER_CHANGED": Rule(
        "PE-ID-009",
        E,
        "清单在下发后被修改",
        "“{field}”下发时为“{found}”，项目清单现为“{expected}”；填报表本身未被改动。",
        "请财政局确认以哪个为准：恢复项目清单，或对该项目重新下发填报表。",
    ),
}
