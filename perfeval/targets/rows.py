"""Reading indicator rows below a targets header: one :class:`Target` per 三级 row.

Merged 一级/二级 cells are read in their top cell only, so a blank 一级 or 二级 continues the one
above. A 指标值 is taken with the 指标性质 and 计量单位 columns when the table has them; a value
written in one cell ("≥50个") is split (:mod:`.values`), and a value that cannot be split is kept
as a 定性 target and reported.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from perfeval.check.catalogue import Code, Finding, finding
from perfeval.model import CellRef
from perfeval.read.cells import Grid, a1
from perfeval.read.parse import as_written, normalize_text, parse_number
from perfeval.targets.dates import dates_in
from perfeval.targets.model import Target
from perfeval.targets.values import UNSTATED, direction_of, split_target

#: a first cell starting with one of these ends the indicator table of a 申报表
_TABLE_END = ("合计", "总计", "审核意见", "主管部门审核", "财政部门审核", "填报说明", "备注")
_BLANK_RUN = 5  # this many empty rows end the table


def read_rows(
    grid: Grid,
    file: str,
    header: int,
    cols: dict[str, int],
    findings: list[Finding],
    *,
    stop_at_end_words: bool = False,
) -> Iterator[tuple[int, Target]]:
    """(row, target) for each 三级 row below ``header``."""
    l1 = l2 = ""
    blanks = 0

    def cell(row: int, key: str) -> str:
        col = cols.get(key)
        return as_written(grid.get(row, col)) if col else ""

    for row in range(header + 1, grid.height + 1):
        first = normalize_text(grid.get(row, 1))
        if stop_at_end_words and first.startswith(_TABLE_END):
            break
        names = cell(row, "l1"), cell(row, "l2"), cell(row, "l3")
        value = cell(row, "value")
        if not any(names) and not value:
            blanks += 1
            if blanks >= _BLANK_RUN:
                break
            continue
        blanks = 0
        if names[0]:
            l1, l2 = names[0], ""
        if names[1]:
            l2 = names[1]
        if not names[2]:
            continue  # a 一级/二级 heading row without an indicator of its own
        ref = CellRef(file, grid.sheet, a1(row, cols["l3"]))
        value_ref = CellRef(file, grid.sheet, a1(row, cols["value"]))
        direction, shown, unit = _value(row, cell, names[2], l2, value_ref, findings)
        yield (
            row,
            Target(
                l1=l1,
                l2=l2,
                l3=names[2],
                direction=direction,
                value=shown,
                unit=unit,
                weight=_weight(grid, row, cols, file, findings, names[2]),
                standard=cell(row, "standard"),
                ref=ref,
                value_ref=value_ref,
            ),
        )


def _value(
    row, cell, name: str, l2: str, ref: CellRef, findings: list[Finding]
) -> tuple[str, str, str]:
    written, unit = cell(row, "value"), cell(row, "unit")
    label = cell(row, "direction")
    direction = direction_of(label) if label else ""
    if direction is None:
        findings.append(finding(Code.TARGET_DIRECTION, ref, name=name, value=label))
        direction = ""
    if not written:
        findings.append(finding(Code.TARGET_VALUE_MISSING, ref, name=name))
        return direction or "定性", "", unit
    if direction == "定性":
        return "定性", written, unit
    split = split_target(written)
    if direction and split.direction and split.direction not in (UNSTATED, direction):
        findings.append(finding(Code.TARGET_SPLIT, ref, name=name, value=written))
    if not split.direction:
        if not dates_in(written, 2000):  # a date ("11月底前") is a 定性 target as it stands
            findings.append(finding(Code.TARGET_SPLIT, ref, name=name, value=written))
        return "定性", written, unit
    if split.direction == "定性" and direction:  # a 定量 label over a value without a number
        findings.append(finding(Code.TARGET_SPLIT, ref, name=name, value=written))
        return "定性", written, unit
    if unit and split.unit and normalize_text(unit) != normalize_text(split.unit):
        findings.append(finding(Code.TARGET_SPLIT, ref, name=name, value=written))
    chosen = direction or split.direction
    if chosen == UNSTATED:  # a bare number: reached or exceeded; a cost: not exceeded
        chosen = "≤" if "成本" in normalize_text(l2) else "≥"
    return chosen, split.value, unit or split.unit


def _weight(
    grid: Grid, row: int, cols: dict[str, int], file: str, findings: list[Finding], name: str
) -> Decimal | None:
    col = cols.get("weight")
    if col is None:
        return None
    raw = grid.get(row, col)
    if as_written(raw) == "":
        return None
    value = parse_number(raw, units=("分",)).value
    if isinstance(value, Decimal) and value >= 0:
        return value
    ref = CellRef(file, grid.sheet, a1(row, col))
    findings.append(finding(Code.TARGET_WEIGHT_BAD, ref, name=name, value=as_written(raw)))
    return None
