"""Worker isolation and the cache: correctness only (speed is measured by scripts/benchmark.py)."""

import multiprocessing
import os
import shutil
import time

import openpyxl
import pytest

import perfeval.machinery.cache
from perfeval import layout as L
from perfeval import validate as V
from tests.conftest import full_fill, row_of
from tests.test_hostile import _sheet, _tiny_workbook


def outcome(result):
    """Everything a run says, in a comparable form."""
    return (
        sorted(f.key for f in result.findings),
        sorted((s.item.item_id, s.total) for s in result.scores),
    )


def fill_all(folder):
    fw = folder.framework("P1")
    folder.fill("P1", full_fill(fw, **{"1.1.1": {"score": 9}}))  # one with an error
    for iid in ("P2", "D1", "S1"):
        folder.fill(iid)


def test_second_run_comes_from_the_cache_and_says_the_same(folder):
    fill_all(folder)
    first = V.validate(folder.ws)
    second = V.validate(folder.ws)
    assert (first.cached, second.cached) == (0, 4)
    assert outcome(first) == outcome(second)


def test_changing_one_cell_rechecks_only_that_file(folder):
    fill_all(folder)
    V.validate(folder.ws)
    fw = folder.framework("P2")
    path = folder.fill("P2", full_fill(fw, **{"1.1.1": {"score": 2}}))  # now missing a reason
    result = V.validate(folder.ws)
    assert result.cached == 3
    assert (path.name, L.SHEET_INDICATORS, f"L{row_of(fw, '1.1.1')}", "PE-SCORE-002") in [
        f.key for f in result.findings
    ]


@pytest.mark.skipif(
    not perfeval.machinery.cache.STAT_SHORTCUT,
    reason="needs POSIX ctime",
)
def test_unchanged_files_are_not_read_again_and_any_rewrite_is(folder, monkeypatch):
    fill_all(folder)
    monkeypatch.setattr(perfeval.machinery.cache, "RACY_NS", -(10**12))  # trust new hashes
    V.validate(folder.ws)
    read = []
    real = perfeval.machinery.cache.file_sha256
    monkeypatch.setattr(
        perfeval.machinery.cache, "file_sha256", lambda p: read.append(p) or real(p)
    )
    assert V.validate(folder.ws).cached == 4
    assert read == []  # nothing was read: size, times and inode as recorded
    # same size, same modification time, other bytes: only the status-change time moved
    path = folder.returned / folder.issued["P2"].name
    stamp = path.stat()
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (stamp.st_size, stamp.st_mtime_ns)
    read.clear()
    result = V.validate(folder.ws)
    assert [os.path.basename(p) for p in read] == [path.name]  # read and checked again
    assert result.cached == 3


def test_a_first_run_reads_each_file_once(folder, monkeypatch):
    """With nothing cached the parent does not hash; the workers' hashes are recorded and, where
    the stat shortcut works (POSIX), spare the next run reading the files at all."""
    fill_all(folder)
    monkeypatch.setattr(perfeval.machinery.cache, "RACY_NS", -(10**12))
    read = []
    real = perfeval.machinery.cache.file_sha256
    monkeypatch.setattr(
        perfeval.machinery.cache, "file_sha256", lambda p: read.append(p) or real(p)
    )
    first = V.validate(folder.ws)
    assert first.cached == 0
    assert read == []
    assert all(len(f.sha256) == 64 for f in first.files)
    again = V.validate(folder.ws)
    assert again.cached == 4
    if perfeval.machinery.cache.STAT_SHORTCUT:
        assert read == []  # known by their stat, recorded from the workers
    else:
        assert len(read) == len(first.files)  # hashed by the parent, found in the cache
    assert [f.sha256 for f in again.files] == [f.sha256 for f in first.files]


def test_an_empty_annotated_copy_is_made_again(folder):
    """Copies are not flushed to disk one by one: one left empty (a power cut) is made again."""
    fill_all(folder)
    first = V.validate(folder.ws)
    copy = folder.ws.settings.path("returns") / folder.issued["P1"].name
    made = copy.read_bytes()
    copy.write_bytes(b"")
    second = V.validate(folder.ws)
    assert (first.cached, second.cached) == (0, 3)
    assert copy.read_bytes() == made


def test_many_jobs_come_back_in_order_once_each():
    from perfeval.machinery.pool import run_isolated

    jobs = [(str(n), f"file{n}") for n in range(500)]
    results = run_isolated(jobs, _echo, _failed, workers=2)
    assert results == [(path, name, "ok") for path, name in jobs]


def _echo(path, name):
    return (path, name, "ok")


def _failed(name, why):
    return (None, name, why)


def test_a_renamed_file_is_reused_under_its_new_name(folder):
    fill_all(folder)
    V.validate(folder.ws)
    old = folder.issued["P2"].name
    (folder.returned / old).rename(folder.returned / "改名.xlsx")
    result = V.validate(folder.ws)
    assert result.cached == 4
    renamed = next(r for r in result.files if r.file == "改名.xlsx")
    assert renamed.score.item.item_id == "P2"
    assert renamed.score.file == "改名.xlsx"


def test_changing_the_framework_invalidates_everything(folder):
    fill_all(folder)
    V.validate(folder.ws)
    path = folder.ws.settings.path("frameworks") / folder.framework("P1").source.name
    wb = openpyxl.load_workbook(path)
    ws = wb["指标"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "1.1.1")
    ws.cell(row, 10).value = "新的评分标准"
    wb.save(path)
    result = V.validate(folder.reopen())
    assert result.cached == 0
    assert {f.code for f in result.findings if f.item_id in ("P1", "P2")} >= {"PE-ID-004"}


def test_changing_the_config_invalidates_everything(folder):
    fill_all(folder)
    s1 = folder.framework("S1")
    fill = full_fill(s1)
    fill.executed = 17  # 85% of 20: fine while the threshold is 0.80
    folder.fill("S1", fill)
    config = folder.ws.folder / "perfeval.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("execution_reason_below = 0.90", "execution_reason_below = 0.80"),
        encoding="utf-8",
    )
    before = V.validate(folder.reopen())
    assert "PE-MONEY-005" not in {f.code for f in before.findings}
    config.write_text(text, encoding="utf-8")
    after = V.validate(folder.reopen())
    assert after.cached == 0
    assert "PE-MONEY-005" in {f.code for f in after.findings}


def test_a_new_perfeval_version_invalidates_everything(folder, monkeypatch):
    fill_all(folder)
    V.validate(folder.ws)
    monkeypatch.setattr(perfeval.machinery.cache, "__version__", "99.0")
    assert V.validate(folder.ws).cached == 0


def test_changing_the_roster_invalidates_everything(folder):
    from dataclasses import replace
    from decimal import Decimal

    from perfeval.config.roster import write_roster

    fill_all(folder)
    V.validate(folder.ws)
    items = [
        replace(i, budget=Decimal(1)) if i.item_id == "P2" else i for i in folder.ws.roster.items
    ]
    write_roster(folder.ws.settings.path("roster"), items, folder.ws.settings, folder.ws.frameworks)
    result = V.validate(folder.reopen())
    assert result.cached == 0
    assert "PE-ID-009" in {f.code for f in result.findings}


def test_the_roster_is_parsed_once_until_it_changes(folder, monkeypatch):
    from dataclasses import replace

    import perfeval.config.roster
    from perfeval.config.roster import write_roster
    from perfeval.config.workspace import ROSTER_MEMO, open_workspace

    where = folder.ws.folder
    first = open_workspace(where).roster
    assert (where / ROSTER_MEMO).is_file()

    def no_parsing(*args):
        raise AssertionError("the roster was parsed again")

    with monkeypatch.context() as m:
        m.setattr(perfeval.config.roster, "_load_roster", no_parsing)
        assert open_workspace(where).roster.items == first.items  # from the memo
    items = [replace(i, name="改名后的项目") if i.item_id == "P2" else i for i in first.items]
    write_roster(folder.ws.settings.path("roster"), items, folder.ws.settings, folder.ws.frameworks)
    assert open_workspace(where).roster.get("P2").name == "改名后的项目"  # changed: read again
    (where / ROSTER_MEMO).write_bytes(b"damaged")
    assert open_workspace(where).roster.get("P2").name == "改名后的项目"  # damaged memo: ignored


def _crasher() -> bytes:
    """Passes the container checks; python-calamine then tries to allocate a 702 × 99999 grid
    and aborts the process once the worker's memory limit is hit."""
    cells = (
        b'<row r="1"><c r="A1"><v>1</v></c></row><row r="99999"><c r="ZZ99999"><v>1</v></c></row>'
    )
    return _tiny_workbook(_sheet(cells), sheet_name=L.SHEET_IDENTITY.encode())


@pytest.mark.skipif(os.name != "posix", reason="the memory limit uses POSIX rlimits")
def test_a_crashing_file_costs_one_finding_and_nothing_else(folder):
    fill_all(folder)
    without = V.validate(folder.ws, use_cache=False, workers=1)
    (folder.returned / "2024_00_crash.xlsx").write_bytes(_crasher())  # first in the batch
    shutil.copyfile(folder.returned / "2024_00_crash.xlsx", folder.returned / "zzz_crash.xlsx")
    started = time.monotonic()
    with_it = V.validate(folder.ws, use_cache=False, workers=1)
    assert time.monotonic() - started < 30
    crash = [f.key for f in with_it.findings if "crash" in f.file]
    assert crash == [
        ("2024_00_crash.xlsx", "", "", "PE-FILE-001"),
        ("zzz_crash.xlsx", "", "", "PE-FILE-001"),
    ]
    rest = [f for f in with_it.findings if "crash" not in f.file]
    assert sorted(f.key for f in rest) == outcome(without)[0]
    assert outcome(with_it)[1] == outcome(without)[1]


def test_aborts_and_hangs_in_a_worker(folder, monkeypatch):
    fill_all(folder)
    real = V._check_job

    def flaky(path, name):
        if "教育局" in name:
            os.abort()  # a crash no Python code can catch
        if "人社局" in name:
            time.sleep(60)
        return real(path, name)

    monkeypatch.setattr(V, "_check_job", flaky)
    config = folder.ws.folder / "perfeval.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "file_timeout_seconds = 60", "file_timeout_seconds = 2"
        ),
        encoding="utf-8",
    )
    result = V.validate(folder.reopen(), use_cache=False, workers=1)
    lost = {f.file: f.message for f in result.findings if f.code == "PE-FILE-001"}
    assert set(lost) == {folder.issued["P2"].name, folder.issued["D1"].name}
    assert "异常退出" in lost[folder.issued["P2"].name]
    assert "超时" in lost[folder.issued["D1"].name]
    assert [s.item.item_id for s in result.scores] == ["S1"]  # P1 has an error of its own


def test_progress_is_reported(folder):
    fill_all(folder)
    seen = []
    V.validate(folder.ws, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (4, 4)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def _write_where(path, parent: int, fail_in_child: bool) -> None:
    if fail_in_child and os.getpid() != parent:
        raise RuntimeError("a failure in the background process")
    path.write_text(f"{os.getpid()}", encoding="ascii")


@pytest.mark.parametrize("fail_in_child", [False, True])
def test_work_run_aside_gives_its_result_even_when_the_background_fails(tmp_path, fail_in_child):
    from perfeval.machinery.aside import run_aside

    out = tmp_path / "out.txt"
    wait = run_aside(_write_where, out, os.getpid(), fail_in_child)
    wait()
    assert out.exists()
    if fail_in_child or os.name != "posix":
        assert out.read_text(encoding="ascii") == str(os.getpid())  # done again here


def test_a_large_process_does_its_work_aside_in_itself(tmp_path, monkeypatch):
    import perfeval.machinery.aside

    monkeypatch.setattr(perfeval.machinery.aside, "ASIDE_MAX_MB", 0)  # "too large to fork"
    out = tmp_path / "out.txt"
    wait = perfeval.machinery.aside.run_aside(_write_where, out, os.getpid(), True)
    assert not out.exists()  # nothing runs until waited for
    wait()
    assert out.read_text(encoding="ascii") == str(os.getpid())


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork")
def test_a_large_process_sends_portable_work_to_its_helper(tmp_path, monkeypatch):
    """Too large to fork: work whose arguments pickle compactly goes to the helper, forked while
    the process was small; other work, and work the helper fails, runs in the caller."""
    import perfeval.machinery.aside

    perfeval.machinery.aside.stop_helper()
    perfeval.machinery.aside.start_helper()
    helper = perfeval.machinery.aside._HELPER[os.getpid()]
    deadline = time.monotonic() + 30
    while not helper.free() and time.monotonic() < deadline:
        time.sleep(0.05)
    monkeypatch.setattr(perfeval.machinery.aside, "ASIDE_MAX_MB", 0)  # "too large to fork"
    sent, kept, failed = (tmp_path / f"{n}.txt" for n in ("sent", "kept", "failed"))
    wait_sent = perfeval.machinery.aside.run_aside(_write_pid_later, sent, 0.3, portable=True)
    wait_kept = perfeval.machinery.aside.run_aside(_write_pid_later, kept, 0)  # not portable
    assert not kept.exists()
    wait_kept()
    wait_sent()
    assert sent.read_text(encoding="ascii") == str(helper.process.pid)
    assert kept.read_text(encoding="ascii") == str(os.getpid())
    perfeval.machinery.aside.run_aside(_write_where, failed, os.getpid(), True, portable=True)()
    assert failed.read_text(encoding="ascii") == str(os.getpid())  # failed there: done here
    helper.process.kill()
    helper.process.join()
    again = tmp_path / "again.txt"
    perfeval.machinery.aside.run_aside(_write_pid_later, again, 0, portable=True)()
    assert again.read_text(encoding="ascii") == str(os.getpid())  # no helper: done here
    perfeval.machinery.aside.start_helper()  # a dead helper is replaced
    fresh = perfeval.machinery.aside._HELPER[os.getpid()]
    assert fresh is not helper
    assert fresh.process.is_alive()
    while not fresh.free() and time.monotonic() < deadline:
        time.sleep(0.05)
    unpicklable = tmp_path / "unpicklable.txt"
    wait = perfeval.machinery.aside.run_aside(_write_with, unpicklable, lambda: "x", portable=True)
    wait()
    assert unpicklable.read_text(encoding="ascii") == "x"  # done here
    assert os.getpid() not in perfeval.machinery.aside._HELPER  # a half-sent job: helper gone
    assert not fresh.process.is_alive()
    perfeval.machinery.aside.stop_helper()


def _write_with(path, make) -> None:
    path.write_text(make(), encoding="ascii")


def _write_pid_later(path, seconds: float) -> None:
    time.sleep(seconds)
    path.write_text(f"{os.getpid()}", encoding="ascii")


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork")
def test_one_writer_aside_at_a_time_the_next_runs_in_the_caller(tmp_path, monkeypatch):
    """Beside the caller's own work, one forked writer per remaining core: a second one would
    only share the cores and hold its own copy of what it touches."""
    import perfeval.machinery.aside

    monkeypatch.setattr(perfeval.machinery.aside, "ASIDE_AT_ONCE", 1)
    monkeypatch.setattr(perfeval.machinery.aside, "ASIDE_MAX_MB", 10**6)
    first, second, third = (tmp_path / f"{n}.txt" for n in range(3))
    wait_first = perfeval.machinery.aside.run_aside(_write_pid_later, first, 0.5)
    wait_second = perfeval.machinery.aside.run_aside(_write_pid_later, second, 0)
    wait_second()
    wait_first()
    assert first.read_text(encoding="ascii") != str(os.getpid())  # forked
    assert second.read_text(encoding="ascii") == str(os.getpid())  # in the caller
    perfeval.machinery.aside.run_aside(_write_pid_later, third, 0)()
    assert third.read_text(encoding="ascii") != str(os.getpid())  # forked again: slot free


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork")
def test_held_back_work_is_forked_once_a_writer_has_finished(tmp_path, monkeypatch):
    import perfeval.machinery.aside

    monkeypatch.setattr(perfeval.machinery.aside, "ASIDE_AT_ONCE", 1)
    monkeypatch.setattr(perfeval.machinery.aside, "ASIDE_MAX_MB", 10**6)
    first, second = (tmp_path / f"{n}.txt" for n in range(2))
    wait_first = perfeval.machinery.aside.run_aside(_write_pid_later, first, 0.2)
    wait_second = perfeval.machinery.aside.run_aside(_write_pid_later, second, 0)
    perfeval.machinery.aside.start_deferred()  # first writer runs: second waits
    assert not second.exists()
    wait_first()
    perfeval.machinery.aside.start_deferred()  # its place is free now
    wait_second()
    assert first.read_text(encoding="ascii") != str(os.getpid())
    assert second.read_text(encoding="ascii") not in ("", str(os.getpid()))  # forked too


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork")
def test_held_back_work_nobody_waits_for_is_never_started(tmp_path, monkeypatch):
    """A run that ended before waiting for its work must not have it written later, over the
    next run's output, by the Excel console's long-lived process."""
    import gc

    import perfeval.machinery.aside

    monkeypatch.setattr(perfeval.machinery.aside, "ASIDE_AT_ONCE", 1)
    monkeypatch.setattr(perfeval.machinery.aside, "ASIDE_MAX_MB", 10**6)
    first, stale = tmp_path / "first.txt", tmp_path / "stale.txt"
    wait_first = perfeval.machinery.aside.run_aside(_write_pid_later, first, 0)
    perfeval.machinery.aside.run_aside(_write_pid_later, stale, 0)  # held back, and dropped
    gc.collect()
    wait_first()
    perfeval.machinery.aside.start_deferred()
    time.sleep(0.3)
    assert first.exists()
    assert not stale.exists()


def _hang_once(marker: str) -> None:
    """A worker start that hangs the first time (as after a fork that copied a held lock)."""
    if not os.path.exists(marker):
        open(marker, "w").close()
        time.sleep(60)


def _hang_always(_: str) -> None:
    time.sleep(60)


def _name_of(path: str, name: str) -> str:
    return name


def test_a_worker_that_hangs_while_starting_costs_time_not_files_or_the_run(tmp_path):
    from perfeval.machinery.pool import run_isolated

    jobs = [(str(tmp_path / f"{n}.xlsx"), f"{n}.xlsx") for n in range(5)]
    started = time.monotonic()
    results = run_isolated(
        jobs,
        _name_of,
        lambda name, why: why,
        init=_hang_once,
        init_args=(str(tmp_path / "hung"),),
        workers=1,
        timeout=2.0,
    )
    assert results == [name for _, name in jobs]  # nobody blamed: the batch went to a fresh one
    assert time.monotonic() - started < 30


def test_workers_that_never_start_stop_the_run_with_a_message(tmp_path):
    from perfeval.errors import PerfevalError
    from perfeval.machinery.pool import run_isolated

    started = time.monotonic()
    with pytest.raises(PerfevalError, match="无法启动"):
        run_isolated(
            [("a", "a.xlsx")],
            _name_of,
            lambda name, why: why,
            init=_hang_always,
            init_args=("",),
            workers=1,
            timeout=0.5,
        )
    assert time.monotonic() - started < 30


def _slow_start(seconds: float) -> None:
    time.sleep(seconds)


def _why(name: str, why: str) -> str:
    return why


def _die_at_start(_: str) -> None:
    raise RuntimeError("the evaluation folder cannot be opened here")


def test_a_spawned_worker_may_take_longer_to_start_than_a_file_may(tmp_path, monkeypatch):
    """Where workers are spawned (Windows), starting means a new interpreter and opening the
    folder: that is not a hang, even when it takes longer than the file timeout."""
    import perfeval.machinery.pool
    from perfeval.machinery.pool import run_isolated

    monkeypatch.setattr(perfeval.machinery.pool.mp, "get_all_start_methods", lambda: ["spawn"])
    jobs = [(str(tmp_path / f"{n}.xlsx"), f"{n}.xlsx") for n in range(3)]
    results = run_isolated(
        jobs,
        _name_of,
        _why,
        init=_slow_start,
        init_args=(1.5,),
        workers=1,
        timeout=0.5,
    )
    assert results == [name for _, name in jobs]


def test_workers_that_die_while_starting_stop_the_run_with_a_message(tmp_path):
    from perfeval.errors import PerfevalError
    from perfeval.machinery.pool import run_isolated

    with pytest.raises(PerfevalError, match="无法启动"):
        run_isolated(
            [("a", "a.xlsx"), ("b", "b.xlsx")],
            _name_of,
            _why,
            init=_die_at_start,
            init_args=("",),
            workers=1,
            timeout=30,
            log_path=str(tmp_path / "workers.log"),
        )


def test_long_lived_objects_are_collectable_again_afterwards():
    import gc
    import weakref

    from perfeval.machinery.heap import long_lived

    class Node:
        pass

    before = gc.get_freeze_count()
    with long_lived() as settle:
        a, b = Node(), Node()
        a.other, b.other = b, a  # a reference cycle: only the cyclic collector frees it
        gone = weakref.ref(a)
        settle()
        del a, b
        gc.collect()
        assert gone() is not None  # settled: left out of collection
    gc.collect()
    assert gone() is None
    assert gc.get_freeze_count() == before


def test_an_inner_long_lived_block_leaves_the_outer_one_frozen():
    import gc

    from perfeval.machinery.heap import long_lived

    before = gc.get_freeze_count()
    with long_lived():
        with long_lived():  # as run_aside does inside a pipeline step
            pass
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == before


@pytest.mark.skipif(not hasattr(os, "posix_fadvise"), reason="no posix_fadvise here")
def test_workers_ask_for_a_batch_s_files_ahead(tmp_path, monkeypatch):
    """A province's returns outgrow the page cache: a worker asks for its batch's files to be
    read ahead, skipping what it cannot open, and never fails on the hint."""
    from perfeval.machinery import pool

    files = [tmp_path / f"{n}.xlsx" for n in range(3)]
    for f in files:
        f.write_bytes(b"x")
    asked = []

    def advise(fd, offset, length, how):
        asked.append((os.fstat(fd).st_ino, how))
        if len(asked) == 2:
            raise OSError("not supported on this file system")

    monkeypatch.setattr(os, "posix_fadvise", advise)
    pool._prefetch([str(files[0]), str(tmp_path / "gone.xlsx"), str(files[1]), str(files[2])])
    assert asked == [(f.stat().st_ino, os.POSIX_FADV_WILLNEED) for f in files]
    asked_by_workers = tmp_path / "asked.txt"

    def record(paths):  # in the forked workers
        with asked_by_workers.open("a", encoding="utf-8") as fh:
            fh.writelines(f"{p}\n" for p in paths)

    monkeypatch.setattr(pool, "_prefetch", record)
    results = pool.run_isolated(
        [(str(f), f.name) for f in files], _echo, _failed, workers=2, prefetch=True
    )
    assert results == [(str(f), f.name, "ok") for f in files]
    if "fork" in multiprocessing.get_all_start_methods():
        asked = asked_by_workers.read_text(encoding="utf-8").split()
        assert sorted(asked) == sorted(str(f) for f in files)
