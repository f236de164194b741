"""The comments of the annotated copy: a note on every cell with a finding.

A sheet without comments gets a new comments part and VML drawing. A sheet that has them (the
template's hints on 基本信息, kept by Excel, WPS, LibreOffice and openpyxl under their own part
names; a department's own notes) gets ours merged in: the author perfeval, a comment per cell, and
a VML shape per new comment. A cell that already has a comment keeps it below ours, so the clerk
still sees the hint. VML is not always well-formed XML, so it is edited as text.
"""

from __future__ import annotations

import copy
import math
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from perfeval.check.catalogue import Finding
from perfeval.render.patch_sheet import Sheet
from perfeval.render.text import workbook_text
from perfeval.render.zipcopy import MAIN, Package, Unsupported, dump, parse, q, rels_name

AUTHOR = "perfeval"
VML = {
    "v": "urn:schemas-microsoft-com:vml",
    "o": "urn:schemas-microsoft-com:office:office",
    "x": "urn:schemas-microsoft-com:office:excel",
}
_DECLARE = {p: f' xmlns:{p}="{u}"' for p, u in VML.items()}
CELL = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})")
SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_ATTRS = r"""(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*"""
_ENCODING = re.compile(rb"""^(?:\xef\xbb\xbf)?<\?xml[^>]*encoding\s*=\s*["']([^"']+)""")
_IDMAP = re.compile(r"""idmap\b[^>]*?\bdata\s*=\s*["']([\d,\s]*)""")
_SPID = re.compile(r"""(?<![\w.:-])(?:[\w.-]+:)?(?:sp)?id\s*=\s*["']_x0000_s(\d+)["']""")
_ROOT = re.compile(r"<xml\b(" + _ATTRS + r")\s*>")
_XMLNS = re.compile(r"""xmlns:([\w.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_SHAPE = re.compile(r"<([\w.-]+:)?shape\b(" + _ATTRS + r")\s*(/?)>")
_SHAPE_ANY = re.compile(r"<(?:[\w.-]+:)?shape\b")
_SHAPETYPE = re.compile(r"""<(?:[\w.-]+:)?shapetype\b[^>]*?\sid\s*=\s*["']_x0000_t202["']""")
_STYLE = re.compile(r"""(\sstyle\s*=\s*)(["'])(.*?)\2""", re.S)
_SIZE = re.compile(r"(?<![\w-])(width|height)\s*:[^;]*")
_ANCHOR = re.compile(r"(<((?:[\w.-]+:)?)Anchor>)(.*?)(</\2Anchor>)", re.S)
#: where a missing Anchor goes in ClientData (openpyxl writes none): the first of these found
_ANCHOR_AFTER = [
    re.compile(r"<((?:[\w.-]+:)?)SizeWithCells\s*/>"),
    re.compile(r"<((?:[\w.-]+:)?)MoveWithCells\s*/>"),
    re.compile(r"<((?:[\w.-]+:)?)ClientData\b" + _ATTRS + r"\s*>"),
]
_NOTE = re.compile(r"""\sObjectType\s*=\s*["']Note["']""")
_ROW = re.compile(r"<(?:[\w.-]+:)?Row>\s*(\d+)\s*<")
_COLUMN = re.compile(r"<(?:[\w.-]+:)?Column>\s*(\d+)\s*<")
_SHAPELAYOUT = '<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{block}"/></o:shapelayout>'
_SHAPETYPE_XML = (
    '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" '
    'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/><v:path '
    'gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
)
_VML_SHAPE = (
    '<v:shape id="_x0000_s{id}" type="#_x0000_t202" style="position:absolute;margin-left:80pt;'
    'margin-top:2pt;width:{width}pt;height:{height}pt;z-index:{z};visibility:hidden" '
    'fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow on="t" '
    'color="black" obscured="t"/><v:path o:connecttype="none"/><v:textbox '
    'style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox>'
    '<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/><x:Anchor>{anchor}'
    "</x:Anchor><x:AutoFill>False</x:AutoFill><x:Row>{row}</x:Row><x:Column>{col}</x:Column>"
    "</x:ClientData></v:shape>"
)
WIDTH = 270  # points; about 24 Chinese characters a line


def note_text(found: list[Finding]) -> str:
    return workbook_text("\n".join(f"【{f.severity}】{f.message}\n{f.hint}" for f in found))


def _place(cell: str) -> tuple[int, int]:
    """(0-based row, 0-based column) of a cell reference."""
    letters, digits = CELL.fullmatch(cell).groups()
    col = sum(26**i * (ord(c) - 64) for i, c in enumerate(letters[::-1]))
    return int(digits) - 1, col - 1


def _box(cell: str, text: str, row_height: Callable[[int], float]) -> tuple[int, str]:
    """The note's height in points and its anchor: from the next column and the row above, down
    as far as the rows' heights (in pixels there) give it its height."""
    units = (sum(1 if ord(c) < 0x2E80 else 2 for c in line) for line in text.split("\n"))
    lines = sum(max(1, math.ceil(u / (WIDTH // 5.5))) for u in units)
    height = 20 + 16 * lines
    row, col = _place(cell)
    top = bottom = max(row - 1, 0)
    left = (height + 7.5) * 4 / 3  # pixels below the top row's start, 10 px down
    while bottom < top + 200 and left > (here := row_height(bottom) * 4 / 3):
        left -= here
        bottom += 1
    return height, f"{col + 1}, 15, {top}, 10, {col + 4}, 15, {bottom}, {round(left)}"


def _shape(shape_id: int, cell: str, text: str, z: int, rows: Callable[[int], float]) -> str:
    height, anchor = _box(cell, text, rows)
    row, col = _place(cell)
    return _VML_SHAPE.format(
        id=shape_id, width=WIDTH, height=height, z=z, anchor=anchor, row=row, col=col
    )


@dataclass
class _Note:
    cell: str
    text: str  # the whole text of the comment
    merged: bool  # the cell had a comment (which has a shape already)


class Notes:
    """Comments for the marked sheets of one package; new VML drawings take fresh id blocks."""

    def __init__(self, pkg: Package, folder: str) -> None:
        self.pkg, self.folder = pkg, folder
        self.block = 0  # the next free block of 1024 shape ids; 0: not looked for yet

    def fresh_block(self) -> int:
        """A block of shape ids no VML drawing of the package uses (by its idmap or its ids)."""
        if not self.block:
            blocks = [0]
            for name in self.pkg.names.values():
                if name.lower().endswith(".vml"):
                    text = self.pkg.read(name).decode("utf-8", "replace")
                    blocks += [int(b) for m in _IDMAP.findall(text) for b in re.findall(r"\d+", m)]
                    blocks += [int(n) // 1024 for n in _SPID.findall(text)]
            self.block = max(blocks) + 1
        self.block += 1
        return self.block - 1

    def attach(self, part: str, sheet: Sheet, cells: dict[str, list[Finding]]) -> str | None:
        """Comments on ``cells`` of the worksheet ``part``: the id of a new legacyDrawing for the
        sheet, or None when they went into the drawing it has."""
        if len(cells) > 1000:
            raise Unsupported("too many comments for one VML block")
        pkg, rels = self.pkg, self.pkg.relationships(part)
        if any("threadedComment" in (r.get("Type") or "") for r in rels):
            raise Unsupported("threaded comments")
        comments = list(pkg.targets(rels, part, "comments").values())
        drawings = pkg.targets(rels, part, "vmlDrawing")
        legacy = sheet.legacy_drawing()
        if len(comments) > 1 or (comments and legacy is None):
            raise Unsupported("comments without their drawing")
        if comments:
            name, root = comments[0], parse(pkg.read(comments[0]))
        else:
            root = etree.Element(q("comments"), nsmap={None: MAIN})
            etree.SubElement(root, q("authors"))
            etree.SubElement(root, q("commentList"))
            name = pkg.create(
                posixpath.join(self.folder, "comments{}.xml"), b"", "spreadsheetml.comments+xml"
            )
            pkg.relate(rels, part, "comments", name)
            pkg.put(rels_name(part), dump(rels))
        notes = _merge_comments(root, {cell: note_text(found) for cell, found in cells.items()})
        pkg.put(name, dump(root))
        rid = None
        if legacy is None:
            block = self.fresh_block()
            shapes = "".join(
                _shape(block * 1024 + k, n.cell, n.text, k, sheet.row_height)
                for k, n in enumerate(notes, start=1)
            )
            vml = (
                "<xml"
                + "".join(_DECLARE.values())
                + ">"
                + _SHAPELAYOUT.format(block=block)
                + _SHAPETYPE_XML
                + shapes
                + "</xml>"
            )
            drawing = pkg.create(
                posixpath.join(self.folder, "drawings", "vmlDrawing{}.vml"),
                vml.encode("utf-8"),
                "vmlDrawing",
            )
            rid = pkg.relate(rels, part, "vmlDrawing", drawing)
            pkg.put(rels_name(part), dump(rels))
        elif legacy in drawings:
            drawing = drawings[legacy]
            vml = merge_vml(pkg.read(drawing), notes, self.fresh_block, sheet.row_height)
            pkg.put(drawing, vml)
        else:
            raise Unsupported("legacyDrawing without its part")
        return rid


def _plain(text: etree._Element) -> str:
    return "".join(t.text or "" for t in text.iter(q("t")) if t.getparent().tag != q("rPh"))


def _merge_comments(root: etree._Element, texts: dict[str, str]) -> list[_Note]:
    """Our comment on each cell of ``texts``: a new one, or the cell's comment with ours first."""
    authors, listed = root.find(q("authors")), root.find(q("commentList"))
    if root.tag != q("comments") or authors is None or listed is None:
        raise Unsupported("comments part")
    names = [a.text or "" for a in authors]
    if AUTHOR not in names:
        etree.SubElement(authors, q("author")).text = AUTHOR
        names.append(AUTHOR)
    author = str(names.index(AUTHOR))
    theirs = {(c.get("ref") or "").upper(): c for c in listed.iterfind(q("comment"))}
    notes = []
    for cell, text in texts.items():
        old = theirs.get(cell)
        if old is None:
            new = etree.Element(q("comment"), ref=cell, authorId=author)
            t = etree.SubElement(etree.SubElement(new, q("text")), q("t"))
            t.text, key = text, _place(cell)
            if text != text.strip() or "\n" in text:
                t.set(SPACE, "preserve")
            at = next((n for n, c in enumerate(listed) if _key(c) > key), len(listed))
            listed.insert(at, new)
            notes.append(_Note(cell, text, False))
            continue
        body = old.find(q("text"))
        mine = (old.get("authorId") or "").isdigit() and int(old.get("authorId")) < len(names)
        mine = mine and names[int(old.get("authorId"))] == AUTHOR  # an old copy's note: replaced
        hint = "" if body is None or mine else _plain(body)
        for child in list(old):  # their box (LibreOffice's commentPr): the drawing sizes it now
            old.remove(child)
        old.set("authorId", author)
        body = etree.SubElement(old, q("text")) if not hint.strip() else body
        old.append(body)
        first = etree.Element(q("r"))
        font = body.find(f"{q('r')}/{q('rPr')}")
        if font is not None:  # their font, in bold
            first.append(copy.deepcopy(font))
            if first[0].find(q("b")) is None:
                first[0].insert(0, etree.Element(q("b")))
        t = etree.SubElement(first, q("t"))
        t.text = text + ("\n\n" if hint.strip() else "")
        t.set(SPACE, "preserve")
        plain = body.find(q("t"))
        if plain is not None:  # a plain text becomes a run, after ours
            run = etree.Element(q("r"))
            plain.addprevious(run)
            run.append(plain)
        body.insert(0, first)
        notes.append(_Note(cell, t.text + hint, True))
    return notes


def _key(comment: etree._Element) -> tuple[int, int]:
    ref = (comment.get("ref") or "").upper()
    return _place(ref) if CELL.fullmatch(ref) else (-1, -1)


def merge_vml(
    data: bytes,
    notes: list[_Note],
    fresh_block: Callable[[], int],
    rows: Callable[[int], float],
) -> bytes:
    """The VML drawing with a shape per new note, the merged notes' shapes made to fit."""
    if (m := _ENCODING.match(data)) and m.group(1).lower() not in (b"utf-8", b"utf8"):
        raise Unsupported("VML encoding")
    text = data.decode("utf-8-sig")
    root, end = _ROOT.search(text), text.rfind("</xml>")
    if root is None or end < root.end():
        raise Unsupported("VML root")
    declared = {p: a or b for p, a, b in _XMLNS.findall(root.group(1))}
    if any(declared.get(p, u) != u for p, u in VML.items()):
        raise Unsupported("VML prefixes")
    edits = []  # (start, end, replacement), in order
    declare = "".join(d for p, d in _DECLARE.items() if p not in declared)
    head = [declare] if declare else []
    ids = [int(n) for n in _SPID.findall(text)]
    blocks = {int(b) for m in _IDMAP.findall(text) for b in re.findall(r"\d+", m)}
    if not blocks:
        blocks = {fresh_block()}
        head.append(">" + _SHAPELAYOUT.format(block=min(blocks)))
    else:
        head.append(">")
    edits.append((root.end() - 1, root.end(), "".join(head)))

    shapes = {}
    found = list(_SHAPE.finditer(text))
    if len(found) != len(_SHAPE_ANY.findall(text)):
        raise Unsupported("VML shape tags")
    for m in found:
        close = m.end() if m.group(3) else text.find(f"</{m.group(1) or ''}shape>", m.end())
        if close < 0:
            raise Unsupported("VML shape end")
        body = text[m.end() : close]
        row, col = _ROW.search(body), _COLUMN.search(body)
        if row and col and _NOTE.search(body):
            shapes.setdefault((int(row.group(1)), int(col.group(1))), (m, close))

    new = []
    for note in notes:
        at = shapes.get(_place(note.cell)) if note.merged else None
        if at is None:
            new.append(note)
        else:
            edits += _resize(text, *at, note, rows)
    if new:
        first = max(max(ids, default=0) + 1, min(blocks) * 1024 + 1)
        if {first // 1024, (first + len(new) - 1) // 1024} - blocks:
            raise Unsupported("VML shape ids outside the drawing's blocks")
        z = len(found)
        added = "" if _SHAPETYPE.search(text) else _SHAPETYPE_XML
        added += "".join(
            _shape(first + k, n.cell, n.text, z + k + 1, rows) for k, n in enumerate(new)
        )
        edits.append((end, end, added))
    out, pos = [], 0
    for start, stop, piece in sorted(edits, key=lambda e: e[0]):
        out += [text[pos:start], piece]
        pos = stop
    out.append(text[pos:])
    return "".join(out).encode("utf-8")


def _resize(
    text: str, m: re.Match, close: int, note: _Note, rows: Callable[[int], float]
) -> list[tuple[int, int, str]]:
    """Edits giving a merged note's shape our size and anchor."""
    height, anchor = _box(note.cell, note.text, rows)
    edits = []
    style = _STYLE.search(m.group(0))
    if style:
        sizes = {"width": f"width:{WIDTH}pt", "height": f"height:{height}pt"}
        value = _SIZE.sub(lambda s: sizes[s.group(1)], style.group(3))
        start = m.start() + style.start(3)
        edits.append((start, start + len(style.group(3)), value))
    old = _ANCHOR.search(text, m.end(), close)
    if old:
        edits.append((old.start(3), old.end(3), anchor))
    else:
        for pattern in _ANCHOR_AFTER:
            if place := pattern.search(text, m.end(), close):
                tag = f"<{place.group(1)}Anchor>{anchor}</{place.group(1)}Anchor>"
                edits.append((place.end(), place.end(), tag))
                break
    return edits
