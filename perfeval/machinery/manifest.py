"""What perfeval wrote and may remove later: the annotated copies in 退回修改/.

A run makes an annotated copy for each workbook with errors; a copy whose workbook has since been
corrected is stale and goes. perfeval removes only files it recorded here as written by itself,
and only while they are as it left them (same size and modification time): a file someone put
in the folder, or changed there, is never removed, whatever its name.

The record is ``.perfeval-written.json`` in the output folder: the returns folder it describes
(relative to the output folder, so that it moves with the evaluation folder) and, for each copy,
its path relative to that folder with its size and modification time. Like the cache, it may
have travelled with the folder: it is read as untrusted data, and an entry that is not a plain
relative path inside the returns folder is ignored.
"""

from __future__ import annotations

import json
import logging
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from perfeval.errors import OutputError
from perfeval.machinery import own_files
from perfeval.machinery.atomic import write_text

log = logging.getLogger(__name__)

MANIFEST_NAME = own_files.MANIFEST
MAX_BYTES = 64 * 1024 * 1024  # a real record names each copy once: a few MB for a province
FORMAT = 1


class CopyPlaces:
    """Where this run may write annotated copies: below the returns folder, also once links are
    followed (a link there must not lead into 回收/ or anywhere else), and never over a file that
    perfeval did not write or that was changed since (a clerk's own version, say). Made before
    the run: the record of the last one, and the files in the folder that it does not account
    for (``foreign``), which this run neither writes over, adopts nor removes."""

    def __init__(self, output: Path, returns: Path, returned: Path) -> None:
        self.output = output
        self.returns = returns
        self._real = os.path.realpath(returns)
        self._inputs = os.path.realpath(returned)
        self.record = read_manifest(output, returns)
        self.foreign = self._unaccounted()

    def _unaccounted(self) -> set[str]:
        """Relative names of the files below the returns folder (links not followed) that are
        not recorded as perfeval left them."""
        out = set()
        for where, folders, files in os.walk(self.returns):
            folders[:] = [f for f in folders if not os.path.islink(os.path.join(where, f))]
            rel = Path(where).relative_to(self.returns)
            for name in files:
                key, stamp = (rel / name).as_posix(), _stamp(Path(where) / name)
                if self.record.get(key) == stamp:
                    continue
                if key in self.record and stamp is not None and stamp[0] == 0:
                    continue  # a copy of ours left empty by a power cut: nothing to protect
                out.add(key)
        return out

    def allowed(self, path: Path) -> bool:
        """``path`` lies below the returns folder, links followed, and not in 回收/."""
        where = os.path.realpath(path.parent)
        return _below(where, self._real) and not _below(where, self._inputs)

    def target(self, name: str) -> Path | None:
        """Where the copy of returned file ``name`` goes; None when it may not be written."""
        target = self.returns / name
        if name in self.foreign or not self.allowed(target) or own_files.occupied(target):
            return None
        return target

    def present(self, name: str) -> bool:
        """The copy perfeval wrote last time is there as it left it (and not empty: copies are
        not flushed one by one, so after a power cut one may be)."""
        stamp = _stamp(self.returns / name)
        return stamp is not None and stamp[0] > 0 and self.record.get(name) == stamp


def _below(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


@dataclass
class Tidied:
    """The outcome of :func:`tidy_returns`."""

    kept: list[Path] = field(default_factory=list)  # copies due now that exist
    missing: list[str] = field(default_factory=list)  # copies due now that could not be written
    foreign: list[str] = field(
        default_factory=list
    )  # due, but a file perfeval did not write is there
    removed: list[Path] = field(default_factory=list)  # stale copies removed
    left: list[Path] = field(default_factory=list)  # stale copies that could not be removed


def _stamp(path: Path) -> tuple[int, int] | None:
    """Size and modification time of a plain file (not through a link); None otherwise."""
    try:
        st = os.lstat(path)
    except (OSError, ValueError):
        return None
    return (st.st_size, st.st_mtime_ns) if stat.S_ISREG(st.st_mode) else None


def _safe_relative(name: object) -> str | None:
    """A recorded name, if it is a plain relative path with no way out of the folder."""
    if not isinstance(name, str) or not name or "\\" in name or "\x00" in name:
        return None
    parts = PurePosixPath(name).parts
    if PurePosixPath(name).is_absolute() or any(p in ("..", ".", "") for p in parts):
        return None
    return name


def _where(output: Path, returns: Path) -> str:
    """The returns folder as the record names it: relative to the output folder, so that a
    copied or moved evaluation folder keeps its record (absolute across Windows drives)."""
    there, here = returns.resolve(), output.resolve()
    try:
        return Path(os.path.relpath(there, here)).as_posix()
    except ValueError:
        return str(there)


def read_manifest(output: Path, returns: Path) -> dict[str, tuple[int, int]]:
    """The copies recorded for ``returns`` (relative name -> size, mtime); {} when there is no
    usable record or it describes another folder."""
    path = output / MANIFEST_NAME
    if not own_files.regular_file(path):
        return {}
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            return {}
        data = json.loads(raw)
        where = _where(output, returns)
    except (OSError, ValueError, RecursionError, RuntimeError):  # damaged, planted, deep
        return {}
    if (
        not isinstance(data, dict)
        or data.get("format") != FORMAT
        or data.get("returns") != where
        or not isinstance(data.get("files"), dict)
    ):
        return {}
    out = {}
    for name, stamp in data["files"].items():
        safe = _safe_relative(name)
        if (
            safe is not None
            and isinstance(stamp, list)
            and len(stamp) == 2
            and all(type(x) is int for x in stamp)
        ):
            out[safe] = (stamp[0], stamp[1])
    return out


def _write_manifest(output: Path, returns: Path, files: dict[str, tuple[int, int]]) -> None:
    payload = {
        "format": FORMAT,
        "about": "perfeval: annotated copies it wrote; only these may be removed by it",
        "returns": _where(output, returns),
        "files": {name: list(stamp) for name, stamp in sorted(files.items())},
    }
    write_text(output / MANIFEST_NAME, json.dumps(payload, ensure_ascii=False, indent=0))


def tidy_returns(places: CopyPlaces, due: Iterable[str]) -> Tidied:
    """After a run: record the copies due now (relative names) that perfeval wrote, in this run
    or unchanged since an earlier one, and remove the recorded copies no longer due that are
    unchanged since perfeval wrote them. A due name held by a file perfeval did not write is
    left alone and reported; so is anything a link would take out of the returns folder."""
    due = set(due)
    returns, recorded = places.returns, places.record
    result = Tidied()
    files: dict[str, tuple[int, int]] = {}
    for name in sorted(due):
        path = returns / name
        stamp = _stamp(path)
        if name in places.foreign:
            result.foreign.append(name)
        elif stamp is None or not places.allowed(path):
            result.missing.append(name)
        else:
            result.kept.append(path)
            files[name] = stamp
    for name, stamp in sorted(recorded.items()):
        if name in due:
            continue
        path = returns / name
        now = _stamp(path)
        if now is None or now != stamp or not places.allowed(path):  # not ours to remove
            continue
        try:
            path.unlink()
            result.removed.append(path)
        except OSError:  # open in Excel: left, and tried again next run
            log.warning("could not remove the stale annotated copy %s", path)
            result.left.append(path)
            files[name] = stamp
    if files or recorded:
        try:
            _write_manifest(places.output, returns, files)
        except OutputError:  # a read-only output folder: nothing was written there to record
            log.warning("could not record the annotated copies in %s", places.output)
    return result
