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
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from perfeval.errors import OutputError

_COUNTER = itertools.count()
#: this machine, in temporary names: a sweep removes only its own machine's dead runs' files
HOST = hashlib.sha256(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:6]
#: ``.{stem}.{host}-{pid}.{n}.tmp{suffix}``: the only names :func:`sweep_temporaries` removes
_TEMPORARY = re.compile(r"^\..*\.([0-9a-f]{6})-(\d+)\.\d+\.tmp(\.\w+)?$", re.DOTALL)
#: another machine's temporary file is removed only when no run could still be writing it
FOREIGN_AGE = 24 * 3600


def _locked_message(target: Path) -> OutputError:
    return OutputError(
        "无法写入输出文件，它可能正在被Excel或WPS打开，或没有写入权限。",
        path=target,
        hint="请在Excel或WPS中关闭该文件，并确认对所在文件夹有写入权限，然后重新运行。",
    )


def _file_in_the_way(path: Path) -> Path | None:
    """The first of ``path``'s folders (or ``path`` itself) that is a file, not a folder."""
    for where in (*reversed(path.parents), path):
        try:
            if where.exists() and not where.is_dir():
                return where
        except OSError:
            return None
    return None


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
        named = exc.filename if isinstance(exc.filename, (str, bytes, os.PathLike)) else target
        blocking = _file_in_the_way(Path(os.fsdecode(named)))
        if blocking is None:
            return OutputError(
                "输出路径中有一项是文件而不是文件夹，输出文件无法写入。",
                path=target,
                hint="请把与文件夹同名的文件改名或移走后重新运行。",
            )
        return OutputError(
            f"输出路径中的“{blocking.name}”是文件而不是文件夹，输出文件无法写入。",
            path=blocking,
            hint="请把这个文件改名或移走后重新运行。",
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


def _reserve(target: Path, name: list[Path]) -> int:
    """A new, empty temporary file beside ``target`` (its folder made if missing): its
    descriptor. Its path is put in ``name`` before it is made, so that the caller can remove it
    whenever an interruption (Ctrl+C, SIGTERM) comes: often just as it is made."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    made_folder = False
    while True:
        name[:] = [
            target.with_name(
                f".{target.stem[:40]}.{HOST}-{os.getpid()}.{next(_COUNTER)}.tmp{target.suffix}"
            )
        ]
        try:
            return os.open(name[0], flags, 0o644)
        except FileExistsError:  # left over by a killed run of the same process id: not ours
            name.clear()
            continue
        except FileNotFoundError:
            if made_folder:
                raise
            make_folder(target.parent)
            made_folder = True


@contextlib.contextmanager
def _temporary(target: Path) -> Iterator[tuple[int, Path]]:
    """A reserved temporary file, removed unless it was moved over ``target``. Every system
    error while it is reserved, written (by the caller) or synced becomes an OutputError."""
    name: list[Path] = []
    try:
        fd = _reserve(target, name)
        yield fd, name[0]
    except OSError as exc:  # the disk is full, say
        raise output_error(exc, target) from exc
    except OutputError:
        raise
    except Exception as exc:
        wrapped = _wrapped_os_error(exc)
        if wrapped is None:
            raise
        raise output_error(wrapped, target) from exc
    finally:
        for tmp in name:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _wrapped_os_error(exc: Exception) -> OSError | None:
    """The system error a writer's own exception stands for: raised ``from`` it, or carrying it
    as its argument (XlsxWriter's ``FileCreateError(e)``). Other errors are the writer's."""
    if isinstance(exc.__cause__, OSError):
        return exc.__cause__
    context = exc.__context__
    if isinstance(context, OSError) and exc.args and exc.args[0] is context:
        return context
    return None


def _replace(tmp: Path, target: Path) -> None:
    try:
        os.replace(tmp, target)
    except IsADirectoryError as exc:
        raise OutputError(
            "输出文件的位置上是一个文件夹。",
            path=target,
            hint="请把这个文件夹改名或移走后重新运行。",
        ) from exc
    except OSError as exc:  # mostly EACCES: no permission, or WinError 32 when Excel holds it
        raise output_error(exc, target) from exc


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
    """Whether process ``pid`` of this machine may still run: False only when it surely ended
    (a process that took its number since only keeps a dead run's file a while longer)."""
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # os.kill(pid, 0) would end the process there
        return _running_windows(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):  # another user's, or cannot tell
        return True
    return True


def _running_windows(pid: int) -> bool:
    import ctypes
    from ctypes import wintypes

    if not 0 < pid < 2**32:
        return True
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    kernel32.OpenProcess.argtypes = (wintypes.DWORD, wintypes.BOOL, wintypes.DWORD)
    kernel32.OpenProcess.restype = wintypes.HANDLE
    kernel32.GetExitCodeProcess.argtypes = (wintypes.HANDLE, ctypes.POINTER(wintypes.DWORD))
    kernel32.CloseHandle.argtypes = (wintypes.HANDLE,)
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return ctypes.get_last_error() != 87  # ERROR_INVALID_PARAMETER: no such process
    try:
        code = wintypes.DWORD()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


def sweep_temporaries(folders: Iterable[Path]) -> list[Path]:
    """Remove the temporary files killed runs left in ``folders`` (not below them): only names
    of :func:`_reserve`'s form, of this machine whose process is gone, or of another machine
    and older than a day. Never raises; returns what was removed."""
    removed = []
    now = time.time()
    for folder in folders:
        try:
            entries = list(os.scandir(folder))
        except (OSError, ValueError, TypeError):  # not a folder, or not a path at all
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
            except Exception:  # held open (Windows), gone meanwhile, cannot tell: left alone
                continue
    return removed
