"""A score's packed form: plain data that crosses processes and goes into the cache.

A packed score is two lines of JSON, as bytes: the score's own fields, then its indicator rows,
column by column. The roster item and the framework are referred to by the outcome that carries
the score, and re-linked when it is unpacked. The subtotals, total and counts are computed once,
in the worker. A score waits packed until it is needed, and its indicator rows until 指标明细 is
written, so 100,000 scored workbooks fit in memory and load in seconds.

Packed scores come back from the cache, which anyone may have replaced: :func:`read_pack` checks
one against the framework it claims to be scored on, so that whatever it accepts unpacks and
decodes without fail. Unpacking and row decoding trust what they are given.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from perfeval import layout as L
from perfeval.config.framework import Framework, Indicator
from perfeval.config.roster import RosterItem
from perfeval.config.settings import Settings
from perfeval.issue.plan import SheetRow, sheet_rows
from perfeval.machinery import plain as P
from perfeval.model import CellRef
from perfeval.read.parse import remembered
from perfeval.score import IndicatorScore, ItemScore, Level1Score

#: bump when the packed layout changes: it is part of the cache context
PACK_FORMAT = 3

#: the first line: budget, executed, rate, budget cell, executed cell, level1, total, overview,
#: outputs, problems, indicator count, full marks, categories
HEAD = 13
ROW_COLUMNS = 7  # codes, scores, answers, reasons, categories, sheet rows, own indicators
MAX_ROW = 1_048_576
_CELL = re.compile(r"[A-Z]{1,3}[1-9][0-9]{0,6}")
SHORT = 24  # texts up to this length are interned (categories repeat a lot)

_DECIMALS: dict[str, Decimal] = {}


def _intern(text: str) -> str:
    return sys.intern(text) if len(text) <= SHORT else text


def pack(score: ItemScore) -> bytes:
    """Plain data for another process or the cache: no roster item, no framework objects, no
    file name (the outcome is read back under the file's name of the day). A unit's own
    indicator carries its description."""
    rows = []
    for s in score.indicators:
        ind = s.indicator
        own = (
            [ind.name, str(ind.weight), ind.direction, ind.target, ind.unit] if ind.custom else None
        )
        rows.append((ind.code, str(s.score), s.actual, s.reason, s.category, s.row, own))
    columns = [list(c) for c in zip(*rows, strict=True)] or [[] for _ in range(ROW_COLUMNS)]
    rate = score.execution_rate
    head = [
        str(score.budget),
        str(score.executed),
        None if rate is None else str(rate),
        score.budget_ref.cell,
        score.executed_ref.cell,
        [
            [str(x.score), None if x.rate is None else str(x.rate), x.first_cell, x.cells]
            for x in score.level1
        ],
        str(score.total),
        score.overview,
        score.outputs,
        [list(p) for p in score.problems],
        score.indicator_count,
        score.full_marks,
        list(score.category_labels),
    ]
    return P.dumps(head) + b"\n" + P.dumps(columns)


def decimal_of(text: str | None) -> Decimal | None:
    """One Decimal object per written form: scores, subtotals and rates repeat across thousands
    of workbooks. Safe because Decimals are immutable and equal texts print alike."""
    return None if text is None else remembered(_DECIMALS, text, Decimal)


def unpack(
    data: bytes, file: str, item: RosterItem, fw: Framework, settings: Settings
) -> ItemScore:
    """Rebuild a score from :func:`pack` (as made, or as :func:`read_pack` accepted it), linked
    to the file's name and today's roster item and framework. Nothing is recomputed; the
    indicator rows stay packed."""
    line, _, indicators = data.partition(b"\n")
    (
        budget,
        executed,
        rate,
        budget_cell,
        executed_cell,
        level1,
        total,
        overview,
        outputs,
        problems,
        count,
        full_marks,
        labels,
    ) = json.loads(line)
    total_value = decimal_of(total)
    return ItemScore(
        item=item,
        framework=fw,
        file=file,
        budget=Decimal(budget),
        executed=Decimal(executed),
        execution_rate=decimal_of(rate),
        budget_ref=CellRef(file, L.SHEET_INFO, budget_cell),
        executed_ref=CellRef(file, L.SHEET_INFO, executed_cell),
        level1=tuple(
            Level1Score(top.name, top.weight, decimal_of(sub), decimal_of(pct), first, cells)
            for top, (sub, pct, first, cells) in zip(fw.level1, level1, strict=True)
        ),
        total=total_value,  # type: ignore[arg-type]
        grade=settings.grade_for(total_value, fw.total),  # type: ignore[arg-type]
        overview=overview,
        outputs=outputs,
        problems=tuple(tuple(p) for p in problems),
        indicator_count=count,
        full_marks=full_marks,
        category_labels=tuple(_intern(c) for c in labels),
        indicator_data=indicators,
    )


def read_pack(data: bytes, fw: Framework, total: str) -> None:
    """Check a packed score read back from the cache, field by field, against ``fw`` and the
    ``total`` its outcome states: raises :class:`.plain.Malformed` unless :func:`unpack`
    and :func:`iter_indicators` will take it without fail. (Columns are checked as wholes where
    they can be: a province's re-run reads 100,000 of them.)"""
    line, _, rows = data.partition(b"\n")
    head = P.loads(line)
    if type(head) is not list or len(head) != HEAD:
        raise P.Malformed("packed score expected")
    budget, executed, rate, budget_cell, executed_cell, level1 = head[:6]
    stated, overview, outputs, problems, count, full_marks, labels = head[6:]
    if stated != total:
        raise P.Malformed("not the outcome's total")
    P.decimals([budget, executed])
    if (
        type(level1) is not list
        or len(level1) != _shape(fw)[1]
        or (level1 and (set(map(type, level1)) != {list} or set(map(len, level1)) != {4}))
    ):
        raise P.Malformed("one subtotal per first-level indicator expected")
    subtotals, rates, firsts, cells = zip(*level1, strict=True) if level1 else ((),) * 4
    P.all_cents([total, *subtotals, *(r for r in (rate, *rates) if r is not None)])
    _cells([budget_cell, executed_cell, *(c for c in firsts if c != "")])
    if cells and (set(map(type, cells)) != {int} or min(cells) < 0 or max(cells) > MAX_ROW):
        raise P.Malformed("row counts expected")
    P.texts([overview, outputs])
    if type(problems) is not list:
        raise P.Malformed("list of problems expected")
    for problem in problems:
        P.texts(problem, 3)
    if P.whole(full_marks) > P.whole(count):
        raise P.Malformed("more full marks than indicators")
    P.texts(labels)
    _read_rows(rows, fw, count)


_VALID_CELLS: set[str] = set()  # cell addresses already found well-formed (a few hundred)


def _cells(values: list) -> None:
    for value in set(P.texts(values)).difference(_VALID_CELLS):
        if not _CELL.fullmatch(value):
            raise P.Malformed("cell address expected")
        if len(_VALID_CELLS) < 10_000:
            _VALID_CELLS.add(value)


def _read_rows(data: bytes, fw: Framework, count: int) -> None:
    columns = P.loads(data)
    if (
        type(columns) is not list
        or len(columns) != ROW_COLUMNS
        or set(map(type, columns)) != {list}
        or set(map(len, columns)) != {count}
    ):
        raise P.Malformed("indicator rows expected")
    codes, scores, answers, reasons, categories, rows, own = columns
    P.texts([*codes, *answers, *reasons, *categories])
    P.decimals(scores)
    if rows and (set(map(type, rows)) != {int} or min(rows) < 1 or max(rows) > MAX_ROW):
        raise P.Malformed("sheet rows expected")
    specs, found = _shape(fw)[0], set(codes)
    if len(found) != count or not specs.keys() >= found:
        raise P.Malformed("indicators of another framework, or one twice")
    for code, mine in zip(codes, own, strict=True):
        if (mine is None) != (specs[code].leaf is not None):
            raise P.Malformed("a unit's own indicator expected on reserved rows, only there")
        if mine is not None:
            P.texts(mine, 5)
            P.decimal(mine[1])


def _shape(fw: Framework) -> tuple[dict[str, SheetRow], int]:
    """The 指标 sheet's rows by code, and the number of first-level indicators (kept on the
    framework: frameworks are frozen)."""
    shape = fw.__dict__.get("_pack_shape")
    if shape is None:
        shape = ({r.code: r for r in sheet_rows(fw)}, len(fw.level1))
        object.__setattr__(fw, "_pack_shape", shape)
    return shape


def iter_indicators(
    score: Any,
) -> Iterator[tuple[Indicator, Decimal, str, str, str, int]]:
    """The score's indicator rows as plain tuples shaped like :class:`IndicatorScore`, decoded
    from the packed form without building an object per row (指标明细 has millions).
    ``score``: an :class:`ItemScore`, or anything with its ``framework`` and
    ``indicator_data``."""
    data = score.indicator_data
    if isinstance(data, bytes):
        yield from _rows_of(data, score.framework)
    else:
        yield from data


def _rows_of(data: bytes, fw: Framework) -> Iterator[tuple[Indicator, Decimal, str, str, str, int]]:
    by_code, known = fw.code_index, _DECIMALS  # 指标明细 of a province: millions of rows
    for code, text, actual, reason, category, row, own in zip(*json.loads(data), strict=True):
        ind = by_code[code] if own is None else _custom_indicator(code, row, own, fw)
        value = known.get(text)
        if value is None:
            value = decimal_of(text)
        yield ind, ind.weight if value == ind.weight else value, actual, reason, category, row


def _custom_indicator(code: str, row: int, own: list[str], fw: Framework) -> Indicator:
    """A unit's own indicator (自设指标), rebuilt from its packed description and the reserved
    row it was typed into (as :func:`perfeval.read.rows.custom_indicator` built it)."""
    name, weight, direction, target, unit = own
    spec = _shape(fw)[0][code]
    return Indicator(
        code=code,
        level=3,
        name=name,
        weight=Decimal(weight),
        row=row,
        parent=spec.group.code,
        l1=spec.l1,
        l2=spec.l2,
        direction=direction,
        target=target,
        unit=unit,
        custom=True,
    )


def decode_indicators(data: bytes, fw: Framework) -> tuple[IndicatorScore, ...]:
    return tuple(IndicatorScore._make(row) for row in _rows_of(data, fw))
