"""Instruction or placeholder text left in a clerk's text cell instead of content (PE-CELL-007).

Real forms print their instructions into the cells to be filled ('请填写……',
'对照年度目标，说明……（100字以内）') and clerks leave them there, or type a placeholder
('XX', '待定', '略') instead of content. The rule is conservative, so that real sentences
pass ('情况说明已报送', 'XX县…'):

- instruction text: the cell holds a word limit in brackets ('（100字以内）', '(不超过300字)',
  '(100-200字)': the brackets hold only a number of 字 and at least one word of
  ``[rules] word_limit_words``, or a range of numbers, so not '(5000字)'); or, after any opening
  brackets and quotes, it begins with one of ``[rules] instruction_openings`` ('请填写'); or one
  of ``[rules] instruction_verbs`` is directly followed by an ellipsis ('说明……');
- placeholder: the whole cell, of at most :data:`SHORT` characters, is one of
  ``[rules] placeholder_words`` or a repetition of one ('XX', 'XXX', '××', '***'), apart from
  blanks and punctuation around it ('待定。').

Text is compared normalized (:func:`~perfeval.read.parse.normalize_text`, blanks left out, Latin
letters in either case); the fragment found is quoted as written. The words are made into a
:class:`Vocabulary` once per settings object (a worker loads its settings once), and a cheap test
on the text as written rules out most cells before anything is normalized; what was found in a
text is remembered per process.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from perfeval.check.catalogue import Code, Finding, finding
from perfeval.config.settings import Settings
from perfeval.model import Value
from perfeval.read.parse import normalize_text

#: the longest cell (as written, trimmed) that is tested for being a placeholder
SHORT = 20
#: how many texts' results a process remembers (a few MB; most reasons are written once)
REMEMBERED = 50_000
#: ellipses as compared (NFKC turns '…' and '．．．' into '...')
_ELLIPSES = ("...", "。。。", "⋯")
#: what a cell as written must hold for an ellipsis or a word limit to be in it
_MARKS = ("字", "…", "...", "。。", "．．", "⋯")
#: opening brackets and quotes before an instruction opening, as compared (NFKC has made the
#: full-width ones ASCII), and as typed (in both widths, and blanks)
_OPENERS = "([{<\"'\u3010\u3014\u300a\u3008\u300c\u300e\u201c\u2018"
_OPENERS_TYPED = _OPENERS + "（\uff3b\uff5b\uff1c\uff02\uff07 \t\n\u3000\u00a0"
#: what may stand around a placeholder word, as compared
_AROUND = "。、,;:!?.%()[]\u3010\u3011\"'\u201c\u201d\u2018\u2019"
#: where a sentence ends, as compared ('！？；：' are '!?;:' after NFKC)
_STOPS = frozenset("。!?;:\n")
#: an ellipsis run, as compared
_DOTS = frozenset(".。⋯")
#: how far a quoted fragment reaches beyond the words found (before a verb, after an opening)
_REACH = 20


@dataclass(frozen=True)
class Vocabulary:
    """The settings' words, compared forms, compiled once."""

    openings: tuple[str, ...]
    verbs: tuple[str, ...]
    placeholders: tuple[str, ...]
    word_limit: re.Pattern[str]
    first: frozenset[str]  # first characters of the openings, as they may be typed
    #: text -> what :func:`left_text` found: short answers ('100', '达成') and reasons written
    #: from a template recur in every workbook
    found: dict[str, str | None] = field(default_factory=dict, compare=False, repr=False)


def _compact(text: str) -> str:
    return normalize_text(text).replace(" ", "")


def make_vocabulary(
    openings: tuple[str, ...] | list[str],
    verbs: tuple[str, ...] | list[str],
    limit_words: tuple[str, ...] | list[str],
    placeholders: tuple[str, ...] | list[str],
) -> Vocabulary:
    openings = tuple(w for w in map(_compact, openings) if w)
    first = {w[0] for w in openings}
    first |= {chr(ord(c) + 0xFEE0) for c in first if "!" <= c <= "~"}  # typed full-width
    words = sorted({w for w in map(_compact, limit_words) if w}, key=len, reverse=True)
    # a number of 字 with at least one of the words ('(100字以内)', '(限200字)', not '(5000字)'),
    # or a range ('(100-200字)')
    limit = "|".join(map(re.escape, words)) or "(?!)"
    count, span = r"\d+个?字", r"\d+[-~至到]\d+个?字"
    inside = rf"(?:{limit})+{count}(?:{limit})*|{count}(?:{limit})+|(?:{limit})*{span}(?:{limit})*"
    word_limit = re.compile(rf"[(\[【](?:{inside})[)\]】]")
    return Vocabulary(
        openings=openings,
        verbs=tuple(w for w in map(_compact, verbs) if w),
        placeholders=tuple(w.upper() for w in map(_compact, placeholders) if w),
        word_limit=word_limit,
        first=frozenset(first),
    )


_BUILT: dict[int, tuple[Settings, Vocabulary]] = {}


def vocabulary(settings: Settings) -> Vocabulary:
    """The vocabulary of ``settings`` (``[rules]``), made once per settings object."""
    built = _BUILT.get(id(settings))
    if built is not None and built[0] is settings:
        return built[1]
    rules = settings.raw.get("rules", {})
    made = make_vocabulary(
        rules.get("instruction_openings", ()),
        rules.get("instruction_verbs", ()),
        rules.get("word_limit_words", ()),
        rules.get("placeholder_words", ()),
    )
    if len(_BUILT) >= 16:  # tests make many settings; a worker has one
        _BUILT.clear()
    _BUILT[id(settings)] = (settings, made)  # the settings kept alive: their id is not reused
    return made


_MISSING = object()


def left_text(text: str, vocab: Vocabulary) -> str | None:
    """The instruction or placeholder text in ``text`` (a cell's text as written), quoted as
    written; None when the text is content. See the module's rule."""
    found = vocab.found.get(text, _MISSING)
    if found is _MISSING:
        found = _left_text(text, vocab)
        if len(vocab.found) < REMEMBERED:
            vocab.found[text] = found
    return found  # type: ignore[return-value]


def _left_text(text: str, vocab: Vocabulary) -> str | None:
    text = text.strip()
    if not text or not _may_hold(text, vocab):
        return None
    compact = _compact(text)
    if len(text) <= SHORT and _is_placeholder(compact, vocab.placeholders):
        return text
    spans = _instruction_spans(compact, vocab)
    if not spans:
        return None
    start, end = _first_joined(spans)
    return _as_written(text, compact, start, end)


def _may_hold(text: str, vocab: Vocabulary) -> bool:
    """Cheap, on the text as written: could any part of the rule apply?"""
    if len(text) <= SHORT:
        return True
    for mark in _MARKS:
        if mark in text:
            return True
    return text.lstrip(_OPENERS_TYPED)[:1] in vocab.first


def _is_placeholder(compact: str, words: tuple[str, ...]) -> bool:
    core = compact.strip(_AROUND).upper()
    return bool(core) and any(
        len(core) % len(w) == 0 and w * (len(core) // len(w)) == core for w in words
    )


def _instruction_spans(compact: str, vocab: Vocabulary) -> list[tuple[int, int]]:
    """Where instruction text is in ``compact``: (start, end) of each part found."""
    spans: list[tuple[int, int]] = []
    body = compact.lstrip(_OPENERS)
    if vocab.openings and body.startswith(vocab.openings):
        at = len(compact) - len(body)
        end = next((i for i in range(at, len(compact)) if compact[i] in _STOPS), len(compact))
        end += compact[end : end + 1] == ":"  # '请说明：' is quoted with its colon
        longest = max(len(w) for w in vocab.openings if body.startswith(w))
        spans.append((0, min(end, at + longest + _REACH)))
    for dots in _ELLIPSES:
        if dots not in compact:
            continue
        for verb in vocab.verbs:
            at = compact.find(verb + dots)
            while at >= 0:
                start = at
                while start > max(0, at - _REACH) and compact[start - 1] not in _STOPS:
                    start -= 1
                end = at + len(verb)
                while end < len(compact) and compact[end] in _DOTS:
                    end += 1
                spans.append((start, end))
                at = compact.find(verb + dots, end)
    if "字" in compact:
        spans += [m.span() for m in vocab.word_limit.finditer(compact)]
    return spans


def _first_joined(spans: list[tuple[int, int]]) -> tuple[int, int]:
    """The first span, joined with those that overlap or touch it (and so on)."""
    spans = sorted(spans)
    start, end = spans[0]
    for s, e in spans[1:]:
        if s > end:
            break
        end = max(end, e)
    return start, end


def _as_written(text: str, compact: str, start: int, end: int) -> str:
    """``compact[start:end]`` as ``text`` writes it (the whole text if they cannot be lined up,
    as when NFKC composes characters across a pair)."""
    origin: list[int] = []
    chars: list[str] = []
    for i, ch in enumerate(text):
        for c in ch if ch.isascii() else unicodedata.normalize("NFKC", ch):
            if not c.isspace():
                chars.append(c)
                origin.append(i)
    if "".join(chars) != compact:
        return text
    return text[origin[start] : origin[end - 1] + 1]


def check_text(value: Value, field: str, item_id: str, vocab: Vocabulary) -> list[Finding]:
    """A finding when the cell's text is instruction or placeholder text (see the module)."""
    fragment = left_text(value.text, vocab)
    return [] if fragment is None else [text_finding(value, field, fragment, item_id)]


def text_finding(value: Value, field: str, fragment: str, item_id: str) -> Finding:
    """PE-CELL-007 at ``value``'s cell, quoting ``fragment`` (from :func:`left_text`)."""
    return finding(
        Code.CELL_INSTRUCTION_TEXT, value.ref, item_id=item_id, field=field, text=fragment
    )
