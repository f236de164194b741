"""The Excel control workbook: its layout, how it is built, and what its buttons do."""
