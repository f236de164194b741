"""Validate every returned workbook in one pass: read, check, and score the clean ones.

Files are hashed; outcomes already in the cache for the same bytes and the same context are
reused; the rest are checked in isolated worker processes (machinery.pool), so a bad file
costs one finding, never the run. Cross-file rules (duplicates, items not returned, coverage)
run last, on every result.
"""

from __future__ import annotations

import logging
import os
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from perfeval.check.catalogue import Code, Finding, Severity, finding
from perfeval.check.roster_rules import roster_rules
from perfeval.check.workbook import FileOutcome, check_file, failed
from perfeval.config.framework import Framework
from perfeval.config.roster import RosterItem
from perfeval.config.settings import Settings
from perfeval.config.workspace import Workspace, open_workspace
from perfeval.machinery import own_files
from perfeval.machinery.cache import CACHE_NAME, Cache, context_key
from perfeval.machinery.heap import long_lived
from perfeval.machinery.manifest import CopyPlaces, Tidied, tidy_returns
from perfeval.machinery.outcome_codec import decode_outcome, decode_stored, encode_outcome
from perfeval.machinery.pool import run_isolated
from perfeval.machinery.score_pack import unpack
from perfeval.model import CellRef
from perfeval.read.container import far_cells, is_lock_file
from perfeval.read.discover import returned_files
from perfeval.read.submission import read_submission
from perfeval.render.returns import needs_copy, write_late_copy, write_return
from perfeval.score import ItemScore

log = logging.getLogger(__name__)

#: Files with these endings are looked at; anything else in the folder is skipped with a note.
SPREADSHEET_SUFFIXES = {
    ".xlsx",
    ".xlsm",
    ".xltx",
    ".xltm",
    ".xls",
    ".et",
    ".ett",
    ".xlsb",
    ".ods",
    ".csv",
}

Progress = Callable[[int, int], None]


class FileResult:
    """One returned file's findings, and its score when it passed (rebuilt on first use)."""

    __slots__ = ("_link", "_score", "file", "findings", "grade", "item", "readable", "sha256")
    __slots__ += ("packed", "total")

    def __init__(
        self,
        file: str,
        sha256: str,
        findings: list[Finding],
        item: RosterItem | None = None,
        packed: bytes | None = None,
        readable: bool = False,
        total: str = "",
        grade: str = "",
        link: tuple[Framework, Settings] | None = None,
    ) -> None:
        self.file, self.sha256, self.findings, self.item = file, sha256, findings, item
        self.packed, self.readable, self.total, self.grade = packed, readable, total, grade
        self._link = link
        self._score: ItemScore | None = None

    @property
    def passed(self) -> bool:
        """Scored: no error in this file (and it is not a duplicate return)."""
        if self._score is not None:
            return True
        return self.packed is not None and self.item is not None and self._link is not None

    @property
    def score(self) -> ItemScore | None:
        if self._score is None and self.passed:
            self._score = unpack(self.packed, self.file, self.item, *self._link)  # type: ignore[arg-type]
            self.packed = None  # the score replaces its packed form
        return self._score

    def discard_score(self) -> None:
        self.packed, self._score, self.total, self.grade = None, None, "", ""

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.is_error)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.WARNING)


@dataclass
class ValidationResult:
    files: list[FileResult]
    roster_findings: list[Finding]
    skipped: list[Finding]  # lock files and files that are not spreadsheets
    cached: int = 0  # how many outcomes came from the cache
    copies: Tidied = field(default_factory=Tidied)  # the annotated copies, after this run

    @property
    def findings(self) -> list[Finding]:
        out = list(self.roster_findings)
        for f in self.files:
            out += f.findings
        return out + self.skipped

    @property
    def has_errors(self) -> bool:
        return any(f.is_error for f in self.findings)

    @property
    def scores(self) -> list[ItemScore]:
        return [f.score for f in self.files if f.passed]  # type: ignore[misc]


SETTLE_EVERY = 1000  # results between two heap.long_lived settles

# --- worker side -------------------------------------------------------------------------------

_WS: Workspace | None = None
_PLACES: CopyPlaces | None = None  # where annotated copies may be written (see manifest)


def _init_worker(folder: str) -> None:
    global _WS, _PLACES
    if _WS is None or str(_WS.folder) != folder:
        _WS = open_workspace(Path(folder))
        _PLACES = copy_places(_WS)


def copy_places(ws: Workspace) -> CopyPlaces:
    s = ws.settings
    return CopyPlaces(s.path("output"), s.path("returns"), s.path("returned"))


def _check_job(path: str, name: str) -> FileOutcome:
    ws = _WS
    assert ws is not None
    s = ws.settings
    try:
        read = read_submission(Path(path), name, s.max_file_bytes, s.max_uncompressed_bytes)
        outcome = check_file(read, ws)
    except MemoryError:
        raise
    except Exception as exc:  # a bug or an unforeseen file must not stop the run
        log.exception("unexpected failure on %s", name)
        return _unexpected(name, exc)
    target = _PLACES.target(name) if s.annotated_copies and _PLACES is not None else None
    if target is not None:  # else: not to be written there (the run reports it as missing)
        try:
            write_return(Path(path), read.submission, outcome, ws, target, read.data)
        except Exception:  # the copy is a convenience; its failure must not cost the finding
            log.exception("could not write the annotated copy of %s", name)
    return outcome


def _unexpected(name: str, exc: BaseException) -> FileOutcome:
    detail = f"处理时发生意外错误：{type(exc).__name__}"
    return FileOutcome(name, "", [finding(Code.FILE_UNREADABLE, CellRef(name), detail=detail)])


def _check_job_encoded(path: str, name: str) -> bytes:
    """:func:`_check_job`, encoded here (JSON, see machinery.outcome_codec): the parent
    stores these bytes in the cache as they are, and decodes them once."""
    return encode_outcome(_check_job(path, name))


# --- parent side -------------------------------------------------------------------------------


def validate(
    ws: Workspace,
    *,
    progress: Progress | None = None,
    use_cache: bool | None = None,
    workers: int | None = None,
    scores: bool = False,
    places: CopyPlaces | None = None,
) -> ValidationResult:
    """With ``scores`` (the caller aggregates next), each passed file's score is unpacked as
    its result comes in, beside the workers, instead of all at once after the last one.
    ``places``: where annotated copies may be written (made here when not given)."""
    global _PLACES
    _PLACES = places = places or copy_places(ws)  # before the workers fork: they inherit it
    with long_lived() as settle:
        result = _validate(ws, progress, use_cache, workers, settle, scores)
    due = (
        {r.file for r in result.files if r.readable and needs_copy(r.findings)}
        if ws.settings.annotated_copies
        else set()
    )
    result.copies = tidy_returns(places, due)  # recorded, so the next run knows them as ours
    return result


def _validate(
    ws: Workspace,
    progress: Progress | None,
    use_cache: bool | None,
    workers: int | None,
    settle: Callable[[], None],
    scores: bool,
) -> ValidationResult:
    s = ws.settings
    jobs: list[tuple[str, str]] = []
    found, skipped = returned_files(s.path("returned"), s.paths["returned"])
    for path, name in found:
        base = name.rsplit("/", 1)[-1]
        suffix = os.path.splitext(base)[1]
        if is_lock_file(base):
            skipped.append(finding(Code.FILE_LOCK, CellRef(name)))
        elif suffix.lower() not in SPREADSHEET_SUFFIXES:
            skipped.append(finding(Code.FILE_SKIPPED, CellRef(name), suffix=suffix or "无"))
        else:
            jobs.append((path, name))
    cache = (
        Cache(ws.folder / CACHE_NAME, context_key(ws))
        if (s.use_cache if use_cache is None else use_cache)
        else None
    )
    paths = [path for path, _ in jobs]
    # hashes find outcomes stored for other names or stats; with none stored (a first run, or
    # a changed framework or configuration), the workers hash what they read instead
    hashes = cache.file_hashes(paths, read=cache.has_outcomes()) if cache else [""] * len(paths)
    hits = cache.get_many(h for h in hashes if h) if cache else {}
    outcomes: list[FileResult | None] = [
        _cached(hits.get(h), name, ws) for h, (_, name) in zip(hashes, jobs, strict=True)
    ]
    unusable = sum(1 for h, o in zip(hashes, outcomes, strict=True) if o is None and h in hits)
    if unusable:
        log.warning("%d cached outcomes were not usable and were checked again", unusable)
    assert _PLACES is not None
    if s.annotated_copies:  # a cached outcome whose copy went missing is checked again
        for n, o in enumerate(outcomes):
            wanted = o is not None and o.readable and needs_copy(o.findings)
            if wanted and not _PLACES.present(o.file):
                outcomes[n] = None
    todo = [n for n, o in enumerate(outcomes) if o is None]
    if progress is not None and len(todo) < len(jobs):
        progress(len(jobs) - len(todo), len(jobs))

    def arrived(k: int, result: FileOutcome | bytes) -> FileResult:
        """A fresh outcome, as it comes in: stored under the hash of the bytes the worker
        actually checked (when it has one), encoded as the worker sent it; made into its
        result, with the score unpacked when ``scores``."""
        n = todo[k]
        data, outcome = _fresh(result, jobs[n][1], ws)
        if outcome.failure in ("crash", "memory") and far_cells(Path(jobs[n][0])):
            # what made the reader die, told plainly (cached only as the failure would be)
            outcome = replace(failed(outcome.file, "far"), cacheable=outcome.cacheable)
            data = None
        hashes[n] = outcome.sha256 or hashes[n]
        if cache is not None and hashes[n] and outcome.cacheable:
            cache.put(hashes[n], data if data is not None else encode_outcome(outcome))
        if k % SETTLE_EVERY == 0:
            settle()  # the outcomes so far stay until the end: out of the collector's walks
        made = _result(outcome, ws)
        if scores:
            made.score  # noqa: B018 (unpacked now, while the workers go on)
        return made

    fresh = _check_all(
        ws,
        [jobs[n] for n in todo],
        progress,
        len(jobs) - len(todo),
        len(jobs),
        workers,
        arrived,
    )
    for n, outcome in zip(todo, fresh, strict=True):
        outcomes[n] = outcome
    if cache is not None:
        cache.record_hashes((paths[n], hashes[n]) for n in todo)
        cache.close()
    results = [o for o in outcomes if o is not None]
    _duplicates(results)
    if s.annotated_copies:
        _late_copies(results, {name: path for path, name in jobs}, ws)
    returned = {r.item.item_id for r in results if r.item is not None}
    return ValidationResult(
        results,
        [
            *ws.settings.notes,
            *ws.roster.findings,
            *ws.target_findings(),
            *roster_rules(ws, returned),
        ],
        skipped,
        cached=len(jobs) - len(todo),
    )


def _check_all(
    ws: Workspace,
    jobs: list[tuple[str, str]],
    progress: Progress | None,
    offset: int,
    total: int,
    workers: int | None,
    arrived: Callable[[int, FileOutcome | bytes], FileResult],
) -> list[FileResult]:
    s = ws.settings
    count = s.workers if workers is None else workers

    def step(done: int, _: int) -> None:
        if progress is not None:
            progress(offset + done, total)

    global _WS
    _WS = ws
    if count < 0:  # in-process: for debugging; a hostile file could take the process down
        out = []
        for n, (path, name) in enumerate(jobs):
            out.append(arrived(n, _check_job(path, name)))
            step(n + 1, len(jobs))
        return out
    return run_isolated(
        jobs,
        _check_job_encoded,
        failed,
        init=_init_worker,
        init_args=(str(ws.folder),),
        workers=count,
        timeout=s.file_timeout,
        memory_mb=s.worker_memory_mb,
        progress=step,
        log_path=_log_path(ws),
        on_result=arrived,
        prefetch=True,
    )


def _log_path(ws: Workspace) -> str:
    """Where workers' own error output goes (a reader's crash report), next to the cache."""
    return str(ws.folder / own_files.WORKERS_LOG)


def _cached(data: bytes | None, name: str, ws: Workspace) -> FileResult | None:
    """A stored outcome read back under today's name, when there is one and it is usable."""
    if data is None:
        return None
    outcome = decode_stored(data, name, ws)
    return None if outcome is None else _result(outcome, ws)


def _fresh(
    result: FileOutcome | bytes, name: str, ws: Workspace
) -> tuple[bytes | None, FileOutcome]:
    """A worker's outcome (bytes it encoded, or one made here), and its bytes when it came as
    bytes. Bytes that cannot be decoded (a bug) cost this file a finding, not the run."""
    if not isinstance(result, bytes):
        return None, result
    try:
        return result, decode_outcome(result, name, ws)
    except Exception as exc:
        log.exception("could not decode the outcome of %s", name)
        return None, replace(_unexpected(name, exc), cacheable=False)


def _result(o: FileOutcome, ws: Workspace) -> FileResult:
    item = ws.roster.get(o.item_id) if o.item_id else None
    fw = ws.framework_for(item) if item is not None else None
    return FileResult(
        o.file,
        o.sha256,
        list(o.findings),
        item,
        o.packed,
        o.readable,
        o.total,
        o.grade,
        (fw, ws.settings) if fw is not None else None,
    )


def _late_copies(results: list[FileResult], paths: dict[str, str], ws: Workspace) -> None:
    """Annotated copies of workbooks returned twice, listing that finding with the others."""
    duplicate = Code.ID_DUPLICATE_ITEM.value.code
    for r in results:
        if r.readable and any(f.code == duplicate for f in r.findings):
            target = _PLACES.target(r.file) if _PLACES is not None else None
            if target is None:
                continue
            try:
                write_late_copy(Path(paths[r.file]), r.findings, target)
            except Exception:  # the copy is a convenience; its failure must not cost the run
                log.exception("could not write the annotated copy of %s", r.file)


def _duplicates(results: list[FileResult]) -> None:
    by_item: dict[str, list[FileResult]] = defaultdict(list)
    for r in results:
        if r.item is not None:
            by_item[r.item.item_id].append(r)
    for item_id, group in by_item.items():
        if len(group) < 2:
            continue
        for r in group:
            others = "、".join(o.file for o in group if o is not r)
            r.findings.append(
                finding(Code.ID_DUPLICATE_ITEM, CellRef(r.file), item_id=item_id, other=others)
            )
            r.discard_score()
