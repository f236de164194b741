"""A year's accepted results as archive rows: pure, from what aggregation produced.

Only items in 汇总表 (their workbooks passed every error-level check) are archived; every value
keeps the cell it was read from. A project is followed across years by its
:func:`~perfeval.archive.identity.project_key`, since 项目编号 often carries the year.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from perfeval.archive.identity import project_key
from perfeval.check.catalogue import Finding
from perfeval.targets.model import TargetBook

if TYPE_CHECKING:
    from perfeval.aggregate.figures import Results


@dataclass
class YearRecord:
    """Everything archived for one region-year, as rows per table (see :mod:`.schema`)."""

    region_code: str
    year: int
    region: str
    bureau: str
    folder_id: str
    folder: str
    complete: bool
    rows: dict[str, list[dict]] = field(default_factory=dict)

    def count(self, table: str) -> int:
        return len(self.rows.get(table, []))


def year_record(
    results: Results,
    targets: TargetBook | None,
    findings: list[Finding],
    *,
    region_code: str,
    folder_id: str,
    folder: str,
) -> YearRecord:
    s = results.settings
    key = {"region_code": region_code, "year": s.year}
    record = YearRecord(
        region_code, s.year, s.region, s.bureau, folder_id, folder, results.complete
    )
    evaluations, indicators, problems, target_rows = [], [], [], []
    for i in results.items:
        item = i.item
        kind = s.kind(item.kind)
        evaluations.append(
            {
                **key,
                "item_id": item.item_id,
                "project_key": project_key(item.name, item.unit),
                "kind": item.kind,
                "evaluator": kind.evaluator if kind else "财政评价",
                "name": item.name,
                "department": item.department,
                "unit": item.unit,
                "framework_id": i.framework.id,
                "budget": i.budget,
                "executed": i.executed,
                "execution_rate": i.execution_rate,
                "total": i.total,
                "grade": i.grade.name,
                "file": i.file,
                "budget_cell": i.budget_ref.address,
                "executed_cell": i.executed_ref.address,
            }
        )
        for seq, score in enumerate(i.indicators, 1):
            ind = score.indicator
            indicators.append(
                {
                    **key,
                    "item_id": item.item_id,
                    "seq": seq,
                    "code": ind.code,
                    "l1": ind.l1,
                    "l2": ind.l2,
                    "l3": ind.name,
                    "weight": ind.weight,
                    "score": score.score,
                    "actual": score.actual or "",
                    "reason": score.reason or "",
                    "category": score.category or "",
                    "cell": score.ref(i.file).address,
                }
            )
        for seq, (category, description, measure) in enumerate(i.problems, 1):
            problems.append(
                {
                    **key,
                    "item_id": item.item_id,
                    "seq": seq,
                    "category": category,
                    "description": description,
                    "measure": measure,
                }
            )
        approved = targets.get(item.item_id) if targets is not None else None
        for seq, t in enumerate(approved.indicators if approved else (), 1):
            target_rows.append(
                {
                    **key,
                    "item_id": item.item_id,
                    "seq": seq,
                    "l1": t.l1,
                    "l2": t.l2,
                    "l3": t.l3,
                    "direction": t.direction,
                    "value": t.value,
                    "unit": t.unit,
                    "weight": t.weight,
                    "cell": t.value_ref.address,
                }
            )
    counted = Counter((f.code, f.severity.name.lower()) for f in findings)
    record.rows = {
        "archives": [
            {
                **key,
                "region": s.region,
                "bureau": s.bureau,
                "folder_id": folder_id,
                "folder": folder,
                "items": len(evaluations),
                "complete": results.complete,
            }
        ],
        "evaluations": evaluations,
        "indicators": indicators,
        "problems": problems,
        "targets": target_rows,
        "findings": [
            {**key, "code": code, "severity": level, "count": n}
            for (code, level), n in sorted(counted.items())
        ],
        "rectifications": [
            {
                **key,
                "source_year": f.year,
                "item_id": f.item_id,
                "seq": f.seq,
                "unit": f.unit,
                "category": f.category,
                "description": f.description,
                "status": f.status,
                "action": f.action,
                "owner": f.owner,
                "deadline": f.deadline,
                "progress": f.progress,
                "evidence": f.evidence,
                "cell": f.source,
            }
            for f in (results.rectification.follow_ups if results.rectification else ())
        ],
        "coverage": [
            {
                **key,
                "unit": c.unit,
                "planned": c.planned,
                "evaluated": c.amount,
                "unit_budget": c.base,
            }
            for c in results.coverage
        ],
    }
    return record
