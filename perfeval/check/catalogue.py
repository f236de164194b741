"""The one catalogue of findings: stable codes, severity, Chinese message and fix templates.

Codes never change meaning once released; tests and users refer to them. Message templates use
``{tokens}``; a missing token renders as “?” instead of failing, so reporting never crashes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from perfeval.check.finding import Finding, Severity
from perfeval.model import CellRef


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    title: str
    message: str
    hint: str


E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741


class Code(Enum):
    """Every finding perfeval can report. The member value carries the rule."""

    # the file as a whole
    FILE_UNREADABLE = Rule(
        "PE-FILE-001",
        E,
        "文件无法打开",
        "文件无法作为Excel工作簿打开（{detail}）。",
        "请用Excel或WPS打开确认文件完好，另存为.xlsx格式后重新交回。",
    )
    FILE_ENCRYPTED = Rule(
        "PE-FILE-002",
        E,
        "文件设有打开密码",
        "文件设有打开密码，无法读取。",
        "请取消文件的打开密码（文件→信息→保护工作簿）后重新交回。",
    )
    FILE_TOO_LARGE = Rule(
        "PE-FILE-003",
        E,
        "文件过大",
        "文件{what}为{size}MB，超过上限{limit}MB，为安全起见未读取。",
        "请删除表中多余的图片、空行和附件，或联系财政局。",
    )
    FILE_OLD_FORMAT = Rule(
        "PE-FILE-004",
        E,
        "文件格式不支持",
        "文件实际格式为{detail}，不是.xlsx工作簿。",
        "请在Excel或WPS中打开后“另存为”Excel工作簿(.xlsx)再交回。",
    )
    FILE_LOCK = Rule(
        "PE-FILE-005",
        I,
        "临时文件已跳过",
        "这是Excel或WPS打开文件时产生的临时文件，已跳过。",
        "无需处理；关闭Excel或WPS后它会自动消失。",
    )
    FILE_SKIPPED = Rule(
        "PE-FILE-011",
        I,
        "不是表格文件，已跳过",
        "文件类型为{suffix}，不是Excel或WPS表格，已跳过。",
        "如是误放的文件可忽略；如单位把填报表另存成了其他格式，请让其交回.xlsx工作簿。",
    )
    FILE_NAME_ENCODING = Rule(
        "PE-FILE-012",
        W,
        "文件名编码异常",
        "文件名不是UTF-8编码（常见于中文Windows上制作的压缩包），已按GBK识别为“{shown}”并照常校验。",
        "建议在Windows中解压或把文件改为正常的中文名称，以免其他程序无法打开。",
    )
    FILE_INACCESSIBLE = Rule(
        "PE-FILE-013",
        E,
        "无法访问",
        "回收文件夹中的“{file}”{why}，未能读取。",
        "请检查该文件或文件夹的权限、链接和路径长度，把交回的工作簿作为普通文件放入回收文件夹后重新校验。",
    )
    FILE_NOT_REGULAR = Rule(
        "PE-FILE-014",
        W,
        "不是普通文件，已跳过",
        "回收文件夹中的“{file}”是{what}，不是普通文件，已跳过。",
        "如其中应有交回的工作簿，请把工作簿本身复制到回收文件夹后重新校验。",
    )
    FILE_FOREIGN = Rule(
        "PE-FILE-006",
        E,
        "不是下发的填报表",
        "文件不是本次下发的绩效评价填报表（{detail}）。",
        "请使用财政局下发的工作簿填报，不要新建或复制其他表格。",
    )
    FILE_TEMPLATE_VERSION = Rule(
        "PE-FILE-007",
        E,
        "模板版本不符",
        "填报表模板版本为{found}，本次评价要求{expected}。",
        "请向财政局索取最新下发的填报表，将内容转填后交回。",
    )
    FILE_SHEET_MISSING = Rule(
        "PE-FILE-008",
        E,
        "工作表缺失或被改名",
        "找不到“{sheet}”工作表，可能被删除或改名。",
        "请使用下发的原表填报，不要删除或重命名工作表。",
    )
    FILE_LAYOUT_CHANGED = Rule(
        "PE-FILE-009",
        E,
        "表格结构被修改",
        "“{sheet}”工作表中找不到“{label}”，表格结构可能被修改。",
        "请使用下发的原表填报，不要删除或改动表头和项目名称列。",
    )
    FILE_MACROS = Rule(
        "PE-FILE-010",
        W,
        "文件含有宏",
        "文件含有宏代码，perfeval只读取数据，不会运行宏。",
        "建议另存为不含宏的.xlsx工作簿后交回。",
    )
    # identity of the workbook against the roster
    ID_WRONG_YEAR = Rule(
        "PE-ID-001",
        E,
        "评价年度不符",
        "填报表的评价年度为{found}，本次评价为{expected}年度。",
        "请确认交回的是本年度下发的填报表。",
    )
    ID_UNKNOWN_ITEM = Rule(
        "PE-ID-002",
        E,
        "项目不在清单中",
        "项目编号“{item_id}”不在项目清单中。",
        "请确认交回的是财政局下发给本单位的填报表。",
    )
    ID_DUPLICATE_ITEM = Rule(
        "PE-ID-003",
        E,
        "同一项目重复交回",
        "项目“{item_id}”交回了多份填报表，另见{other}。",
        "请只保留最终版本，删除其他版本后重新校验。",
    )
    ID_FRAMEWORK_MISMATCH = Rule(
        "PE-ID-004",
        E,
        "指标体系不符",
        "填报表使用的指标体系为“{found}”，项目清单要求“{expected}”。",
        "请向财政局索取按当前指标体系下发的填报表。",
    )
    ID_LOCKED_CHANGED = Rule(
        "PE-ID-005",
        E,
        "锁定内容被修改",
        "“{field}”为下发时预填的锁定内容，原为“{expected}”，现为“{found}”。",
        "请恢复为原值；如原值有误，请联系财政局重新下发。",
    )
    ID_INDICATOR_MISSING = Rule(
        "PE-ID-006",
        E,
        "指标行缺失",
        "指标体系中的指标“{code} {name}”在填报表中找不到。",
        "请不要删除指标行或修改指标编码。",
    )
    ID_INDICATOR_UNKNOWN = Rule(
        "PE-ID-007",
        E,
        "未知指标编码",
        "指标编码“{code}”不属于该指标体系。",
        "请不要修改A列的指标编码。",
    )
    ID_INDICATOR_DUPLICATE = Rule(
        "PE-ID-008",
        E,
        "指标行重复",
        "指标编码“{code}”出现了多次，另见第{other}行。",
        "请删除复制出来的重复行。",
    )
    ID_ROSTER_CHANGED = Rule(
        "PE-ID-009",
        E,
        "清单在下发后被修改",
        "“{field}”下发时为“{found}”，项目清单现为“{expected}”；填报表本身未被改动。",
        "请财政局确认以哪个为准：恢复项目清单，或对该项目重新下发填报表。",
    )
    # single cells
    CELL_REQUIRED = Rule(
        "PE-CELL-001",
        E,
        "必填项为空",
        "“{field}”未填写。",
        "请填写{field}。",
    )
    CELL_NOT_NUMBER = Rule(
        "PE-CELL-002",
        E,
        "不是数字",
        "“{field}”应填写数字，现为“{value}”。",
        "请只填写阿拉伯数字，例如 95 或 12.5，不要带文字。",
    )
    CELL_TEXT_NUMBER = Rule(
        "PE-CELL-003",
        W,
        "数字以文本形式填写",
        "“{field}”的“{value}”是以文本形式填写的数字，已按{parsed}读取。",
        "请确认读取结果正确；以后请直接填写数字。",
    )
    CELL_PLACEHOLDER = Rule(
        "PE-CELL-004",
        E,
        "填写了占位符",
        "“{field}”填写的是占位符“{value}”，不能作为数值。",
        "请填写实际数值；确实不适用的，请在偏差原因中说明并联系财政局。",
    )
    CELL_OVER_100 = Rule(
        "PE-CELL-005",
        E,
        "比率超过100%",
        "“{field}”为{value}，{name}不可能超过100%。",
        "请核对数值；比率请按百分数填写，例如 95 或 95%。",
    )
    CELL_BAD_DATE = Rule(
        "PE-CELL-006",
        W,
        "日期无法识别",
        "“{field}”的“{value}”不是可识别的日期。",
        "请按 2025-03-16 或 2025年3月16日 的格式填写。",
    )
    # scores
    SCORE_OUT_OF_RANGE = Rule(
        "PE-SCORE-001",
        E,
        "得分超出范围",
        "指标“{name}”得分{score}超出0至{weight}分的范围。",
        "得分不能为负，也不能超过该指标的分值{weight}分。",
    )
    SCORE_REASON_MISSING = Rule(
        "PE-SCORE-002",
        E,
        "未满分未说明原因",
        "指标“{name}”得分{score}低于分值{weight}，但未填写偏差原因分析及改进措施。",
        "请在同一行填写未得满分的原因和改进措施。",
    )
    SCORE_WEIGHT_CHANGED = Rule(
        "PE-SCORE-003",
        E,
        "分值被修改",
        "指标“{name}”的分值应为{expected}，现为{found}。",
        "分值由指标体系确定，请恢复原值。",
    )
    SCORE_TOTAL_MISMATCH = Rule(
        "PE-SCORE-004",
        W,
        "表内合计与重算不符",
        "表内显示的{what}为{found}，按各项得分重新计算为{expected}。",
        "以重新计算的结果为准；请检查表内公式是否被改动。",
    )
    SCORE_GROUP_SUM = Rule(
        "PE-SCORE-005",
        E,
        "下级分值合计不符",
        "二级指标“{name}”分值为{weight}，其下三级指标分值合计为{total}。",
        "请调整本单位自设指标的分值，使同一二级指标下的分值合计等于{weight}。",
    )
    SCORE_FULL_BUT_UNFINISHED = Rule(
        "PE-SCORE-006",
        W,
        "满分但原因称未完成",
        "指标“{name}”得满分，但偏差原因写有“{word}”。",
        "请核对：确未完成的应扣分；已完成的请修改原因的表述。",
    )
    SCORE_INCONSISTENT = Rule(
        "PE-SCORE-007",
        W,
        "得分与完成情况不一致",
        "指标“{name}”{detail}，却得满分{weight}分。",
        "请按评分标准核对得分，或在原因中说明给满分的依据。",
    )
    # money
    MONEY_BUDGET_CHANGED = Rule(
        "PE-MONEY-001",
        E,
        "资金数与清单不符",
        "“{field}”为{found}万元，项目清单为{expected}万元。",
        "资金数由财政局预填，请恢复原值；如清单有误请联系财政局。",
    )
    MONEY_OVERSPENT = Rule(
        "PE-MONEY-002",
        W,
        "执行数大于预算数",
        "全年执行数{executed}万元大于全年预算数{budget}万元。",
        "请核对执行数；如确有超支，请在项目概述中说明。",
    )
    MONEY_BUDGET_NOT_POSITIVE = Rule(
        "PE-MONEY-003",
        E,
        "预算数不大于零",
        "全年预算数为{budget}万元，无法计算预算执行率。",
        "请核对预算数；如清单有误请联系财政局。",
    )
    MONEY_PARTS_MISMATCH = Rule(
        "PE-MONEY-004",
        E,
        "资金合计与分项不符",
        "{column}：年度资金总额{total}万元，分项合计{parts}万元。",
        "请核对本年财政拨款、上年结转资金和其他资金，使分项之和等于总额。",
    )
    MONEY_LOW_EXECUTION = Rule(
        "PE-MONEY-005",
        E,
        "执行率偏低未说明",
        "预算执行率为{rate}，低于{threshold}，但未说明原因。",
        "请在“预算执行率”指标行的偏差原因分析及改进措施中说明执行率偏低的原因。",
    )
    MONEY_NEGATIVE = Rule(
        "PE-MONEY-006",
        E,
        "金额为负数",
        "“{field}”为{value}万元，金额不能为负数。",
        "请核对后填写不小于0的金额。",
    )
    # vocabularies
    VOCAB_CATEGORY = Rule(
        "PE-VOCAB-001",
        E,
        "问题分类不在列表中",
        "问题分类“{value}”不在规定的分类中。",
        "请从下拉列表中选择问题分类。",
    )
    VOCAB_LIST = Rule(
        "PE-VOCAB-002",
        E,
        "不是下拉选项中的值",
        "“{field}”填写的“{value}”不在可选范围内（{choices}）。",
        "请从下拉列表中选择。",
    )
    # the roster
    ROSTER_REQUIRED = Rule(
        "PE-ROSTER-001",
        E,
        "清单必填项为空",
        "项目清单第{row}行“{field}”未填写，该项目已跳过。",
        "请在项目清单中补全后重新运行。",
    )
    ROSTER_DUPLICATE = Rule(
        "PE-ROSTER-002",
        E,
        "清单项目编号重复",
        "项目编号“{item_id}”在项目清单中重复（第{row}行），该行已跳过。",
        "每个项目应有唯一的编号。",
    )
    ROSTER_FRAMEWORK = Rule(
        "PE-ROSTER-003",
        E,
        "指标体系不存在",
        "项目清单第{row}行的指标体系“{value}”不存在，该项目已跳过。可用：{known}。",
        "请填写已有指标体系的编号或名称。",
    )
    ROSTER_KIND = Rule(
        "PE-ROSTER-004",
        E,
        "评价类型不在列表中",
        "项目清单第{row}行的评价类型“{value}”不在规定类型中（{known}），该项目已跳过。",
        "请从规定的评价类型中选择。",
    )
    ROSTER_NUMBER = Rule(
        "PE-ROSTER-005",
        E,
        "清单金额不是数字",
        "项目清单第{row}行“{field}”应为数字，现为“{value}”，该项目已跳过。",
        "请填写以万元为单位的数字。",
    )
    ROSTER_NOT_RETURNED = Rule(
        "PE-ROSTER-006",
        W,
        "项目未交回",
        "项目“{item_id} {name}”（{unit}）尚未交回填报表。",
        "请督促{unit}按时交回。",
    )
    ROSTER_COVERAGE = Rule(
        "PE-ROSTER-007",
        W,
        "评价覆盖率不足",
        "{unit}的评价金额{amount}万元占其年度项目预算总额{base}万元的{rate}，低于规定的{minimum}。",
        "请增加该单位的评价项目，或核对项目清单中的单位项目预算总额。",
    )
    ROSTER_NOT_POSITIVE = Rule(
        "PE-ROSTER-008",
        W,
        "清单金额不合理",
        "项目清单第{row}行“{field}”为{value}万元，{why}。",
        "请核对项目清单中的金额。",
    )

    # the evaluation folder and its settings
    CONFIG_UNKNOWN_KEY = Rule(
        "PE-CONF-001",
        W,
        "未识别的设置",
        "{message}",
        "请核对拼写；设置的名称见 perfeval init 生成的配置文件及其注释。",
    )

    OUTPUT_COPIES_MISSING = Rule(
        "PE-OUT-001",
        W,
        "批注副本未能生成",
        "有{count}个有错误的工作簿未能生成批注副本（如“{first}”），无法直接退回。",
        "请检查“{folder}”文件夹是否只读、磁盘空间是否已满、其中是否有指向别处的链接，处理后重新校验。",
    )
    OUTPUT_COPIES_FOREIGN = Rule(
        "PE-OUT-002",
        W,
        "同名文件不是perfeval所写，未覆盖",
        "“{folder}”中已有{count}个与批注副本同名、但不是perfeval写入或已被改动的文件（如“{first}”），"
        "为免覆盖他人的文件，未生成这些批注副本。",
        "如是以前版本生成的批注副本或不再需要的文件，请删除或移走后重新校验。",
    )

    @property
    def rule(self) -> Rule:
        return self.value


class _Context(dict):
    """Template values; a name the caller did not give shows as '?' instead of failing."""

    def __missing__(self, key: str) -> str:
        return "?"


def finding(code: Code, ref: CellRef, /, *, item_id: str = "", **context: Any) -> Finding:
    """Build a finding from the catalogue, formatting its templates with ``context``."""
    rule = code.rule
    context.setdefault("item_id", item_id)
    return Finding(
        code=rule.code,
        severity=rule.severity,
        file=ref.file,
        sheet=ref.sheet,
        cell=ref.cell,
        message=rule.message.format_map(_Context(context)),
        hint=rule.hint.format_map(_Context(context)),
        item_id=item_id,
    )


def all_rules() -> list[Rule]:
    return [c.rule for c in Code]
