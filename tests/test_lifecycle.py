"""A run that is killed or interrupted leaves nothing behind (issue 21): after kill -9 of the main
process its workers and helper end on their own within seconds; after Ctrl+C (SIGINT to the
whole process group, as a terminal sends it) the run ends at once with one Chinese line and exit
130, no traceback, no process and no temporary file left."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and /proc")

ROOT = Path(__file__).resolve().parent.parent

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
    env = {
        **os.environ,
        "PIDS": str(pids),
        "PERFEVAL_LOG": str(tmp_path / "perfeval.log"),
        "PYTHONPATH": str(ROOT),
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW.format(folder=str(folder))],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's job
    )
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
    proc.stdout.close()
    proc.stderr.close()
    left = gone_within(kids | {int(p) for p in pids.read_text().split()}, 10)
    for pid in left:  # do not leave them to the next test
        os.kill(pid, signal.SIGKILL)
    assert left == set()


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
    written = folder.ws.folder / "输出"
    leftovers = [p for p in written.rglob("*") if ".tmp" in p.name] if written.exists() else []
    assert leftovers == []
