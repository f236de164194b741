"""XlsxWriter worksheets whose formulas skip a step they do not need.

For every formula, XlsxWriter runs about thirty regular-expression substitutions that rename
Excel 365's dynamic-array functions (FILTER, XLOOKUP, ...) to their stored names. perfeval's
formulas use none of them (SUM, ROUND, IF, IFERROR, ...), and those substitutions were a sixth of
the time to issue a workbook. :class:`FormulaSheet` first looks, with one expression, for any of
those names followed by "(": only then does it hand the formula to XlsxWriter's own code, so the
result is always what XlsxWriter would write (``tests/test_issue.py`` checks the list against the
installed XlsxWriter).
"""

from __future__ import annotations

import re

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

#: the functions XlsxWriter's Worksheet._prepare_formula renames; "INGLE" stands for its SINGLE
#: pattern, written there as r"\SINGLE\(" (any character, then INGLE)
DYNAMIC_FUNCTIONS = (
    "ANCHORARRAY",
    "BYCOL",
    "BYROW",
    "CHOOSECOLS",
    "CHOOSEROWS",
    "DROP",
    "EXPAND",
    "FILTER",
    "HSTACK",
    "LAMBDA",
    "MAKEARRAY",
    "MAP",
    "RANDARRAY",
    "REDUCE",
    "SCAN",
    "INGLE",
    "SEQUENCE",
    "SORT",
    "SORTBY",
    "SWITCH",
    "TAKE",
    "TEXTSPLIT",
    "TOCOL",
    "TOROW",
    "UNIQUE",
    "VSTACK",
    "WRAPCOLS",
    "WRAPROWS",
    "XLOOKUP",
)
_DYNAMIC = re.compile("(?:" + "|".join(DYNAMIC_FUNCTIONS) + r")\(")


class FormulaSheet(Worksheet):
    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        if self.use_future_functions or expand_future_functions or _DYNAMIC.search(formula):
            return super()._prepare_formula(formula, expand_future_functions)
        if formula.startswith("{"):
            formula = formula[1:]
        if formula.startswith("="):
            formula = formula[1:]
        if formula.endswith("}"):
            formula = formula[:-1]
        return formula


class FormulaWorkbook(xlsxwriter.Workbook):
    """A workbook whose sheets are :class:`FormulaSheet` unless asked otherwise."""

    worksheet_class = FormulaSheet
