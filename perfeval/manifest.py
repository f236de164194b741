"""What perfeval wrote and may remove later: the annotated copies in 退回修改/.

A run makes an annotated copy for each workbook with errors; a copy whose workbook has since been
corrected is stale and goes. perfeval removes only files it recorded here as written by itself,
and only while they are as it left them (same size and modification time): a file someone put
in the folder, or changed there, is never removed, whatever its name.

The record is ``.perfeval-written.json`` in the output folder: the returns folder it describes and,
for each copy, its path relative to that folder with its size and modification time. Like the
cache, it may have travelled with the folder: it is read as untrusted data, and an entry that is
not a plain relative path inside the returns folder is ignored.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from perfeval.atomic import write_text
from perfeval.errors import OutputError

log = logging.getLogger(__name__)

MANIFEST_NAME = ".perfeval-written.json"
FORMAT = 1


@dataclass
class Tidied:
    """The outcome of :func:`tidy_returns`."""

    kept: list[Path] = field(default_factory=list)  # copies due now that exist
    missing: list[str] = field(default_factory=list)  # copies due now that could not be written
    removed: list[Path] = field(default_factory=list)  # stale copies removed
    left: list[Path] = field(default_factory=list)  # stale copies that could not be removed


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns) if path.is_file() else None


def _safe_relative(name: object) -> str | None:
    """A recorded name, if it is a plain relative path with no way out of the folder."""
    if not isinstance(name, str) or not name or "\\" in name or "\x00" in name:
        return None
    parts = PurePosixPath(name).parts
    if PurePosixPath(name).is_absolute() or any(p in ("..", ".", "") for p in parts):
        return None
    return name


def read_manifest(output: Path, returns: Path) -> dict[str, tuple[int, int]]:
    """The copies recorded for ``returns`` (relative name -> size, mtime); {} when there is no
    usable record or it describes another folder."""
    try:
        data = json.loads((output / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if (
        not isinstance(data, dict)
        or data.get("format") != FORMAT
        or data.get("returns") != str(returns.resolve())
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
        "returns": str(returns.resolve()),
        "files": {name: list(stamp) for name, stamp in sorted(files.items())},
    }
    write_text(output / MANIFEST_NAME, json.dumps(payload, ensure_ascii=False, indent=0))


def tidy_returns(output: Path, returns: Path, due: Iterable[str]) -> Tidied:
    """After a run: record the copies due now (relative names) that exist, and remove the
    recorded copies no longer due that are unchanged since perfeval wrote them."""
    due = set(due)
    recorded = read_manifest(output, returns)
    result = Tidied()
    files: dict[str, tuple[int, int]] = {}
    for name in sorted(due):
        path = returns / name
        stamp = _stamp(path)
        if stamp is None:
            result.missing.append(name)
        else:
            result.kept.append(path)
            files[name] = stamp
    for name, stamp in sorted(recorded.items()):
        if name in due:
            continue
        path = returns / name
        now = _stamp(path)
        if now is None or now != stamp:  # gone, or not as perfeval left it: not ours to remove
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
            _write_manifest(output, returns, files)
        except OutputError:  # a read-only output folder: nothing was written there to record
            log.warning("could not record the annotated copies in %s", output)
    return result
