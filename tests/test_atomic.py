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

from perfeval import atomic
from perfeval.atomic import HOST, output_error, sweep_temporaries, write_bytes
from perfeval.cli import app
from perfeval.errors import OutputError


def dead_pid() -> int:
    done = subprocess.run(["true"], check=True)
    assert done.returncode == 0
    pid = 4_000_000  # beyond pid_max: no such process
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    return pid


def test_the_sweep_removes_only_a_dead_local_runs_temporaries(tmp_path):
    dead = dead_pid()
    names = {
        f".汇总表.{HOST}-{dead}.3.tmp.xlsx": False,  # ours, its run is gone
        f".汇总表.{HOST}-{os.getpid()}.4.tmp.xlsx": True,  # ours, still running
        f".汇总表.abcdef-{dead}.5.tmp.xlsx": True,  # another computer's, recent
        f".汇总表.{dead}.1.tmp.xlsx": True,  # an older perfeval's form: not recognised
        f"汇总表.{HOST}-{dead}.3.tmp.xlsx": True,  # not hidden: not ours
        "单位的文件.tmp.xlsx": True,
    }
    for name in names:
        (tmp_path / name).write_bytes(b"x")
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
        (errno.EACCES, "写入权限"),
        (errno.ENOTDIR, "是文件而不是文件夹"),
        (errno.EROFS, "只读"),
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


def test_a_writers_own_error_wrapping_a_full_disk_is_told_too(tmp_path):
    class WriterError(Exception):
        pass

    def write(path: Path) -> None:
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError as exc:
            raise WriterError(exc) from exc

    target = tmp_path / "汇总表.xlsx"
    with pytest.raises(OutputError, match="磁盘空间不足"), atomic.atomic_path(target) as tmp:
        write(tmp)
    assert os.listdir(tmp_path) == []


def test_a_folder_that_is_a_file_is_told(tmp_path):
    (tmp_path / "输出").write_bytes(b"x")
    with pytest.raises(OutputError, match="是文件而不是文件夹") as err:
        write_bytes(tmp_path / "输出" / "sub" / "a.xlsx", b"x")
    assert "输出" in err.value.path


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
