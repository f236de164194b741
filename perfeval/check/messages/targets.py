"""Each project's approved targets (绩效目标/): findings on the targets, never on the clerk."""

from perfeval.check.rule import E, I, Rule, W

RULES = {
    "TARGET_LAYOUT": Rule(
        "PE-TGT-001",
        E,
        "绩效目标表格式无法识别",
        "文件中没有找到含“一级指标”“三级指标”“指标值”的表头（{detail}）。",
        "请使用预算管理一体化系统导出的绩效目标表或项目支出绩效目标申报表。",
    ),
    "TARGET_SPLIT": Rule(
        "PE-TGT-002",
        W,
        "指标值无法拆分",
        "指标“{name}”的指标值“{value}”无法拆分为指标性质、指标值和计量单位，已作为定性指标下发。",
        "请按“≥50个”“≤90万元”“100%”的形式填写，或分列填写指标性质、指标值和计量单位。",
    ),
    "TARGET_NOT_IN_ROSTER": Rule(
        "PE-TGT-003",
        W,
        "绩效目标对应的项目不在项目清单中",
        "绩效目标中的项目“{name}”（{item_id}）在项目清单中找不到，未使用。",
        "请核对项目编号或项目名称与项目清单是否一致。",
    ),
    "TARGET_DUPLICATE": Rule(
        "PE-TGT-004",
        E,
        "同一项目有两份绩效目标",
        "项目{item_id}的绩效目标在“{first}”和“{second}”中各有一份，使用前者。",
        "请删除或改正其中一份。",
    ),
    "TARGET_LEVEL1": Rule(
        "PE-TGT-005",
        E,
        "一级指标不在指标体系中",
        "指标“{name}”的一级指标“{l1}”不是指标体系“{framework}”中由绩效目标确定的一级指标（{allowed}）。",
        "请把该指标归入指标体系中的一级指标，或修改指标体系。",
    ),
    "TARGET_LEVEL2": Rule(
        "PE-TGT-006",
        W,
        "二级指标不在可用范围内",
        "指标“{name}”的二级指标“{l2}”不在一级指标“{l1}”可用的二级指标（{allowed}）之中。",
        "请核对二级指标名称；确需使用的，请在指标体系的“可用二级指标”中增加。",
    ),
    "TARGET_LEVEL2_MISSING": Rule(
        "PE-TGT-007",
        W,
        "缺少必备的二级指标",
        "一级指标“{l1}”下缺少必备的二级指标：{missing}。",
        "请在绩效目标中补充这些二级指标。",
    ),
    "TARGET_WEIGHT_SUM": Rule(
        "PE-TGT-008",
        E,
        "指标分值合计不符",
        "{what}分值应为{expected}，绩效目标中各指标分值合计为{found}。",
        "请核对绩效目标中的分值；改正前该项目按指标体系预留行下发和校验。",
    ),
    "TARGET_WEIGHT_SPREAD": Rule(
        "PE-TGT-009",
        W,
        "指标未设分值，按个数平均分配",
        "一级指标“{l1}”下的{count}个指标未设分值，已把{weight}分平均分配（每个约{each}分）。",
        "如需按重要程度设分值，请在绩效目标中填写各指标分值。",
    ),
    "TARGET_WEIGHT_PARTIAL": Rule(
        "PE-TGT-010",
        E,
        "部分指标缺少分值",
        "一级指标“{l1}”下有指标填写了分值，但指标“{name}”没有。",
        "请为每个指标填写分值；改正前该项目按指标体系预留行下发和校验。",
    ),
    "TARGET_WEIGHT_BAD": Rule(
        "PE-TGT-011",
        E,
        "分值不是数字",
        "指标“{name}”的分值“{value}”不是不小于0的数字。",
        "请填写数字分值。",
    ),
    "TARGET_VALUE_MISSING": Rule(
        "PE-TGT-012",
        W,
        "指标值未填写",
        "指标“{name}”没有填写指标值。",
        "请填写该指标的年度指标值。",
    ),
    "TARGET_DIRECTION": Rule(
        "PE-TGT-013",
        W,
        "指标性质无法识别",
        "指标“{name}”的指标性质“{value}”无法识别，已按指标值判断。",
        "指标性质请填写 ≥、>、=、<、≤ 或 定性。",
    ),
    "TARGET_MISSING": Rule(
        "PE-TGT-014",
        W,
        "项目没有绩效目标",
        "项目{item_id}使用的指标体系“{framework}”按绩效目标确定指标，但“{folder}”中没有该项目的绩效目标，"
        "已按指标体系的预留行下发和校验。",
        "请把该项目批复的绩效目标放入“{folder}”后重新下发。",
    ),
    "TARGET_NAME_REPEATED": Rule(
        "PE-TGT-015",
        E,
        "指标重复",
        "二级指标“{l2}”下的指标“{name}”出现了两次。",
        "请删除重复的指标或改用不同的名称。",
    ),
    "TARGET_READ": Rule(
        "PE-TGT-016",
        I,
        "已读取绩效目标",
        "从“{folder}”读取了{projects}个项目的绩效目标（{files}个文件）。",
        "无需处理。",
    ),
}
