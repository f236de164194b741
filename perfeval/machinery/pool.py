"""Run a function over many files in worker processes, one poisonous file at a time.

A reader can crash the whole process on a hostile file (python-calamine aborts on some
allocations), run away with memory, or hang. Each worker gets a memory limit; the parent knows
which file each worker is on, so a crash or a timeout costs that one file (``fail`` makes its
result) while the rest of the worker's batch is handed to a fresh worker. Results come back in the
order of the jobs. A Ctrl+C or an error in the parent stops every worker before it goes on, and
the workers end by themselves when the parent is killed (see :mod:`perfeval.machinery.lifeline`).
"""

from __future__ import annotations

import contextlib
import faulthandler
import gc
import logging
import multiprocessing as mp
import os
import stat
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from perfeval.errors import PerfevalError
from perfeval.machinery.lifeline import forking, stop, tie_to_parent

log = logging.getLogger(__name__)

Job = tuple[str, str]  # (path, name shown to users)
SEND_EVERY = 8  # results per message from a worker
SEND_AFTER_NS = 200_000_000  # ... or fewer, when they took this long (progress stays live)
BATCH_MAX = 64  # files per batch handed to a worker
CHECK_EVERY_NS = 250_000_000  # how often workers are asked whether they are alive
SPAWNED_START_LIMIT = 600.0  # seconds a spawned worker may take to start


@dataclass
class _Worker:
    process: Any
    conn: Connection
    slot: Any  # shared [job index, start time in ns]: which file the worker is on, no message
    batch: deque[int] = field(default_factory=deque)
    born_ns: int = field(default_factory=time.monotonic_ns)

    @property
    def started(self) -> bool:
        """It has begun at least one file (it got through its own start)."""
        return self.slot[0] >= 0

    def stuck_at_start(self, now_ns: int, timeout: float) -> bool:
        """Handed files but not started on the first one within ``timeout``: hung while it
        started (a lock another thread of the parent held when it was forked, say)."""
        return bool(self.batch) and not self.started and (now_ns - self.born_ns) / 1e9 > timeout

    @property
    def current(self) -> int | None:
        index = self.slot[0]
        return index if index in self.batch else None

    def busy_for(self, now_ns: int) -> float:
        return (now_ns - self.slot[1]) / 1e9 if self.current is not None else 0.0


def _limit_memory(extra_mb: int) -> None:
    """Cap this process's address space at what it uses now plus ``extra_mb``."""
    if extra_mb <= 0 or sys.platform == "win32":
        return
    import resource

    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            vm = next(int(line.split()[1]) * 1024 for line in fh if line.startswith("VmSize:"))
    except (OSError, StopIteration):
        vm = 0
    limit = vm + extra_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _worker_main(
    conn: Connection,
    slot: Any,
    work: Callable,
    fail: Callable,
    init: Callable | None,
    init_args: tuple,
    memory_mb: int,
    log_path: str | None,
    prefetch: bool = False,
    parent_pid: int = 0,
) -> None:
    tie_to_parent(parent_pid)  # a killed run must not leave its workers waiting forever
    if log_path:  # a reader's crash report goes to the log, not over the user's terminal
        try:
            fd = _open_log(log_path)
            os.dup2(fd, 2)
            os.close(fd)
            if faulthandler.is_enabled():  # it writes to a descriptor of its own: the log's now
                faulthandler.enable(file=2)
        except (OSError, ValueError):
            pass
    if init is not None:
        init(*init_args)
    # A worker allocates many short-lived objects per file and keeps long-lived ones (settings,
    # roster, parse memos): leave the latter out of garbage collection and collect the young
    # generation less often. About 15 % less time per file; reference counting frees the rest.
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    _limit_memory(memory_mb)
    while True:
        batch = conn.recv()
        if batch is None:
            return
        if prefetch:
            _prefetch(path for _, path, _ in batch)
        done: list[tuple[int, Any]] = []
        sent = time.monotonic_ns()
        for index, path, name in batch:
            slot[1] = time.monotonic_ns()
            slot[0] = index
            try:
                result = work(path, name)
            except MemoryError:
                result = fail(name, "memory")
            done.append((index, result))
            # results go back a few at a time (fewer messages, fewer wake-ups of the parent);
            # a crash before they are sent only means the parent hands them out again
            if len(done) >= SEND_EVERY or time.monotonic_ns() - sent > SEND_AFTER_NS:
                conn.send(done)
                done, sent = [], time.monotonic_ns()
        if done:
            conn.send(done)


def _open_log(path: str) -> int:
    """The workers' log in the evaluation folder, appended to; never through a link (it could
    point anywhere) and never a pipe (opening one blocks): then nowhere, rather than the
    terminal."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_NONBLOCK", 0), 0o644)
    except OSError:
        return os.open(os.devnull, os.O_WRONLY)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        return os.open(os.devnull, os.O_WRONLY)
    return fd


def _prefetch(paths: Iterable[str]) -> None:
    """Ask the system to start reading a batch's files now, while the worker checks the first
    ones. Files not in the page cache (a province's returns outgrow it) cost a worker about
    0.2 ms each of waiting for the disk otherwise; asking costs about 0.04 ms. Only a hint:
    where it is not available, or fails, the files are read as they come."""
    advise = getattr(os, "posix_fadvise", None)
    if advise is None:
        return
    for path in paths:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            advise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
        except OSError:
            pass
        finally:
            os.close(fd)


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def run_isolated(
    jobs: Sequence[Job],
    work: Callable[[str, str], Any],
    fail: Callable[[str, str], Any],
    *,
    init: Callable | None = None,
    init_args: tuple = (),
    workers: int = 0,
    timeout: float = 60.0,
    memory_mb: int = 1024,
    progress: Callable[[int, int], None] | None = None,
    log_path: str | None = None,
    on_result: Callable[[int, Any], Any] | None = None,
    prefetch: bool = False,
) -> list[Any]:
    """``work(path, name)`` for every job in worker processes; ``fail(name, why)`` stands in
    for a job whose worker crashed ("crash"), timed out ("timeout") or ran out of memory.
    ``on_result(index, result)``, when given, is called in this process as each result comes
    in (while the workers go on), and what it returns is kept instead. ``prefetch``: jobs'
    paths are files the work reads whole (see :func:`_prefetch`)."""
    keep = on_result or (lambda _, result: result)
    total = len(jobs)
    results: list[Any] = [None] * total
    if not total:
        return results
    workers = min(workers or default_workers(), total)
    pending = deque(range(total))
    method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
    ctx = mp.get_context(method)
    done = 0
    stuck = 0  # workers in a row that hung or died before their first file
    # a forked worker starts at once; a spawned one (Windows) starts a new interpreter and opens
    # the evaluation folder, which may take longer than a file may, and cannot hang on a lock
    # copied from another thread: there the limit only catches a start that never ends
    start_limit = timeout if method == "fork" else max(timeout, SPAWNED_START_LIMIT)

    def spawn() -> _Worker:
        parent, child = ctx.Pipe()
        slot = ctx.RawArray("q", [-1, 0])
        proc = ctx.Process(
            target=_worker_main,
            args=(
                child,
                slot,
                work,
                fail,
                init,
                init_args,
                memory_mb,
                log_path,
                prefetch,
                os.getpid(),
            ),
            daemon=True,
        )
        try:
            with forking():  # a Ctrl+C waits until the worker is listed, to be stopped
                proc.start()
                w = _Worker(proc, parent, slot)
                everyone.append(w)
        finally:
            child.close()
        return w

    def feed(w: _Worker) -> None:
        """Hand ``w`` its next batch, or tell it to stop when there is none. Batches shrink as
        the jobs run out, so that the workers finish at about the same time."""
        size = max(1, min(BATCH_MAX, len(pending) // (workers * 2)))
        batch = [pending.popleft() for _ in range(min(size, len(pending)))]
        w.batch.extend(batch)
        with contextlib.suppress(OSError):  # it died already: the loop finds out, replaces it
            w.conn.send([(i, *jobs[i]) for i in batch] if batch else None)

    def lose(w: _Worker, why: str) -> _Worker:
        """The worker is dead or stuck: blame its current job, requeue the rest, replace it."""
        nonlocal stuck
        current = w.current
        if current is not None:
            results[current] = keep(current, fail(jobs[current][1], why))
            w.batch.remove(current)
            log.warning("worker lost on %s (%s)", jobs[current][1], why)
            _count(1)
        pending.extendleft(reversed(w.batch))
        w.process.kill()
        w.process.join()
        w.conn.close()
        if not w.started:  # it hung or died while starting
            stuck += 1
            if stuck >= 2 * workers:  # the others are stopped as the error leaves
                raise PerfevalError(
                    "读取文件的进程多次无法启动，校验未能完成。",
                    path=log_path,
                    hint="请重新运行；如仍出现，请把上面这个日志文件发给技术支持。"
                    if log_path
                    else "请重新运行；如仍出现，请联系技术支持。",
                )
        fresh = spawn()
        feed(fresh)
        return fresh

    def _count(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, total)

    everyone: list[_Worker] = []  # every worker started: none outlives an interruption
    try:
        pool = [spawn() for _ in range(workers)]
        for w in pool:
            feed(w)
        checked = time.monotonic_ns()
        while done < total:
            busy = {w.conn: w for w in pool if w.batch}
            for conn in wait(list(busy), timeout=0.25):
                w = busy[conn]
                try:
                    message = conn.recv()
                except (EOFError, OSError):
                    pool[pool.index(w)] = lose(w, "crash")
                    continue
                for index, result in message:
                    results[index] = keep(index, result)
                    w.batch.remove(index)
                _count(len(message))
                stuck = 0
                # the next batch is sent while the worker still has a few files of this one,
                # so it never waits for the parent between batches
                if len(w.batch) <= SEND_EVERY and (pending or not w.batch):
                    feed(w)
            now = time.monotonic_ns()
            # a dead worker's pipe reads as closed above; asking the system whether it is alive
            # (a system call per worker) only catches the rare death that left the pipe open, so
            # it is done a few times a second, not after every message
            alive_check = now - checked >= CHECK_EVERY_NS
            checked = now if alive_check else checked
            for n, w in enumerate(pool):
                if w.stuck_at_start(now, start_limit):
                    pool[n] = lose(w, "stuck")  # no file to blame: its batch goes to a fresh one
                elif w.busy_for(now) > timeout:
                    pool[n] = lose(w, "timeout")
                elif alive_check and w.batch and not w.process.is_alive() and not w.conn.poll():
                    pool[n] = lose(w, "crash")
        _stop(pool)
    except BaseException:  # Ctrl+C, workers that cannot start, an error in on_result
        stop(w.process for w in everyone)
        for w in everyone:
            w.conn.close()
        raise
    return results


def _stop(pool: list[_Worker]) -> None:
    """Tell each worker to stop, and end those that do not."""
    for w in pool:
        try:  # one that never began a file may not hear: it is not waited for
            if w.process.is_alive() and w.started:
                w.conn.send(None)
        except OSError:
            pass
        w.process.join(timeout=5 if w.started else 0)
        if w.process.is_alive():
            w.process.kill()
            w.process.join()
        w.conn.close()
