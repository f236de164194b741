"""Issuing workbooks: one prefilled, protected workbook per roster item."""

from perfeval.issue.workbook import IssuedWorkbook, issue_all, issue_workbook

__all__ = ["IssuedWorkbook", "issue_all", "issue_workbook"]
