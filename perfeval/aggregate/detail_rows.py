"""指标明细: one row per indicator of every scored workbook, made on demand.

A province has millions of these rows: they are never held as a table beyond the sheet's limit,
but made again from the scores on each pass (the sheet, the CSV file, the helper process).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

import pandas as pd

from perfeval import layout as L
from perfeval.config.framework import Framework, Indicator
from perfeval.machinery.score_pack import iter_indicators
from perfeval.model import CellRef
from perfeval.numbers import q2
from perfeval.read.parse import remembered
from perfeval.score import SCORE_COLUMN

if TYPE_CHECKING:
    from perfeval.aggregate.figures import Results


DETAIL_COLUMNS = (
    "项目编号",
    "项目名称",
    "实施单位",
    "编码",
    "一级指标",
    "二级指标",
    "三级指标",
    "单位自设",
    "分值",
    "得分",
    "是否满分",
    "实际完成值",
    "偏差原因分析及改进措施",
    "问题分类",
    "来源",
)


TEXTS_KEPT = 100_000  # distinct answers and reasons remembered while writing 指标明细 lines


class DetailRows:
    """指标明细 (one row per indicator of every scored workbook) without holding it in memory:
    each pass makes the rows again from the scores. A province has millions of these rows."""

    columns = DETAIL_COLUMNS

    def __init__(self, r: Results) -> None:
        self._items: list[Any] = r.items
        self._count = sum(i.indicator_count for i in r.items)

    def __len__(self) -> int:
        return self._count

    def __reduce__(self) -> tuple:
        """Pickled compactly, to be written by the helper process (see machinery.aside):
        per item its names, file, framework key and packed indicator rows; each framework once
        (a project's own framework, made from its targets, shares its roster framework's id).
        At 100,000 files about 70 MB, where the results they come from take hundreds."""
        frameworks = {_key(i.framework): i.framework for i in self._items}
        rows = [
            (i.item.item_id, i.item.name, i.item.unit, i.file, _key(i.framework), i.indicator_data)
            for i in self._items
        ]
        return (_detail_rows, (frameworks, rows, self._count))

    def __iter__(self) -> Iterator[tuple]:
        shown: dict[Decimal, Decimal] = {}  # score -> two decimals: a few hundred distinct
        for i in self._items:
            item = i.item
            head = (item.item_id, item.name, item.unit)
            where = CellRef(i.file, L.SHEET_INDICATORS, SCORE_COLUMN).address
            for ind, value, actual, reason, category, row in iter_indicators(i):
                rounded = shown.get(value)
                if rounded is None:
                    rounded = shown[value] = q2(value)
                yield (
                    *head,
                    *_indicator_columns(ind),
                    rounded,
                    "是" if value >= ind.weight else "否",
                    actual,
                    reason,
                    category,
                    f"{where}{row}",
                )

    def lines(self, field: Callable[[Any], str]) -> Iterator[str]:
        """The rows of :meth:`__iter__` as CSV lines, each value through ``field`` (the CSV
        writer's), so the text is the same (a test compares them); what repeats is formatted
        once: an item's columns per item, an indicator's per framework (a unit's own per
        distinct description), scores and answers per distinct value."""
        fixed: dict[Any, str] = {}
        texts: dict[str | None, str] = {}
        scores: dict[Decimal, str] = {}  # score -> its two-decimal text
        yes, no = field("是"), field("否")

        def text(value: str | None) -> str:  # answers repeat; reasons are often unique
            return remembered(texts, value, field, TEXTS_KEPT)

        for i in self._items:
            item = i.item
            start = ",".join(map(field, (item.item_id, item.name, item.unit)))
            where = CellRef(i.file, L.SHEET_INDICATORS, SCORE_COLUMN).address
            plain = field(f"{where}1") == f"{where}1"  # the address needs no quoting
            fw_id = _key(i.framework)
            for ind, value, actual, reason, category, row in iter_indicators(i):
                # a unit's own indicator by its description (weight as written: 3 and 3.0
                # are equal Decimals that print differently), the others by framework and code
                key = (
                    (*_indicator_columns(ind)[:4], str(ind.weight))
                    if ind.custom
                    else (fw_id, ind.code)
                )
                columns = fixed.get(key)
                if columns is None:
                    columns = fixed[key] = ",".join(map(field, _indicator_columns(ind)))
                score = scores.get(value)
                if score is None:
                    score = scores[value] = field(q2(value))
                source = f"{where}{row}" if plain else field(f"{where}{row}")
                yield (
                    f"{start},{columns},{score},{yes if value >= ind.weight else no},"
                    f"{text(actual)},{text(reason)},{text(category)},{source}"
                )

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(list(self), columns=list(DETAIL_COLUMNS))


class _Head(NamedTuple):
    item_id: str
    name: str
    unit: str


class _Packed(NamedTuple):
    """What 指标明细 reads of an item's score (see :meth:`DetailRows.__reduce__`)."""

    item: _Head
    file: str
    framework: Framework
    indicator_data: Any


def _key(fw: Framework) -> str:
    """A framework as its content makes it: projects' own frameworks share their roster
    framework's id, not its indicators."""
    return f"{fw.id}#{fw.content_hash}"


def _detail_rows(frameworks: dict[str, Framework], rows: list[tuple], count: int) -> DetailRows:
    made = DetailRows.__new__(DetailRows)
    made._items = [
        _Packed(_Head(item_id, name, unit), file, frameworks[fw_id], data)
        for item_id, name, unit, file, fw_id, data in rows
    ]
    made._count = count
    return made


def _indicator_columns(ind: Indicator) -> tuple:
    """编码 … 分值 of a 指标明细 row: the indicator's own columns."""
    return (ind.code, ind.l1, ind.l2, ind.name, "是" if ind.custom else "否", ind.weight)


def details_table(r: Results) -> pd.DataFrame:
    return DetailRows(r).frame()
