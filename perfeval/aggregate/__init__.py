"""Stage 4: the checked results gathered into figures and tables (pandas), each figure with the
set of items it counts (scope) and the cells it comes from."""
