"""What a project's approved targets are, as read: every value with its cell."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from perfeval.check.finding import Finding
from perfeval.model import CellRef


@dataclass(frozen=True)
class Target:
    """One approved 三级 indicator: names and values as written, the direction as a symbol
    (≥ > = < ≤, or 定性), the weight when the source gives one."""

    l1: str
    l2: str
    l3: str
    direction: str
    value: str
    unit: str
    weight: Decimal | None
    standard: str
    ref: CellRef  # the 三级 name's cell
    value_ref: CellRef  # the 指标值 cell (or the cell the value was split from)


@dataclass
class ProjectTargets:
    """One project's targets, from one source file."""

    item_id: str  # the roster's 项目编号 ('' until matched)
    name: str  # 项目名称 as written in the source
    source: str  # the file, as messages name it
    ref: CellRef  # where the project is named (its 项目编号 or 项目名称 cell)
    indicators: list[Target] = field(default_factory=list)
    goal: str = ""  # 年度目标 as written
    header: dict[str, str] = field(default_factory=dict)  # 主管部门, 实施单位, … as written
    money: dict[str, Decimal] = field(default_factory=dict)  # 资金: total, fiscal, other (万元)
    fields: dict[str, str] = field(default_factory=dict)  # every header field read, as written
    cells: dict[str, CellRef] = field(default_factory=dict)  # … and where each one is

    def fingerprint(self) -> list:
        """The content that shapes an issued workbook (for the framework's hash)."""
        return [
            self.item_id,
            [
                [t.l1, t.l2, t.l3, t.direction, t.value, t.unit, str(t.weight), t.standard]
                for t in self.indicators
            ],
        ]


@dataclass
class TargetBook:
    """Everything read from the 绩效目标/ folder: the projects' targets by 项目编号 and the
    findings about the files (unreadable, unsplittable values, projects not in the roster…)."""

    projects: dict[str, ProjectTargets] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    content_hash: str = ""

    def get(self, item_id: str) -> ProjectTargets | None:
        return self.projects.get(item_id)
