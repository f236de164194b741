"""The caches in the evaluation folder are untrusted input (issue 21): folders travel between
offices, so anyone may have replaced ``.perfeval-cache.sqlite`` or ``.perfeval-roster.cache``.
Nothing read from them may run code, stop the run or change what a run says."""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import random
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest

import perfeval.config.roster
import perfeval.machinery.cache
from perfeval import validate as V
from perfeval.check.catalogue import Code, finding
from perfeval.check.workbook import FileOutcome
from perfeval.config.workspace import ROSTER_MEMO, open_workspace
from perfeval.machinery.cache import CACHE_NAME
from perfeval.machinery.outcome_codec import decode_outcome, decode_stored, encode_outcome
from perfeval.machinery.score_pack import iter_indicators, unpack
from perfeval.model import CellRef
from tests.conftest import full_fill

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file names and pipes")


class Planted:
    """Pickles to a call that creates ``marker``: what a planted pickle could do instead."""

    def __init__(self, marker: Path) -> None:
        self.marker = str(marker)

    def __reduce__(self):
        return (exec, (f"open({self.marker!r}, 'w').close()",))


def planted(marker: Path) -> bytes:
    data = pickle.dumps(Planted(marker))
    pickle.loads(data)  # the payload really runs when unpickled
    assert marker.exists()
    marker.unlink()
    return data


def fill_all(folder):
    folder.fill("P1", full_fill(folder.framework("P1"), **{"1.1.1": {"score": 9}}))  # an error
    for iid in ("P2", "D1", "S1"):
        folder.fill(iid)


def said(result):
    """Everything a run says, scores in full (indicator rows included), comparable."""
    scores = []
    for s in result.scores:
        rows = tuple(
            (i.indicator.code, i.indicator.name, i.indicator.weight, i.score, i.actual, i.row)
            for i in s.indicators
        )
        level1 = tuple((x.name, x.score, x.rate, x.first_cell, x.cells) for x in s.level1)
        head = (s.item.item_id, s.file, s.total, s.grade.name, s.budget, s.execution_rate)
        scores.append(
            (*head, level1, s.budget_ref, s.problems, s.full_marks, s.category_labels, rows)
        )
    findings = sorted((f.key, f.severity, f.message, f.hint, f.item_id) for f in result.findings)
    return findings, sorted(scores)


def cache_path(folder) -> Path:
    return folder.ws.folder / CACHE_NAME


def sql(folder, *statements: tuple) -> list:
    """Run statements on the cache file as someone else would; the last one's rows."""
    rows: list = []
    with contextlib.closing(sqlite3.connect(cache_path(folder))) as db, db:
        for statement, *args in statements:
            rows = db.execute(statement, *args).fetchall()
    return rows


def stored(folder) -> dict[str, bytes]:
    """The stored outcomes by file name (read back with the decoder)."""
    out = {}
    for (data,) in sql(folder, ("SELECT data FROM outcome",)):
        outcome = decode_stored(data, "x", folder.ws)
        assert outcome is not None
        out[outcome.item_id] = data
    return out


# --- planted pickles ---------------------------------------------------------------------------


def test_a_planted_pickle_in_the_cache_never_runs(folder, tmp_path):
    fill_all(folder)
    first = V.validate(folder.ws)
    marker = tmp_path / "ran"
    sql(folder, ("UPDATE outcome SET data = ?", (planted(marker),)))
    again = V.validate(folder.ws)
    assert not marker.exists()
    assert again.cached == 0  # every file checked again
    assert said(again) == said(first)
    assert V.validate(folder.ws).cached == 4  # and stored afresh, as plain data


def test_a_planted_pickle_as_the_roster_memo_never_runs(folder, tmp_path, monkeypatch):
    where = folder.ws.folder
    items = open_workspace(where).roster.items
    memo = where / ROSTER_MEMO
    assert memo.read_bytes().startswith(b"[")  # JSON
    marker = tmp_path / "ran"
    memo.write_bytes(planted(marker))
    parsed = []
    real = perfeval.config.roster._load_roster
    monkeypatch.setattr(
        perfeval.config.roster, "_load_roster", lambda *a: parsed.append(1) or real(*a)
    )
    assert open_workspace(where).roster.items == items
    assert not marker.exists()
    assert parsed == [1]  # read afresh from the roster
    assert memo.read_bytes().startswith(b"[")  # replaced by plain data
    assert open_workspace(where).roster.items == items
    assert parsed == [1]  # and that is used next time


# --- malformed outcomes ------------------------------------------------------------------------


def _parts(data: bytes) -> list:
    """An outcome's lines, parsed: [outcome, score, rows] (the last two when scored)."""
    return [json.loads(line) for line in data.split(b"\n")]


def _edit(data: bytes, change) -> bytes:
    parts = _parts(data)
    change(*parts)
    return b"\n".join(json.dumps(part).encode() for part in parts)


def _own(rows) -> int:
    return next(n for n, x in enumerate(rows[6]) if x is not None)


def _set(path: tuple, value):
    """A change setting one value, found by its part ("head", "score" or "rows") and keys."""

    def change(head, score=None, rows=None):
        target = {"head": head, "score": score, "rows": rows}[path[0]]
        for key in path[1:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


SCORED = {  # for a scored outcome (S1: own indicators on reserved rows)
    "outcome too short": lambda h, p, r: h.pop(),
    "sha not hex": _set(("head", 0), "z" * 64),
    "item id a number": _set(("head", 1), 7),
    "item not on the roster": _set(("head", 1), "NOPE"),
    "readable a string": _set(("head", 2), "yes"),
    "unknown failure": _set(("head", 4), "bad"),
    "total not the score's": _set(("head", 6), "1.00"),
    "score too short": lambda h, p, r: p.pop(),
    "budget not a number": _set(("score", 0), "abc"),
    "budget NaN": _set(("score", 0), "NaN"),
    "budget infinite": _set(("score", 1), "Infinity"),
    "budget a float": _set(("score", 0), 1.5),
    "total too large": lambda h, p, r: (h.__setitem__(6, "1E+999999"), p.__setitem__(6, h[6])),
    "total not in cents": lambda h, p, r: (h.__setitem__(6, "99.5"), p.__setitem__(6, h[6])),
    "rate a list": _set(("score", 2), ["1"]),
    "cell not a cell": _set(("score", 3), "=cmd|' /C calc'!A0"),
    "subtotals missing": lambda h, p, r: p[5].pop(),
    "subtotal a string": _set(("score", 5, 0), "x"),
    "row count negative": _set(("score", 5, 0, 3), -1),
    "count a bool": _set(("score", 10), True),
    "full marks above count": _set(("score", 11), 10**6),
    "problem too short": _set(("score", 9), [["a", "b"]]),
    "label a number": _set(("score", 12), [1]),
    "overview null": _set(("score", 7), None),
    "rows missing": lambda h, p, r: r.clear(),
    "rows column short": lambda h, p, r: r[0].pop(),
    "row code of another framework": _set(("rows", 0, 0), "9.9.9"),
    "row code twice": lambda h, p, r: r[0].__setitem__(1, r[0][0]),
    "row score text": _set(("rows", 1, 0), "many"),
    "row score huge": _set(("rows", 1, 0), "9" * 90),
    "row number zero": _set(("rows", 5, 0), 0),
    "row number a string": _set(("rows", 5, 0), "4"),
    "answer a number": _set(("rows", 2, 0), 3),
    "fixed row described as own": lambda h, p, r: r[6].__setitem__(r[6].index(None), ["a"] * 5),
    "own row without description": lambda h, p, r: r[6].__setitem__(_own(r), None),
    "own weight not a number": lambda h, p, r: r[6][_own(r)].__setitem__(1, "w"),
    "own description short": lambda h, p, r: r[6][_own(r)].pop(),
}

ANY = {  # for any outcome (P1: findings, no score)
    "finding code unknown": _set(("head", 5, 0, 0), "PE-EVIL-001"),
    "finding too long": lambda h: h[5][0].append("x"),
    "finding message a number": _set(("head", 5, 0, 3), 12),
    "finding message with an escaped surrogate": _set(("head", 5, 0, 3), "\ud800"),
    "findings a string": _set(("head", 5), "x"),
    "a total without a score": _set(("head", 6), "100.00"),
}


def test_malformed_outcomes_are_misses(folder):
    fill_all(folder)
    V.validate(folder.ws)
    blobs = stored(folder)
    assert decode_stored(blobs["S1"], "S1.xlsx", folder.ws).packed is not None
    bad = {name: _edit(blobs["S1"], change) for name, change in SCORED.items()}
    bad |= {name: _edit(blobs["P1"], change) for name, change in ANY.items()}
    bad["score without a total"] = _edit(blobs["S1"], _set(("head", 6), ""))
    bad["score not JSON"] = blobs["S1"].split(b"\n")[0] + b"\n[[1,\n[]"
    bad["rows not JSON"] = blobs["S1"].rsplit(b"\n", 1)[0] + b"\n[[1,"
    bad["rows missing entirely"] = blobs["S1"].rsplit(b"\n", 1)[0]
    wide = next(n for n, b in enumerate(blobs["P1"]) if b >= 0xE0)  # a Chinese character
    bad |= {
        "empty": b"",
        "not JSON": b"\x80\x04not json",
        "not UTF-8": blobs["P1"][:wide] + b"\xff" + blobs["P1"][wide + 1 :],
        "raw surrogate": blobs["P1"][:wide] + b"\xed\xa0\x80" + blobs["P1"][wide + 3 :],
        "a mapping": b'{"a": 1}',
        "nested deep": b"[" * 100_000 + b"]" * 100_000,
        "huge number": b"[" + b"1" * 5000 + b"]",
    }
    ws = folder.ws
    assert [name for name, data in bad.items() if decode_stored(data, "f", ws)] == []
    # the decoder accepts what the encoder writes, including texts that need escaping
    odd = '引号"反斜杠\\ 换行\n 制表\t \x00 \x1f 😀 \\ud800 字面'
    made = FileOutcome(
        "f.xlsx",
        "",
        [finding(Code.FILE_UNREADABLE, CellRef("f.xlsx"), detail=odd)],
        cacheable=True,
        failure="crash",
    )
    assert decode_stored(encode_outcome(made), "f.xlsx", ws) == made
    # a lone surrogate (never expected) is written escaped: it goes through perfeval's own
    # pipe as it is, and is refused when read back from the cache
    made.findings.append(finding(Code.FILE_UNREADABLE, CellRef("f.xlsx"), detail="\udc80"))
    data = encode_outcome(made)
    assert decode_outcome(data, "f.xlsx", ws) == made
    assert decode_stored(data, "f.xlsx", ws) is None


def test_malformed_outcomes_in_the_file_are_checked_again(folder):
    fill_all(folder)
    first = V.validate(folder.ws)
    blobs = stored(folder)
    changes = {
        "S1": _edit(blobs["S1"], SCORED["row code of another framework"]),
        "P2": _edit(blobs["P2"], SCORED["total too large"]),
        "D1": b"[" * 100_000,
    }
    for iid, data in changes.items():
        sql(folder, ("UPDATE outcome SET data = ? WHERE data = ?", (data, blobs[iid])))
    again = V.validate(folder.ws)
    assert again.cached == 1  # P1 only
    assert said(again) == said(first)


def test_random_damage_never_escapes_the_decoder(folder):
    """Bytes flipped, dropped or repeated anywhere: the decoder refuses, or accepts something
    that unpacks and lists its rows without fail."""
    fill_all(folder)
    V.validate(folder.ws)
    ws = folder.ws
    rng = random.Random(21)
    accepted = 0
    for data in stored(folder).values():
        for _ in range(400):
            damaged = bytearray(data)
            for _ in range(rng.randint(1, 3)):
                at = rng.randrange(len(damaged))
                how = rng.randrange(3)
                if how == 0:
                    damaged[at] = rng.randrange(256)
                elif how == 1:
                    del damaged[at : at + rng.randint(1, 8)]
                else:
                    damaged[at:at] = damaged[at : at + rng.randint(1, 8)]
            outcome = decode_stored(bytes(damaged), "f.xlsx", ws)
            if outcome is None:
                continue
            accepted += 1
            if outcome.packed is not None:
                item = ws.roster.get(outcome.item_id)
                fw = ws.frameworks.get(item.framework_id)
                score = unpack(outcome.packed, "f.xlsx", item, fw, ws.settings)
                assert len(list(iter_indicators(score))) == score.indicator_count
                assert len(score.indicators) == score.indicator_count
    assert accepted > 0  # damage inside a text is still well-formed, and harmless


def test_an_outcome_the_parent_cannot_decode_costs_its_file_one_finding(folder, monkeypatch):
    fill_all(folder)
    real = V._check_job_encoded

    def broken(path, name):
        return b"[garbage" if "教育局" in name else real(path, name)

    monkeypatch.setattr(V, "_check_job_encoded", broken)
    result = V.validate(folder.ws, use_cache=False, workers=1)
    p2 = next(r for r in result.files if "教育局" in r.file)
    assert [f.code for f in p2.findings] == ["PE-FILE-001"]
    assert sum(r.passed for r in result.files) == 2  # D1 and S1 (P1 has an error)


# --- the SQLite file ---------------------------------------------------------------------------

FOREIGN = [
    "CREATE TRIGGER t AFTER DELETE ON outcome BEGIN INSERT INTO meta VALUES ('x', 'y'); END",
    "CREATE TRIGGER t AFTER INSERT ON filestat BEGIN DELETE FROM meta; END",
    "CREATE VIEW v AS SELECT sha FROM outcome",
    "CREATE TABLE extra (x)",
    "CREATE INDEX i ON outcome (data)",
    "ALTER TABLE outcome ADD COLUMN more TEXT",
]


@pytest.mark.parametrize("statement", FOREIGN)
def test_a_cache_with_anything_foreign_is_not_used_nor_touched(folder, statement):
    fill_all(folder)
    first = V.validate(folder.ws)
    sql(folder, ("UPDATE meta SET value = 'another context'",), (statement,))
    before = cache_path(folder).read_bytes()
    again = V.validate(folder.ws)
    assert again.cached == 0
    assert said(again) == said(first)
    assert cache_path(folder).read_bytes() == before  # not deleted, not changed


def test_a_cache_that_is_not_a_database_is_left_alone(folder):
    fill_all(folder)
    first = V.validate(folder.ws, use_cache=False)
    cache_path(folder).write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)
    again = V.validate(folder.ws)
    assert (again.cached, said(again)) == (0, said(first))
    assert cache_path(folder).read_bytes() == b"SQLite format 3\x00" + b"\xff" * 5000


def test_a_cache_that_is_a_folder_or_a_link_is_left_alone(folder, tmp_path):
    fill_all(folder)
    first = V.validate(folder.ws, use_cache=False)
    cache_path(folder).mkdir()
    assert said(V.validate(folder.ws)) == said(first)
    assert cache_path(folder).is_dir()
    cache_path(folder).rmdir()
    if sys.platform != "win32":
        elsewhere = tmp_path / "elsewhere.sqlite"
        cache_path(folder).symlink_to(elsewhere)
        assert said(V.validate(folder.ws)) == said(first)
        assert not elsewhere.exists()  # nothing made through the link


def test_a_cache_locked_by_another_run_is_read_and_not_written(folder, monkeypatch):
    fill_all(folder)
    first = V.validate(folder.ws)
    folder.fill("P2", full_fill(folder.framework("P2"), **{"1.1.1": {"score": 2}}))
    monkeypatch.setattr(perfeval.machinery.cache, "LOCK_WAIT", 0.1)
    with contextlib.closing(sqlite3.connect(cache_path(folder))) as other:
        other.execute("BEGIN IMMEDIATE")  # another run writing: reading still works
        again = V.validate(folder.ws)
        other.rollback()
    assert again.cached == 3
    assert said(again)[0] != said(first)[0]  # P2 now lacks a reason
    assert V.validate(folder.ws).cached == 3  # nothing was stored while it was locked


@posix_only
def test_a_returned_file_named_in_gbk_bytes_with_the_cache_on(folder):
    fill_all(folder)
    src = folder.returned / folder.issued["P2"].name
    gbk = os.fsencode(folder.returned) + b"/" + "项目".encode("gbk") + b".xlsx"
    fd = os.open(gbk, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with open(fd, "wb") as fh:
        fh.write(src.read_bytes())
    src.unlink()
    first = V.validate(folder.ws)
    checked = {r.item.item_id for r in first.files if r.item is not None}
    assert checked >= {"P1", "D1", "S1"}
    again = V.validate(folder.ws)
    assert again.cached == len(first.files)
    assert said(again) == said(first)


# --- the roster memo ---------------------------------------------------------------------------


MEMO_CHANGES = {
    "format": lambda m: m.__setitem__(0, 1),
    "names": lambda m: m[2].reverse(),
    "sheet a number": lambda m: m.__setitem__(3, 3),
    "unknown column": lambda m: m[4].__setitem__("evil", 1),
    "column zero": lambda m: m[4].__setitem__("item_id", 0),
    "finding code unknown": lambda m: m[5].append(["PE-X", "f", "", "", "", "", ""]),
    "budget NaN": lambda m: m[6][6].__setitem__(0, "NaN"),
    "budget null": lambda m: m[6][6].__setitem__(0, None),
    "executed a number": lambda m: m[6][7].__setitem__(0, 90),
    "row a string": lambda m: m[6][12].__setitem__(0, "2"),
    "row zero": lambda m: m[6][12].__setitem__(0, 0),
    "name a number": lambda m: m[6][1].__setitem__(0, 1),
    "unknown framework": lambda m: m[6][5].__setitem__(0, "evil"),
    "unknown kind": lambda m: m[6][4].__setitem__(0, "evil"),
    "item twice": lambda m: m[6][0].__setitem__(1, m[6][0][0]),
    "column short": lambda m: m[6][2].pop(),
    "items a mapping": lambda m: m.__setitem__(6, {}),
}


def test_a_malformed_roster_memo_means_the_roster_is_read_afresh(folder, monkeypatch):
    where = folder.ws.folder
    items = open_workspace(where).roster.items
    memo = where / ROSTER_MEMO
    good = json.loads(memo.read_bytes())
    parsed = []
    real = perfeval.config.roster._load_roster
    monkeypatch.setattr(
        perfeval.config.roster, "_load_roster", lambda *a: parsed.append(1) or real(*a)
    )
    for name, change in MEMO_CHANGES.items():
        memo_value = json.loads(json.dumps(good))
        change(memo_value)
        memo.write_bytes(json.dumps(memo_value).encode())
        parsed.clear()
        assert open_workspace(where).roster.items == items, name
        assert parsed == [1], name
    parsed.clear()
    assert open_workspace(where).roster.items == items  # the memo was written again, and used
    assert parsed == []


@posix_only
def test_a_roster_memo_that_is_a_pipe_or_a_folder_is_left_alone(folder):
    where = folder.ws.folder
    items = folder.ws.roster.items
    memo = where / ROSTER_MEMO
    memo.unlink()
    os.mkfifo(memo)  # reading it would wait for a writer forever
    assert open_workspace(where).roster.items == items
    assert memo.is_fifo()
    memo.unlink()
    memo.mkdir()
    assert open_workspace(where).roster.items == items
    assert memo.is_dir()
    shutil.rmtree(memo)
