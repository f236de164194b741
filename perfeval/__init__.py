"""perfeval: budget performance evaluation (预算绩效评价) for county finance bureaus.

The package is a pure core (load, issue, read, check, score, aggregate, render) with two thin
shells: the ``perfeval`` command line (:mod:`perfeval.cli`) and, later, Excel buttons.
"""

__version__ = "0.1.0"
