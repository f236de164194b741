"""The report's context, built once from :class:`~perfeval.aggregate.figures.Results`.

Both report templates (Markdown and Word) receive exactly this dictionary. All numbers are already
formatted here, through :mod:`perfeval.numbers`, so a template never formats a number itself.
The keys are documented in ``templates/report/README.md``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from perfeval.aggregate.figures import Results, budget, units
from perfeval.numbers import (
    HUNDRED,
    fmt_date,
    fmt_money,
    fmt_rate,
    fmt_score,
    heading_label,
    percent,
)
from perfeval.render.context_history import history_context


def _join(names: list[str], limit: int) -> str:
    """Names for one sentence: at most ``limit`` of them, then 等 (the count is in the text)."""
    if len(names) <= limit:
        return "、".join(names)
    return "、".join(names[:limit]) + "等"


def build_context(r: Results, today: dt.date | None = None) -> dict[str, Any]:
    s = r.settings
    tz = s.trailing_zeros_in_text

    def join(names: list[str]) -> str:
        return _join(names, s.report_names)

    def money(v: Decimal) -> str:
        return fmt_money(v, trailing_zeros=tz)

    def score(v: Decimal) -> str:
        return fmt_score(v, trailing_zeros=tz)

    def rate(v: Decimal | None) -> str:
        return fmt_rate(v, trailing_zeros=tz)

    def weight(v: Decimal) -> str:
        return fmt_score(v, trailing_zeros=False)

    def level1(i) -> list[dict[str, str]]:
        return [
            {
                "name": x.name,
                "weight": weight(x.weight),
                "score": score(x.score),
                "rate": rate(x.rate),
            }
            for x in i.level1
        ]

    kinds = []
    for kind in s.kinds:
        count = sum(1 for i in r.evaluated if i.item.kind == kind.name)
        if count:
            kinds.append(f"{count}个{kind.noun}")
    items = []
    for n, i in enumerate(r.evaluated, start=1):
        items.append(
            {
                "no": heading_label(2, n),
                "name": i.item.name,
                "unit": i.item.unit,
                "department": i.item.department,
                "kind": i.item.kind,
                "is_department": s.is_department(i.item.kind),
                "money_word": "部门预算" if s.is_department(i.item.kind) else "项目预算",
                "budget": money(i.budget),
                "executed": money(i.executed),
                "rate": rate(i.execution_rate),
                "score": score(i.total),
                # a framework whose total is not 100 is graded on 得分率 (see Settings.grade_for)
                "out_of": weight(i.framework.total) if i.framework.total != HUNDRED else "",
                "score_rate": rate(percent(i.total, i.framework.total)),
                "grade": i.grade.name,
                "overview": i.overview,
                "outputs": i.outputs,
                "overview_no": heading_label(3, 1, s.arabic_heading),
                "outputs_no": heading_label(3, 2 if i.overview else 1, s.arabic_heading),
                "indicator_count": i.indicator_count,
                "full_marks": i.full_marks,
                "level1": level1(i),
            }
        )
    departments = [
        {
            "name": i.item.name,
            "unit": i.item.unit,
            "indicator_count": i.indicator_count,
            "full_marks": i.full_marks,
            "level1": level1(i),
            "score": score(i.total),
            "grade": i.grade.name,
        }
        for i in r.departments
    ]
    grade_rows, phrases, applications = [], [], []
    for n, (grade, (_, members)) in enumerate(zip(s.grades, r.by_grade(r.evaluated), strict=True)):
        amount = budget(members)
        if n == 0:
            band = f"{weight(grade.min)}分及以上"
        elif n == len(s.grades) - 1:
            band = f"{weight(s.grades[n - 1].min)}分以下"
        else:
            band = f"{weight(grade.min)}分（含）至{weight(s.grades[n - 1].min)}分"
        row = {
            "name": grade.name,
            "band": band,
            "count": len(members),
            "amount": money(amount),
            "action": grade.action,
            "item_names": join([i.item.name for i in members]),
        }
        grade_rows.append(row)
        if members:
            phrases.append(
                f"等级为“{grade.name}”的{len(members)}个项目，金额合计{money(amount)}万元"
            )
            applications.append(row)
    return {
        "title": s.title,
        "status": "" if r.complete else s.draft_mark,
        "basis": "、".join(s.basis),
        "sources_appendix": s.sources_appendix,
        "completeness": _completeness(r, join),
        "region": s.region,
        "year": s.year,
        "bureau": s.bureau,
        "date": fmt_date(s.report_date or today or dt.date.today()),
        "scope": {
            "selected_count": len(r.selected),
            "passed_count": len(r.items),
            "passed_phrase": f"{len(r.items)}个项目"
            + (f"（其中单位自评{len(r.self_evaluated)}个）" if r.self_evaluated else ""),
            "item_count": len(r.evaluated),
            "unit_count": len(r.units),
            "amount": money(r.amount),
            "executed": money(r.executed),
            "kind_count": len(kinds),
            "kind_phrase": ("和".join(kinds) if len(kinds) <= 2 else "、".join(kinds))
            or "评价项目",
            "coverage_min": rate(s.coverage_min * HUNDRED).replace(".00%", "%"),
            "coverage_low": [c.unit for c in r.coverage if c.below],
            "coverage_range": _coverage_range(r, rate),
        },
        "grade_rows": grade_rows,
        "grade_phrase": "；".join(phrases) or "暂无纳入汇总的评价结果",
        "items": items,
        "departments": departments,
        "self_eval": _self_evaluations(r, money),
        **history_context(r, join, money, score, rate),
        **_problems(r, join),
        "applications": applications,
    }


def _completeness(r: Results, join) -> dict[str, Any]:
    """What the report does not contain, and why (see :mod:`perfeval.aggregate.scope`)."""
    missing = [{"name": m.item.name, "unit": m.item.unit, "why": m.why} for m in r.missing]
    shown = missing[: r.settings.report_names]
    return {
        "complete": r.complete,
        "missing_count": len(missing),
        "missing": shown,
        "missing_more": len(missing) - len(shown),
        "missing_phrase": "；".join(f"{m['name']}（{m['unit']}），{m['why']}" for m in shown)
        + ("等" if len(missing) > len(shown) else ""),
        "unmatched_count": len(r.unmatched),
    }


def _coverage_range(r: Results, rate) -> str:
    rates = [c.rate for c in r.coverage if c.rate is not None]
    if not rates:
        return ""
    low, high = min(rates), max(rates)
    return rate(low) if low == high else f"{rate(low)}至{rate(high)}"


def _self_evaluations(r: Results, money) -> dict[str, Any]:
    """Units' self-evaluations, summed up: how many, how much, and their results."""
    own = r.self_evaluated
    phrases = [f"为“{g}”的{len(m)}个" for g, m in r.by_grade(own) if m]
    return {
        "count": len(own),
        "unit_count": len(units(own)),
        "amount": money(budget(own)),
        "grade_phrase": "、".join(phrases),
    }


def _problems(r: Results, join) -> dict[str, Any]:
    s = r.settings
    quotes = s.report_quotes
    by_cat = r.by_category()
    groups = []
    for group in s.problem_groups:
        cats = [
            (label, items)
            for label, items in by_cat.items()
            if (c := s.category(label)) is not None and c.group == group.code
        ]
        if not cats:
            continue
        involved = list(dict.fromkeys(i.item.name for _, items in cats for i in items))
        details, quoted = [], 0
        for i in r.items:
            texts = [
                desc
                for label, desc, _ in i.problems
                if desc and (cat := s.category(label)) is not None and cat.group == group.code
            ]
            texts = texts[: max(0, quotes - quoted)]
            if texts:  # one line per project, its points together
                no = heading_label(3, len(details) + 1, s.arabic_heading)
                details.append({"no": no, "item": i.item.name, "text": _sentences(texts)})
                quoted += len(texts)
        total = sum(
            1
            for i in r.items
            for label, desc, _ in i.problems
            if desc and (cat := s.category(label)) is not None and cat.group == group.code
        )
        groups.append(
            {
                "name": group.name,
                "count": len(involved),
                "details_more": total - quoted,
                "categories": [
                    {
                        "label": label,
                        "name": s.category(label).name,
                        "count": len(items),
                        "item_names": join([i.item.name for i in items]),
                    }
                    for label, items in cats
                ],
                "details": details,
                "measure": group.measure,
            }
        )
    for n, g in enumerate(groups, start=1):
        g["no"] = heading_label(2, n)
    measures = [
        {"no": heading_label(2, n), "group": g["name"], "text": g["measure"]}
        for n, g in enumerate((g for g in groups if g["measure"]), start=1)
    ]
    unit_measures, quoted, total = [], 0, 0
    for i in r.items:
        texts = [m for _, _, m in i.problems if m]
        total += len(texts)
        texts = texts[: max(0, quotes - quoted)]
        if texts:
            no = heading_label(3, len(unit_measures) + 1, s.arabic_heading)
            unit_measures.append({"no": no, "item": i.item.name, "text": _sentences(texts)})
            quoted += len(texts)
    return {
        "problem_groups": groups,
        "measures": measures,
        "unit_measures": unit_measures,
        "unit_measures_no": heading_label(2, len(measures) + 1),
        "unit_measures_more": total - quoted,
    }


_END = "。！？；.!?;"


def _sentences(texts: list[str]) -> str:
    """A project's points as one run of text: each ends in a full stop, joined by semicolons."""
    parts = [t.strip().rstrip(_END) for t in texts if t.strip().rstrip(_END)]
    return "；".join(parts) + "。" if parts else ""
