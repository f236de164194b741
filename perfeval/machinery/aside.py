"""Work beside the caller: writing an output file while the next step goes on.

Where processes can be forked, :func:`run_aside` forks a writer that shares the caller's memory.
A large process cannot be forked cheaply (see ``ASIDE_MAX_MB``); its work goes instead to the
*helper*, a process forked while the caller was still small (:func:`start_helper`), to which the
work and its arguments are sent pickled. Only work whose arguments pickle compactly is sent
(``portable=True``): 指标明细.csv sends the scores' packed indicator rows, not the results.
Whatever cannot start beside the caller runs in the caller when it is waited for, so the output
is the same either way.

Work beside a caller that is unwinding from a Ctrl+C is not wanted any more: waiting for it then
stops it instead, and work not started yet is never started (see :meth:`_Aside.abandon`). What
still runs when the caller's process ends is stopped then. Stopped work removes its temporary
file (see :mod:`perfeval.machinery.lifeline`).
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import logging
import multiprocessing as mp
import multiprocessing.util
import os
import pickle
import select
import socket
import sys
import weakref
from collections.abc import Callable
from typing import Any

from perfeval.machinery.heap import long_lived
from perfeval.machinery.lifeline import forking, stop, tie_to_parent

log = logging.getLogger(__name__)

#: A forked writer shares the parent's memory until either side writes to a page, and both do:
#: the writer walks the results it writes out, and the parent goes on aggregating the same
#: results (reference counts are writes). Above this size the work is done in this process
#: or in the helper instead: at 100,000 files even a writer of 校验报告 that read nothing but one
#: 38 MB bytes object, forked while the parent aggregated, took the process tree to 1,151 MiB.
ASIDE_MAX_MB = 400

#: forked writers running at once: the caller goes on working beside them, so more than one per
#: remaining core only shares the same cores, and each holds its own copy of what it touches
ASIDE_AT_ONCE = max(1, (os.cpu_count() or 2) - 1)
_ASIDE: dict[int, list[Any]] = {}  # process id -> the writers it forked, maybe still running

#: what the helper imports before it says it is ready (the work it is sent lives there)
HELPER_MODULES = (
    "perfeval.aggregate.detail_rows",
    "perfeval.render.csv_export",
    "perfeval.render.validation_report",
)


def can_fork() -> bool:
    return "fork" in mp.get_all_start_methods()


def _running_aside() -> int:
    """Writers this process forked that are still running (a forked process inherits its
    parent's table, hence the key)."""
    mine = _ASIDE.setdefault(os.getpid(), [])
    mine[:] = [p for p in mine if p.exitcode is None]
    return len(mine)


def _resident_mb() -> float:
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            pages = int(fh.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0


def run_aside(work: Callable[..., Any], *args: Any, portable: bool = False) -> Callable[[], None]:
    """Start ``work(*args)`` beside the caller (writing 指标明细.csv while 汇总表 is written);
    returns a function that waits for it. ``portable``: the arguments pickle compactly, so the
    work may be sent to the helper when this process is too large to fork.

    When enough writers run already (``ASIDE_AT_ONCE``), or this process is too large to fork
    and the helper is busy or absent, the work waits: :func:`start_deferred`, called between
    steps, starts it once a place is free. Work not started by the time it is waited for, where
    processes cannot be forked (Windows), or whose process failed, runs in this process then.
    """
    if not can_fork():
        return lambda: work(*args)
    aside = _Aside(work, args, portable)
    if not aside.start():
        _DEFERRED.setdefault(os.getpid(), []).append(weakref.ref(aside))
    return aside.wait


def start_deferred() -> None:
    """Start the work :func:`run_aside` had to hold back, as far as places are free."""
    waiting = _DEFERRED.get(os.getpid())
    while waiting:
        aside = waiting[0]()
        if aside is not None and not aside.start():
            return
        waiting.pop(0)


#: process id -> work waiting for a free writer. Held weakly: work whose waiting function was
#: dropped (a run that ended by an error before waiting) is never started later, in the Excel
#: console's long-lived process, over a newer run's output.
_DEFERRED: dict[int, list[weakref.ref[_Aside]]] = {}


class _Aside:
    def __init__(self, work: Callable[..., Any], args: tuple[Any, ...], portable: bool) -> None:
        self.work, self.args, self.portable = work, args, portable
        self.process: Any = None
        self.helper: _Helper | None = None

    def start(self) -> bool:
        """Start the work when a place is free; False when it has to wait."""
        if _resident_mb() > ASIDE_MAX_MB:
            helper = _HELPER.get(os.getpid())
            if not self.portable or helper is None or not helper.free():
                return False
            if not helper.send(self):
                return False
            self.helper = helper
            return True
        if _running_aside() >= ASIDE_AT_ONCE:
            return False
        process = mp.get_context("fork").Process(
            target=_quietly, args=(os.getpid(), self.work, *self.args), daemon=True
        )
        # The forked process shares this one's memory until it writes to it, and a garbage
        # collection writes to every object it visits: frozen objects are not visited there.
        try:
            with long_lived(), forking():
                process.start()
                _ASIDE[os.getpid()].append(process)
        except OSError:
            return False
        self.process = process
        return True

    def wait(self) -> None:
        """Wait for the work, or do it here if it did not start or failed; while the caller
        unwinds from a Ctrl+C, :meth:`abandon` it instead."""
        if _interrupted():
            self.abandon()
            return
        if self.helper is None and self.process is None:  # never started: done here, now
            self._forget()
            self.work(*self.args)
            return
        try:
            if self.helper is not None:
                done = self.helper.outcome(self)
            else:
                self.process.join()
                done = self.process.exitcode == 0
        except BaseException:  # a Ctrl+C while waiting
            self.abandon()
            raise
        if not done:
            log.warning(
                "background %s failed; running it again here",
                getattr(self.work, "__name__", self.work),
            )
            self.work(*self.args)

    def abandon(self) -> None:
        """Nobody will use this output: stop the work where it runs, and never start it."""
        self._forget()
        if self.helper is not None:
            if self.helper.running is self:
                self.helper.discard()
            self.helper.results.pop(id(self), None)
        elif self.process is not None:
            stop([self.process])

    def _forget(self) -> None:
        waiting = _DEFERRED.get(os.getpid(), [])
        waiting[:] = [ref for ref in waiting if ref() not in (self, None)]


def _interrupted() -> bool:
    """The caller is unwinding from a Ctrl+C (or an exit): this is called in its handler."""
    return isinstance(sys.exc_info()[1], (KeyboardInterrupt, SystemExit))


def _stop_writers() -> None:
    """Stop the writers this process forked that still run."""
    stop(_ASIDE.pop(os.getpid(), []))


def _quietly(parent_pid: int, work: Callable[..., Any], *args: Any) -> None:
    """The background side of :func:`run_aside`: a failure only sets the exit code (the caller
    runs the work again and reports the error itself), no traceback on the user's terminal.
    It ends with its caller: an output nobody waits for is not finished."""
    tie_to_parent(parent_pid)
    try:
        work(*args)
    except BaseException:  # an error, or asked to stop (SIGTERM): its own writers stop too
        _stop_writers()
        os._exit(1)


# --- the helper ---------------------------------------------------------------------------------

_HELPER: dict[int, _Helper] = {}  # process id -> its helper


def start_helper() -> None:
    """Fork the helper now, while this process is small, unless it has one or cannot fork.
    Call it before loading a large evaluation; it lives as long as this process."""
    if not can_fork() or not _resident_mb():  # without /proc/self/statm it is never used
        return
    helper = _HELPER.pop(os.getpid(), None)
    if helper is not None:
        if helper.process.is_alive():
            _HELPER[os.getpid()] = helper
            return
        helper.discard()
    try:
        _HELPER[os.getpid()] = _Helper()
    except OSError:
        log.warning("could not start the helper process", exc_info=True)


def _helper_main(sock: socket.socket, theirs: socket.socket, parent_pid: int) -> None:
    """Jobs arrive as pickles on a stream, read as they come: neither side holds a job's whole
    pickle (70 MB for 指标明细 at 100,000 files) beside the objects it stands for. The stream
    ends when the caller's process ends, however it ends: then this one does too."""
    theirs.close()  # the caller's end, copied by the fork: held here, it would never end
    tie_to_parent(parent_pid)  # workers forked later hold copies of that end too
    try:
        for name in HELPER_MODULES:
            importlib.import_module(name)
        sock.sendall(_READY)
        with sock.makefile("rb", buffering=_BUFFER) as jobs:
            while True:
                job = pickle.load(jobs)
                if job is None:
                    return
                try:
                    job[0](*job[1])
                    done = _DONE
                except Exception:  # the caller runs the work again and reports the error itself
                    done = _FAILED
                del job
                sock.sendall(done)
    except (Exception, KeyboardInterrupt):  # the caller has gone, is stopping, or sent a job
        return  # it cannot read: the caller does that work itself, and says why if it fails
    finally:  # asked to stop (SIGTERM) while a job forked writers of its own: they stop too
        _stop_writers()


_READY, _DONE, _FAILED = b"R", b"1", b"0"
_BUFFER = 1 << 16


class _Helper:
    """One process that runs the work it is sent, one job at a time."""

    def __init__(self) -> None:
        self.sock, child = socket.socketpair()
        try:
            self.process = mp.get_context("fork").Process(
                target=_helper_main, args=(child, self.sock, os.getpid()), daemon=True
            )
            with forking():
                self.process.start()
        finally:
            child.close()
        self.ready = False
        self.running: _Aside | None = None
        self.results: dict[int, bool] = {}  # id(aside) -> whether its work succeeded

    def _answer(self, block: bool) -> bytes | None:
        """The helper's next one-byte answer; None when there is none yet (or it has gone)."""
        while not select.select([self.sock], [], [], 1.0 if block else 0)[0]:
            if not block:
                return None
            if not self.process.is_alive():
                self.ready = False
                return None
        try:
            answer = self.sock.recv(1)
        except OSError:
            answer = b""
        if not answer:  # it has gone
            self.ready = False
        return answer or None

    def free(self) -> bool:
        """Ready and idle. Never waits: a helper that is not ready yet (or never will be: a
        fork taken while another thread held a lock) is simply not used."""
        if not self.ready:
            self.ready = self._answer(block=False) == _READY
        elif self.running is not None:
            self._collect(block=False)
        return self.ready and self.running is None and self.process.is_alive()

    def send(self, aside: _Aside) -> bool:
        try:
            with long_lived(), self.sock.makefile("wb", buffering=_BUFFER) as out:
                pickle.dump((aside.work, aside.args), out, protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException as exc:  # it died, or the work cannot be pickled, or a Ctrl+C
            # a job cut off halfway leaves the stream unusable: this helper goes, and the next
            # run forks another; the work is done in the caller
            log.debug("could not hand %s to the helper", aside.work, exc_info=True)
            self.discard()
            if not isinstance(exc, Exception):
                raise
            return False
        self.running = aside
        return True

    def discard(self) -> None:
        """Stop the helper now, whatever it is doing (a job it is writing leaves no temporary
        file behind)."""
        self.ready = False
        if _HELPER.get(os.getpid()) is self:
            del _HELPER[os.getpid()]
        with contextlib.suppress(OSError):
            self.sock.close()
        stop([self.process])

    def _collect(self, block: bool) -> None:
        assert self.running is not None
        answer = self._answer(block)
        if answer is None and not block:
            return
        self.results[id(self.running)] = answer == _DONE
        self.running = None

    def outcome(self, aside: _Aside) -> bool:
        """Wait for ``aside``'s work; whether it succeeded."""
        if self.running is aside:
            self._collect(block=True)
        return self.results.pop(id(aside), False)

    def stop(self) -> None:
        with contextlib.suppress(OSError), self.sock.makefile("wb") as out:
            pickle.dump(None, out)
        self.sock.close()
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


def stop_helper() -> None:
    helper = _HELPER.pop(os.getpid(), None)
    if helper is not None:
        helper.stop()


def _at_exit() -> None:
    """This process ends: work still running beside it is not waited for by anyone. Stopped here,
    before ``multiprocessing`` would wait for it without limit (atexit runs this first: it is
    registered after ``multiprocessing.util`` was imported)."""
    _stop_writers()
    helper = _HELPER.pop(os.getpid(), None)
    if helper is not None:
        helper.discard()


atexit.register(_at_exit)
