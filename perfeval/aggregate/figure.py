"""One figure the report states, with where it came from (汇总表's 数据来源)."""

from __future__ import annotations

from typing import NamedTuple


class Figure(NamedTuple):
    """A figure the report states, and where it came from."""

    label: str
    value: str
    source: str
