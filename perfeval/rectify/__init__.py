"""Following up last year's problems (整改): one ledger per unit, issued from the archive,
returned, checked, summed up for the report and archived."""
