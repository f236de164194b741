"""The column names a targets table may use, and finding its header row.

Platforms and provinces name the same column differently; each field lists the names it is
known by (compared normalized). The first row, within the first few, that names the three
indicator levels (or 一级 and 指标名称) and a value column is the header.
"""

from __future__ import annotations

from perfeval.read.cells import Grid
from perfeval.read.parse import normalize_text

#: field -> names it is known by; the settings' [targets] (templates/config/defaults.toml)
#: hold the same lists, and are what a run uses
DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "item_id": ("项目编号", "项目代码", "项目编码"),
    "name": ("项目名称",),
    "l1": ("一级指标",),
    "l2": ("二级指标",),
    "l3": ("三级指标", "指标名称", "指标内容", "绩效指标"),
    "direction": ("指标性质", "运算符号", "计算符号", "指标方向"),
    "value": ("指标值", "年度指标值", "目标值", "预期指标值", "指标值及单位"),
    "unit": ("计量单位", "度量单位", "单位"),
    "weight": ("分值", "权重", "指标分值"),
    "standard": ("评分标准", "评(扣)分标准", "评（扣）分标准", "评分规则"),
    # a long table's project columns, read from each project's first row
    "department": ("主管部门", "预算部门", "主管预算部门"),
    "implementer": ("实施单位", "单位名称", "预算单位", "项目单位"),
    "goal": ("年度目标", "年度绩效目标", "本年度绩效目标"),
    "budget": ("预算数", "预算金额", "项目金额", "年度资金总额"),
}
HEADER_SEARCH_ROWS = 40


def configured_columns(raw: dict) -> dict[str, tuple[str, ...]]:
    """The column names of ``[targets]`` in perfeval.toml (the defaults above when absent)."""
    given = raw.get("targets", {})
    return {key: tuple(given.get(key, names)) for key, names in DEFAULT_COLUMNS.items()}


def header_row(
    grid: Grid, columns: dict[str, tuple[str, ...]], start: int = 1
) -> tuple[int, dict[str, int]] | None:
    """(row, field -> column) of the first header row from ``start``; None when there is none."""
    names = {normalize_text(n): key for key, known in columns.items() for n in known}
    for row in range(start, min(grid.height, start + HEADER_SEARCH_ROWS) + 1):
        found: dict[str, int] = {}
        for col in range(1, len(grid.rows[row - 1]) + 1):
            key = names.get(normalize_text(grid.get(row, col)))
            if key and key not in found:
                found[key] = col
        if "l1" in found and "l3" in found and "value" in found:
            return row, found
    return None
