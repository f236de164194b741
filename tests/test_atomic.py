"""Writing outputs (issue 21): a full disk or a file where a folder belongs is a Chinese message
naming the path (exit 2), the temporary file never stays, and the next run removes the
temporary files a killed run left, and nothing else."""

from __future__ import annotations

import errno
import os
import subprocess
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from perfeval.cli import app
from perfeval.errors import OutputError
from perfeval.machinery import atomic
from perfeval.machinery.atomic import (
    HOST,
    atomic_path,
    output_error,
    sweep_temporaries,
    write_bytes,
)


def dead_pid() -> int:
    """The process id of a process that has ended (and been reaped)."""
    proc = subprocess.Popen(["true"])
    proc.wait()
    with pytest.raises(ProcessLookupError):
        os.kill(proc.pid, 0)
    return proc.pid


def test_the_sweep_removes_only_a_dead_local_runs_temporaries(tmp_path):
    dead = dead_pid()
    names = {
        f".汇总表.{HOST}-{dead}.3.tmp.xlsx": False,  # ours, its run is gone
        f".汇总表.{HOST}-{os.getpid()}.4.tmp.xlsx": True,  # ours, still running
        f".汇总表.abcdef-{dead}.5.tmp.xlsx": True,  # another computer's, recent
        f".汇总表.{dead}.1.tmp.xlsx": True,  # an older perfeval's form: not recognised
        f"汇总表.{HOST}-{dead}.3.tmp.xlsx": True,  # not hidden: not ours
        f".汇总表.{HOST}-{dead}.3.tmp.xlsx.bak": True,  # something else after the suffix
        f".汇总表.{HOST}-{dead}.x.tmp.xlsx": True,  # no counter
        f".汇总表.{HOST.upper()}x-{dead}.3.tmp.xlsx": True,  # not a tag of ours
        f".汇总表.{HOST}-{dead}.3.tmp.xlsx~": True,
        "单位的文件.tmp.xlsx": True,
    }
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / f".文件夹.{HOST}-{dead}.7.tmp.xlsx").mkdir()  # only files are removed
    old = tmp_path / f".报告.abcdef-{dead}.6.tmp.docx"
    old.write_bytes(b"x")
    day_ago = time.time() - 2 * 24 * 3600
    os.utime(old, (day_ago, day_ago))
    (tmp_path / "子").mkdir()
    deeper = tmp_path / "子" / f".x.{HOST}-{dead}.1.tmp.xlsx"
    deeper.write_bytes(b"x")

    removed = sweep_temporaries([tmp_path, tmp_path / "没有这个文件夹"])
    assert sorted(p.name for p in removed) == sorted(
        [f".汇总表.{HOST}-{dead}.3.tmp.xlsx", old.name]
    )
    for name, kept in names.items():
        assert (tmp_path / name).exists() == kept, name
    assert deeper.exists()  # not below the folders given
    assert (tmp_path / f".文件夹.{HOST}-{dead}.7.tmp.xlsx").is_dir()


def test_the_sweep_never_raises(tmp_path):
    a_file = tmp_path / "不是文件夹.txt"
    a_file.write_bytes(b"x")
    assert sweep_temporaries([a_file, tmp_path / "没有", Path("\0")]) == []
    assert a_file.exists()


def test_a_temporary_name_tells_this_machine_and_process(tmp_path):
    with atomic_path(tmp_path / "汇总表.xlsx") as tmp:
        assert atomic._TEMPORARY.match(tmp.name)
        assert tmp.name.startswith(f".汇总表.{HOST}-{os.getpid()}.")
        assert tmp.name.endswith(".tmp.xlsx")
        assert sweep_temporaries([tmp_path]) == []  # this run is alive
        tmp.write_bytes(b"x")
    assert sorted(os.listdir(tmp_path)) == ["汇总表.xlsx"]


def test_an_interruption_as_the_temporary_is_made_leaves_nothing(tmp_path, monkeypatch):
    """A Ctrl+C (or SIGTERM) arriving while the system call that makes the file runs takes
    effect right after it: the file exists, its descriptor was never returned."""
    real = os.open

    def interrupted(path, flags, mode=0o777):
        real(path, flags, mode)
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "open", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_bytes(tmp_path / "a.xlsx", b"x")
    assert os.listdir(tmp_path) == []


def test_a_killed_runs_temporary_is_gone_after_the_next_run(tmp_path):
    from tests.conftest import Folder

    folder = Folder(tmp_path / "eval")
    folder.fill("P1")
    out = folder.ws.folder / "输出"
    out.mkdir(exist_ok=True)
    left = out / f".汇总表.{HOST}-{dead_pid()}.0.tmp.xlsx"
    left.write_bytes(b"half a workbook")
    result = CliRunner().invoke(app, ["validate", str(folder.ws.folder)])
    assert result.exit_code == 0, result.output
    assert not left.exists()


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.ENOSPC, "磁盘空间不足"),
        (errno.EDQUOT, "磁盘空间不足"),
        (errno.EACCES, "写入权限"),
        (errno.EPERM, "写入权限"),
        (errno.ENOTDIR, "是文件而不是文件夹"),
        (errno.EROFS, "只读"),
        (errno.EIO, os.strerror(errno.EIO)),
    ],
)
def test_system_errors_are_told_by_cause(tmp_path, code, words):
    err = output_error(OSError(code, os.strerror(code)), tmp_path / "汇总表.xlsx")
    assert words in err.message
    assert err.path.endswith("汇总表.xlsx")
    assert err.exit_code == 2


def test_a_full_disk_while_writing_leaves_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "输出" / "汇总表.xlsx"

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", full)
    with pytest.raises(OutputError, match="磁盘空间不足"):
        write_bytes(target, b"data")
    assert os.listdir(target.parent) == []


def fill_the_device(path: Path) -> None:
    """Write as a third-party writer would, on a device that is full."""
    path.write_bytes(b"begun")
    with open("/dev/full", "wb") as fh:
        fh.write(b"x")
        fh.flush()


def test_a_full_device_is_told_as_a_full_disk(tmp_path):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    with pytest.raises(OSError, match="No space") as raised:
        fill_the_device(tmp_path / "a")
    assert "磁盘空间不足" in output_error(raised.value, tmp_path / "a.xlsx").message


def test_a_system_error_inside_atomic_path_is_told_and_the_temporary_goes(tmp_path):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    target = tmp_path / "汇总表.xlsx"
    with pytest.raises(OutputError, match="磁盘空间不足") as err, atomic_path(target) as tmp:
        fill_the_device(tmp)
    assert err.value.path == str(target)
    assert os.listdir(tmp_path) == []


def a_bug(path: Path) -> None:
    path.write_bytes(b"begun")
    raise ValueError("a bug")


def a_bug_while_handling(path: Path) -> None:
    """An error raised while a system error is handled, not standing for it."""
    try:
        raise FileNotFoundError(errno.ENOENT, "a cache that is not there")
    except OSError:
        raise TypeError("a bug")  # noqa: B904


def test_other_errors_inside_atomic_path_pass_unchanged(tmp_path):
    target = tmp_path / "汇总表.xlsx"
    with pytest.raises(ValueError, match="a bug"), atomic_path(target) as tmp:
        a_bug(tmp)
    with pytest.raises(TypeError, match="a bug"), atomic_path(target) as tmp:
        a_bug_while_handling(tmp)
    assert os.listdir(tmp_path) == []


def test_a_full_disk_when_renaming_is_told(tmp_path, monkeypatch):
    def full(*_):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "replace", full)
    with pytest.raises(OutputError, match="磁盘空间不足"):
        write_bytes(tmp_path / "a.xlsx", b"x", durable=False)
    assert os.listdir(tmp_path) == []


def test_a_writers_own_error_wrapping_a_full_disk_is_told_too(tmp_path):
    class WriterError(Exception):
        pass

    def write(path: Path) -> None:
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError as exc:
            raise WriterError(exc) from exc

    target = tmp_path / "汇总表.xlsx"
    with pytest.raises(OutputError, match="磁盘空间不足"), atomic_path(target) as tmp:
        write(tmp)
    assert os.listdir(tmp_path) == []

    class FileCreateError(Exception):  # XlsxWriter's: ``except OSError as e: raise X(e)``
        pass

    def create(path: Path) -> None:
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError as e:
            raise FileCreateError(e)  # noqa: B904

    with pytest.raises(OutputError, match="磁盘空间不足"), atomic_path(target) as tmp:
        create(tmp)
    assert os.listdir(tmp_path) == []


def test_a_folder_that_is_a_file_is_told(tmp_path):
    (tmp_path / "输出").write_bytes(b"x")
    with pytest.raises(OutputError, match="是文件而不是文件夹") as err:
        write_bytes(tmp_path / "输出" / "sub" / "a.xlsx", b"x")
    assert err.value.path == str(tmp_path / "输出")  # the file in the way, by name
    assert "“输出”" in err.value.message
    with pytest.raises(OutputError, match="是文件而不是文件夹") as err:
        write_bytes(tmp_path / "输出" / "a.xlsx", b"x")
    assert err.value.path == str(tmp_path / "输出")
    with pytest.raises(OutputError, match="是文件而不是文件夹") as err:
        atomic.make_folder(tmp_path / "输出")  # the folder itself is a file
    assert err.value.path == str(tmp_path / "输出")
    assert os.listdir(tmp_path) == ["输出"]


@pytest.fixture
def tiny_disk(tmp_path):
    """A real file system of 96 KB: writing a report there runs out of space."""
    where = tmp_path / "小盘"
    where.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=96k", "tmpfs", str(where)], capture_output=True
    )
    if done.returncode:
        pytest.skip("mounting a small tmpfs needs root (CI and this machine have it)")
    yield where
    subprocess.run(["umount", "--lazy", str(where)], check=True)


def test_a_real_full_disk_is_exit_2_and_a_message(tiny_disk):
    from tests.conftest import Folder

    folder = Folder(tiny_disk.parent / "eval")
    for iid in folder.issued:
        folder.fill(iid)
    root = folder.ws.folder
    config = root / "perfeval.toml"
    text = config.read_text(encoding="utf-8").replace(
        'output = "输出"', f'output = "{tiny_disk}"\noutside_folder = true', 1
    )
    text = text.replace("outside_folder = false\n", "")
    text = text.replace('returns = "输出/退回修改"', f'returns = "{tiny_disk}/退回修改"')
    config.write_text(text, encoding="utf-8")
    (tiny_disk / "占位").write_bytes(b"\0" * 60_000)
    result = CliRunner(env={"COLUMNS": "400"}).invoke(app, ["run", str(root)])
    assert result.exit_code == 2, result.output
    assert "磁盘空间不足" in result.output
    leftovers = [p.name for p in Path(tiny_disk).iterdir() if ".tmp" in p.name]
    assert leftovers == []
