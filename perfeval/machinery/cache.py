"""A cache of checked workbooks, keyed by content hash and by everything the outcome depends on.

Re-running validation after a few files changed should not re-read the thousands that did not.
An entry is used only when both the file's SHA-256 and the *context* match: perfeval's version,
the template version, every setting, every framework's content hash and the whole roster. Change
any of them and every file is checked again, so the cache never serves a stale result.

The cache is one SQLite file in the evaluation folder (``.perfeval-cache.sqlite``); deleting it
is always safe. Folders travel between offices, so the file may come from anyone: it is opened
without trusting its schema (``trusted_schema`` off), used only when it holds exactly perfeval's
tables, and holds plain data only (outcomes as JSON, see :mod:`.outcome_codec`, read back
with every field checked). A file that is not perfeval's is left alone, never deleted, and the
run goes on without the cache, as it does on any SQLite error (a locked, read-only, damaged or
full file).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import fields
from importlib import metadata
from operator import attrgetter
from pathlib import Path

from perfeval import __version__
from perfeval import layout as L
from perfeval.config.roster import RosterItem
from perfeval.config.workspace import Workspace
from perfeval.machinery import own_files
from perfeval.machinery.plain import MAX_BYTES
from perfeval.machinery.score_pack import PACK_FORMAT

CACHE_NAME = own_files.CACHE

log = logging.getLogger(__name__)

#: perfeval's tables, exactly; a file holding anything else (a trigger, a view, other columns)
#: is not used. ``filestat.path`` holds each path as bytes (:func:`path_key`), whatever the
#: declared type: paths may hold bytes that are not UTF-8 (names from GBK zips)
SCHEMA = (
    "CREATE TABLE outcome (sha TEXT, context TEXT, data BLOB, PRIMARY KEY (sha, context))",
    "CREATE TABLE filestat (path TEXT PRIMARY KEY, size INTEGER, mtime INTEGER, ctime INTEGER, "
    "ino INTEGER, sha TEXT, hashed INTEGER)",
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)",
)
_OBJECTS = "SELECT type, name, tbl_name, sql FROM sqlite_master"
# stat records of the expected types only, each hash 64 lowercase hex digits
_STATS = (
    "SELECT path, size, mtime, ctime, ino, sha, hashed FROM filestat WHERE typeof(path) = 'blob' "
    "AND typeof(size) = 'integer' AND typeof(mtime) = 'integer' AND typeof(ctime) = 'integer' "
    "AND typeof(ino) = 'integer' AND typeof(hashed) = 'integer' AND typeof(sha) = 'text' "
    "AND length(sha) = 64 AND sha NOT GLOB '*[^0-9a-f]*'"
)


def _our_objects() -> frozenset[tuple]:
    """What sqlite_master lists for :data:`SCHEMA` (tables and their primary-key indexes)."""
    db = sqlite3.connect(":memory:")
    try:
        for statement in SCHEMA:
            db.execute(statement)
        return frozenset(db.execute(_OBJECTS))
    finally:
        db.close()


OURS = _our_objects()


def path_key(path: str) -> bytes:
    """A path as stored: UTF-8, with any surrogate escapes (undecodable bytes in a name) kept
    as they are. Defined for every str, and different paths give different keys."""
    return path.encode("utf-8", "surrogatepass")


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
        # each project's own indicators, where a framework takes them from its targets
        "targets": ws.targets.content_hash if ws.uses_targets else "",
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
#: seconds to wait for a cache file another run holds locked, before going on without it
LOCK_WAIT = 5.0


class Cache:
    """Outcomes by (file hash, context), as bytes. Unusable cache files are ignored, never fatal:
    after an SQLite error in reading the run goes on without the cache, after one in writing
    (a read-only or full disk, a file locked by another run) without storing anything more."""

    def __init__(self, path: Path, context: str) -> None:
        self.path = path
        self.context = context
        self._db: sqlite3.Connection | None = None
        self._writable = True
        self._deferred: dict[str, tuple[int, ...]] = {}  # path -> stat and time, not yet hashed
        try:
            self._db = self._open(path, context)
        except (sqlite3.Error, OSError, ValueError) as exc:
            self._fail(exc)

    def _open(self, path: Path, context: str) -> sqlite3.Connection | None:
        if own_files.occupied(path):
            log.warning("%s is not a regular file; running without the cache", path)
            return None
        db = sqlite3.connect(path, timeout=LOCK_WAIT)
        try:
            db.execute("PRAGMA trusted_schema = OFF")  # nothing in the file runs as we read it
            db.execute("PRAGMA cell_size_check = ON")  # damaged pages are errors, not crashes
            found = set(db.execute(_OBJECTS))
            if not found <= OURS:
                log.warning(
                    "%s holds tables, triggers or views perfeval does not write; running "
                    "without the cache and leaving the file as it is",
                    path,
                )
                db.close()
                return None
            with db:
                for statement in SCHEMA:
                    db.execute(statement.replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS"))
            row = db.execute("SELECT value FROM meta WHERE key = 'context'").fetchone()
            if row is None or row[0] != context:  # outcomes of another context are useless now
                with db:
                    db.execute("DELETE FROM outcome WHERE context != ?", (context,))
                    db.execute("DELETE FROM filestat WHERE typeof(path) != 'blob'")  # older form
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('context', ?)", (context,))
        except BaseException:
            db.close()
            raise
        return db

    def _fail(self, exc: BaseException) -> None:
        """Go on without the cache (what was stored before stays; this run adds nothing)."""
        log.warning("cache %s not usable (%s); running without it", self.path, exc)
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.rollback()
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
        self._db = None

    def _write_failed(self, exc: BaseException) -> None:
        if self._writable:
            log.warning("cache %s cannot be written (%s); this run stores nothing", self.path, exc)
        self._writable = False
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.rollback()

    def has_outcomes(self) -> bool:
        """Is any outcome stored for this context? If not, no file can be found by its hash."""
        if self._db is None:
            return False
        try:
            query = "SELECT 1 FROM outcome WHERE context = ? LIMIT 1"
            return self._db.execute(query, (self.context,)).fetchone() is not None
        except sqlite3.Error as exc:
            self._fail(exc)
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
        known: dict[bytes, tuple] = {}
        if self._db is not None:
            try:
                known = {row[0]: row[1:] for row in self._db.execute(_STATS)}
            except sqlite3.Error as exc:
                self._fail(exc)
        out, fresh = [], []
        for path in paths:
            try:
                st = os.stat(path)
            except (OSError, ValueError):
                out.append("")
                continue
            stamp = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
            rec = known.get(path_key(path)) if known else None
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
        if not rows or self._db is None or not self._writable:
            return
        try:
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO filestat VALUES (?, ?, ?, ?, ?, ?, ?)",
                    ((path_key(path), *rest) for path, *rest in rows),
                )
        except (sqlite3.Error, OverflowError) as exc:
            self._write_failed(exc)

    def get_many(self, hashes: Iterable[str]) -> dict[str, bytes]:
        """The stored bytes of each hash found (what they hold is checked by whoever decodes
        them: see :func:`perfeval.machinery.outcome_codec.decode_outcome`)."""
        if self._db is None:
            return {}
        found: dict[str, bytes] = {}
        wanted = list(dict.fromkeys(hashes))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            try:
                rows = self._db.execute(
                    f"SELECT sha, data FROM outcome WHERE context = ? AND sha IN ({marks}) "
                    "AND typeof(data) = 'blob' AND length(data) <= ?",
                    (self.context, *chunk, MAX_BYTES),
                ).fetchall()
            except sqlite3.Error as exc:
                self._fail(exc)
                return {}
            found.update(rows)
        return found

    def put(self, sha: str, data: bytes) -> None:
        """Store one outcome already encoded (by the worker that made it). Puts go into one
        transaction, committed by :meth:`close`: storing happens while workers run, not after."""
        if self._db is None or not self._writable or len(data) > MAX_BYTES:
            return
        try:
            self._db.execute(
                "INSERT OR REPLACE INTO outcome VALUES (?, ?, ?)", (sha, self.context, data)
            )
        except sqlite3.Error as exc:
            self._write_failed(exc)

    def close(self) -> None:
        if self._db is None:
            return
        if self._writable:
            try:
                self._db.commit()
            except sqlite3.Error as exc:
                self._write_failed(exc)
        with contextlib.suppress(sqlite3.Error):
            self._db.close()
        self._db = None
