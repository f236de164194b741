"""Benchmark: perfeval combine over an archive of COUNTIES counties × ITEMS items each.

The archive is written directly (synthetic archive rows: evaluations, five problems per
hundred items, coverage per unit), then ``perfeval combine ARCHIVE --to OUT`` is timed as a
user runs it. Target (issue 20): 100 × 1,000 in ≤ 30 s on this machine's 2 cores.

    python scripts/benchmark_combine.py [--counties 100] [--items 1000] [--dir DIR]
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

from perfeval.archive.database import open_archive
from perfeval.archive.records import YearRecord
from perfeval.archive.store import write_year

GRADES = ("优", "良", "中", "差")
CATEGORIES = (
    "A1 绩效目标不明确、不细化、不量化",
    "B2 预算编制不科学、测算依据不足",
    "D6 档案资料不完整",
)


def county(code: str, items: int, rng: random.Random) -> YearRecord:
    key = {"region_code": code, "year": 2024}
    evaluations, problems, coverage = [], [], {}
    for n in range(items):
        unit = f"单位{n % 40:02d}"
        total = Decimal(rng.randint(5500, 10000)) / 100
        budget = Decimal(rng.randint(100, 500000)) / 100
        evaluations.append(
            {
                **key,
                "item_id": f"{code}-{n:05d}",
                "project_key": f"项目{n}|{unit}",
                "kind": "单位自评" if n % 3 else "重点项目",
                "evaluator": "自评" if n % 3 else "财政评价",
                "name": f"2024年第{n}号项目",
                "department": unit,
                "unit": unit,
                "framework_id": "xmzc",
                "budget": budget,
                "executed": budget,
                "execution_rate": Decimal(100),
                "total": total,
                "grade": GRADES[
                    0 if total >= 90 else 1 if total >= 80 else 2 if total >= 60 else 3
                ],
                "file": f"{n}.xlsx",
                "budget_cell": f"{n}.xlsx!资金!C5",
                "executed_cell": f"{n}.xlsx!资金!D5",
            }
        )
        if n % 20 == 0:
            problems.append(
                {
                    **key,
                    "item_id": f"{code}-{n:05d}",
                    "seq": 1,
                    "category": CATEGORIES[n % 3],
                    "description": "问题描述",
                    "measure": "措施",
                }
            )
        if not n % 3:
            entry = coverage.setdefault(unit, [Decimal(0), Decimal(0)])
            entry[0] += budget
    record = YearRecord(code, 2024, f"第{code}县", f"第{code}县财政局", code, code, True)
    record.rows = {
        "archives": [
            {
                **key,
                "region": record.region,
                "bureau": record.bureau,
                "folder_id": code,
                "folder": code,
                "items": items,
                "complete": True,
            }
        ],
        "evaluations": evaluations,
        "problems": problems,
        "coverage": [
            {**key, "unit": unit, "planned": v[0], "evaluated": v[0], "unit_budget": v[0] * 4}
            for unit, v in coverage.items()
        ],
    }
    return record


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counties", type=int, default=100)
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/perfeval-combine"))
    args = parser.parse_args()
    shutil.rmtree(args.dir, ignore_errors=True)
    args.dir.mkdir(parents=True)
    path = args.dir / "档案.sqlite"
    rng = random.Random(20)
    start = time.perf_counter()
    archive = open_archive(f"sqlite:///{path}")
    for c in range(args.counties):
        write_year(archive, county(f"{650000 + c:06d}", args.items, rng))
    built = time.perf_counter() - start
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "perfeval", "combine", str(path), "--to", str(args.dir / "out")],
        capture_output=True,
        text=True,
        check=False,
    )
    took = time.perf_counter() - start
    if done.returncode != 0:
        print(done.stdout, done.stderr, file=sys.stderr)
        return 1
    print(f"archive of {args.counties} × {args.items} written in {built:.1f} s")
    print(f"perfeval combine: {took:.1f} s (target 30 s); {done.stdout.strip().splitlines()[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
