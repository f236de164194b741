"""docxtpl's template, with the two steps that slow down on a long report done faster.

A prefecture's report can state thousands of items and tens of thousands of figures. Two of
docxtpl's steps then take most of the rendering time (on a report of 6,334 items: 6.9 s and 1.7 s
of 11 s):

* putting the rendered body into the document: lxml moves the body parsed on its own into the
  document's tree and reconciles the namespace of every node it moves. Here the document is
  parsed once more with the new body in place, which is many times faster.
* looking for tabs and line breaks (text from departments) in every run of every paragraph.
  Here only the paragraphs that hold one are handed to docxtpl's own code.

docxtpl parses the rendered body with a *recovering* parser, which silently drops whatever it
cannot read (one control character in department text used to cost every <, > and & after it).
Here the body is parsed strictly: a body that is not well-formed raises :class:`BrokenTemplate`
(the data is cleaned before it gets there, so only the template itself can be at fault), and
nothing is ever dropped. That strict parse is the only one unless a table's grid must be fixed
(a template looping over columns), which is left to docxtpl, on XML known to be well-formed.
Headers and footers are parsed strictly by python-docx already; footnotes, which docxtpl stores
unparsed (and renders again for every section, department text included, as a template), are
rendered once here and parsed strictly too. Document properties (title, subject...) are rendered
without XML escaping, as python-docx escapes them itself (docxtpl's way stores R&D as R&amp;D).

For perfeval's templates the document written is the same as plain docxtpl's, byte for byte
(tests compare). A template that declares a namespace prefix again inside the body, or binds one
namespace to two prefixes, gets equivalent XML that keeps those declarations where they were
written, where docxtpl's move drops or renames them.
"""

from __future__ import annotations

import re
from typing import Any

from docx.oxml import parse_xml
from docxtpl import DocxTemplate
from jinja2 import Environment
from lxml import etree

_SPECIAL = re.compile(r"[\t\a\n\f]")  # what docxtpl's resolve_listing turns into Word markup
_PARAGRAPH = re.compile(r"<w:p(?: [^>]*)?>.*?</w:p>", re.DOTALL)  # as docxtpl finds them
_BODY_START, _BODY_END = b"<w:body", b"</w:body>"
_BODY_HEAD = re.compile(rb"<w:body((?: [^>]*)?)>")
_DECLARATION = re.compile(rb' xmlns:(\w+)="([^"]*)"')


#: the document properties docxtpl renders, in its order (the others cannot be set as text)
PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")
PROPERTY_LIMIT = 255  # characters, python-docx's limit for a text property
_FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"


class BrokenTemplate(ValueError):
    """The rendered document is not well-formed XML; ``reason`` says where (lxml's words)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class PropertyTooLong(ValueError):
    """A rendered document property (``name``, one of :data:`PROPERTIES`) is longer than Word
    allows."""

    def __init__(self, name: str, length: int) -> None:
        super().__init__(f"document property {name} is {length} characters long")
        self.name, self.length = name, length


def parse_strictly(xml: str | bytes) -> etree._Element:
    """The element tree of ``xml``, or :class:`BrokenTemplate` if it is not well-formed."""
    parser = etree.XMLParser(resolve_entities=False, huge_tree=True)  # one per call: thread-safe
    try:
        return etree.fromstring(xml.encode("utf-8") if isinstance(xml, str) else xml, parser)
    except etree.XMLSyntaxError as exc:
        raise BrokenTemplate(str(exc)) from exc


class ReportTemplate(DocxTemplate):
    def fix_tables(self, xml: str) -> etree._Element:
        """The rendered body parsed strictly (:class:`BrokenTemplate` if it is not well-formed),
        with docxtpl's table grid fix when a table needs it."""
        tree = parse_strictly(xml)
        if not _grid_to_fix(tree):
            return tree
        fixed = super().fix_tables(xml)  # parses again, recovering; changes table grids only
        if "".join(fixed.itertext()) != "".join(tree.itertext()):  # lxml's limits, never seen
            raise BrokenTemplate("the recovering parse of the rendered body lost text")
        return fixed

    def render_properties(self, context: dict[str, Any], jinja_env: Environment | None = None):
        """As docxtpl, but without XML escaping (python-docx escapes the text), and a property
        longer than Word allows raises :class:`PropertyTooLong` instead of python-docx's error."""
        env = (jinja_env or Environment()).overlay(autoescape=False)
        properties = self.docx.core_properties
        for name in PROPERTIES:
            text = env.from_string(getattr(properties, name)).render(context)
            if len(text) > PROPERTY_LIMIT:
                raise PropertyTooLong(name, len(text))
            setattr(properties, name, text)

    def render_footnotes(self, context: dict[str, Any], jinja_env: Environment | None = None):
        """Each footnotes part rendered once (docxtpl renders it again for each section, taking
        the text rendered into it as a template) and parsed strictly (docxtpl does not parse)."""
        for part in self.docx.part.package.parts:
            if part.content_type == _FOOTNOTES:
                blob = part.blob
                xml = self.patch_xml(blob.decode("utf-8") if isinstance(blob, bytes) else blob)
                xml = self.render_xml_part(xml, part, context, jinja_env)
                parse_strictly(xml)
                part._blob = xml.encode("utf-8")

    def resolve_listing(self, xml: str) -> str:
        if not _SPECIAL.search(xml):
            return xml
        stock = super().resolve_listing
        return _PARAGRAPH.sub(
            lambda m: stock(m.group(0)) if _SPECIAL.search(m.group(0)) else m.group(0), xml
        )

    def map_tree(self, tree: etree._Element) -> None:
        document = self.docx
        xml = etree.tostring(document._element)
        body = _plain_body(etree.tostring(tree), document._element.nsmap)
        start, end = xml.find(_BODY_START), xml.rfind(_BODY_END)
        if body is None or start < 0 or end < 0 or xml.count(_BODY_START) != 1:
            super().map_tree(tree)  # a document this shortcut does not know: docxtpl's way
            return
        root = parse_xml(xml[:start] + body + xml[end + len(_BODY_END) :])
        document._element = document.part._element = root
        document._Document__body = None  # python-docx makes its body proxy again when asked


def _grid_to_fix(tree: etree._Element) -> bool:
    """Whether docxtpl's fix_tables would change a table: a row with more cells than the grid has
    columns, or a grid wider than its widest row (cells counted with their spans). When unsure (no
    grid, no w prefix, a span that is not a number), True: docxtpl decides, as it always did."""
    w = tree.nsmap.get("w")
    if w is None:
        return True
    q = f"{{{w}}}"
    tbl, grid, col, tr, tc, val = (q + t for t in ("tbl", "tblGrid", "gridCol", "tr", "tc", "val"))
    span = f"{q}tcPr/{q}gridSpan"
    for table in tree.iter(tbl):
        columns = table.find(grid)
        if columns is None:
            return True
        count, widest = len(columns.findall(col)), 0
        for row in table.iter(tr):
            cells = row.findall(tc)
            if len(cells) > count:
                return True
            try:
                width = sum(
                    1 if (s := cell.find(span)) is None else int(s.get(val)) for cell in cells
                )
            except (TypeError, ValueError):
                return True
            widest = max(widest, width)
        if widest < count:
            return True
    return False


def _plain_body(body: bytes, nsmap: dict[str | None, str]) -> bytes | None:
    """The serialized body without the namespace declarations it carries from being parsed on
    its own, when the document declares each of them the same (lxml drops them the same way
    when it moves the body in); None otherwise."""
    head = _BODY_HEAD.match(body)
    if head is None:
        return None
    declared = _DECLARATION.findall(head.group(1))
    if _DECLARATION.sub(b"", head.group(1)).strip() or any(
        nsmap.get(prefix.decode()) != uri.decode() for prefix, uri in declared
    ):
        return None
    return b"<w:body>" + body[head.end() :]
