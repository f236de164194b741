"""A project's own framework: its framework's fixed parts, and its targets where the framework
leaves the indicators to them.

A framework's 一级 row that lists 可用二级指标 is *open*: with a project's targets, its 二级 and
三级 rows are the project's (names, 指标性质, 指标值, 计量单位, 分值 as approved); without, they are
the framework's own rows (with their reserved rows), as for any framework. Fixed 一级 rows (the
budget-execution block, say) are kept as they are.

Weights: the targets' 分值 under an open 一级 must add up to its weight; with 一级分值 = 按绩效
目标 the 一级 weight is that sum instead, and the whole must add up to the framework's 总分值.
Targets without any 分值 share the 一级 weight evenly (a warning says so). A problem that leaves
the weights in doubt is an error on the targets, and the project falls back to the framework's
own rows until the targets are corrected: the clerk is never asked to mend approved weights.
"""

from __future__ import annotations

import dataclasses
import json
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from perfeval.check.catalogue import Code, Finding, finding
from perfeval.config.framework import Framework, Indicator, _canonical_hash
from perfeval.read.parse import normalize_text
from perfeval.targets.model import ProjectTargets, Target

_CENT = Decimal("0.01")


def name_key(name: str) -> str:
    """Names compared: normalized, and 指标 at the end not counted ("产出" is "产出指标")."""
    text = normalize_text(name)
    return text[: -len("指标")] if text.endswith("指标") and len(text) > 2 else text


def apply_targets(fw: Framework, project: ProjectTargets) -> tuple[Framework, list[Finding], bool]:
    """(the project's framework, findings on its targets, whether the targets were used)."""
    findings: list[Finding] = []
    if fw.targets_scale is not None:
        project = _rescaled(project, fw.targets_scale)
    open_rows = {name_key(i.name): i for i in fw.level1 if i.allowed}
    grouped: dict[str, list[Target]] = {key: [] for key in open_rows}
    for target in project.indicators:
        key = name_key(target.l1)
        if key not in grouped:
            allowed = "、".join(i.name for i in open_rows.values())
            findings.append(
                finding(
                    Code.TARGET_LEVEL1,
                    target.ref,
                    item_id=project.item_id,
                    name=target.l3,
                    l1=target.l1 or "（空）",
                    framework=fw.name,
                    allowed=allowed,
                )
            )
            continue
        grouped[key].append(target)
    indicators: list[Indicator] = []
    errors = any(f.is_error for f in findings)
    for top in fw.level1:
        mine = grouped.get(name_key(top.name)) if top.allowed else None
        if not mine and top.allowed and fw.level1_from_targets and project.indicators:
            continue  # the project's targets set the 一级 weights: none here, no 一级
        if not mine:  # fixed, or no targets under it: the framework's own rows
            indicators += [top, *_descendants(fw, top.code)]
            continue
        rows, ok = _open_block(fw, top, mine, project, findings)
        errors = errors or not ok
        indicators += rows
    if not errors:
        total = sum((i.weight for i in indicators if i.level == 1), Decimal(0))
        if total != fw.total:
            findings.append(
                finding(
                    Code.TARGET_WEIGHT_SUM,
                    project.ref,
                    item_id=project.item_id,
                    what=f"指标体系“{fw.name}”的总",
                    expected=fw.total,
                    found=total,
                )
            )
            errors = True
    if errors:
        return fw, findings, False
    return _framework(fw, indicators, project), findings, True


def _rescaled(project: ProjectTargets, scale: Decimal) -> ProjectTargets:
    """The targets with their weights converted to ``scale`` points in all (two decimals, the
    last one taking what rounding leaves, so the sum is exact). Unchanged when a weight is
    missing: the checks below report that."""
    weights = [t.weight for t in project.indicators]
    total = sum((w for w in weights if w is not None), Decimal(0))
    if not weights or any(w is None for w in weights) or total <= 0 or total == scale:
        return project
    converted = [(w * scale / total).quantize(_CENT, ROUND_HALF_UP) for w in weights]  # type: ignore[operator]
    converted[-1] += scale - sum(converted, Decimal(0))
    return dataclasses.replace(
        project,
        indicators=[
            dataclasses.replace(t, weight=w)
            for t, w in zip(project.indicators, converted, strict=True)
        ],
    )


def _descendants(fw: Framework, code: str) -> list[Indicator]:
    out = []
    for child in fw.children(code):
        out += [child, *_descendants(fw, child.code)]
    return out


def _open_block(
    fw: Framework,
    top: Indicator,
    targets: list[Target],
    project: ProjectTargets,
    findings: list[Finding],
) -> tuple[list[Indicator], bool]:
    """The 一级 row and the project's 二级/三级 rows under it; False when the weights are in
    doubt."""
    ok = True
    allowed = {name_key(n) for n in top.allowed}
    groups: dict[str, list[Target]] = {}
    shown: dict[str, str] = {}
    for t in targets:
        key = name_key(t.l2)
        if key not in allowed:
            findings.append(
                finding(
                    Code.TARGET_LEVEL2,
                    t.ref,
                    item_id=project.item_id,
                    name=t.l3,
                    l1=top.name,
                    l2=t.l2 or "（空）",
                    allowed="、".join(top.allowed),
                )
            )
        groups.setdefault(key, []).append(t)
        shown.setdefault(key, t.l2 or top.name)
    missing = [n for n in top.required if name_key(n) not in groups]
    if missing:
        findings.append(
            finding(
                Code.TARGET_LEVEL2_MISSING,
                targets[0].ref,
                item_id=project.item_id,
                l1=top.name,
                missing="、".join(missing),
            )
        )
    for key, group in groups.items():
        seen: set[str] = set()
        for t in group:
            if normalize_text(t.l3) in seen:
                findings.append(
                    finding(
                        Code.TARGET_NAME_REPEATED,
                        t.ref,
                        item_id=project.item_id,
                        name=t.l3,
                        l2=shown[key],
                    )
                )
                ok = False
            seen.add(normalize_text(t.l3))
    weights = _weights(fw, top, targets, project, findings)
    if weights is None:
        return [], False
    level1_weight = sum(weights.values(), Decimal(0))
    if not fw.level1_from_targets and level1_weight != top.weight:
        findings.append(
            finding(
                Code.TARGET_WEIGHT_SUM,
                targets[0].ref,
                item_id=project.item_id,
                what=f"一级指标“{top.name}”的",
                expected=top.weight,
                found=level1_weight,
            )
        )
        ok = False
    rows = [dataclasses.replace(top, weight=level1_weight, allowed=(), required=())]
    for n, (key, group) in enumerate(groups.items(), start=1):
        l2_code = f"{top.code}.{n}"
        l2_weight = sum((weights[id(t)] for t in group), Decimal(0))
        rows.append(Indicator(l2_code, 2, shown[key], l2_weight, 0, top.code, l1=top.name))
        for m, t in enumerate(group, start=1):
            rows.append(
                Indicator(
                    code=f"{l2_code}.{m}",
                    level=3,
                    name=t.l3,
                    weight=weights[id(t)],
                    row=0,
                    parent=l2_code,
                    l1=top.name,
                    l2=shown[key],
                    direction=t.direction,
                    target=t.value,
                    unit=t.unit,
                    standard=t.standard,
                    approved=True,
                )
            )
    return rows, ok


def _weights(
    fw: Framework,
    top: Indicator,
    targets: list[Target],
    project: ProjectTargets,
    findings: list[Finding],
) -> dict[int, Decimal] | None:
    """Each target's weight (by id); None when they cannot be known."""
    given = [t for t in targets if t.weight is not None]
    if len(given) == len(targets):
        return {id(t): t.weight for t in targets}  # type: ignore[misc]
    if given:
        blank = next(t for t in targets if t.weight is None)
        findings.append(
            finding(
                Code.TARGET_WEIGHT_PARTIAL,
                blank.ref,
                item_id=project.item_id,
                l1=top.name,
                name=blank.l3,
            )
        )
        return None
    each = (top.weight / len(targets)).quantize(_CENT, rounding=ROUND_DOWN)
    out = {id(t): each for t in targets}
    out[id(targets[-1])] = top.weight - each * (len(targets) - 1)
    findings.append(
        finding(
            Code.TARGET_WEIGHT_SPREAD,
            targets[0].ref,
            item_id=project.item_id,
            l1=top.name,
            count=len(targets),
            weight=top.weight,
            each=each,
        )
    )
    return out


def _framework(fw: Framework, indicators: list[Indicator], project: ProjectTargets) -> Framework:
    fields = {
        "id": fw.id,
        "name": fw.name,
        "kinds": ",".join(fw.kinds),
        "version": fw.version,
        "total": str(fw.total),
        "targets": json.dumps(project.fingerprint(), ensure_ascii=False),
    }
    written = _canonical_hash({**fields, "text": "as written"}, indicators, str)
    compared = _canonical_hash(fields, indicators)
    return dataclasses.replace(
        fw,
        indicators=tuple(indicators),
        content_hash=written,
        issue_hash=compared,
        targets_source=project.source,
    )
