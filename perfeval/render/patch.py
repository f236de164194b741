"""Annotated copies made fast: the department's own workbook patched at the zip/XML level.

The result matches :mod:`perfeval.render.annotate`: a first sheet 校验问题 listing every finding
with a link to its cell, and on each such cell a red highlight (a conditional format, so their own
fills stay) and a comment. Only the parts that change are touched: a sheet part gets string
insertions at located positions (it can be large); the small parts (workbook, rels, content types,
styles) go through lxml; every other zip entry is copied still compressed. A shape not handled here
(a prefixed main namespace, a sheet that already has comments, a copy sent back again, ...) gives
``None`` and the caller falls back to the slow paths.
"""

from __future__ import annotations

import copy
import io
import logging
import posixpath
import re
import struct
import zipfile
import zlib
from collections import defaultdict
from pathlib import Path

from lxml import etree
from xlsxwriter.utility import quote_sheetname

from perfeval.atomic import atomic_path
from perfeval.check.catalogue import Finding
from perfeval.issue.annotations import COLUMNS, SUMMARY_SHEET
from perfeval.render.xlsx_tables import clean_text, needs_quote_prefix

log = logging.getLogger(__name__)

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
CT = "application/vnd.openxmlformats-"
MAX_UNPACKED = 512 * 1024 * 1024
DECL = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
#: CT_Worksheet's children after sheetData, in schema order (Excel rejects any other order)
_TAIL = (
    "sheetCalcPr sheetProtection protectedRanges scenarios autoFilter sortState dataConsolidate "
    "customSheetViews mergeCells phoneticPr conditionalFormatting dataValidations hyperlinks "
    "printOptions pageMargins pageSetup headerFooter rowBreaks colBreaks customProperties "
    "cellWatches ignoredErrors smartTags drawing legacyDrawing legacyDrawingHF drawingHF picture "
    "oleObjects controls webPublishItems tableParts extLst"
)
TAIL_ORDER = {name: n for n, name in enumerate(_TAIL.split())}
_ATTRS = rb"""(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*"""
_ROOT = re.compile(rb"<([\w.-]+:)?worksheet\b(" + _ATTRS + rb")\s*>")
_SHEET_DATA = re.compile(rb"<sheetData" + _ATTRS + rb"\s*(/?)>")
_TAG = re.compile(rb"<(/?)(?:([\w.-]+):)?([\w.-]+)" + _ATTRS + rb"\s*(/?)>")
_ENCODING = re.compile(rb"""^(?:\xef\xbb\xbf)?<\?xml[^>]*encoding\s*=\s*["']([^"']+)""")
_TAB_SELECTED = re.compile(rb"""\s+tabSelected\s*=\s*["'](?:1|true)["']""")
_AFTER_VIEWS = re.compile(rb"<(?:[\w.-]+:)?(?:sheetFormatPr|cols|sheetData)\b")
_PRIORITY = re.compile(rb"""priority\s*=\s*["'](\d+)""")
_REL_PREFIX = re.compile(rb'xmlns:([\w.-]+)\s*=\s*"' + REL.encode() + b'"')
_IDMAP = re.compile(rb"""idmap\b[^>]*data\s*=\s*["']([\d,\s]*)""")
_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ESCAPE_ATTR = str.maketrans(
    {"&": "&amp;", "<": "&lt;", '"': "&quot;", "\r": "&#13;", "\n": "&#10;", "\t": "&#9;"}
)
_CELL = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})")
_VML_HEAD = (
    '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"'
    ' xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit">'
    '<o:idmap v:ext="edit" data="{block}"/></o:shapelayout><v:shapetype id="_x0000_t202" '
    'coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe"><v:stroke '
    'joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
)
_VML_SHAPE = (
    '<v:shape id="_x0000_s{id}" type="#_x0000_t202" style="position:absolute;margin-left:80pt;'
    'margin-top:2pt;width:270pt;height:{height}pt;z-index:{z};visibility:hidden" '
    'fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow on="t" '
    'color="black" obscured="t"/><v:path o:connecttype="none"/><v:textbox '
    'style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox>'
    '<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/><x:Anchor>{anchor}'
    "</x:Anchor><x:AutoFill>False</x:AutoFill><x:Row>{row}</x:Row><x:Column>{col}</x:Column>"
    "</x:ClientData></v:shape>"
)


class Unsupported(Exception):
    """A shape the fast path leaves to the slow paths."""


def _q(tag: str, ns: str = MAIN) -> str:
    return f"{{{ns}}}{tag}"


def _esc(text: str, attr: bool = False) -> str:
    return text.translate(_ESCAPE_ATTR if attr else _ESCAPE)


def _t(text: str) -> str:
    space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
    return f"<t{space}>{_esc(text)}</t>"


def _parse(data: bytes) -> etree._Element:
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise Unsupported("DTD")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(data, parser)


def _dump(root: etree._Element) -> bytes:
    return DECL + etree.tostring(root, encoding="UTF-8", xml_declaration=False)


def _rels_name(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


class _Package:
    """The zip's entries by name (case-insensitive, as OPC part names are) and changed parts."""

    def __init__(self, data: bytes) -> None:
        self.data, self.zip = data, zipfile.ZipFile(io.BytesIO(data))
        self.infos = {i.filename: i for i in self.zip.infolist()}
        self.names = {name.lower(): name for name in self.infos}
        if len(self.names) != len(self.zip.infolist()) or len(self.names) > 60000:
            raise Unsupported("duplicate or too many zip entries")
        if sum(i.file_size for i in self.infos.values()) > MAX_UNPACKED:
            raise Unsupported("too large")
        self.changed: dict[str, bytes] = {}

    def read(self, name: str) -> bytes:
        real = self.names.get(name.lower())
        if real is None:
            raise Unsupported(f"missing part {name}")
        return self.changed[real] if real in self.changed else self.zip.read(real)

    def head(self, name: str, size: int) -> bytes:
        """The start of an entry, decompressing no more than needed."""
        info = self.infos.get(self.names.get(name.lower(), ""))
        if info is None or info.filename in self.changed or info.compress_type != 8:
            return self.read(name)[:size]
        return zlib.decompressobj(-15).decompress(self.raw(info), size)

    def raw(self, info: zipfile.ZipInfo) -> bytes:
        """An entry's data as stored in the zip."""
        if info.flag_bits & 1 or info.compress_type not in (0, 8):
            raise Unsupported("encrypted or unusual zip entry")
        name_size, extra_size = struct.unpack_from("<HH", self.data, info.header_offset + 26)
        at = info.header_offset + 30 + name_size + extra_size
        return self.data[at : at + info.compress_size]

    def put(self, name: str, data: bytes) -> None:
        self.changed[self.names.setdefault(name.lower(), name)] = data

    def resolve(self, source: str, target: str) -> str:
        path = posixpath.join(posixpath.dirname(source), target)  # an absolute target wins
        path = posixpath.normpath(path).lstrip("/")
        return self.names.get(path.lower(), path)

    def fresh(self, pattern: str) -> str:
        n = 1
        while pattern.format(n).lower() in self.names:
            n += 1
        return pattern.format(n)

    def relationships(self, source: str) -> etree._Element:
        if _rels_name(source).lower() in self.names:
            return _parse(self.read(_rels_name(source)))
        return etree.Element(_q("Relationships", PKG), nsmap={None: PKG})

    def relate(self, rels: etree._Element, source: str, kind: str, target: str) -> str:
        used = {r.get("Id") for r in rels}
        rid = next(f"rId{n}" for n in range(len(used) + 1, 99999) if f"rId{n}" not in used)
        target = posixpath.relpath("/" + target, "/" + posixpath.dirname(source))
        etree.SubElement(rels, _q("Relationship", PKG), Id=rid, Type=f"{REL}/{kind}", Target=target)
        return rid

    def output(self) -> bytes:
        """The zip, [Content_Types].xml first; unchanged entries are copied still compressed."""
        out, central = io.BytesIO(), []
        order = sorted(self.infos, key=lambda n: n != "[Content_Types].xml")
        for name in order + [n for n in self.changed if n not in self.infos]:
            if name in self.changed:
                data, packer = self.changed[name], zlib.compressobj(1, zlib.DEFLATED, -15)
                raw = packer.compress(data) + packer.flush()
                fields = (8, 33 << 16, zlib.crc32(data), len(raw), len(data))  # 1980-01-01
            else:
                info = self.infos[name]
                raw, (y, mo, d, h, mi, s) = self.raw(info), info.date_time
                when = (y - 1980) << 25 | mo << 21 | d << 16 | h << 11 | mi << 5 | s // 2
                fields = (info.compress_type, when, info.CRC, len(raw), info.file_size)
            encoded = name.encode("utf-8")
            common = struct.pack("<HHHIIIIHH", 20, 0x800, *fields, len(encoded), 0)
            offset = struct.pack("<HHHII", 0, 0, 0, 0, out.tell())
            central.append(b"PK\x01\x02\x14\x00" + common + offset + encoded)
            out.write(b"PK\x03\x04" + common + encoded + raw)
        start, directory, n = out.tell(), b"".join(central), len(central)
        out.write(directory)
        out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, n, n, len(directory), start, 0))
        return out.getvalue()


def _append(parent: etree._Element, xml: str) -> int:
    """Append the elements of an XML snippet (main namespace); the index of the first one."""
    first = len(parent)
    parent.extend(etree.fromstring(f'<x xmlns="{MAIN}">{xml}</x>'))
    parent.set("count", str(len(parent)))
    return first


def _add_styles(root: etree._Element) -> tuple[dict[str, int], int]:
    """Fonts, a fill and cell formats for the summary sheet, and the red highlight's dxf."""
    fonts, fills, borders, xfs = (
        root.find(_q(t)) for t in ("fonts", "fills", "borders", "cellXfs")
    )
    if root.tag != _q("styleSheet") or any(e is None or not len(e) for e in (fonts, borders, xfs)):
        raise Unsupported("styles")
    bold, link = copy.deepcopy(fonts[0]), copy.deepcopy(fonts[0])  # the default font, bold or blue
    for font, drop in ((bold, ("b",)), (link, ("u", "color"))):
        for el in [e for e in font if etree.QName(e).localname in drop]:
            font.remove(el)
    bold.insert(0, etree.Element(_q("b")))
    link.insert(0, etree.Element(_q("u")))
    etree.SubElement(link, _q("color"), rgb="FF0563C1")
    fonts.extend((bold, link))
    fonts.set("count", str(len(fonts)))
    fill = _append(
        fills,
        '<fill><patternFill patternType="solid"><fgColor rgb="FFD9E1F2"/>'
        '<bgColor indexed="64"/></patternFill></fill>',
    )
    style = root.find(_q("cellStyleXfs"))
    base = 'numFmtId="0" borderId="0"' + (' xfId="0"' if style is not None and len(style) else "")
    wrap = 'applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>'
    first = _append(
        xfs,
        f'<xf {base} fontId="{len(fonts) - 2}" fillId="{fill}" applyFont="1" applyFill="1"/>'
        f'<xf {base} fontId="0" fillId="0" {wrap}<xf {base} fontId="0" fillId="0" quotePrefix="1" '
        f'{wrap}<xf {base} fontId="{len(fonts) - 1}" fillId="0" applyFont="1" {wrap}',
    )
    ids = {key: first + n for n, key in enumerate(("header", "text", "quoted", "link"))}
    dxfs = root.find(_q("dxfs"))
    if dxfs is None:  # its place: right after cellStyles (or cellXfs)
        dxfs = etree.Element(_q("dxfs"))
        styles = root.find(_q("cellStyles"))
        (xfs if styles is None else styles).addnext(dxfs)
    dxf = _append(
        dxfs,
        '<dxf><font><color rgb="FF9C0006"/></font><fill><patternFill>'
        '<bgColor rgb="FFFFC7CE"/></patternFill></fill></dxf>',
    )
    return ids, dxf


def _summary(findings: list[Finding], sheets: set[str], st: dict[str, int]) -> bytes:
    """The 校验问题 sheet: a frozen header row, then one row per finding, all inline strings."""
    rows = [[(label, st["header"]) for label, _ in COLUMNS]]
    links = []
    for r, f in enumerate(findings, start=2):
        texts = [clean_text(t) for t in (f.sheet, f.cell, f.code, str(f.severity), f.message)]
        row = [(t, st["quoted"] if needs_quote_prefix(t) else st["text"]) for t in texts]
        row.append(
            (hint := clean_text(f.hint), st["quoted" if needs_quote_prefix(hint) else "text"])
        )
        if f.sheet in sheets and _CELL.fullmatch(f.cell):
            row[1] = (f.cell, st["link"])
            place = _esc(f"{quote_sheetname(f.sheet)}!{f.cell}", attr=True)
            links.append(f'<hyperlink ref="B{r}" location="{place}" display="{f.cell}"/>')
        rows.append(row)
    data = "".join(
        f'<row r="{r}">'
        + "".join(
            f'<c r="{chr(65 + n)}{r}" s="{s}" t="inlineStr"><is>{_t(text)}</is></c>'
            if text
            else f'<c r="{chr(65 + n)}{r}" s="{s}"/>'
            for n, (text, s) in enumerate(row)
        )
        + "</row>"
        for r, row in enumerate(rows, start=1)
    )
    cols = "".join(
        f'<col min="{n}" max="{n}" width="{w + 0.7109375}" customWidth="1"/>'
        for n, (_, w) in enumerate(COLUMNS, start=1)
    )
    xml = (
        f'<worksheet xmlns="{MAIN}" xmlns:r="{REL}"><dimension ref="A1:F{len(rows)}"/>'
        '<sheetViews><sheetView tabSelected="1" workbookViewId="0"><pane ySplit="1" '
        'topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" '
        'activeCell="A2" sqref="A2"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight='
        f'"15"/><cols>{cols}</cols><sheetData>{data}</sheetData>'
        + (f"<hyperlinks>{''.join(links)}</hyperlinks>" if links else "")
        + '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        "</worksheet>"
    )
    return DECL + xml.encode("utf-8")


def _deselect(xml: bytes) -> bytes:
    """Drop tabSelected from the sheet views (they come before sheetData)."""
    cut = xml.find(b"sheetData")
    head = xml if cut < 0 else xml[:cut]
    if b"tabSelected" not in head or not _TAB_SELECTED.search(head):
        return xml
    if (m := _ENCODING.match(xml)) and m.group(1).lower() not in (b"utf-8", b"utf8"):
        raise Unsupported("encoding")
    return _TAB_SELECTED.sub(b"", head) + (b"" if cut < 0 else xml[cut:])


def _top_level(tail: bytes) -> list[tuple[int, int]]:
    """(schema rank, offset) of each top-level element in the part after sheetData."""
    tops, depth, pos = [], 0, 0
    while (start := tail.find(b"<", pos)) >= 0:
        m = _TAG.match(tail, start)
        if m is None:
            raise Unsupported("markup after sheetData")
        closing, prefix, local, empty = m.groups()
        if not closing and depth == 0:
            name = local.decode()
            if prefix == b"mc" and name == "AlternateContent":  # wraps oleObjects or controls
                name = "oleObjects"
            elif prefix is not None or name not in TAIL_ORDER:
                raise Unsupported(f"element {name} after sheetData")
            tops.append((TAIL_ORDER[name], start))
        depth += -1 if closing else 0 if empty else 1
        pos = m.end()
    return tops


def _mark_sheet(xml: bytes, cells: list[str], dxf: int, rid: str) -> bytes:
    """Insert a conditional format per cell and the legacyDrawing for the comments."""
    xml = _deselect(xml)
    if (m := _ENCODING.match(xml)) and m.group(1).lower() not in (b"utf-8", b"utf8"):
        raise Unsupported("encoding")
    root = _ROOT.search(xml, 0, 65536)
    if root is None or root.group(1) or f'xmlns="{MAIN}"'.encode() not in root.group(2):
        raise Unsupported("worksheet root")
    opening = _SHEET_DATA.search(xml, root.end())
    if opening is None:
        raise Unsupported("no sheetData")
    end = opening.end() if opening.group(1) else xml.find(b"</sheetData>", opening.end()) + 12
    close = xml.rfind(b"</worksheet>")
    if end < opening.end() or close < end:
        raise Unsupported("sheetData or worksheet end")
    tops = _top_level(xml[end:close])
    if any(rank == TAIL_ORDER["legacyDrawing"] for rank, _ in tops):
        raise Unsupported("sheet already has a legacy drawing")
    priority = max((int(p) for p in _PRIORITY.findall(xml, end, close)), default=0)
    cf = "".join(
        f'<conditionalFormatting sqref="{cell}"><cfRule type="expression" dxfId="{dxf}" '
        f'priority="{priority + n}"><formula>TRUE</formula></cfRule></conditionalFormatting>'
        for n, cell in enumerate(cells, start=1)
    )
    prefix = _REL_PREFIX.search(root.group(2))
    declare = f"{prefix.group(1).decode()}:" if prefix else f'xmlns:r="{REL}" r:'
    drawing = f'<legacyDrawing {declare}id="{rid}"/>'
    at_cf, at_drawing = (
        end + next((at for r, at in tops if r > TAIL_ORDER[name]), close - end)
        for name in ("conditionalFormatting", "legacyDrawing")
    )
    pieces = (xml[:at_cf], cf.encode(), xml[at_cf:at_drawing], drawing.encode(), xml[at_drawing:])
    return b"".join(pieces)


def _comments(cells: dict[str, list[Finding]], block: int) -> tuple[bytes, bytes]:
    """The comments part and its VML drawing (hidden notes, one shape per comment)."""
    if len(cells) > 1000:
        raise Unsupported("too many comments for one VML block")
    comments, shapes = [], []
    for k, cell in enumerate(cells, start=1):
        letters, digits = _CELL.fullmatch(cell).groups()
        row, col = int(digits) - 1, sum(26**i * (ord(c) - 64) for i, c in enumerate(letters[::-1]))
        found = cells[cell]
        text = clean_text("\n".join(f"【{f.severity}】{f.message}\n{f.hint}" for f in found))
        comments.append(f'<comment ref="{cell}" authorId="0"><text>{_t(text)}</text></comment>')
        top, height = max(row - 1, 0), 3 + 3 * len(found)
        anchor = f"{col}, 15, {top}, 10, {col + 3}, 15, {top + height}, 4"
        shape = {"id": block * 1024 + k, "height": 30 + 45 * len(found), "z": k, "row": row}
        shapes.append(_VML_SHAPE.format(**shape, anchor=anchor, col=col - 1))
    xml = (
        f'<comments xmlns="{MAIN}"><authors><author>perfeval</author></authors>'
        f"<commentList>{''.join(comments)}</commentList></comments>"
    )
    vml = _VML_HEAD.format(block=block) + "".join(shapes) + "</xml>"
    return DECL + xml.encode("utf-8"), vml.encode("utf-8")


def patch_annotated(data: bytes, findings: list[Finding], target: Path) -> Path | None:
    """Write the annotated copy of the workbook ``data`` to ``target``; None when the file has a
    shape this fast path does not handle (the caller then uses the slow paths)."""
    try:
        out = _patch(data, findings)
    except Exception as exc:  # odd input of any kind: the slow paths decide
        log.debug("no fast annotated copy for %s: %r", target.name, exc)
        return None
    with atomic_path(target) as tmp:
        tmp.write_bytes(out)
    return target


def _patch(data: bytes, findings: list[Finding]) -> bytes:
    pkg = _Package(data)
    office = f"{REL}/officeDocument"
    book = next(r.get("Target") for r in _parse(pkg.read("_rels/.rels")) if r.get("Type") == office)
    book = pkg.resolve("", book)
    wb, wb_rels = _parse(pkg.read(book)), pkg.relationships(book)
    sheets, folder = wb.find(_q("sheets")), posixpath.dirname(book)
    if wb.tag != _q("workbook") or sheets is None:
        raise Unsupported("workbook")
    by_id = {r.get("Id"): r for r in wb_rels}
    parts: dict[str, tuple[str, bool]] = {}  # sheet name -> (part name, is a worksheet)
    for sheet in sheets:
        rel = by_id[sheet.get(_q("id", REL))]
        if rel.get("TargetMode") == "External":
            raise Unsupported("external sheet")
        kind = rel.get("Type") == f"{REL}/worksheet"
        parts[sheet.get("name")] = (pkg.resolve(book, rel.get("Target")), kind)
    if SUMMARY_SHEET in parts:
        raise Unsupported("a copy sent back again")
    marked: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for f in findings:
        if f.sheet in parts and parts[f.sheet][1] and _CELL.fullmatch(f.cell):
            marked[f.sheet][f.cell].append(f)

    styles_name = next(r.get("Target") for r in wb_rels if r.get("Type") == f"{REL}/styles")
    styles = _parse(pkg.read(pkg.resolve(book, styles_name)))
    st, dxf = _add_styles(styles)
    pkg.put(pkg.resolve(book, styles_name), _dump(styles))
    types = _parse(pkg.read("[Content_Types].xml"))
    if types.tag != _q("Types", TYPES):
        raise Unsupported("content types")
    known = {(d.get("Extension") or "").lower() for d in types.iter(_q("Default", TYPES))}
    for ext, kind in (("rels", "package.relationships+xml"), ("vml", "officedocument.vmlDrawing")):
        if ext not in known:
            etree.SubElement(types, _q("Default", TYPES), Extension=ext, ContentType=CT + kind)

    vml = b" ".join(pkg.read(n) for n in pkg.names.values() if n.lower().endswith(".vml"))
    block = (
        max((int(b) for m in _IDMAP.findall(vml) for b in re.findall(rb"\d+", m)), default=0) + 1
    )
    new_parts = []
    for sheet, cells in marked.items():
        part = parts[sheet][0]
        rels = pkg.relationships(part)
        if any(r.get("Type") in (f"{REL}/comments", f"{REL}/vmlDrawing") for r in rels):
            raise Unsupported("the sheet already has comments")
        comments, drawing = _comments(cells, block)
        block += 1
        comments_name = pkg.fresh(posixpath.join(folder, "comments{}.xml"))
        pkg.put(comments_name, comments)
        new_parts.append((comments_name, "spreadsheetml.comments+xml"))
        drawing_name = pkg.fresh(posixpath.join(folder, "drawings", "vmlDrawing{}.vml"))
        pkg.put(drawing_name, drawing)
        pkg.relate(rels, part, "comments", comments_name)
        rid = pkg.relate(rels, part, "vmlDrawing", drawing_name)
        pkg.put(_rels_name(part), _dump(rels))
        pkg.put(part, _mark_sheet(pkg.read(part), list(cells), dxf, rid))
    for sheet, (part, _) in parts.items():  # the sheet views come first: read no further
        head = b"" if sheet in marked else pkg.head(part, 4096)
        if (b"tabSelected" in head and _TAB_SELECTED.search(head)) or (
            len(head) == 4096 and not _AFTER_VIEWS.search(head)
        ):
            xml = pkg.read(part)
            if (deselected := _deselect(xml)) is not xml:
                pkg.put(part, deselected)

    summary = pkg.fresh(posixpath.join(folder, "worksheets", "sheet{}.xml"))
    pkg.put(summary, _summary(findings, set(parts), st))
    new_parts.append((summary, "spreadsheetml.worksheet+xml"))
    for name, kind in new_parts:
        part_type = CT + "officedocument." + kind
        etree.SubElement(types, _q("Override", TYPES), PartName="/" + name, ContentType=part_type)
    pkg.put("[Content_Types].xml", _dump(types))
    rid = pkg.relate(wb_rels, book, "worksheet", summary)
    pkg.put(_rels_name(book), _dump(wb_rels))
    _add_first_sheet(wb, sheets, rid)
    pkg.put(book, _dump(wb))
    return pkg.output()


def _add_first_sheet(wb: etree._Element, sheets: etree._Element, rid: str) -> None:
    """Register the summary sheet first and active; sheet indices move up by one."""
    sheet_id = str(max((int(s.get("sheetId") or 0) for s in sheets), default=0) + 1)
    nsmap = None if REL in wb.nsmap.values() else {"r": REL}
    first = etree.Element(_q("sheet"), name=SUMMARY_SHEET, sheetId=sheet_id, nsmap=nsmap)
    first.set(_q("id", REL), rid)
    sheets.insert(0, first)
    for name in wb.iterfind(f"{_q('definedNames')}/{_q('definedName')}"):
        if name.get("localSheetId") is not None:
            name.set("localSheetId", str(int(name.get("localSheetId")) + 1))
    views = wb.find(_q("bookViews"))
    if views is None:
        views = etree.Element(_q("bookViews"))
        sheets.addprevious(views)
    if not len(views):
        etree.SubElement(views, _q("workbookView"))
    for view in views:
        view.set("activeTab", "0")
        if view.get("firstSheet") is not None:
            view.set("firstSheet", "0")
