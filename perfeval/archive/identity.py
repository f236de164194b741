"""Which evaluations are of the same project: across years (项目编号 often carries the year)
and across evaluators (a unit's 自评 and the bureau's 财政评价 of one project)."""

from __future__ import annotations

import re

from perfeval.read.parse import normalize_text

_YEAR = re.compile(r"^[(（]?\d{4}\s*年度?[)）]?\s*")


def project_key(name: str, unit: str) -> str:
    """A project's name without a leading year ("2024年…", "（2024年度）…") and its unit,
    compared as normalized text."""
    return f"{_YEAR.sub('', normalize_text(name))}|{normalize_text(unit)}"
