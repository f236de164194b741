"""Outputs for people: summary workbook, validation report, the annual report (md and docx)."""
