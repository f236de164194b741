"""Writing outputs atomically: a temporary file next to the target, then one rename.

An interrupted run never leaves a half-written file, and a target held open by Excel on Windows
(or read-only) gives a Chinese message saying to close it, not a traceback.

Thousands of annotated copies are written per run, so the temporary name comes from the process
id and a counter (created exclusively, no random names), and the file is written through the
descriptor that reserved it. The name also carries a short tag of the machine, so that the next
run can remove the temporary files a killed run left (:func:`sweep_temporaries`) without touching
those of a run on another computer writing to the same shared folder.

Every system error while writing (disk full, no permission, a file where a folder should be)
becomes an :class:`OutputError` with a Chinese message saying what to do.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import itertools
import os
import re
import socket
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from perfeval.errors import OutputError

_COUNTER = itertools.count()
#: this machine, in temporary names: a sweep removes only its own machine's dead runs' files
HOST = hashlib.sha256(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:6]
#: ``.{stem}.{host}-{pid}.{n}.tmp{suffix}``: the only names :func:`sweep_temporaries` removes
_TEMPORARY = re.compile(r"^\..*\.([0-9a-f]{6})-(\d+)\.\d+\.tmp(\.[^./]+)?$")
#: another machine's temporary file is removed only when no run could still be writing it
FOREIGN_AGE = 24 * 3600


def _locked_message(target: Path) -> OutputError:
    return OutputError(
        "无法写入输出文件，它可能正在被Excel或WPS打开，或没有写入权限。",
        path=target,
        hint="请关闭该文件后重新运行。",
    )


def output_error(exc: OSError, target: Path) -> OutputError:
    """What a system error while writing ``target`` means to the user."""
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return OutputError(
            "磁盘空间不足，输出文件未能写入。", path=target, hint="请清理磁盘空间后重新运行。"
        )
    if exc.errno == errno.EROFS:
        return OutputError(
            "输出位置所在的磁盘是只读的。", path=target, hint="请换一个可以写入的文件夹。"
        )
    if exc.errno in (errno.ENOTDIR, errno.EEXIST) or isinstance(exc, NotADirectoryError):
        return OutputError(
            "输出路径中有一项是文件而不是文件夹。",
            path=target,
            hint="请把与文件夹同名的文件改名或移走后重新运行。",
        )
    if exc.errno in (errno.EACCES, errno.EPERM) or isinstance(exc, PermissionError):
        return _locked_message(target)
    return OutputError(
        f"输出文件未能写入（{exc.strerror or exc}）。",
        path=target,
        hint="请检查磁盘和文件夹权限后重新运行。",
    )


def make_folder(folder: Path) -> None:
    """``folder`` and its parents, or an :class:`OutputError` saying why not."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise output_error(exc, folder) from exc


def _reserve(target: Path) -> tuple[int, Path]:
    """A new, empty temporary file beside ``target`` (its folder made if missing): its
    descriptor and path."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    made_folder = False
    while True:
        tmp = target.with_name(
            f".{target.stem[:40]}.{HOST}-{os.getpid()}.{next(_COUNTER)}.tmp{target.suffix}"
        )
        try:
            return os.open(tmp, flags, 0o644), tmp
        except FileExistsError:  # left over by a killed run of the same process id
            continue
        except FileNotFoundError:
            if made_folder:
                raise
            make_folder(target.parent)
            made_folder = True


@contextlib.contextmanager
def _temporary(target: Path) -> Iterator[tuple[int, Path]]:
    """A reserved temporary file, removed unless it was moved over ``target``."""
    try:
        fd, tmp = _reserve(target)
    except OSError as exc:
        raise output_error(exc, target) from exc
    try:
        yield fd, tmp
    except OSError as exc:  # writing it: the disk is full, say
        raise output_error(exc, target) from exc
    except OutputError:
        raise
    except Exception as exc:  # a writer's own error wrapping the system's (XlsxWriter's)
        cause = exc.__cause__ or exc.__context__
        if isinstance(cause, OSError):
            raise output_error(cause, target) from exc
        raise
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _replace(tmp: Path, target: Path) -> None:
    try:
        os.replace(tmp, target)
    except IsADirectoryError as exc:
        raise OutputError(
            "输出文件的位置上是一个文件夹。",
            path=target,
            hint="请把这个文件夹改名或移走后重新运行。",
        ) from exc
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


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError, OverflowError):  # another user's, or cannot tell
        return True
    return True


def sweep_temporaries(folders: Iterable[Path]) -> list[Path]:
    """Remove the temporary files killed runs left in ``folders`` (not below them): only names
    of :func:`_reserve`'s form, of this machine whose process is gone, or of another machine
    and older than a day. Never raises; returns what was removed."""
    removed = []
    now = time.time()
    for folder in folders:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            m = _TEMPORARY.match(entry.name)
            if m is None:
                continue
            try:
                if not entry.is_file(follow_symlinks=False):
                    continue
                if m.group(1) == HOST:
                    stale = not _running(int(m.group(2)))
                else:
                    stale = now - entry.stat(follow_symlinks=False).st_mtime > FOREIGN_AGE
                if stale:
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
            except (OSError, ValueError):
                continue
    return removed
