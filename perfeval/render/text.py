"""Department text made safe for every output, by one rule.

Characters XML 1.0 cannot carry (C0 controls other than tab, line feed and carriage return; lone
surrogates; U+FFFE and U+FFFF) are replaced visibly, the same way in the Word and Markdown
reports, in every workbook, CSV and on the terminal (:func:`visible_text`): U+000B (Word's soft
line break, pasted into a cell and stored as ``_x000B_``) and U+000C (a page break pasted from
Word) become a line break, which is what the writer saw; every other such character becomes
U+FFFD "�". Nothing is silently dropped. The terminal gets more (:func:`for_terminal`): escape
sequences and other controls, and the bidirectional overrides that disguise a file name, become
"�" too, and long texts are cut.

A carriage return is legal XML and workbooks and CSV keep it as written; in the reports and on the
terminal it is a line break (:func:`line_breaks`), which is what Word, a Markdown reader and a
terminal make of it anyway (an XML parser turns it into a line feed; Markdown ends a line there).

Text that Excel would read as a formula is marked (quotePrefix in a workbook, a leading
apostrophe in CSV); text that Excel would read as an escaped character (``_x0041_``) is escaped
in turn (:func:`workbook_text`)."""

from __future__ import annotations

import re

# C0 controls other than tab, line feed and carriage return, lone surrogates, U+FFFE and U+FFFF:
# none of them may appear in XML, and Excel cannot store them.
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
REPLACEMENT = "\ufffd"
_LINE_BREAKS = {"\x0b": "\n", "\x0c": "\n"}
X_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")  # how a workbook escapes a character in text
# what the terminal must not receive either: ESC and the other controls, DEL, C1 controls, and
# bidirectional embeddings, overrides and isolates
_TERMINAL = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069]"
)

FORMULA_STARTS = frozenset("=+-@\t\r\n\0")
# Characters whose NFKC form is one of FORMULA_STARTS (full-width ＝＋－＠ and the small,
# superscript and subscript forms); tests check this against unicodedata.
FORMULA_LOOKALIKES = (
    "\u207a\u207c\u208a\u208c\ufb29\ufe62\ufe63\ufe66\ufe6b\uff0b\uff0d\uff1d\uff20"
)
_FORMULA_HEAD = re.compile(f" *[=+\\-@\\t\\r\\n\\x00{FORMULA_LOOKALIKES}]")


_XML_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_XML_ATTR = str.maketrans(
    {"&": "&amp;", "<": "&lt;", '"': "&quot;", "\r": "&#13;", "\n": "&#10;", "\t": "&#9;"}
)


def xml_text(text: str) -> str:
    """Text for an XML element we write ourselves (a carriage return kept as &#13;)."""
    return text.translate(_XML_TEXT)


def xml_attr(text: str) -> str:
    """Text for a double-quoted XML attribute (line breaks and tabs kept as references)."""
    return text.translate(_XML_ATTR)


def _visible(m: re.Match[str]) -> str:
    return _LINE_BREAKS.get(m.group(0), REPLACEMENT)


def visible_text(text: str) -> str:
    """``text`` with every character XML cannot carry replaced visibly (see the module)."""
    return ILLEGAL.sub(_visible, text) if ILLEGAL.search(text) else text


def workbook_text(text: str) -> str:
    """Text perfeval writes into a workbook's XML itself (the patcher, openpyxl): the rule of
    :func:`visible_text`, and a literal ``_xHHHH_`` kept literal. Excel reads ``_xHHHH_`` in a
    cell or comment as an escaped character, so it is written ``_x005F_xHHHH_`` (XlsxWriter
    does this on its own)."""
    text = visible_text(text)
    return X_ESCAPE.sub(r"_x005F\1", text) if "_x" in text else text


def line_breaks(text: str) -> str:
    """``text`` with each carriage return, alone or before a line feed, made one line feed."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def for_terminal(text: str, limit: int | None = None) -> str:
    """``text`` safe to print: the rule of :func:`visible_text`, then no escape sequence, control
    character or bidirectional override (line breaks and tabs kept; a carriage return, which would
    let text overwrite the line, is a line break), and at most ``limit`` characters, the rest told
    by count."""
    text = _TERMINAL.sub(_visible, line_breaks(text))
    if limit is not None and len(text) > limit:
        return f"{text[:limit]}…（共{len(text)}字）"
    return text


def json_for_terminal(text: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) with the characters
    :func:`for_terminal` replaces written as \\uXXXX escapes instead: the same data for the
    program reading it, nothing that steers the terminal showing it."""
    return _TERMINAL.sub(lambda m: "".join(f"\\u{ord(c):04x}" for c in m.group(0)), text)


def needs_quote_prefix(text: str) -> bool:
    """Text Excel would turn into a formula if the cell were edited (OWASP CSV injection list);
    full-width ＝＋－＠ count too. Leading spaces are looked through."""
    return _FORMULA_HEAD.match(text) is not None
