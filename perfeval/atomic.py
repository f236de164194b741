"""Writing outputs atomically: a temporary file next to the target, then one rename.

An interrupted run never leaves a half-written file, and a target held open by Excel on Windows
(or read-only) gives a Chinese message saying to close it, not a traceback.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from perfeval.errors import OutputError


def _locked_message(target: Path) -> OutputError:
    return OutputError(
        "无法写入输出文件，它可能正在被Excel或WPS打开，或没有写入权限。",
        path=target,
        hint="请关闭该文件后重新运行。",
    )


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path; on success move it over ``target`` in one step."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{target.stem[:40]}.", suffix=".tmp" + target.suffix, dir=target.parent
        )
    except PermissionError as exc:
        raise _locked_message(target) from exc
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        try:
            os.replace(tmp, target)
        except OSError as exc:  # PermissionError, or WinError 32 when Excel holds the file
            raise _locked_message(target) from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def write_text(target: Path, text: str) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
