"""The roster (项目清单) and the items it expects back."""

from perfeval.check.rule import E, I, Rule, W

RULES = {
    "ROSTER_REQUIRED": Rule(
        "PE-ROSTER-001",
        E,
        "清单必填项为空",
        "项目清单第{row}行“{field}”未填写，该项目已跳过。",
        "请在项目清单中补全后重新运行。",
    ),
    "ROSTER_DUPLICATE": Rule(
        "PE-ROSTER-002",
        E,
        "清单项目编号重复",
        "项目编号“{item_id}”在项目清单中重复（第{row}行），该行已跳过。",
        "每个项目应有唯一的编号。",
    ),
    "ROSTER_FRAMEWORK": Rule(
        "PE-ROSTER-003",
        E,
        "指标体系不存在",
        "项目清单第{row}行的指标体系“{value}”不存在，该项目已跳过。可用：{known}。",
        "请填写已有指标体系的编号或名称。",
    ),
    "ROSTER_KIND": Rule(
        "PE-ROSTER-004",
        E,
        "评价类型不在列表中",
        "项目清单第{row}行的评价类型“{value}”不在规定类型中（{known}），该项目已跳过。",
        "请从规定的评价类型中选择。",
    ),
    "ROSTER_NUMBER": Rule(
        "PE-ROSTER-005",
        E,
        "清单金额不是数字",
        "项目清单第{row}行“{field}”应为数字，现为“{value}”，该项目已跳过。",
        "请填写以万元为单位的数字。",
    ),
    "ROSTER_NOT_RETURNED": Rule(
        "PE-ROSTER-006",
        W,
        "项目未交回",
        "项目“{item_id} {name}”（{unit}）尚未交回填报表。",
        "请督促{unit}按时交回。",
    ),
    "ROSTER_COVERAGE": Rule(
        "PE-ROSTER-007",
        W,
        "评价覆盖率不足",
        "{unit}的评价金额{amount}万元占其年度项目预算总额{base}万元的{rate}，低于规定的{minimum}。",
        "请增加该单位的评价项目，或核对项目清单中的单位项目预算总额。",
    ),
    "ROSTER_NOT_POSITIVE": Rule(
        "PE-ROSTER-008",
        W,
        "清单金额不合理",
        "项目清单第{row}行“{field}”为{value}万元，{why}。",
        "请核对项目清单中的金额。",
    ),
    "ROSTER_LISTS_REFRESHED": Rule(
        "PE-ROSTER-009",
        I,
        "已更新项目清单的下拉选项",
        "已按当前的指标体系和配置更新“{file}”中“评价类型”和“指标体系”的下拉选项（{changes}）；"
        "已填写的内容未改动。",
        "无需处理。新增的指标体系现在可以在项目清单中选择。",
    ),
    "ROSTER_LISTS_NOT_REFRESHED": Rule(
        "PE-ROSTER-010",
        W,
        "项目清单的下拉选项未能更新",
        "“{file}”的下拉选项应当更新（{changes}），但未能写入：{detail}。文件保持原样。",
        "请在Excel或WPS中关闭项目清单（或取消只读）后重新运行任一 perfeval issue 或 validate；"
        "在此之前也可以直接在单元格中输入指标体系或评价类型的名称。",
    ),
}
