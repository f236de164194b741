"""Reading returned workbooks: container checks, cell values with their coordinates, parsing."""
