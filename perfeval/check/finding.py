"""A finding: one problem at one cell, with its Chinese message and how to fix it.

The catalogue (:mod:`perfeval.check.catalogue`) makes them; everything else reads them. They cross
process boundaries by the hundred thousand, so they pickle as plain tuples; the cache stores them
as JSON (see :mod:`perfeval.machinery.plain`).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "错误"
    WARNING = "警告"
    INFO = "提示"


@dataclass(frozen=True, slots=True)  # a province's run holds a few hundred thousand
class Finding:
    """One problem, located at a cell, with its Chinese message and how to fix it."""

    code: str
    severity: Severity
    file: str
    sheet: str
    cell: str
    message: str
    hint: str
    item_id: str = ""

    @property
    def key(self) -> tuple[str, str, str, str]:
        """(file, sheet, cell, code): what tests and the JSON output compare."""
        return (self.file, self.sheet, self.cell, self.code)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def __reduce__(self) -> tuple:
        # findings cross processes by the hundred thousand: a plain tuple
        # (and the severity by position) unpickles several times faster than a dataclass + enum
        return (
            _rebuild,
            (
                self.code,
                _SEVERITIES.index(self.severity),
                self.file,
                self.sheet,
                self.cell,
                self.message,
                self.hint,
                self.item_id,
            ),
        )


_SEVERITIES = tuple(Severity)


def _rebuild(
    code: str, severity: int, file: str, sheet: str, cell: str, message: str, hint: str, item: str
) -> Finding:
    # codes, sheet names and hints repeat in every file: one string object each, not one per
    # finding (100,000 files carry a few hundred thousand findings)
    return Finding(
        sys.intern(code),
        _SEVERITIES[severity],
        file,
        sys.intern(sheet),
        cell,
        message,
        sys.intern(hint),
        item,
    )
