"""Benchmark: validate + aggregate N returned workbooks, against a naive reader and the floor.

    python scripts/benchmark.py                       # 1,000 and 10,000 workbooks
    python scripts/benchmark.py --sizes 1000 10000 100000
    python scripts/benchmark.py --issue 2000          # also time issuing 2,000 templates

Data sets are made once under --dir (default /tmp/perfeval-bench/N) through perfeval's own steps:
a roster, ``perfeval issue`` and a programmatic fill for a set of distinct master workbooks (all
three bundled frameworks, varied scores, some with errors), then one returned workbook per roster
item cloned from a master with its own item id and a recomputed fingerprint, plus a few hostile
files (encrypted, truncated, an old .xls, a renamed CSV, and one that makes the reader abort).

Each measured run is a fresh process: cache cleared, ``do_validate`` (校验报告 and annotated
copies, written beside the aggregation) then ``do_aggregate`` (汇总表), wall time and peak memory
of the parent and of the largest child process (a worker, or a forked writer: either counts the
pages it shares with the parent). Then one file is changed and the run repeated to time the
incremental re-run. The naive approach (``pandas.read_excel`` with openpyxl per file, same
checks, one process) is timed on a sample; the floor (unzip and parse the same sheet XML with
lxml, nothing else) on all files with the same number of processes. A fixed pure-Python loop is
timed before and after each size: this host's speed varies from minute to minute, and the loop
shows by how much.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from perfeval import layout as L  # noqa: E402
from perfeval.config.roster import RosterItem, write_roster  # noqa: E402
from perfeval.config.workspace import init_folder, open_workspace  # noqa: E402
from perfeval.fill import Fill, fill_workbook  # noqa: E402
from perfeval.issue import issue_all  # noqa: E402
from perfeval.issue.workbook import identity_for  # noqa: E402
from perfeval.layout import custom_code  # noqa: E402

ISSUED_AT = dt.datetime(2025, 1, 6, 9, 0)
MASTERS = 120
FRAMEWORKS = [("项目支出绩效评价", 6), ("项目支出绩效自评", 3), ("部门整体支出绩效评价", 1)]
CORPUS = ROOT / "tests" / "data" / "corpus"
HOSTILE = [
    "calamine__pass_protected.xlsx",
    "poi__crash-274d6342e4842d61be0fb48eaadad6208ae767ae.xlsx",
    "sheetjs__artifacts_wps_write.xls",
    "pycalamine__empty_file.xlsx",
]


# --- data set ----------------------------------------------------------------------------------


def master_fill(fw, rng: random.Random, broken: bool, budget: Decimal) -> Fill:
    indicators = {}
    for ind in fw.leaves:
        if ind.computed:
            continue
        met = ind.target if ind.target and ind.direction in ("≥", "≤", "=") else "100"
        entry = {"actual": "达成" if ind.direction == "定性" else met, "score": float(ind.weight)}
        if not ind.direction:
            entry.update({"direction": "≥", "target": str(rng.randint(5, 500)), "unit": "个"})
        if rng.random() < 0.3:
            entry["score"] = round(float(ind.weight) * rng.uniform(0.5, 0.95), 2)
            entry["reason"] = "部分任务未按计划完成，将加强进度管理。"
            entry["category"] = "E1 产出数量未完成"
            if ind.direction == "定性":
                entry["actual"] = "基本达成"
            elif ind.direction in ("≥", "="):
                entry["actual"] = "50"
        indicators[ind.code] = entry
    for group in fw.level2:
        if group.reserved:
            rest = float(group.weight - sum(k.weight for k in fw.children(group.code)))
            indicators[custom_code(group.code, 1)] = {
                "l3": f"{group.name}（自设）",
                "direction": "≥",
                "target": "10",
                "unit": "个",
                "weight": rest,
                "actual": "10",
                "score": rest,
            }
    if broken:
        first = next(i for i in fw.leaves if not i.computed)
        indicators[first.code] = {**indicators[first.code], "score": float(first.weight) + 5}
    return Fill(
        overview="项目按计划实施，资金使用规范。",
        outputs="完成年度主要任务。",
        indicators=indicators,
        executed=float(budget) if fw.id == "xmzc-zp" else None,
        other={"survey": "是"},
        contact={"filled_on": dt.date(2025, 2, 20)},
    )


def build(folder: Path, n: int, form: str = "office", seed: int = 7) -> None:
    """Masters through issue + fill (stored in ``form``: "office", as Excel and WPS save, or
    "openpyxl", as the fill saves), then clones with their own identity, then hostile files."""
    rng = random.Random(seed)
    if folder.exists():
        shutil.rmtree(folder)
    ws = init_folder(folder, 2024, "基准县", "基准县财政局")
    pool = [name for name, weight in FRAMEWORKS for _ in range(weight)]
    masters = []
    for k in range(min(MASTERS, n)):
        fw = ws.frameworks.get(pool[k % len(pool)])
        kind = {"xmzc-pj": "重点项目", "xmzc-zp": "单位自评", "bmzt-pj": "部门整体"}[fw.id]
        budget = Decimal(rng.randint(10, 5000))
        masters.append(
            RosterItem(
                item_id=f"MSTR{k:05d}",
                name=f"2024年基准项目{k:05d}",
                department=f"基准县单位{k % 40}",
                unit=f"基准县单位{k % 40}",
                kind=kind,
                framework_id=fw.id,
                budget=budget,
                executed=None if fw.id == "xmzc-zp" else budget,
                unit_budget=budget * 4,
                contact="",
                phone="",
                note="",
                row=k + 2,
            )
        )
    clones = [
        replace(masters[i % len(masters)], item_id=f"BNCH{i:07d}", row=len(masters) + i + 2)
        for i in range(max(0, n - len(masters)))
    ]
    write_roster(ws.settings.path("roster"), masters + clones, ws.settings, ws.frameworks)
    ws = open_workspace(folder)
    issued = {w.item_id: w.path for w in issue_all(ws, {m.item_id for m in masters}, ISSUED_AT)}
    returned = ws.settings.path("returned")
    staging = folder / "masters"
    staging.mkdir()
    for k, item in enumerate(masters):
        fw = ws.frameworks.get(item.framework_id)
        broken = k % 12 == 5  # about 8% of workbooks carry an error
        fill_workbook(
            issued[item.item_id],
            staging / f"{item.item_id}.xlsx",
            master_fill(fw, rng, broken, item.budget),
        )
        if form == "office":
            master = staging / f"{item.item_id}.xlsx"
            master.write_bytes(office_form(master.read_bytes()))
        shutil.copyfile(staging / f"{item.item_id}.xlsx", returned / f"{k:07d}_{item.item_id}.xlsx")
    blobs = {m.item_id: (staging / f"{m.item_id}.xlsx").read_bytes() for m in masters}
    prints = {
        m.item_id: identity_for(m, ws.frameworks.get(m.framework_id), ws.settings, ISSUED_AT)[
            "fingerprint"
        ]
        for m in masters
    }
    for i, clone in enumerate(clones):
        master = masters[i % len(masters)]
        fw = ws.frameworks.get(clone.framework_id)
        new_print = identity_for(clone, fw, ws.settings, ISSUED_AT)["fingerprint"]
        data = _clone(
            blobs[master.item_id],
            {
                master.item_id.encode(): clone.item_id.encode(),
                prints[master.item_id].encode(): new_print.encode(),
            },
        )
        (returned / f"{len(masters) + i:07d}_{clone.item_id}.xlsx").write_bytes(data)
    shutil.rmtree(staging)
    for j, name in enumerate(HOSTILE):
        shutil.copyfile(CORPUS / name, returned / f"hostile_{j}_{name}")
    (returned / "hostile_csv.xlsx").write_text("项目,得分\n甲,95\n", encoding="utf-8")
    data = (returned / f"{0:07d}_{masters[0].item_id}.xlsx").read_bytes()
    (returned / "hostile_truncated.xlsx").write_bytes(data[: len(data) // 3])
    (returned / "hostile_abort.xlsx").write_bytes(_crasher())
    (folder / FORM_MARK).write_text(form, encoding="ascii")


FORM_MARK = ".benchmark-form"
COMMAND_MAX = 10_000  # sizes up to which `perfeval run` (with the report) is timed too


def data_set(base: Path, n: int, form: str, rebuild: bool) -> Path:
    """The folder of the ``n``-workbook set in ``form``, built when missing or of another form."""
    folder = base / (str(n) if form == "office" else f"{n}-{form}")
    mark = folder / FORM_MARK
    if rebuild or not mark.is_file() or mark.read_text(encoding="ascii") != form:
        started = time.perf_counter()
        build(folder, n, form)
        seconds = time.perf_counter() - started
        print(f"# built {n} workbooks ({form}) in {seconds:.1f} s", flush=True)
    return folder


def _clone(data: bytes, swaps: dict[bytes, bytes]) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename.startswith("xl/worksheets/sheet") or info.filename == SST_PART:
                for old, new in swaps.items():
                    body = body.replace(old, new)
            dst.writestr(info.filename, body)
    return out.getvalue()


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SST_PART = "xl/sharedStrings.xml"
SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def office_form(data: bytes) -> bytes:
    """The workbook stored as Excel and WPS store what a clerk typed: each distinct text once in a
    shared-strings part (UTF-8), cells pointing at it by number, empty cells with no type.
    openpyxl, which the fill uses, writes every text inline in the cell instead, with each
    Chinese character as an eight-byte character reference."""
    from lxml import etree

    strings: dict[str, int] = {}
    parts: dict[str, bytes] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        for info in src.infolist():
            body = src.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                root = etree.fromstring(body)
                for cell in root.iter(f"{{{MAIN}}}c"):
                    kind = cell.get("t")
                    if kind == "inlineStr":
                        text = "".join(cell.itertext())
                        for child in list(cell):
                            cell.remove(child)
                        cell.set("t", "s")
                        number = strings.setdefault(text, len(strings))
                        etree.SubElement(cell, f"{{{MAIN}}}v").text = str(number)
                    elif kind == "n" and not len(cell):
                        del cell.attrib["t"]
                body = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            parts[info.filename] = body
    sst = etree.Element(f"{{{MAIN}}}sst", nsmap={None: MAIN})
    sst.set("count", str(len(strings)))
    sst.set("uniqueCount", str(len(strings)))
    for text in strings:
        t = etree.SubElement(etree.SubElement(sst, f"{{{MAIN}}}si"), f"{{{MAIN}}}t")
        t.text = text
        if text != text.strip() or "\n" in text:
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    parts[SST_PART] = etree.tostring(sst, xml_declaration=True, encoding="UTF-8", standalone=True)
    types = etree.fromstring(parts["[Content_Types].xml"])
    ct = "{http://schemas.openxmlformats.org/package/2006/content-types}"
    if not any(o.get("PartName") == "/" + SST_PART for o in types.iter(ct + "Override")):
        etree.SubElement(types, ct + "Override", PartName="/" + SST_PART, ContentType=SST_TYPE)
    parts["[Content_Types].xml"] = etree.tostring(types, xml_declaration=True, encoding="UTF-8")
    rels_name = "xl/_rels/workbook.xml.rels"
    rels = etree.fromstring(parts[rels_name])
    if not any(r.get("Type") == SST_REL for r in rels):
        used = {r.get("Id") for r in rels}
        rid = next(f"rId{n}" for n in range(1, 999) if f"rId{n}" not in used)
        pkg = "{http://schemas.openxmlformats.org/package/2006/relationships}"
        target = "sharedStrings.xml"
        etree.SubElement(rels, pkg + "Relationship", Id=rid, Type=SST_REL, Target=target)
    parts[rels_name] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, body in parts.items():
            dst.writestr(name, body)
    return out.getvalue()


def _crasher() -> bytes:
    """A workbook our container checks accept but whose reading aborts the reader process."""
    from tests.test_hostile import _sheet, _tiny_workbook

    cells = (
        b'<row r="1"><c r="A1"><v>1</v></c></row><row r="99999"><c r="ZZ99999"><v>1</v></c></row>'
    )
    return _tiny_workbook(_sheet(cells), sheet_name=L.SHEET_IDENTITY.encode())


# --- measurements ------------------------------------------------------------------------------


def host_loop() -> float:
    """Seconds for a fixed pure-Python loop (best of three): how fast this host is right now."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for i in range(3_000_000):
            total += i * i % 7
        best = min(best, time.perf_counter() - started)
    return best


def interpreter() -> str:
    """Which Python runs the benchmark, and how it was built. The build is part of every
    figure: on this machine the same code runs about a fifth faster under Debian's python3.11
    (built with profile-guided optimization and LTO, per its changelog, which keeps those flags
    out of sysconfig) than under the pyenv build on the PATH (configured without them, the
    interpreter in a shared libpython)."""
    import sysconfig

    args = sysconfig.get_config_var("CONFIG_ARGS") or ""
    flags = [f for f in ("--enable-optimizations", "--with-lto") if f in args]
    try:  # the running executable's own mappings (Linux): is the interpreter in a libpython?
        maps = Path("/proc/self/maps").read_text()
        shared = "in a shared libpython" if "libpython" in maps else "linked into the executable"
    except OSError:
        shared = "shared" if sysconfig.get_config_var("Py_ENABLE_SHARED") else "static"
    return (
        f"{platform.python_implementation()} {platform.python_version()} ({sys.executable}; "
        f"{platform.python_compiler()}; interpreter {shared}; "
        f"configure flags: {' '.join(flags) or 'no --enable-optimizations/--with-lto'})"
    )


def _tree_pss_kib(root: int) -> int:
    """Proportional set size of ``root`` and all its descendants (Linux): memory shared between
    the processes (forked workers, writers) is counted once in the sum."""
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
                total += next(int(line.split()[1]) for line in fh if line.startswith("Pss:"))
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as fh:
                    pending += [int(c) for c in fh.read().split()]
        except (OSError, StopIteration, ValueError):
            continue
    return total


class TreePeak(threading.Thread):
    """Samples this process tree's memory four times a second; ``peak`` in MiB (0 where /proc
    has no smaps_rollup)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0.0
        self._done = threading.Event()

    def start(self) -> None:
        # one sample here first: whatever it imports (the ascii codec) is imported before the
        # workers are forked. A fork while this thread held an import lock left the worker
        # waiting for that lock forever (now the pool replaces a worker that hangs starting).
        self.peak = _tree_pss_kib(os.getpid()) / 1024
        super().start()

    def run(self) -> None:
        while not self._done.wait(0.25):
            self.peak = max(self.peak, _tree_pss_kib(os.getpid()) / 1024)

    def stop(self) -> float:
        self._done.set()
        self.join()
        return self.peak


def measure(folder: Path, wait: bool = False) -> dict:
    """One end-to-end run in this (fresh) process: validate + aggregate. Unless ``wait``,
    校验报告 is written beside the aggregation, as ``perfeval run`` does, and "validate" is the
    time until every result is in; with ``wait`` it includes writing 校验报告."""
    from perfeval import pipeline

    tree = TreePeak()
    tree.start()
    started = time.perf_counter()
    outcome = pipeline.do_validate(folder, wait=wait, scores=True)  # as perfeval run does
    validated = time.perf_counter()
    pipeline.do_aggregate(folder, outcome)
    ended = time.perf_counter()
    tree_mib = tree.stop()
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    v = outcome.validation
    return {
        "wall": ended - started,
        "validate": validated - started,
        "aggregate": ended - validated,
        "files": len(v.files) + len(v.skipped),
        "scored": sum(1 for f in v.files if f.passed),
        "cached": v.cached,
        "annotated": len(outcome.returns),
        "errors": sum(1 for f in v.files if f.errors),
        "peak_parent_mb": self_kb / 1024,
        "peak_worker_mb": child_kb / 1024,
        "peak_tree_mib": tree_mib,
    }


def run_measure(folder: Path, clear_cache: bool, wait: bool = False) -> dict:
    if clear_cache:
        (folder / ".perfeval-cache.sqlite").unlink(missing_ok=True)
    done = subprocess.run(
        [sys.executable, __file__, "--measure", str(folder), *(["--wait"] if wait else [])],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def time_command(folder: Path) -> float:
    """Seconds for ``perfeval run`` as a user runs it (a new process, cache cleared): start-up,
    validation, aggregation and the report."""
    (folder / ".perfeval-cache.sqlite").unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "perfeval", "run", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        check=False,  # the exit code says whether errors were found
    )
    return time.perf_counter() - started


def naive_rate(folder: Path, sample: int) -> float:
    """Files per second: pandas.read_excel(engine='openpyxl') per file, same checks, one process."""
    import warnings

    import pandas as pd

    from perfeval.check.workbook import check_file
    from perfeval.read.cells import Grid
    from perfeval.read.submission import read_submission

    class PandasBook:
        def __init__(self, data: bytes) -> None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self.frames = pd.read_excel(
                    io.BytesIO(data), sheet_name=None, header=None, engine="openpyxl"
                )
            self.sheet_names = list(self.frames)

        def grid(self, name: str, max_rows: int = 0) -> Grid:
            frame = self.frames[name].astype(object).where(self.frames[name].notna(), "")
            return Grid(name, [list(row) for row in frame.itertuples(index=False)])

        def __enter__(self):
            return self

        def __exit__(self, *exc) -> None:
            pass

    ws = open_workspace(folder)
    files = sorted(p for p in ws.settings.path("returned").iterdir() if p.name[0].isdigit())
    files = files[:sample]
    started = time.perf_counter()
    for path in files:
        read = read_submission(path, path.name, 50 << 20, 300 << 20, opener=PandasBook)
        check_file(read, ws)
    return len(files) / (time.perf_counter() - started)


def _floor_one(path: str) -> int:
    from lxml import etree

    parsed = 0
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        for part in (
            "xl/worksheets/sheet2.xml",
            "xl/worksheets/sheet3.xml",
            "xl/worksheets/sheet4.xml",
            "xl/worksheets/sheet6.xml",
            "xl/sharedStrings.xml",
        ):
            if part in names:
                parsed += len(etree.fromstring(zf.read(part)))
    return parsed


def floor_rate(folder: Path, workers: int) -> float:
    files = [str(p) for p in sorted((folder / "回收").iterdir()) if p.name[0].isdigit()]
    started = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        for _ in pool.map(_floor_one, files, chunksize=max(1, len(files) // (workers * 16))):
            pass
    return len(files) / (time.perf_counter() - started)


def time_issue(n: int, base: Path) -> float:
    folder = base / f"issue-{n}"
    if folder.exists():
        shutil.rmtree(folder)
    ws = init_folder(folder, 2024, "基准县", "基准县财政局")
    names = [name for name, weight in FRAMEWORKS for _ in range(weight)]
    items = [
        RosterItem(
            f"I{i:05d}",
            f"2024年基准项目{i:05d}",
            f"单位{i % 50}",
            f"单位{i % 50}",
            {
                "项目支出绩效评价": "重点项目",
                "项目支出绩效自评": "单位自评",
                "部门整体支出绩效评价": "部门整体",
            }[names[i % len(names)]],
            ws.frameworks.get(names[i % len(names)]).id,
            Decimal(100),
            Decimal(95),
            Decimal(400),
            "",
            "",
            "",
            i + 2,
        )
        for i in range(n)
    ]
    write_roster(ws.settings.path("roster"), items, ws.settings, ws.frameworks)
    ws = open_workspace(folder)
    started = time.perf_counter()
    issue_all(ws)
    return time.perf_counter() - started


TARGET_ROWS = [  # one project's approved targets: 产出 50, 效益 30, 满意度 10 (weights its own)
    ("产出指标", "数量指标", "完成数量{i}", "≥", "50", "个", 20),
    ("", "数量指标", "覆盖人数{i}", "≥", "1200", "人", 5),
    ("", "质量指标", "验收合格率", "≥", "95", "%", 10),
    ("", "时效指标", "按期完成率", "≥", "100", "%", 10),
    ("", "成本指标", "单位成本", "≤", "1.2", "万元", 5),
    ("效益指标", "经济效益指标", "带动增收", "≥", "30", "万元", 10),
    ("", "社会效益指标", "群众生活条件", "定性", "明显改善", "", 20),
    ("满意度指标", "服务对象满意度指标", "受益群众满意度", "≥", "90", "%", 10),
]


def time_issue_targets(n: int, base: Path) -> tuple[float, float, float]:
    """Issuing n workbooks prefilled from n projects' targets (one long table, as the platform
    exports it), then validating them as returned (blank: read and checked in full). Returns
    (seconds to read the targets, seconds to issue, files validated per second)."""
    import openpyxl

    from perfeval.config.workspace import TARGETS_KEY
    from perfeval.validate import validate

    folder = base / f"issue-targets-{n}"
    if folder.exists():
        shutil.rmtree(folder)
    ws = init_folder(folder, 2024, "基准县", "基准县财政局")
    fw = ws.frameworks.get("xmzc-zp-mb")
    items = [
        RosterItem(
            f"T{i:05d}", f"2024年目标项目{i:05d}", f"单位{i % 50}", f"单位{i % 50}", "单位自评",
            fw.id, Decimal(100), Decimal(95), Decimal(400), "", "", "", i + 2,
        )
        for i in range(n)
    ]  # fmt: skip
    write_roster(ws.settings.path("roster"), items, ws.settings, ws.frameworks)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("绩效目标")
    sheet.append(
        ("项目编号", "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "计量单位", "分值")
    )
    for item in items:
        for l1, l2, l3, d, v, u, w in TARGET_ROWS:
            sheet.append((item.item_id, l1, l2, l3.format(i=item.item_id[-2:]), d, v, u, w))
    (folder / TARGETS_KEY).mkdir()
    book.save(folder / TARGETS_KEY / "一体化导出.xlsx")
    ws = open_workspace(folder)
    started = time.perf_counter()
    ws.targets  # noqa: B018 (read now, to time it apart)
    loaded = time.perf_counter() - started
    issued = issue_all(ws)
    issuing = time.perf_counter() - started - loaded
    assert all(ws.framework_for(i).targets_source for i in items[:5])
    for w in issued:
        shutil.copyfile(w.path, ws.settings.path("returned") / w.path.name)
    started = time.perf_counter()
    validate(ws, use_cache=False)
    return loaded, issuing, n / (time.perf_counter() - started)


def time_review(n: int, base: Path) -> tuple[float, float]:
    """Reviewing n 申报表 (one per project, national layout, one in ten with a problem):
    (seconds to review, seconds to write the report and the marked copies)."""
    import openpyxl

    from perfeval.config.workspace import TARGETS_KEY
    from perfeval.review.run import review_folder, write_review

    folder = base / f"review-{n}"
    if not folder.exists():
        init_folder(folder, 2025, "基准县", "基准县财政局")
        (folder / TARGETS_KEY).mkdir()
        for i in range(n):
            book = openpyxl.Workbook()
            sheet = book.active
            sheet.title = "申报表"
            sheet.append(("项目支出绩效目标申报表",))
            sheet.append(("项目名称", f"2025年基准项目{i:05d}", None, "主管部门", f"单位{i % 50}"))
            sheet.append(("实施单位", f"单位{i % 50}", None, "项目起止时间", "2025年1月-12月"))
            sheet.append(("项目资金（万元）", "年度资金总额", 100))
            sheet.append((None, "其中：财政拨款", 100 if i % 10 else 90))
            sheet.append((None, "其他资金", 0))
            sheet.append(("年度目标", "完成年度建设任务，服务群众。"))
            sheet.append(("一级指标", "二级指标", "三级指标", "指标值"))
            for l1, l2, l3, d, v, u, _ in TARGET_ROWS:
                shown = v if d == "定性" else f"{d}{v}{u}"
                sheet.append((l1 or None, l2, l3.format(i=i), shown))
            book.save(folder / TARGETS_KEY / f"申报表{i:05d}.xlsx")
    ws = open_workspace(folder)
    started = time.perf_counter()
    result = review_folder(ws)
    reviewed = time.perf_counter() - started
    write_review(result, ws)
    return reviewed, time.perf_counter() - started - reviewed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--dir", type=Path, default=Path("/tmp/perfeval-bench"))
    parser.add_argument("--naive-sample", type=int, default=150)
    parser.add_argument("--issue", type=int, default=0, help="also time issuing N templates")
    parser.add_argument(
        "--review", type=int, default=0, help="also time reviewing N target declarations"
    )
    parser.add_argument(
        "--issue-targets",
        type=int,
        default=0,
        help="also time issuing and validating N workbooks prefilled from targets",
    )
    parser.add_argument("--rebuild", action="store_true", help="regenerate the data sets")
    parser.add_argument(
        "--form",
        choices=("office", "openpyxl"),
        default="office",
        help="how the returned workbooks are stored: as Excel/WPS save them (shared strings, "
        "the default) or as openpyxl saves them (inline text, character references)",
    )
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--wait", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.wait)))
        return 0
    cpus = os.cpu_count() or 1
    print(f"# machine: {platform.platform()}, {cpus} CPUs")
    print(f"# interpreter: {interpreter()}")
    rows = []
    print(f"# returned workbooks stored as: {args.form}")
    for n in args.sizes:
        folder = data_set(args.dir, n, args.form, args.rebuild)
        for sub in ("输出",):
            shutil.rmtree(folder / sub, ignore_errors=True)
        before = host_loop()
        full = run_measure(folder, clear_cache=True)
        changed = sorted((folder / "回收").glob("0000001_*.xlsx"))[0]
        data = changed.read_bytes()
        old = "项目按计划实施".encode()  # one cell edited: 项目概述
        changed.write_bytes(_clone(data, {old: "项目按期实施".encode()}))
        rerun = run_measure(folder, clear_cache=False, wait=True)  # 校验报告 included
        changed.write_bytes(data)
        # the report lists every item and figure: at a province's scale it is not timed (see
        # docs/performance.md)
        full["command"] = time_command(folder) if n <= COMMAND_MAX else float("nan")
        naive = naive_rate(folder, args.naive_sample)
        floor = floor_rate(folder, cpus)
        ours = full["files"] / full["wall"]
        rows.append((n, full, rerun, ours, naive, floor))
        print(
            f"# {n}: {json.dumps(full)} rerun {rerun['wall']:.2f} s ({rerun['cached']} cached); "
            f"host loop {before:.3f} s before, {host_loop():.3f} s after",
            flush=True,
        )
    print(
        "\n| files | wall (s) | validate (s) | aggregate (s) | ms per file | files/s | "
        "naive files/s | × naive | floor files/s | ÷ floor | peak MB parent / child | "
        "peak MiB, process tree | "
        "re-run, one file changed: validate / with aggregate (s) | `perfeval run` (s) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for n, full, rerun, ours, naive, floor in rows:
        print(
            f"| {n:,} | {full['wall']:.1f} | {full['validate']:.1f} | {full['aggregate']:.1f} | "
            f"{1000 / ours:.2f} | {ours:,.0f} | {naive:,.1f} | {ours / naive:.0f}× | "
            f"{floor:,.0f} | "
            f"{floor / ours:.2f}× | {full['peak_parent_mb']:.0f} / {full['peak_worker_mb']:.0f} |"
            f" {full['peak_tree_mib']:.0f} |"
            f" {rerun['validate']:.2f} / {rerun['wall']:.2f} | {full['command']:.1f} |"
        )
    if args.issue:
        seconds = time_issue(args.issue, args.dir)
        print(
            f"\nissuing {args.issue:,} templates: {seconds:.1f} s "
            f"({args.issue / seconds:,.0f} per second)"
        )
    if args.issue_targets:
        loaded, issuing, rate = time_issue_targets(args.issue_targets, args.dir)
        print(
            f"\nissuing {args.issue_targets:,} workbooks from targets: reading the targets "
            f"{loaded:.1f} s, issuing {issuing:.1f} s ({args.issue_targets / issuing:,.0f} per "
            f"second); validating them as returned: {rate:,.0f} files per second"
        )
    if args.review:
        reviewed, written = time_review(args.review, args.dir)
        print(
            f"\nreviewing {args.review:,} target declarations: {reviewed:.1f} s "
            f"({args.review / reviewed:,.0f} per second); report and marked copies {written:.1f} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
