"""``perfeval combine``: counties' results into a prefecture's or province's roll-up."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from perfeval.combine.inputs import RegionYear, read_inputs
from perfeval.combine.write import write_combined
from perfeval.config.settings import default_settings


@dataclass
class Combined:
    regions: list[RegionYear]
    outputs: list[Path]
    tables: dict[str, pd.DataFrame]


def combine(inputs: list[str], out: Path, *, year: int | None = None, title: str = "") -> Combined:
    regions = read_inputs(inputs, year)
    settings = default_settings(out)
    years = "、".join(sorted({str(r.year) for r in regions}))
    shown = title or f"{years}年度{len(regions)}个地区绩效评价汇总"
    outputs, tables = write_combined(regions, out, shown, settings)
    return Combined(regions, outputs, tables)
