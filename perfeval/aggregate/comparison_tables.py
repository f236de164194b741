"""汇总表's comparison sheets: 自评复核对比 (same year, two evaluators) and 与上年对比 /
连续出现的问题 (this year against the previous archived year). Each is present only when there
is something to compare with."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from perfeval.aggregate.self_review import indicator_rows
from perfeval.aggregate.year_over_year import YearFigures, last_year, this_year
from perfeval.numbers import HUNDRED, q2

if TYPE_CHECKING:
    from perfeval.aggregate.figures import Results


def self_review_table(r: Results) -> pd.DataFrame:
    rows = [
        {
            "项目名称": p.own.item.name,
            "实施单位": p.own.item.unit,
            "自评项目编号": p.own.item.item_id,
            "复核项目编号": p.review.item.item_id,
            "复核类型": p.evaluator,
            "自评得分": p.own.total,
            "复核得分": p.review.total,
            "差值": p.gap,
            "偏离度（%）": p.deviation,
            "自评等级": p.own.grade.name,
            "复核等级": p.review.grade.name,
            "等级一致": "是" if p.same_grade else "否",
            "自评偏差较大": "是" if p.far_off else "否",
            "判断依据": "；".join(p.reasons),
        }
        for p in r.review_pairs
    ]
    return pd.DataFrame(rows)


def self_review_indicator_table(r: Results) -> pd.DataFrame:
    return pd.DataFrame([row for p in r.review_pairs for row in indicator_rows(p)])


def _share(count: int, total: int):
    return q2(count * HUNDRED / total) if total else None


def year_over_year_table(r: Results) -> pd.DataFrame:
    assert r.history is not None
    now, then = this_year(r.items, r.settings), last_year(r.history, r.settings)
    rows = []

    def add(what: str, before, after, change=True) -> None:
        diff = after - before if change and before is not None and after is not None else None
        rows.append({"项目": what, f"{then.year}年": before, f"{now.year}年": after, "变化": diff})

    add("评价项目个数", then.count, now.count)
    add("评价金额（万元）", q2(then.amount), q2(now.amount))
    for grade in now.grades:
        add(f"“{grade}”项目个数", then.grades.get(grade, 0), now.grades[grade])
        add(
            f"“{grade}”项目占比（%）",
            _share(then.grades.get(grade, 0), then.count),
            _share(now.grades[grade], now.count),
        )
    for name in _level1_names(now, then):
        add(f"{name}平均得分率（%）", then.level1_rates.get(name), now.level1_rates.get(name))
    return pd.DataFrame(rows)


def _level1_names(now: YearFigures, then: YearFigures) -> list[str]:
    return list(dict.fromkeys([*now.level1_rates, *then.level1_rates]))


def score_change_table(r: Results) -> pd.DataFrame:
    assert r.history is not None
    rows = [
        {
            "项目名称": c.item.item.name,
            "实施单位": c.item.item.unit,
            "评价类型": c.item.item.kind,
            f"{r.history.year}年项目编号": c.past.item_id,
            f"{r.history.year}年得分": c.past.total,
            f"{r.settings.year}年得分": c.item.total,
            "变化": c.change,
            f"{r.history.year}年等级": c.past.grade,
            f"{r.settings.year}年等级": c.item.grade.name,
        }
        for c in r.score_changes
    ]
    return pd.DataFrame(rows)


def recurring_table(r: Results) -> pd.DataFrame:
    assert r.history is not None
    rows = [
        {
            "实施单位": x.unit,
            "问题分类": x.category,
            "本年项目": x.item.item.name,
            "本年问题描述": x.description,
            "上年项目": x.past.name,
            "上年问题描述": x.past_description,
            "同一项目": "是" if x.same_project else "否",
        }
        for x in r.recurrences
    ]
    return pd.DataFrame(rows)


def rectification_tables(r: Results) -> dict[str, pd.DataFrame]:
    """以前年度问题整改 (one row per problem) and 整改完成情况 (by unit, then by category)."""
    from perfeval.rectify.run import follow_up_frame
    from perfeval.rectify.summary import ORDER, rate

    rect = r.rectification
    assert rect is not None
    rows = []
    for how, key in (("按实施单位", lambda f: f.unit), ("按问题分类", lambda f: f.category)):
        for name, entry in rect.counts(key):
            rows.append(
                {
                    "分组": how,
                    "名称": name,
                    "应整改": entry["应整改"],
                    **{status: entry[status] for status in ORDER},
                    "整改完成率（%）": rate(entry),
                }
            )
    return {"以前年度问题整改": follow_up_frame(rect), "整改完成情况": pd.DataFrame(rows)}


def comparison_tables(r: Results) -> dict[str, pd.DataFrame]:
    out: dict[str, pd.DataFrame] = {}
    if r.rectification is not None and r.rectification.follow_ups:
        out.update(rectification_tables(r))
    if r.review_pairs:
        out["自评复核对比"] = self_review_table(r)
        out["自评复核指标对比"] = self_review_indicator_table(r)
    if r.history is not None:
        if r.settings.raw["compare"]["year_over_year"]:
            out["与上年对比"] = year_over_year_table(r)
            out["上年得分对比"] = score_change_table(r)
        out["连续出现的问题"] = recurring_table(r)
    return out
