"""The roll-up's tables, from the region-years' archive rows: pure.

Which items each figure counts (said under each sheet's title and in the report):

* 评价项目: the bureau's and departments' evaluations (评价主体 财政评价 or 部门评价), the
  counties' reports' 重点评价 items; units' self-evaluations are counted apart (单位自评);
* 覆盖率: evaluated amount ÷ the units' total project budgets, over the units the roster gave a
  total for (migration 0002; blank for region-years archived before it);
* problems: every problem the items reported, self-evaluations included, by category.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal

import pandas as pd

from perfeval.combine.inputs import RegionYear
from perfeval.numbers import HUNDRED, q2

SELF = "自评"
TOP_CATEGORIES = 3

NOTES = {
    "地区汇总": (
        "评价项目为财政评价和部门评价的项目（不含单位自评，单位自评另列）；优良率＝前两个等级的项目数÷"
        "评价项目数；平均分为评价项目得分的算术平均；覆盖率＝已完成评价的金额÷单位年度项目预算总额"
        "（只计项目清单填写了单位项目预算总额的单位）；问题条数含单位自评反映的问题。"
    ),
    "评价项目清单": "各地区财政评价和部门评价的项目（不含单位自评），按地区和项目编号排列。",
    "问题分类": "各地区全部纳入汇总的项目（含单位自评）在填报表中反映的问题，按问题分类统计。",
}


def _evaluated(ry: RegionYear) -> list[dict]:
    return [e for e in ry.rows["evaluations"] if e["evaluator"] != SELF]


def _mean(values: list[Decimal]) -> Decimal | None:
    return q2(sum(values, Decimal(0)) / len(values)) if values else None


def _share(part: Decimal, whole: Decimal) -> Decimal | None:
    return q2(part * HUNDRED / whole) if whole else None


def region_table(regions: list[RegionYear], grades: list[str]) -> pd.DataFrame:
    rows = []
    for n, ry in enumerate(regions, start=1):
        done = _evaluated(ry)
        own = [e for e in ry.rows["evaluations"] if e["evaluator"] == SELF]
        by_grade = Counter(e["grade"] for e in done)
        covered = [c for c in ry.rows["coverage"] if c["unit_budget"]]
        categories = Counter(p["category"] for p in ry.rows["problems"] if p["category"])
        row = {
            "序号": n,
            "地区": ry.region,
            "区划代码": ry.region_code,
            "年度": str(ry.year),  # a year, not a quantity: no thousands separator
            "评价项目数": len(done),
            "评价金额（万元）": q2(sum((e["budget"] for e in done), Decimal(0))),
        }
        for grade in grades:
            row[f"“{grade}”个数"] = by_grade.get(grade, 0)
        row["优良率（%）"] = _share(Decimal(sum(by_grade.get(g, 0) for g in grades[:2])), len(done))
        row["平均分"] = _mean([e["total"] for e in done])
        row["覆盖率（%）"] = _share(
            sum((c["evaluated"] for c in covered), Decimal(0)),
            sum((c["unit_budget"] for c in covered), Decimal(0)),
        )
        row["单位自评项目数"] = len(own)
        row["单位自评金额（万元）"] = q2(sum((e["budget"] for e in own), Decimal(0)))
        row["问题条数"] = len(ry.rows["problems"])
        row["主要问题分类"] = "、".join(
            f"{label}（{count}）" for label, count in categories.most_common(TOP_CATEGORIES)
        )
        rows.append(row)
    return pd.DataFrame(rows)


def region_totals(regions: list[RegionYear], grades: list[str]) -> dict:
    """The 合计 row of 地区汇总, from the unrounded rows (so it agrees with the report)."""
    done = [e for ry in regions for e in _evaluated(ry)]
    own = [e for ry in regions for e in ry.rows["evaluations"] if e["evaluator"] == SELF]
    by_grade = Counter(e["grade"] for e in done)
    totals: dict = {
        "评价项目数": len(done),
        "评价金额（万元）": q2(sum((e["budget"] for e in done), Decimal(0))),
        "单位自评项目数": len(own),
        "单位自评金额（万元）": q2(sum((e["budget"] for e in own), Decimal(0))),
        "问题条数": sum(len(ry.rows["problems"]) for ry in regions),
    }
    for grade in grades:
        totals[f"“{grade}”个数"] = by_grade.get(grade, 0)
    good = Decimal(sum(by_grade.get(g, 0) for g in grades[:2]))
    covered = [c for ry in regions for c in ry.rows["coverage"] if c["unit_budget"]]
    for label, value in (
        ("优良率（%）", _share(good, len(done))),
        ("平均分", _mean([e["total"] for e in done])),
        (
            "覆盖率（%）",
            _share(
                sum((c["evaluated"] for c in covered), Decimal(0)),
                sum((c["unit_budget"] for c in covered), Decimal(0)),
            ),
        ),
    ):
        if value is not None:
            totals[label] = value
    return totals


def item_list(regions: list[RegionYear]) -> pd.DataFrame:
    cols: dict[str, list] = defaultdict(list)
    n = 0
    for ry in regions:
        for e in sorted(_evaluated(ry), key=lambda e: e["item_id"]):
            n += 1
            for key, value in (
                ("序号", n),
                ("地区", ry.region),
                ("年度", str(ry.year)),
                ("主管部门", e["department"]),
                ("项目名称", e["name"]),
                ("评价类型", e["kind"]),
                ("评价主体", e["evaluator"]),
                ("资金量（万元）", q2(e["budget"])),
                ("得分", e["total"]),
                ("评价等级", e["grade"]),
            ):
                cols[key].append(value)
    return pd.DataFrame(cols)


def category_table(regions: list[RegionYear]) -> pd.DataFrame:
    entries: dict[str, dict] = {}
    for ry in regions:
        for p in ry.rows["problems"]:
            label = p["category"] or "未分类"
            entry = entries.setdefault(label, {"regions": set(), "items": set(), "count": 0})
            entry["regions"].add((ry.region_code, ry.year))
            entry["items"].add((ry.region_code, ry.year, p["item_id"]))
            entry["count"] += 1
    rows = [
        {
            "问题分类": label,
            "涉及地区数": len(e["regions"]),
            "涉及项目数": len(e["items"]),
            "问题条数": e["count"],
        }
        for label, e in sorted(entries.items(), key=lambda kv: (-kv[1]["count"], kv[0]))
    ]
    return pd.DataFrame(rows)
