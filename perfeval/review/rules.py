"""The review's rules: every weak target of one project, each finding on its cell.

Each rule is a function of the project (and the review's settings) returning findings; a rule's
level can be changed or the rule turned off in ``[review] levels``. Rules read the targets as
perfeval reads them for self-evaluations (:mod:`perfeval.targets`), so a value written in one
cell ("≥50个") is already split into 指标性质, 指标值 and 计量单位.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal

from perfeval.check.catalogue import Code, Finding, Severity, finding
from perfeval.check.placeholder_text import left_text
from perfeval.numbers import HUNDRED, fmt_money, fmt_rate
from perfeval.read.parse import PLACEHOLDERS, normalize_text, parse_number
from perfeval.review.config import ReviewConfig
from perfeval.targets.apply import name_key
from perfeval.targets.dates import dates_in
from perfeval.targets.model import ProjectTargets, Target

QUANTITATIVE = ("≥", ">", "=", "<", "≤")
FIELD_NAMES = {"name": "项目名称", "department": "主管部门", "unit": "实施单位", "goal": "年度目标"}
LEVEL1 = ("产出指标", "效益指标", "满意度指标")
_EXTRA_PLACEHOLDERS = frozenset({"待定", "XXX", "xxx", "××", "***", "略", "暂无"})


def _project(p: ProjectTargets) -> str:
    return p.name or p.item_id or p.source


def _is_cost(t: Target) -> bool:
    return "成本" in normalize_text(t.l2) or "成本" in normalize_text(t.l1)


def _number(text: str) -> Decimal | None:
    value = parse_number(text).value
    return value if isinstance(value, Decimal) else None


def required_fields(p: ProjectTargets, cfg: ReviewConfig, year: int) -> Iterator[Finding]:
    """A field the form (or the long table) has, left empty. A field its layout does not have at
    all (a platform export without 主管部门, a province's form without 实施单位) is not the
    filer's omission and is not reported."""
    for key in cfg.required_fields:
        if key not in p.fields:
            continue
        if not p.fields[key].strip():
            ref = p.cells.get(key, p.ref)
            shown = FIELD_NAMES.get(key, key)
            yield finding(Code.REVIEW_FIELD_MISSING, ref, project=_project(p), field=shown)


def money_parts(p: ProjectTargets, cfg: ReviewConfig, year: int) -> Iterator[Finding]:
    total = p.money.get("total")
    parts = [p.money[k] for k in ("fiscal", "other") if k in p.money]
    if total is None or not parts:
        return
    if abs(total - sum(parts, Decimal(0))) > cfg.money_tolerance:
        yield finding(
            Code.REVIEW_MONEY_PARTS,
            p.cells.get("total", p.ref),
            project=_project(p),
            total=fmt_money(total),
            parts=fmt_money(sum(parts, Decimal(0))),
        )


def structure(p: ProjectTargets, cfg: ReviewConfig, year: int) -> Iterator[Finding]:
    present = {name_key(t.l1) for t in p.indicators}
    wanted = LEVEL1 if cfg.satisfaction_required else LEVEL1[:2]
    for level1 in wanted:
        if name_key(level1) not in present:
            yield finding(Code.REVIEW_LEVEL1_MISSING, p.ref, project=_project(p), level1=level1)
    outputs = [t for t in p.indicators if name_key(t.l1) == name_key("产出指标")]
    if outputs:
        have = {name_key(t.l2) for t in outputs}
        missing = [n for n in cfg.output_required if name_key(n) not in have]
        if missing:
            yield finding(
                Code.REVIEW_OUTPUT_COVERAGE,
                outputs[0].ref,
                project=_project(p),
                missing="、".join(missing),
            )


def indicators(p: ProjectTargets, cfg: ReviewConfig, year: int) -> Iterator[Finding]:
    quantitative_l2 = {name_key(n) for n in cfg.quantitative_l2}
    end = _end_of(p, year)
    for t in p.indicators:
        value = _number(t.value) if t.direction in QUANTITATIVE else None
        shown = normalize_text(t.value)
        for text, field, ref in (
            (t.value, f"{t.l3}的指标值", t.value_ref),
            (t.l3, "指标名称", t.ref),
        ):
            left = _left(text, cfg)
            if left is not None:
                yield finding(Code.REVIEW_PLACEHOLDER, ref, field=field, value=left)
        if t.direction in QUANTITATIVE:
            what = []
            if value is None:
                what.append("指标值不是数值")
            if not t.unit:
                what.append("没有计量单位")
            if what:
                yield finding(
                    Code.REVIEW_NOT_MEASURABLE, t.value_ref, name=t.l3, what="，".join(what)
                )
        elif name_key(t.l2) in quantitative_l2 and not any(c.isdigit() for c in shown):
            word = next((w for w in cfg.vague_words if normalize_text(w) in shown), None)
            if word:
                yield finding(Code.REVIEW_VAGUE, t.value_ref, name=t.l3, value=t.value, word=word)
        if _is_cost(t) and t.direction in (">", "≥"):
            yield finding(Code.REVIEW_COST_FLOOR, t.value_ref, name=t.l3, direction=t.direction)
        if value is not None and normalize_text(t.unit) == "%":
            if "满意" in t.l3 or name_key(t.l1) == name_key("满意度指标"):
                if not Decimal(0) <= value <= HUNDRED:
                    yield finding(
                        Code.REVIEW_SATISFACTION_RANGE, t.value_ref, name=t.l3, value=t.value
                    )
            elif value > HUNDRED:
                yield finding(Code.REVIEW_PERCENT_OVER_100, t.value_ref, name=t.l3, value=t.value)
        if "时效" in normalize_text(t.l2):
            for date in dates_in(f"{t.value} {t.l3}", year):
                why = ""
                if date.year != year:
                    why = f"不在预算年度（{year}年）内"
                elif end is not None and date > end:
                    why = f"晚于项目结束时间（{end:%Y年%m月%d日}）"
                if why:
                    shown_date = f"{date:%Y年%m月%d日}"
                    yield finding(
                        Code.REVIEW_DATE, t.value_ref, name=t.l3, date=shown_date, why=why
                    )
    names = Counter(normalize_text(t.l3) for t in p.indicators)
    reported = set()
    for t in p.indicators:
        key = normalize_text(t.l3)
        if names[key] > 1 and key not in reported:
            reported.add(key)
            yield finding(
                Code.REVIEW_DUPLICATE, t.ref, name=t.l3, project=_project(p), count=names[key]
            )


def _left(text: str, cfg: ReviewConfig) -> str | None:
    """A placeholder or instruction text, as written, or None."""
    if normalize_text(text) in PLACEHOLDERS | _EXTRA_PLACEHOLDERS or "*" in text:
        return text
    return left_text(text, cfg.vocabulary) if text else None


def goal_text(p: ProjectTargets, cfg: ReviewConfig, year: int) -> Iterator[Finding]:
    left = _left(p.goal, cfg) if p.goal.strip() else None
    if left is not None:
        ref = p.cells.get("goal", p.ref)
        yield finding(Code.REVIEW_PLACEHOLDER, ref, field="年度目标", value=left)


def _end_of(p: ProjectTargets, year: int):
    dates = dates_in(p.fields.get("period", ""), year)
    return max(dates) if dates else None


def totals(p: ProjectTargets, cfg: ReviewConfig, year: int) -> Iterator[Finding]:
    weights = [t.weight for t in p.indicators if t.weight is not None]
    if weights and sum(weights, Decimal(0)) != cfg.weights_total:
        yield finding(
            Code.REVIEW_WEIGHTS,
            p.ref,
            project=_project(p),
            found=sum(weights, Decimal(0)),
            expected=cfg.weights_total,
        )
    if p.indicators and cfg.min_quantitative_share > 0:
        share = Decimal(sum(1 for t in p.indicators if t.direction in QUANTITATIVE))
        share = share / len(p.indicators) * HUNDRED
        if share < cfg.min_quantitative_share * HUNDRED:
            yield finding(
                Code.REVIEW_QUANTITATIVE_SHARE,
                p.ref,
                project=_project(p),
                share=fmt_rate(share),
                minimum=fmt_rate(cfg.min_quantitative_share * HUNDRED),
            )
    total = p.money.get("total")
    cost = Decimal(0)
    for t in p.indicators:
        amount = _number(t.value) if _is_cost(t) and t.direction in ("≤", "<", "=") else None
        unit = normalize_text(t.unit)
        if amount is not None and unit in ("元", "万元"):
            cost += amount / 10000 if unit == "元" else amount
    if total is not None and cost > total:
        yield finding(
            Code.REVIEW_COST_OVER_BUDGET,
            p.cells.get("total", p.ref),
            project=_project(p),
            cost=fmt_money(cost),
            total=fmt_money(total),
        )


RULES: tuple[Callable[[ProjectTargets, ReviewConfig, int], Iterator[Finding]], ...] = (
    required_fields,
    goal_text,
    money_parts,
    structure,
    indicators,
    totals,
)
_LEVELS = {"error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFO}


def review_project(p: ProjectTargets, cfg: ReviewConfig, year: int) -> list[Finding]:
    """Every finding on one project, at the level ``[review] levels`` gives its rule."""
    return leveled((f for rule in RULES for f in rule(p, cfg, year)), cfg, p.item_id)


def leveled(findings: Iterable[Finding], cfg: ReviewConfig, item_id: str) -> list[Finding]:
    """``findings`` at the levels ``[review]`` gives their rules (off ones left out)."""
    out = []
    for f in findings:
        level = cfg.levels.get(f.code)
        if level == "off":
            continue
        if level in _LEVELS:
            f = dataclasses.replace(f, severity=_LEVELS[level])
        out.append(dataclasses.replace(f, item_id=item_id))
    return out
