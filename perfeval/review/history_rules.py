"""The review's two rules that look back: targets copied unchanged from the last archived year
(PE-TGR-016), and a target below what the project already achieved (PE-TGR-017).

The national platform's own reviewer is given last year's declared indicators and earlier
years' self-evaluation actuals for the same purpose (docs: targets-and-years.md §1.2). A project
is the same project when its name without the year agrees (and its unit, where both sides name
one). Without an archive these rules are absent, never guessed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from perfeval.archive.identity import project_key
from perfeval.check.catalogue import Code, Finding, finding
from perfeval.read.parse import normalize_text, parse_number
from perfeval.targets.model import ProjectTargets


@dataclass
class PastProject:
    """What the archive holds about one project in earlier years."""

    name: str
    unit: str
    targets_year: int = 0
    targets: list[tuple[str, str, str, str]] = field(default_factory=list)  # l3, 性质, 值, 单位
    actuals_year: int = 0
    actuals: dict[str, tuple[str, str]] = field(default_factory=dict)  # l3 -> (完成值, 单元格)


@dataclass
class PastProjects:
    """Earlier archived years of the region, by project name without its year."""

    by_name: dict[str, list[PastProject]] = field(default_factory=dict)

    def find(self, name: str, unit: str) -> PastProject | None:
        candidates = self.by_name.get(name_without_year(name), [])
        if unit:
            same = [c for c in candidates if normalize_text(c.unit) == normalize_text(unit)]
            candidates = same or ([] if any(c.unit for c in candidates) else candidates)
        return candidates[0] if candidates else None


def name_without_year(name: str) -> str:
    return project_key(name, "").rsplit("|", 1)[0]


def _indicator(l3: str, direction: str, value: str, unit: str) -> tuple[str, str, str, str]:
    return (normalize_text(l3), direction, normalize_text(value), normalize_text(unit))


def _number(text: str) -> Decimal | None:
    value = parse_number(text, units=("%",)).value
    return value if isinstance(value, Decimal) else None


def looking_back(p: ProjectTargets, name: str, unit: str, past: PastProjects) -> Iterator[Finding]:
    """PE-TGR-016 and PE-TGR-017 for one project (``name``/``unit``: as the roster knows it
    when the targets file does not say)."""
    earlier = past.find(name, unit)
    if earlier is None:
        return
    shown = p.name or name or p.item_id
    if earlier.targets and p.indicators:
        now = sorted(_indicator(t.l3, t.direction, t.value, t.unit) for t in p.indicators)
        then = sorted(_indicator(*row) for row in earlier.targets)
        if now == then:
            yield finding(
                Code.REVIEW_COPIED,
                p.ref,
                project=shown,
                count=len(now),
                year=earlier.targets_year,
            )
    for t in p.indicators:
        if t.direction not in ("≥", ">") or "成本" in normalize_text(t.l2):
            continue
        target = _number(t.value)
        done = earlier.actuals.get(normalize_text(t.l3))
        actual = _number(done[0]) if done else None
        if target is None or actual is None or actual <= target:
            continue
        yield finding(
            Code.REVIEW_BELOW_LAST_ACTUAL,
            t.value_ref,
            name=t.l3,
            value=f"{t.direction}{t.value}{t.unit}",
            year=earlier.actuals_year,
            actual=done[0],
            source=done[1],
        )
