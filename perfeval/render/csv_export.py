"""A long table as CSV that Excel opens directly: UTF-8 with BOM, CRLF, fields quoted as the csv
module's excel dialect quotes them, and text that could become a formula behind an apostrophe (as
OWASP advises for spreadsheet exports). Characters XML cannot carry are replaced as in workbooks
(render.text.visible_text). Missing values (None, NaN) are empty fields.

Written CHUNK rows at a time, column by column, and never more: the table may be a DataFrame or
rows made on demand (detail_rows.DetailRows, millions of them for a province). The distinct
strings of a column's batch are joined and searched once; if none needs quoting, cleaning or an
apostrophe, the batch is written as it is. Decimals and ints go through ``map(str, …)``. Only a
batch with something to treat goes value by value. The output is the csv module's, byte for
byte (tests/test_fast_writer.py), at about a quarter of its time.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from itertools import chain, islice
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from perfeval.machinery.atomic import atomic_path
from perfeval.render.text import FORMULA_LOOKALIKES, needs_quote_prefix, visible_text

CHUNK = 5000
_SEP = "\x01"  # replaced by visible_text, so it never occurs in its output
# A batch joined with _SEP is passed through only without something to replace or to quote, and
# without a formula head (past leading spaces) after a separator.
_SPECIAL = re.compile('[\\x00\\x02-\\x08\\x0b-\\x1f\\ud800-\\udfff\\ufffe\\uffff,"\\n]')
_HEAD = re.compile(f"\\x01 *[=+\\-@\\t{FORMULA_LOOKALIKES}]")
_QUOTE = re.compile('[,"\\r\\n]')


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if _QUOTE.search(text) else text


def _field(value: Any) -> str:
    if type(value) is str:
        text = visible_text(value)
        return _quoted("'" + text if needs_quote_prefix(text) else text)
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return _quoted(str(value))


def _column(values: Sequence[Any]) -> Sequence[str]:
    kinds = set(map(type, values))
    if kinds == {str}:
        distinct = set(values)  # names and categories repeat down a column
        joined = _SEP + _SEP.join(distinct)
        if (
            joined.count(_SEP) == len(distinct)
            and not _SPECIAL.search(joined)
            and not _HEAD.search(joined)
        ):
            return values
    elif kinds in ({Decimal}, {int}) or (kinds == {float} and all(v == v for v in values)):
        return list(map(str, values))
    return [_field(v) for v in values]


class Rows(Protocol):
    """Rows made on demand (detail_rows.DetailRows): column labels and an iterator of row tuples;
    optionally ``lines(field)``, the rows as CSV lines made with this module's ``field``."""

    columns: Sequence[str]

    def __iter__(self) -> Iterator[Sequence[Any]]: ...


def _batches(table: pd.DataFrame | Rows) -> Iterator[list[Sequence[Any]]]:
    """The table's values, CHUNK rows at a time, as columns."""
    if isinstance(table, pd.DataFrame):
        series = [table.iloc[:, c] for c in range(len(table.columns))]
        for start in range(0, len(table), CHUNK):
            yield [s.iloc[start : start + CHUNK].tolist() for s in series]
        return
    rows = iter(table)
    while batch := list(islice(rows, CHUNK)):
        yield list(zip(*batch, strict=True))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Rows made on demand are many short-lived tuples and no reference cycles: the cyclic
    collector's passes over the parent's heap found nothing and took a fifth of the time."""
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


def write_csv(path: Path, table: pd.DataFrame | Rows) -> None:
    """``table`` is a DataFrame or rows made on demand; either way only CHUNK rows are held."""
    with (
        atomic_path(path) as tmp,
        tmp.open("w", encoding="utf-8-sig", newline="") as fh,
        _collector_paused(),
    ):
        fh.write(",".join(_quoted(str(label)) for label in table.columns) + "\r\n")
        if hasattr(table, "lines"):  # rows that format themselves, repeating parts once
            made = table.lines(_field)
            while batch := list(islice(made, CHUNK)):
                fh.write("\r\n".join(chain(batch, [""])))
            return
        for batch in _batches(table):
            columns = [_column(values) for values in batch]
            if len(columns) == 1:  # a lone empty field is written "" so the row is not lost
                columns = [[v or '""' for v in columns[0]]]
            lines = map(",".join, zip(*columns, strict=True))
            fh.write("\r\n".join(chain(lines, [""])))
