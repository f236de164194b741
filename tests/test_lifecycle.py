"""A run that is killed or interrupted leaves nothing behind (issue 21): after kill -9 of the main
process its workers, helper and forked writers end on their own within seconds; after Ctrl+C
(SIGINT to the whole process group, as a terminal sends it) the run ends at once with one Chinese
line and exit 130, no traceback, no process and no temporary file left. A worker that does not
answer (stuck in a reader's C code) is killed after a short grace; work beside the caller that is
not wanted any more is stopped, not waited for."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and /proc")

ROOT = Path(__file__).resolve().parent.parent
_STARTED: list[subprocess.Popen] = []


def launch(script: str, env: dict[str, str]) -> subprocess.Popen:
    """``python -c script`` in a process group of its own, as a terminal's job; the group is
    killed after the test, whatever the test found."""
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    _STARTED.append(proc)
    return proc


@pytest.fixture(autouse=True)
def _nothing_left_running():
    yield
    while _STARTED:
        proc = _STARTED.pop()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()


#: a validation whose every file takes a while, its worker pids recorded in PIDS
SLOW = """
import os, sys, time
import perfeval.validate as v
real = v._check_job_encoded
def slow(path, name):
    with open(os.environ["PIDS"], "a") as fh:
        fh.write(f"{{os.getpid()}}\\n")
    time.sleep(0.5)
    return real(path, name)
v._check_job_encoded = slow
from perfeval.entry import main
sys.argv = ["perfeval", "validate", {folder!r}]
main()
"""


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            state = next(line for line in fh if line.startswith("State:"))
    except (OSError, StopIteration):
        return False
    return "zombie" not in state


def start(folder: Path, tmp_path: Path) -> tuple[subprocess.Popen, Path]:
    for n in range(40):  # enough work for several seconds
        src = next(p for p in (folder / "回收").iterdir() if p.suffix == ".xlsx")
        (folder / "回收" / f"副本{n}.xlsx").write_bytes(src.read_bytes())
    pids = tmp_path / "pids.txt"
    env = {"PIDS": str(pids), "PERFEVAL_LOG": str(tmp_path / "perfeval.log")}
    proc = launch(SLOW.format(folder=str(folder)), env)
    deadline = time.monotonic() + 60
    while not (pids.exists() and len(set(pids.read_text().split())) >= 2):
        assert time.monotonic() < deadline, "the workers never started"
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.1)
    return proc, pids


def children(pid: int) -> set[int]:
    """Every process whose parent is ``pid`` (its workers and the helper)."""
    out = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.add(int(entry))
    return out


def gone_within(pids: set[int], seconds: float) -> set[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = {p for p in pids if alive(p)}
        if not left:
            return set()
        time.sleep(0.1)
    return {p for p in pids if alive(p)}


def test_kill_9_of_the_main_process_ends_its_workers_and_helper(folder, tmp_path):
    folder.fill("P1")
    proc, pids = start(folder.ws.folder, tmp_path)
    kids = children(proc.pid)
    assert len(kids) >= 3  # two workers and the helper, at least
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)  # not its pipes: a child left alive would hold them open
    assert gone_within(kids | {int(p) for p in pids.read_text().split()}, 10) == set()


def test_ctrl_c_ends_the_run_at_once_with_one_line_and_nothing_left(folder, tmp_path):
    folder.fill("P1")
    proc, pids = start(folder.ws.folder, tmp_path)
    kids = children(proc.pid)
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130
    assert "Traceback" not in out + err
    assert "已中断" in err
    assert err.strip().count("\n") == 0  # one line
    assert gone_within(kids | {int(p) for p in pids.read_text().split()}, 10) == set()
    assert [p for p in folder.ws.folder.rglob("*") if ".tmp" in p.name] == []


#: work beside the caller (run_aside) that takes long, while the caller goes on (``beside``) or
#: waits for it (``waiting``); the caller unwinds as RunOutcome.finish does
ASIDE = """
import os, sys, time
from pathlib import Path
import perfeval.machinery.aside as aside
from perfeval.machinery.atomic import atomic_path

def slow(target, pids):
    with atomic_path(Path(target)) as tmp:
        tmp.write_bytes(b"half an output")
        with open(pids, "a") as fh:
            fh.write(f"{{os.getpid()}}\\n")
        time.sleep(60)

if {helper!r}:  # the caller is too large to fork: the work goes to the helper
    aside.ASIDE_MAX_MB = 0
    aside.start_helper()
    while not aside._HELPER[os.getpid()].free():
        time.sleep(0.05)
pending = [aside.run_aside(slow, {target!r}, {pids!r}, portable=True)]
try:
    try:
        if {when!r} == "beside":
            time.sleep(60)  # the next step
        for wait in pending:
            wait()
    except BaseException:
        for wait in pending:
            wait()
        raise
except KeyboardInterrupt:
    sys.exit(130)
"""


def run_aside_script(tmp_path: Path, *, helper: bool, when: str = "beside"):
    pids = tmp_path / "pids.txt"
    target = tmp_path / "输出" / "汇总表.xlsx"
    script = ASIDE.format(helper=helper, target=str(target), pids=str(pids), when=when)
    proc = launch(script, {})
    deadline = time.monotonic() + 60
    while not (pids.exists() and pids.read_text().strip()):
        assert time.monotonic() < deadline, "the work never started"
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    return proc, {int(p) for p in pids.read_text().split()}, target


@pytest.mark.parametrize("helper", [False, True], ids=["forked", "helper"])
@pytest.mark.parametrize("when", ["beside", "waiting"])
def test_ctrl_c_stops_work_beside_the_caller_and_leaves_no_temporary(tmp_path, helper, when):
    proc, writers, target = run_aside_script(tmp_path, helper=helper, when=when)
    kids = children(proc.pid)
    started = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert time.monotonic() - started < 5  # not the minute the work would take
    assert proc.returncode == 130
    assert err == ""  # no traceback from the writer or the helper either
    assert gone_within(kids | writers, 10) == set()
    assert os.listdir(target.parent) == []  # no output, no temporary file


@pytest.mark.parametrize("helper", [False, True], ids=["forked", "helper"])
def test_kill_9_of_the_caller_ends_its_writers(tmp_path, helper):
    proc, writers, _ = run_aside_script(tmp_path, helper=helper)
    kids = children(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert gone_within(kids | writers, 10) == set()


#: two workers on files that take a minute; one blocks SIGTERM, as a reader stuck in C code
#: would not answer it either
POOL = """
import os, signal, sys, time
from perfeval.machinery.pool import run_isolated

def work(path, name):
    with open({pids!r}, "a") as fh:
        fh.write(f"{{os.getpid()}}\\n")
    if name == "stuck":
        signal.pthread_sigmask(signal.SIG_BLOCK, {{signal.SIGTERM}})
    time.sleep(60)

def fail(name, why):
    return why

try:
    run_isolated([("a", "stuck"), ("b", "slow")], work, fail, workers=2, timeout=600)
except KeyboardInterrupt:
    sys.exit(130)
"""


def start_pool(tmp_path: Path) -> tuple[subprocess.Popen, set[int]]:
    pids = tmp_path / "pids.txt"
    proc = launch(POOL.format(pids=str(pids)), {})
    deadline = time.monotonic() + 60
    while not (pids.exists() and len(set(pids.read_text().split())) >= 2):
        assert time.monotonic() < deadline, "the workers never started"
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    time.sleep(0.2)  # the stuck one has blocked SIGTERM
    return proc, {int(p) for p in pids.read_text().split()}


def test_ctrl_c_ends_the_pool_even_with_a_worker_that_does_not_answer(tmp_path):
    from perfeval.machinery.lifeline import STOP_GRACE

    proc, workers = start_pool(tmp_path)
    started = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert time.monotonic() - started < STOP_GRACE + 3
    assert proc.returncode == 130
    assert err == ""
    assert gone_within(workers, 10) == set()


def test_kill_9_ends_a_worker_that_does_not_answer(tmp_path):
    proc, workers = start_pool(tmp_path)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert gone_within(workers, 10) == set()


def interrupt_while_forking(seen: list[str]) -> None:
    from perfeval.machinery.lifeline import forking

    with forking():
        signal.pthread_kill(threading.get_ident(), signal.SIGINT)  # as a terminal's Ctrl+C
        time.sleep(0.05)  # it would have arrived by now
        seen.append("held")
    seen.append("not reached")


def test_ctrl_c_is_held_back_while_forking():
    """A child forked in the block starts with Ctrl+C held too, and ignores it before it lets
    it go (tie_to_parent); here it arrives as the block ends."""
    seen: list[str] = []
    with pytest.raises(KeyboardInterrupt):
        interrupt_while_forking(seen)
    assert seen == ["held"]
