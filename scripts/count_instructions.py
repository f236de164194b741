"""Count the instructions a worker spends on one returned workbook, phase by phase.

    python scripts/count_instructions.py                       # the 10,000-file benchmark set
    python scripts/count_instructions.py --dir /tmp/perfeval-bench/1000 --phases read full

Timings on a shared 2-core host move by ±15 % from minute to minute; instruction counts do not.
Each phase runs the worker's loop over the first ``--small`` and the first ``--large`` files of a
data set made by ``scripts/benchmark.py`` under ``valgrind --tool=cachegrind``; the difference,
divided by the number of files between them, is the cost of one file with start-up left out.
String hashing is fixed (``PYTHONHASHSEED=0``) and address randomization turned off (``setarch
-R``: functions and other objects hash by their address), so a count repeats to about ±0.01 M
instructions. Phases are cumulative: each loop stops after its phase, and the differences between
them are the phases' own costs. Needs valgrind (Linux).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PHASES = ("inspect", "calamine", "read", "checks", "full")


def loop(folder: Path, phase: str, count: int) -> None:
    """The worker's work on the first ``count`` returned files, up to the end of ``phase``."""
    sys.path.insert(0, str(ROOT))
    from perfeval import layout, validate
    from perfeval.check.workbook import check_file
    from perfeval.machinery.outcome_codec import encode_outcome
    from perfeval.read.cells import Book
    from perfeval.read.container import inspect_file
    from perfeval.read.submission import read_submission

    validate._init_worker(str(folder))
    ws = validate._WS
    assert ws is not None
    limits = (ws.settings.max_file_bytes, ws.settings.max_uncompressed_bytes)
    for path in sorted((folder / "回收").glob("*.xlsx"))[:count]:
        if phase == "full":  # what a worker does: read, check, annotated copy, encoded outcome
            validate._check_job_encoded(str(path), path.name)
        elif phase == "checks":
            read = read_submission(path, path.name, *limits)
            encode_outcome(check_file(read, ws))
        elif phase == "read":
            read_submission(path, path.name, *limits)
        else:
            data = inspect_file(path, path.name, *limits).data
            if phase == "calamine" and data is not None:
                with Book(data) as book:
                    for sheet in (layout.SHEET_IDENTITY, *layout.DATA_SHEETS):  # as read
                        if sheet in book.sheet_names:
                            book.grid(sheet)


def count(folder: Path, phase: str, files: int) -> int:
    """Instructions of a whole process that runs :func:`loop`."""
    command = [
        "valgrind",
        "--tool=cachegrind",
        "--cache-sim=no",
        "--cachegrind-out-file=/dev/null",
        sys.executable,
        __file__,
        "--loop",
        phase,
        str(files),
        "--dir",
        str(folder),
    ]
    if shutil.which("setarch"):
        command = ["setarch", platform.machine(), "-R", *command]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if found is None:
        raise SystemExit(f"no instruction count in valgrind's output:\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=Path("/tmp/perfeval-bench/10000"))
    parser.add_argument("--phases", nargs="*", choices=PHASES, default=list(PHASES))
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--large", type=int, default=400)
    parser.add_argument("--loop", nargs=2, metavar=("PHASE", "FILES"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.loop:
        loop(args.dir, args.loop[0], int(args.loop[1]))
        return 0
    if not shutil.which("valgrind"):
        raise SystemExit("valgrind is needed (apt-get install valgrind)")
    if not (args.dir / "回收").is_dir():
        raise SystemExit(f"no data set in {args.dir}: make one with scripts/benchmark.py")
    files = args.large - args.small
    version = platform.python_version()
    print(f"# {args.dir}, files {args.small + 1} to {args.large}, Python {version}")
    print("| phase (cumulative) | instructions per file | this phase |")
    print("|---|---|---|")
    previous = 0.0
    for phase in args.phases:
        per_file = (count(args.dir, phase, args.large) - count(args.dir, phase, args.small)) / files
        own = f"{(per_file - previous) / 1e6:.2f} M" if previous else ""
        print(f"| {phase} | {per_file / 1e6:.2f} M | {own} |", flush=True)
        previous = per_file
    return 0


if __name__ == "__main__":
    sys.exit(main())
