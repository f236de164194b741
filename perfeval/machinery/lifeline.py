"""Processes perfeval starts end when the process that started them ends, however it ends.

A worker waits for its next batch on a pipe. When the main process is killed (kill -9, a closed
terminal, the Excel console's process ended), that pipe does not always close: workers forked
later hold copies of their siblings' ends, and the helper holds one too. Without a lifeline they
would wait forever, each holding a share of the machine and files in the evaluation folder.

Each child calls :func:`tie_to_parent` first thing. On Linux the kernel kills the child when its
parent dies (``PR_SET_PDEATHSIG``); elsewhere a thread checks once a second whether the child
has been handed to another parent, and ends it then. Spawned workers (Windows) share no
descriptors with their siblings: their pipe closes with the parent and they end on their own.
A child killed that way may leave a temporary file; the next run removes it
(:func:`perfeval.machinery.atomic.sweep_temporaries`).

Ctrl+C is the parent's to handle: the terminal sends it to every process of the group, so the
children ignore it and the parent, unwinding, stops them with :func:`stop`. SIGTERM makes a child
unwind (``SystemExit``), so that the temporary file it was writing is removed; what has not ended
after a short grace is killed. The parent holds Ctrl+C back while it forks (:func:`forking`), so
that a child never receives one before it has said it ignores it.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from multiprocessing.connection import wait
from typing import Any

PR_SET_PDEATHSIG = 1
CHECK_EVERY = 1.0  # seconds, where the kernel cannot be asked
#: seconds a child asked to stop may take to unwind before it is killed; a child that started
#: unwinding ends by itself after this long, whatever it is doing then
STOP_GRACE = 2


def tie_to_parent(parent_pid: int) -> None:
    """End this process when ``parent_pid`` (the process that started it) ends; ignore Ctrl+C;
    unwind on SIGTERM."""
    with contextlib.suppress(ValueError, OSError):  # not the main thread, or no such signal
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # discards one held back while forking
        signal.signal(signal.SIGTERM, _unwind)
    _release_ctrl_c()
    if sys.platform.startswith("linux") and _kernel_lifeline():
        if os.getppid() != parent_pid:  # the parent died before the lifeline was set
            os._exit(1)
        return
    if sys.platform == "win32":
        return
    thread = threading.Thread(target=_watch, args=(parent_pid,), daemon=True)
    thread.start()


def _unwind(signum: int, frame: Any) -> None:
    """SIGTERM in a child: leave through ``finally`` blocks (a temporary file is removed), and
    end regardless after :data:`STOP_GRACE` seconds, or at once on a second SIGTERM."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "alarm"):
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        signal.alarm(STOP_GRACE)
    raise SystemExit(1)


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


def _release_ctrl_c() -> None:
    if hasattr(signal, "pthread_sigmask"):
        with contextlib.suppress(ValueError, OSError):
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


@contextlib.contextmanager
def forking() -> Iterator[None]:
    """Hold Ctrl+C back from this thread while a child is forked: the child starts with it held
    and lets it go once it ignores it (:func:`tie_to_parent`); here it arrives at the end of the
    block. Without this, a Ctrl+C in the moment after the fork would print the child's traceback
    on the user's terminal."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        if signal.SIGINT not in held:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def stop(processes: Iterable[Any], grace: float = STOP_GRACE) -> None:
    """End ``processes`` (``multiprocessing`` processes started here) now: ask each to stop
    (SIGTERM: it unwinds, removing its temporary file), kill those still running after ``grace``
    seconds, and reap them all."""
    running = [p for p in processes if p.pid is not None and p.exitcode is None]
    for p in running:
        with contextlib.suppress(OSError):
            p.terminate()
    deadline = time.monotonic() + grace
    left = running
    while left and time.monotonic() < deadline:
        wait([p.sentinel for p in left], timeout=deadline - time.monotonic())
        left = [p for p in left if p.exitcode is None]
    for p in left:
        with contextlib.suppress(OSError):
            p.kill()
    for p in running:
        p.join()
