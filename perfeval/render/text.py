"""Department text made safe for a spreadsheet: characters XML cannot carry dropped, and text that
Excel would read as a formula marked (quotePrefix in a workbook, a leading apostrophe in CSV)."""

from __future__ import annotations

import re

# C0 controls other than tab, line feed and carriage return, lone surrogates, U+FFFE and U+FFFF:
# none of them may appear in XML, and Excel cannot store them.
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

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


def clean_text(text: str) -> str:
    return ILLEGAL.sub("", text)


def needs_quote_prefix(text: str) -> bool:
    """Text Excel would turn into a formula if the cell were edited (OWASP CSV injection list);
    full-width ＝＋－＠ count too. Leading spaces are looked through."""
    return _FORMULA_HEAD.match(text) is not None
