"""Python's cyclic garbage collector during bulk work.

A run builds hundreds of thousands of objects that live until it ends (outcomes, scores, table
rows) and few reference cycles. The collector does not know that: each time the heap has grown by
a quarter it walks all of it again, and at 100,000 workbooks those walks took a fifth of the
aggregation. Within :func:`long_lived`, objects that exist (and those settled later) are left out
of these walks; reference counting still frees everything that is not in a cycle, and on leaving
every object is the collector's again, so a long-lived process (the Excel console) does not keep
garbage cycles made during a run.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def long_lived() -> Iterator[Callable[[], None]]:
    """Leave what exists now out of cyclic collection until the block ends; the function
    yielded does the same for what was made since (cheap: call it as results come in). Within
    an outer block, leaving an inner one keeps everything frozen until the outer one ends."""
    outermost = gc.get_freeze_count() == 0
    gc.freeze()
    try:
        yield gc.freeze
    finally:
        if outermost:
            gc.unfreeze()
