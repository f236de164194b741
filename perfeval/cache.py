"""A cache of checked workbooks, keyed by content hash and by everything the outcome depends on.

Re-running validation after a few files changed should not re-read the thousands that did not.
An entry is used only when both the file's SHA-256 and the *context* match: perfeval's version,
the template version, every setting, every framework's content hash and the whole roster. Change
any of them and every file is checked again, so the cache never serves a stale result.

The cache is one SQLite file in the evaluation folder (``.perfeval-cache.sqlite``); deleting it
is always safe.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import fields
from importlib import metadata
from operator import attrgetter
from pathlib import Path
from typing import Any

from perfeval import __version__
from perfeval import layout as L
from perfeval.roster import RosterItem
from perfeval.score import PACK_FORMAT
from perfeval.workspace import Workspace

CACHE_NAME = ".perfeval-cache.sqlite"


def context_key(ws: Workspace) -> str:
    """Hash of everything a workbook's outcome depends on besides its own bytes."""
    names = [f.name for f in fields(RosterItem)]
    payload = {
        "perfeval": __version__,
        "reader": _reader_version(),
        "template": L.TEMPLATE_VERSION,
        "pack": PACK_FORMAT,
        "settings": ws.settings.raw,
        "frameworks": sorted((fw.id, fw.content_hash) for fw in ws.frameworks),
        # the items follow from the roster file's bytes and the settings and frameworks above
        # (hashing 100,000 items as JSON took 0.6 s); a roster made in memory: item by item
        "roster": ws.roster.digest or [names, *map(attrgetter(*names), ws.roster.items)],
    }
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _reader_version() -> str:
    """A new python-calamine may read (or crash on) the same bytes differently."""
    try:
        return metadata.version("python-calamine")
    except metadata.PackageNotFoundError:
        return ""


def file_sha256(path: str) -> str:
    try:
        with open(path, "rb") as fh:
            return hashlib.sha256(fh.read()).hexdigest()
    except OSError:
        return ""


#: a file changed less than this long before it was hashed may change again unseen within the
#: same timestamp tick; its recorded hash is not trusted (git calls this "racy")
RACY_NS = 2_000_000_000
#: only where st_ctime is the status-change time (POSIX); on Windows it is the creation time,
#: which a same-size rewrite with a restored modification time would not move
STAT_SHORTCUT = os.name == "posix"


class Cache:
    """Outcomes by (file hash, context). Unusable cache files are ignored, never fatal."""

    def __init__(self, path: Path, context: str) -> None:
        self.context = context
        self._db: sqlite3.Connection | None = None
        self._deferred: dict[str, tuple[int, ...]] = {}  # path -> stat and time, not yet hashed
        try:
            self._db = sqlite3.connect(str(path), timeout=5)
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS outcome (sha TEXT, context TEXT, data BLOB, "
                "PRIMARY KEY (sha, context))"
            )
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS filestat (path TEXT PRIMARY KEY, size INTEGER, "
                "mtime INTEGER, ctime INTEGER, ino INTEGER, sha TEXT, hashed INTEGER)"
            )
            self._db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            row = self._db.execute("SELECT value FROM meta WHERE key = 'context'").fetchone()
            if row is None or row[0] != context:  # outcomes of another context are useless now
                with self._db:
                    self._db.execute("DELETE FROM outcome WHERE context != ?", (context,))
                    self._db.execute(
                        "INSERT OR REPLACE INTO meta VALUES ('context', ?)", (context,)
                    )
        except sqlite3.Error:
            self._db = None

    def has_outcomes(self) -> bool:
        """Is any outcome stored for this context? If not, no file can be found by its hash."""
        if self._db is None:
            return False
        try:
            query = "SELECT 1 FROM outcome WHERE context = ? LIMIT 1"
            return self._db.execute(query, (self.context,)).fetchone() is not None
        except sqlite3.Error:
            return False

    def file_hashes(self, paths: list[str], *, read: bool = True) -> list[str]:
        """SHA-256 of each file ('' when unreadable). A file whose size, modification and
        status-change times and inode are as recorded when it was last hashed (and that did not
        change just before that) is not read again, as git does: re-checking 100,000 unchanged
        files then costs only their ``stat``. Writing a file always moves its status-change
        time (programs cannot set it back), so a changed file is always hashed again.

        With ``read=False`` a file not known this way gets '' and is not read: whoever reads it
        next computes its hash and hands it to :meth:`record_hashes` (a first run would
        otherwise read every file twice). Its ``stat`` is taken now, before that read, so a
        change in between is seen on the next run.
        """
        known: dict[str, tuple] = {}
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                known = {row[0]: row[1:] for row in self._db.execute("SELECT * FROM filestat")}
        out, fresh = [], []
        for path in paths:
            try:
                st = os.stat(path)
            except OSError:
                out.append("")
                continue
            stamp = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
            rec = known.get(path)
            if (
                STAT_SHORTCUT
                and rec is not None
                and rec[:4] == stamp
                and max(stamp[1:3]) + RACY_NS < rec[5]
            ):
                out.append(rec[4])
                continue
            now = time.time_ns()
            if not read:
                self._deferred[path] = (*stamp, now)
                out.append("")
                continue
            sha = file_sha256(path)
            out.append(sha)
            if sha:
                fresh.append((path, *stamp, sha, now))
        self._save_stats(fresh)
        return out

    def record_hashes(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Hashes computed elsewhere for files :meth:`file_hashes` left unread: (path, sha)."""
        fresh = []
        for path, sha in pairs:
            stamp = self._deferred.pop(path, None)
            if stamp is not None and sha:
                size, mtime, ctime, ino, now = stamp
                fresh.append((path, size, mtime, ctime, ino, sha, now))
        self._save_stats(fresh)

    def _save_stats(self, rows: list[tuple]) -> None:
        if rows and self._db is not None:
            with contextlib.suppress(sqlite3.Error), self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO filestat VALUES (?, ?, ?, ?, ?, ?, ?)", rows
                )

    def get_many(self, hashes: Iterable[str]) -> dict[str, Any]:
        if self._db is None:
            return {}
        found: dict[str, Any] = {}
        wanted = list(dict.fromkeys(hashes))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            try:
                rows = self._db.execute(
                    f"SELECT sha, data FROM outcome WHERE context = ? AND sha IN ({marks})",
                    (self.context, *chunk),
                ).fetchall()
            except sqlite3.Error:
                return found
            for sha, data in rows:
                with contextlib.suppress(Exception):
                    found[sha] = pickle.loads(data)
        return found

    def put(self, sha: str, data: bytes) -> None:
        """Store one outcome already pickled (by the worker that made it). Puts go into one
        transaction, committed by :meth:`close`: storing happens while workers run, not after."""
        if self._db is None:
            return
        with contextlib.suppress(sqlite3.Error):
            self._db.execute(
                "INSERT OR REPLACE INTO outcome VALUES (?, ?, ?)", (sha, self.context, data)
            )

    def close(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.commit()
            self._db.close()
            self._db = None
