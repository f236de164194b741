"""Writing outputs atomically: a temporary file next to the target, then one rename.

An interrupted run never leaves a half-written file, and a target held open by Excel on Windows
(or read-only) gives a Chinese message saying to close it, not a traceback.

Thousands of annotated copies are written per run, so the temporary name comes from the process
id and a counter (created exclusively, no random names), and the file is written through the
descriptor that reserved it.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Iterator
from pathlib import Path

from perfeval.errors import OutputError

_COUNTER = itertools.count()


def _locked_message(target: Path) -> OutputError:
    return OutputError(
        "无法写入输出文件，它可能正在被Excel或WPS打开，或没有写入权限。",
        path=target,
        hint="请关闭该文件后重新运行。",
    )


def _reserve(target: Path) -> tuple[int, Path]:
    """A new, empty temporary file beside ``target`` (its folder made if missing): its
    descriptor and path."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    made_folder = False
    while True:
        tmp = target.with_name(
            f".{target.stem[:40]}.{os.getpid()}.{next(_COUNTER)}.tmp{target.suffix}"
        )
        try:
            return os.open(tmp, flags, 0o644), tmp
        except FileExistsError:  # left over by a killed run of the same process id
            continue
        except FileNotFoundError:
            if made_folder:
                raise
            target.parent.mkdir(parents=True, exist_ok=True)
            made_folder = True


@contextlib.contextmanager
def _temporary(target: Path) -> Iterator[tuple[int, Path]]:
    """A reserved temporary file, removed unless it was moved over ``target``."""
    try:
        fd, tmp = _reserve(target)
    except PermissionError as exc:
        raise _locked_message(target) from exc
    try:
        yield fd, tmp
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _replace(tmp: Path, target: Path) -> None:
    try:
        os.replace(tmp, target)
    except OSError as exc:  # PermissionError, or WinError 32 when Excel holds the file
        raise _locked_message(target) from exc


@contextlib.contextmanager
def atomic_path(target: Path, durable: bool = True) -> Iterator[Path]:
    """Yield a temporary path; on success move it over ``target`` in one step. Unless
    ``durable`` is False (outputs made again on the next run if lost), the data reaches the disk
    before the rename, so that a power cut cannot leave an empty file under the target's name."""
    target = Path(target)
    with _temporary(target) as (fd, tmp):
        os.close(fd)
        yield tmp
        if durable:
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
        _replace(tmp, target)


def write_text(target: Path, text: str) -> None:
    write_bytes(target, text.encode("utf-8"))


def write_bytes(target: Path, data: bytes, durable: bool = True) -> None:
    """``data`` as the new content of ``target``, in one step (see :func:`atomic_path`),
    written through the descriptor that reserved the temporary file."""
    target = Path(target)
    with _temporary(target) as (fd, tmp):
        with open(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        _replace(tmp, target)
