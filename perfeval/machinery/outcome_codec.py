"""A checked file's outcome as bytes: what a worker sends back and what the cache stores.

The bytes are JSON, never a pickle: the cache file travels with the evaluation folder, and a
pickle planted there would run code when read. An outcome is one line of JSON (its findings, the
roster item it belongs to, flags, its total); when the file was scored, its packed score follows
after a newline (see :mod:`.score_pack`) and stays packed, as bytes, until it is needed.
The file's name is not stored: an outcome is found by the hash of the file's bytes and read back
under the name of the day.

:func:`decode_stored` (bytes from the cache) accepts only what :func:`encode_outcome` writes,
checked field by field against today's roster and frameworks: anything else is None, a cache
miss, and nothing in the bytes can make it raise. :func:`decode_outcome` (bytes just made by
perfeval's own worker) only parses them.
"""

from __future__ import annotations

import json
from typing import Any

from perfeval.check.workbook import FileOutcome
from perfeval.config.workspace import Workspace
from perfeval.machinery import plain as P
from perfeval.machinery.score_pack import decimal_of, read_pack

FAILURES = ("", "crash", "timeout", "memory", "far")  # see perfeval.check.workbook.failed
_SHA = frozenset("0123456789abcdef")


def encode_outcome(o: FileOutcome) -> bytes:
    head = [
        o.sha256,
        o.item_id,
        o.readable,
        o.cacheable,
        o.failure,
        P.findings_out(o.findings),
        o.total if o.packed is not None else "",
    ]
    line = P.dumps(head)
    return line if o.packed is None else line + b"\n" + o.packed


def decode_outcome(data: bytes, name: str, ws: Workspace) -> FileOutcome:
    """The outcome a worker of this run encoded, for the file shown as ``name``."""
    return _outcome(data, name, ws, False)


def decode_stored(data: bytes, name: str, ws: Workspace) -> FileOutcome | None:
    """The outcome stored in ``data`` (from the cache: untrusted), for the file shown as
    ``name``; None unless it is exactly what :func:`encode_outcome` writes for today's roster
    and frameworks."""
    try:
        return _outcome(data, name, ws, True)
    except Exception:  # any surprise in untrusted bytes is a miss, never the run's end
        return None


def _outcome(data: bytes, name: str, ws: Workspace, check: bool) -> FileOutcome:
    line, scored, packed = data.partition(b"\n")
    head = P.loads(line) if check else json.loads(line)
    if check:
        _check_head(head, bool(scored))
    sha, item_id, readable, cacheable, failure, findings, total = head
    out = FileOutcome(
        name,
        sha,
        P.findings_in(findings, name),
        item_id,
        readable,
        cacheable=cacheable,
        failure=failure,
    )
    if scored:
        fw = _framework_of(item_id, ws)  # a scored outcome's item is on the roster
        if check:
            read_pack(packed, fw, total)
        out.packed, out.total = packed, total
        out.grade = ws.settings.grade_for(decimal_of(total), fw.total).name  # type: ignore[arg-type]
    return out


def _check_head(head: Any, scored: bool) -> None:
    if type(head) is not list or len(head) != 7:
        raise P.Malformed("outcome expected")
    sha, item_id, readable, cacheable, failure, _, total = head
    if type(sha) is not str or (sha and (len(sha) != 64 or not _SHA.issuperset(sha))):
        raise P.Malformed("SHA-256 expected")
    P.optional(P.text, item_id)
    P.flag(readable)
    P.flag(cacheable)
    if failure not in FAILURES:
        raise P.Malformed("unknown failure")
    if scored:
        P.cents(total)
    elif total != "":
        raise P.Malformed("a total without a score")


def _framework_of(item_id: Any, ws: Workspace) -> Any:
    """The framework a scored outcome's roster item is evaluated with (a score for an item that
    is not on today's roster, or of an unknown framework, cannot be used)."""
    item = ws.roster.get(P.text(item_id))
    fw = ws.framework_for(item) if item is not None else None
    if fw is None:
        raise P.Malformed("score for an item not on the roster")
    return fw
