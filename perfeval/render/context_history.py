"""The report's comparisons, added to its context: 自评质量 (self-evaluations against the
bureau's or the department's evaluation of the same projects), 与上年度对比 and the problems
that recur from last year. Every figure here is one of 汇总表's comparison sheets, counted over
the same items (see :data:`perfeval.aggregate.scope.TABLE_SCOPES`)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from perfeval.aggregate.figures import Results
from perfeval.aggregate.year_over_year import last_year, this_year
from perfeval.numbers import HUNDRED, heading_label, q2


def _mean(values: list[Decimal]) -> Decimal:
    return q2(sum(values, Decimal(0)) / len(values))


def history_context(
    r: Results,
    join: Callable[[list[str]], str],
    money: Callable[[Decimal], str],
    score: Callable[[Decimal], str],
    rate: Callable[[Decimal | None], str],
) -> dict[str, Any]:
    sections = 1 + bool(r.evaluated) + bool(r.self_evaluated)  # 一、's subsections so far
    out: dict[str, Any] = {
        "self_review": {"count": 0},
        "last_year": None,
        "recurring": None,
        "rectify": _rectify(r, join, rate),
    }
    pairs = r.review_pairs
    if pairs:
        sections += 1
        far = [p for p in pairs if p.far_off]
        out["self_review"] = {
            "no": heading_label(2, sections),
            "count": len(pairs),
            "evaluators": "、".join(dict.fromkeys(p.evaluator for p in pairs)),
            "own_mean": score(_mean([p.own.total for p in pairs])),
            "review_mean": score(_mean([p.review.total for p in pairs])),
            "gap_mean": score(_mean([p.gap for p in pairs])),
            "same_grade": sum(1 for p in pairs if p.same_grade),
            "far_off": len(far),
            "far_off_names": join([p.own.item.name for p in far]),
            "far_off_reasons": "；".join(
                f"{p.own.item.name}：{'，'.join(p.reasons)}" for p in far[: r.settings.report_names]
            ),
        }
    history = r.history
    if history is None:
        return out
    if r.settings.raw["compare"]["year_over_year"]:
        sections += 1
        now, then = this_year(r.items, r.settings), last_year(history, r.settings)
        changes = r.score_changes
        grades = []
        for grade in now.grades:
            before = then.grades.get(grade, 0)
            after = now.grades[grade]
            if before or after:
                grades.append(
                    f"“{grade}”由{before}个（{rate(_share(before, then.count))}）"
                    f"变为{after}个（{rate(_share(after, now.count))}）"
                )
        out["last_year"] = {
            "no": heading_label(2, sections),
            "year": history.year,
            "count_before": then.count,
            "count_after": now.count,
            "amount_before": money(then.amount),
            "amount_after": money(now.amount),
            "grades": "，".join(grades),
            "compared": len(changes),
            "compared_own": sum(
                1 for c in changes if r.settings.is_self_evaluation(c.item.item.kind)
            ),
            "up": sum(1 for c in changes if c.change > 0),
            "down": sum(1 for c in changes if c.change < 0),
            "same": sum(1 for c in changes if c.change == 0),
        }
    found = r.recurrences
    out["recurring"] = {
        "year": history.year,
        "count": len(found),
        "units": len({x.unit for x in found}),
        "list": "；".join(
            f"{x.unit}“{x.category}”（{'同一项目' if x.same_project else '不同项目'}）"
            for x in found[: r.settings.report_names]
        )
        + ("等" if len(found) > r.settings.report_names else ""),
    }
    return out


def _share(count: int, total: int) -> Decimal | None:
    return q2(count * HUNDRED / total) if total else None


def _rectify(r: Results, join, rate) -> dict[str, Any] | None:
    """以前年度问题整改情况: the same counts as 汇总表's 整改完成情况."""
    from perfeval.rectify.summary import rate as done_rate

    rect = r.rectification
    if rect is None or not rect.follow_ups:
        return None
    total = rect.total
    unfinished = rect.unfinished
    limit = r.settings.report_names
    by_category = [
        f"“{name}”{entry['应整改']}条、已完成{entry['已完成']}条"
        for name, entry in rect.counts(lambda f: f.category)
    ]
    by_unit = [
        f"{name}{entry['应整改']}条、已完成{entry['已完成']}条（{rate(done_rate(entry))}）"
        for name, entry in rect.counts(lambda f: f.unit)
    ]
    return {
        "year": rect.year,
        "count": total["应整改"],
        "units": len({f.unit for f in rect.follow_ups}),
        "done": total["已完成"],
        "part": total["部分完成"],
        "not_done": total["未完成"],
        "missing": total["未报送"],
        "rate": rate(done_rate(total)),
        "by_category": "；".join(by_category),
        "by_unit": "；".join(by_unit[:limit]) + ("等" if len(by_unit) > limit else ""),
        "unfinished_count": len(unfinished),
        "unfinished": "；".join(
            f"{f.unit}“{f.name}”：{f.description.rstrip('。')}（{f.status}）"
            for f in unfinished[:limit]
        )
        + ("等" if len(unfinished) > limit else ""),
    }
