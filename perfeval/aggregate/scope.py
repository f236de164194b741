"""Which items a figure counts: one set of names for every table of 汇总表 and every sentence of
the report, so that two figures about "the items" can always be told apart and compared.

The sets, from widest to narrowest:

* 清单项目: every item in 项目清单;
* 纳入汇总: items whose returned workbook passed validation (汇总表's 项目汇总, 指标明细,
  一级指标分析, 问题汇总 and 结果应用 count these, self-evaluations included);
* 重点评价: of those, the bureau's own evaluations of projects and departments (the report states
  each one; its grade table, amount and coverage count these);
* 单位自评: of those, the units' self-evaluations (summed up in one paragraph of the report);
* 未纳入: items of the roster not in 汇总表, each with the reason (not returned, returned with
  errors, returned twice). While any item is 未纳入, the report says so and marks itself a draft.
"""

from __future__ import annotations

from dataclasses import dataclass

from perfeval.config.roster import RosterItem
from perfeval.validate import ValidationResult

DUPLICATE = "PE-ID-003"

#: what each set is called where a table or sentence names it
ALL_PASSED = "校验通过、纳入汇总的全部项目（含单位自评）"
EVALUATED = "校验通过的重点评价项目（不含单位自评）"
SELF_EVALUATED = "校验通过的单位自评项目"
ROSTER = "项目清单中的全部项目"

#: 汇总表 sheet -> the set its rows count (shown under the sheet's title)
TABLE_SCOPES = {
    "项目汇总": f"统计范围：{ALL_PASSED}；合计行含单位自评，重点评价项目的合计见“等级分布”。",
    "指标明细": f"统计范围：{ALL_PASSED}的全部三级指标。",
    "一级指标分析": f"统计范围：{ALL_PASSED}。",
    "等级分布": (
        "统计范围：重点评价项目（即工作总结报告中的等级表）和单位自评项目分列，均为校验通过的项目。"
        "总分值不是100分的项目按得分率（总分÷总分值×100）评定等级。"
    ),
    "问题汇总": f"统计范围：{ALL_PASSED}中选择了该问题分类的项目。",
    "部门整体": "统计范围：校验通过的部门整体支出评价。",
    "覆盖率": (
        "清单选取金额按项目清单计算（用于检查选取比例）；已完成评价金额只计校验通过的重点评价项目，"
        "与工作总结报告一致。均不含单位自评。"
    ),
    "结果应用": f"统计范围：{ALL_PASSED}。",
    "自评复核对比": (
        f"统计范围：{SELF_EVALUATED}中，同一项目（项目名称去掉年度后相同且实施单位相同）也有校验通过的"
        "财政评价或部门评价的。差值＝自评得分－复核得分；偏离度＝差值÷自评得分×100%；"
        "“自评偏差较大”的判断标准见 perfeval.toml 的 [compare]（等级不同即是）。"
    ),
    "自评复核指标对比": "统计范围：上表各项目中，自评和复核都有的同名三级指标（一级指标也相同）。",
    "与上年对比": (
        "统计范围：两个年度的重点评价项目（不含单位自评）；上一年度的数据来自绩效档案。"
        "平均得分率为各项目该一级指标得分率的平均数。"
    ),
    "上年得分对比": (
        f"统计范围：{ALL_PASSED}中，上一年度由同一评价主体评价过的同一项目（项目名称去掉年度后相同、"
        "实施单位相同）。"
    ),
    "连续出现的问题": (
        f"统计范围：{ALL_PASSED}在“问题与建议”中反映的问题。同一实施单位本年和上一年度都反映了同一"
        "问题分类（按分类编码比较）即列出，每个单位每类一行；“同一项目”表示两年是否为同一项目。"
    ),
    "以前年度问题整改": (
        "统计范围：绩效档案中上一年度各项目（含单位自评）反映的全部问题；整改状态取自“整改/回收”中"
        "交回的整改台账，没有交回或“是否完成”未填、填错的记为“未报送”。"
    ),
    "整改完成情况": "统计范围同“以前年度问题整改”；整改完成率＝已完成÷应整改。",
    "未纳入汇总": "项目清单中未纳入汇总的项目及原因，以及无法对应到清单项目的交回文件。",
}


@dataclass(frozen=True)
class Missing:
    """A roster item that is not in 汇总表, and why."""

    item: RosterItem
    why: str
    files: tuple[str, ...] = ()  # its returned files, when it was returned


def missing_items(
    validation: ValidationResult, roster: list[RosterItem], passed: set[str]
) -> list[Missing]:
    """Roster items not in 汇总表, in roster order, with the reason of each."""
    returned: dict[str, list] = {}
    for fr in validation.files:
        if fr.item is not None:
            returned.setdefault(fr.item.item_id, []).append(fr)
    out = []
    for item in roster:
        if item.item_id in passed:
            continue
        files = returned.get(item.item_id, [])
        names = tuple(fr.file for fr in files)
        if not files:
            out.append(Missing(item, "尚未交回"))
        elif any(f.code == DUPLICATE for fr in files for f in fr.findings):
            out.append(Missing(item, f"交回了{len(files)}份填报表，需只保留一份", names))
        else:
            errors = sum(fr.errors for fr in files)
            out.append(Missing(item, f"交回的填报表有{errors}处错误，已退回修改", names))
    return out


def unmatched_files(validation: ValidationResult) -> list[str]:
    """Returned files that could not be tied to a roster item (unreadable, not ours, unknown)."""
    return [fr.file for fr in validation.files if fr.item is None]


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def report_status(
    missing: list[Missing], unmatched: list[str], roster_count: int, mark: str
) -> str:
    """One line for the terminal and the Excel console: is the report final, and if not, why."""
    if not missing and not unmatched:
        return f"工作总结报告已包含项目清单中的全部{roster_count}个项目。"
    parts = []
    if missing:
        shown = "；".join(
            f"{_short(m.item.item_id)} {_short(m.item.name)}：{m.why}" for m in missing[:5]
        )
        more = f"等{len(missing)}个" if len(missing) > 5 else ""
        parts.append(f"项目清单中有{len(missing)}个项目未纳入（{shown}{more}）")
    if unmatched:
        parts.append(f"{len(unmatched)}个交回文件无法对应到项目")
    return f"工作总结报告为{mark}：{'，'.join(parts)}。"
