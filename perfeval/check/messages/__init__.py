"""The catalogue's rules by subject, one module each (see :mod:`perfeval.check.catalogue`)."""
