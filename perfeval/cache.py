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
import pickle
import sqlite3
from collections.abc import Iterable
from dataclasses import fields
from importlib import metadata
from pathlib import Path
from typing import Any

from perfeval import __version__
from perfeval import layout as L
from perfeval.roster import RosterItem
from perfeval.workspace import Workspace

CACHE_NAME = ".perfeval-cache.sqlite"


def context_key(ws: Workspace) -> str:
    """Hash of everything a workbook's outcome depends on besides its own bytes."""
    names = [f.name for f in fields(RosterItem)]
    payload = {
        "perfeval": __version__,
        "reader": _reader_version(),
        "template": L.TEMPLATE_VERSION,
        "settings": ws.settings.raw,
        "frameworks": sorted((fw.id, fw.content_hash) for fw in ws.frameworks),
        "roster": [names, *([getattr(i, n) for n in names] for i in ws.roster.items)],
    }
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _reader_version() -> str:
    """A new python-calamine may read (or crash on) the same bytes differently."""
    try:
        return metadata.version("python-calamine")
    except metadata.PackageNotFoundError:
        return ""


class Cache:
    """Outcomes by (file hash, context). Unusable cache files are ignored, never fatal."""

    def __init__(self, path: Path, context: str) -> None:
        self.context = context
        self._db: sqlite3.Connection | None = None
        try:
            self._db = sqlite3.connect(str(path), timeout=5)
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS outcome (sha TEXT, context TEXT, data BLOB, "
                "PRIMARY KEY (sha, context))"
            )
            self._db.execute("DELETE FROM outcome WHERE context != ?", (context,))
        except sqlite3.Error:
            self._db = None

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

    def put_many(self, entries: Iterable[tuple[str, Any]]) -> None:
        if self._db is None:
            return
        rows = [
            (sha, self.context, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
            for sha, value in entries
        ]
        try:
            with self._db:
                self._db.executemany("INSERT OR REPLACE INTO outcome VALUES (?, ?, ?)", rows)
        except sqlite3.Error:
            pass

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
