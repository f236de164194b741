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
Here the body is first parsed strictly: a body that is not well-formed raises
:class:`BrokenTemplate` (the data is cleaned before it gets there, so only the template itself can
be at fault), and nothing is ever dropped.

For perfeval's templates the document written is the same as plain docxtpl's, byte for byte
(tests compare). A template that declares a namespace prefix again inside the body, or binds one
namespace to two prefixes, gets equivalent XML that keeps those declarations where they were
written, where docxtpl's move drops or renames them.
"""

from __future__ import annotations

import re

from docx.oxml import parse_xml
from docxtpl import DocxTemplate
from lxml import etree

_SPECIAL = re.compile(r"[\t\a\n\f]")  # what docxtpl's resolve_listing turns into Word markup
_PARAGRAPH = re.compile(r"<w:p(?: [^>]*)?>.*?</w:p>", re.DOTALL)  # as docxtpl finds them
_BODY_START, _BODY_END = b"<w:body", b"</w:body>"
_BODY_HEAD = re.compile(rb"<w:body((?: [^>]*)?)>")
_DECLARATION = re.compile(rb' xmlns:(\w+)="([^"]*)"')


_STRICT = etree.XMLParser(resolve_entities=False, huge_tree=True)


class BrokenTemplate(ValueError):
    """The rendered document is not well-formed XML; ``reason`` says where (lxml's words)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ReportTemplate(DocxTemplate):
    def fix_tables(self, xml: str) -> etree._Element:
        try:
            etree.fromstring(xml.encode("utf-8") if isinstance(xml, str) else xml, _STRICT)
        except etree.XMLSyntaxError as exc:
            raise BrokenTemplate(str(exc)) from exc
        # well-formed: docxtpl's own (recovering) parse below cannot lose anything now
        return super().fix_tables(xml)

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
