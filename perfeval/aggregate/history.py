"""What an earlier year left in the archive, as aggregation compares with it: pure data, loaded by
:mod:`perfeval.archive.history`."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class PastItem:
    """One archived evaluation of the earlier year."""

    item_id: str
    project_key: str  # see perfeval.archive.records.project_key
    kind: str
    evaluator: str  # 自评, 部门评价 or 财政评价
    name: str
    unit: str
    budget: Decimal
    total: Decimal
    grade: str
    level1: tuple[tuple[str, Decimal, Decimal], ...]  # (一级指标, 分值, 得分)
    problems: tuple[tuple[str, str], ...]  # (问题分类, 问题描述)


@dataclass(frozen=True)
class History:
    """The region's previous archived year."""

    year: int
    region: str
    items: tuple[PastItem, ...]
    source: str  # the archive, as messages show it
