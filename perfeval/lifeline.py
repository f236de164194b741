"""Processes perfeval starts end when the process that started them ends, however it ends.

A worker waits for its next batch on a pipe. When the main process is killed (kill -9, a closed
terminal, the Excel console's process ended), that pipe does not always close: workers forked
later hold copies of their siblings' ends, and the helper holds one too. Without a lifeline they
would wait forever, each holding a share of the machine and files in the evaluation folder.

Each child calls :func:`tie_to_parent` first thing. On Linux the kernel kills the child when its
parent dies (``PR_SET_PDEATHSIG``); elsewhere a thread checks once a second whether the child
has been handed to another parent, and ends it then. Spawned workers (Windows) share no
descriptors with their siblings: their pipe closes with the parent and they end on their own.

Ctrl+C is the parent's to handle: the terminal sends it to every process of the group, so the
children ignore it and end with the parent instead of each printing a traceback.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1
CHECK_EVERY = 1.0  # seconds, where the kernel cannot be asked


def tie_to_parent(parent_pid: int) -> None:
    """End this process when ``parent_pid`` (the process that started it) ends."""
    with contextlib.suppress(ValueError, OSError):  # not the main thread, or no such signal
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux") and _kernel_lifeline():
        if os.getppid() != parent_pid:  # the parent died before the lifeline was set
            os._exit(1)
        return
    if sys.platform == "win32":
        return
    thread = threading.Thread(target=_watch, args=(parent_pid,), daemon=True)
    thread.start()


def _kernel_lifeline() -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(CHECK_EVERY)
    os._exit(1)
