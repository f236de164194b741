"""自评复核对比: a unit's self-evaluation of a project set against the bureau's or the
department's evaluation of the same project in the same year.

Both must be in this folder's 汇总表 (the roster lists the project once per evaluation, e.g. as
单位自评 and as 重点项目). They are the same project when their :func:`project_key` agrees (the
name without its year, and the unit). Per pair: 自评得分, 复核得分, 差值 = 自评 - 复核,
偏离度 = 差值 ÷ 自评, both grades, and whether the self-evaluation is 偏差较大: the grades differ,
or 差值 reaches ``[compare] gap_points``, or 偏离度 reaches ``[compare] deviation_rate`` (no
published number exists for either; 0 turns a test off). Indicators are compared where both
evaluations have one of the same 一级 and 三级 name.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from perfeval.archive.identity import project_key
from perfeval.config.settings import Settings
from perfeval.numbers import HUNDRED, q2
from perfeval.read.parse import normalize_text
from perfeval.score import ItemScore


@dataclass(frozen=True)
class ReviewPair:
    own: ItemScore  # the unit's self-evaluation
    review: ItemScore  # the 部门评价 or 财政评价 of the same project
    evaluator: str
    gap: Decimal  # 自评 - 复核, two decimals
    deviation: Decimal | None  # 差值 ÷ 自评 × 100, percent, two decimals
    reasons: tuple[str, ...]  # why it counts as 偏差较大 (empty: it does not)

    @property
    def same_grade(self) -> bool:
        return self.own.grade.name == self.review.grade.name

    @property
    def far_off(self) -> bool:
        return bool(self.reasons)


def review_pairs(items: list[ItemScore], settings: Settings) -> list[ReviewPair]:
    """Every self-evaluation that has a re-evaluation of the same project, in roster order."""
    raw = settings.raw["compare"]
    gap_points = Decimal(str(raw["gap_points"]))
    deviation_rate = Decimal(str(raw["deviation_rate"])) * HUNDRED
    reviews: dict[str, tuple[ItemScore, str]] = {}
    for i in items:
        kind = settings.kind(i.item.kind)
        evaluator = kind.evaluator if kind else "财政评价"
        if evaluator != "自评":
            reviews.setdefault(project_key(i.item.name, i.item.unit), (i, evaluator))
    pairs = []
    for own in items:
        if not settings.is_self_evaluation(own.item.kind):
            continue
        found = reviews.get(project_key(own.item.name, own.item.unit))
        if found is None:
            continue
        review, evaluator = found
        gap = q2(own.total - review.total)
        deviation = q2(gap / own.total * HUNDRED) if own.total else None
        reasons = []
        if own.grade.name != review.grade.name:
            reasons.append(f"等级不同（自评“{own.grade.name}”、复核“{review.grade.name}”）")
        if gap_points > 0 and gap >= gap_points:
            reasons.append(f"自评高出{gap}分")
        if deviation_rate > 0 and deviation is not None and deviation >= deviation_rate:
            reasons.append(f"偏离度{deviation}%")
        pairs.append(ReviewPair(own, review, evaluator, gap, deviation, tuple(reasons)))
    return pairs


def indicator_rows(pair: ReviewPair) -> Iterator[dict]:
    """The indicators both evaluations scored (same 一级 and 三级 name), in the self-evaluation's
    order."""
    theirs = {
        (normalize_text(s.indicator.l1), normalize_text(s.indicator.name)): s
        for s in pair.review.indicators
    }
    for s in pair.own.indicators:
        other = theirs.get((normalize_text(s.indicator.l1), normalize_text(s.indicator.name)))
        if other is None:
            continue
        yield {
            "项目名称": pair.own.item.name,
            "一级指标": s.indicator.l1,
            "三级指标": s.indicator.name,
            "分值": s.indicator.weight,
            "自评得分": s.score,
            "复核得分": other.score,
            "差值": q2(s.score - other.score),
            "自评来源": s.ref(pair.own.file).address,
            "复核来源": other.ref(pair.review.file).address,
        }
