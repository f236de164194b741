"""Annotated copies made fast: the department's own workbook patched at the zip/XML level.

The result matches :mod:`perfeval.render.annotate`: a first sheet 校验问题 listing every finding
with a link to its cell, and on each such cell a red highlight (a conditional format, so their own
fills stay) and a comment (merged into the sheet's comments when it has some, e.g. the template's
hints). Only the parts that change are touched: a sheet part gets string insertions at located
positions (:mod:`perfeval.render.patch_sheet`); the small parts (workbook, rels, content types,
styles, comments) go through lxml, VML drawings are edited as text
(:mod:`perfeval.render.patch_comments`); every other zip entry is copied still compressed
(:mod:`perfeval.render.zipcopy`). A shape not handled here (a prefixed main namespace, threaded
comments, a copy sent back again, ...) gives ``None`` and the caller falls back to the slow paths.
"""

from __future__ import annotations

import copy
import logging
import posixpath
from collections import defaultdict
from pathlib import Path

from lxml import etree
from xlsxwriter.utility import quote_sheetname

from perfeval.check.catalogue import Finding
from perfeval.issue.annotations import (
    COLUMNS,
    SUMMARY_SHEET,
    finding_height,
    summary_title,
    title_height,
)
from perfeval.machinery.atomic import write_bytes
from perfeval.read.parse import remembered
from perfeval.render import paper as P
from perfeval.render import patch_sheet
from perfeval.render.patch_comments import CELL, Notes
from perfeval.render.text import needs_quote_prefix, workbook_text, xml_attr, xml_text
from perfeval.render.zipcopy import (
    CT,
    DECL,
    MAIN,
    REL,
    TYPES,
    Package,
    Unsupported,
    dump,
    parse,
    q,
    rels_name,
)

log = logging.getLogger(__name__)


def _t(text: str) -> str:
    space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
    return f"<t{space}>{xml_text(text)}</t>"


def patch_annotated(data: bytes, findings: list[Finding], target: Path) -> Path | None:
    """Write the annotated copy of the workbook ``data`` to ``target``; None when the file has a
    shape this fast path does not handle (the caller then uses the slow paths)."""
    try:
        out = _patch(data, findings)
    except Exception as exc:  # odd input of any kind: the slow paths decide
        log.debug("no fast annotated copy for %s: %r", target.name, exc)
        return None
    # a copy can be made again from its source: atomic, but not flushed to disk file by file
    write_bytes(target, out, durable=False)
    return target


def _patch(data: bytes, findings: list[Finding]) -> bytes:
    pkg = Package(data)
    office = f"{REL}/officeDocument"
    book = next(r.get("Target") for r in parse(pkg.read("_rels/.rels")) if r.get("Type") == office)
    book = pkg.resolve("", book)
    wb, wb_rels = parse(pkg.read(book)), pkg.relationships(book)
    sheets, folder = wb.find(q("sheets")), posixpath.dirname(book)
    if wb.tag != q("workbook") or sheets is None:
        raise Unsupported("workbook")
    by_id = {r.get("Id"): r for r in wb_rels}
    parts: dict[str, tuple[str, bool]] = {}  # sheet name -> (part name, is a worksheet)
    for sheet in sheets:
        rel = by_id[sheet.get(q("id", REL))]
        if rel.get("TargetMode") == "External":
            raise Unsupported("external sheet")
        kind = rel.get("Type") == f"{REL}/worksheet"
        parts[sheet.get("name")] = (pkg.resolve(book, rel.get("Target")), kind)
    if SUMMARY_SHEET in parts:
        raise Unsupported("a copy sent back again")
    marked: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for f in findings:
        if f.sheet in parts and parts[f.sheet][1] and CELL.fullmatch(f.cell):
            marked[f.sheet][f.cell].append(f)

    styles_name = next(r.get("Target") for r in wb_rels if r.get("Type") == f"{REL}/styles")
    styles_part = pkg.resolve(book, styles_name)
    patched_styles, st, dxf = _styles_added(pkg.read(styles_part))
    pkg.put(styles_part, patched_styles, shared=True)
    types = parse(pkg.read("[Content_Types].xml"))
    if types.tag != q("Types", TYPES):
        raise Unsupported("content types")

    notes = Notes(pkg, folder)
    for sheet, cells in marked.items():
        part = parts[sheet][0]
        located = patch_sheet.locate(pkg.read(part))
        rid = notes.attach(part, located, cells)
        pkg.put(part, patch_sheet.mark(located, list(cells), dxf, rid))
    for sheet, (part, _) in parts.items():  # the sheet views come first: read no further
        if sheet not in marked and patch_sheet.is_selected(pkg.head(part, 4096)):
            xml = pkg.read(part)
            if (deselected := patch_sheet.deselect(xml)) is not xml:
                pkg.put(part, deselected)

    summary = pkg.create(
        posixpath.join(folder, "worksheets", "sheet{}.xml"),
        _summary(findings, set(parts), st),
        "spreadsheetml.worksheet+xml",
    )
    known = {(d.get("Extension") or "").lower() for d in types.iter(q("Default", TYPES))}
    for ext, kind in (("rels", "package.relationships+xml"), ("vml", "officedocument.vmlDrawing")):
        if ext not in known:
            etree.SubElement(types, q("Default", TYPES), Extension=ext, ContentType=CT + kind)
    for name, kind in pkg.created:
        if not name.lower().endswith(".vml"):
            etree.SubElement(types, q("Override", TYPES), PartName="/" + name, ContentType=kind)
    pkg.put("[Content_Types].xml", dump(types), shared=True)
    rid = pkg.relate(wb_rels, book, "worksheet", summary)
    pkg.put(rels_name(book), dump(wb_rels), shared=True)
    _add_first_sheet(wb, sheets, rid)
    pkg.put(book, dump(wb), shared=True)
    return pkg.output()


def _append(parent: etree._Element, xml: str) -> int:
    """Append the elements of an XML snippet (main namespace); the index of the first one."""
    first = len(parent)
    parent.extend(etree.fromstring(f'<x xmlns="{MAIN}">{xml}</x>'))
    parent.set("count", str(len(parent)))
    return first


#: styles part -> (patched part, summary styles, dxf): the workbooks returned from one issue
#: share their styles part byte for byte, so it is patched once per process
_STYLES: dict[bytes, tuple[bytes, dict[str, int], int]] = {}
_STYLES_KEPT = 32


def _styles_added(xml: bytes) -> tuple[bytes, dict[str, int], int]:
    patched, st, dxf = remembered(_STYLES, xml, _patched_styles, _STYLES_KEPT)
    return patched, dict(st), dxf


def _patched_styles(xml: bytes) -> tuple[bytes, dict[str, int], int]:
    root = parse(xml)
    st, dxf = _add_styles(root)
    return dump(root), st, dxf


def _add_styles(root: etree._Element) -> tuple[dict[str, int], int]:
    """Fonts, a fill and cell formats for the summary sheet, and the red highlight's dxf."""
    fonts, fills, borders, xfs = (root.find(q(t)) for t in ("fonts", "fills", "borders", "cellXfs"))
    if root.tag != q("styleSheet") or any(e is None or not len(e) for e in (fonts, borders, xfs)):
        raise Unsupported("styles")
    bold, link = copy.deepcopy(fonts[0]), copy.deepcopy(fonts[0])  # the default font, bold or blue
    for font, drop in ((bold, ("b",)), (link, ("u", "color"))):
        for el in [e for e in font if etree.QName(e).localname in drop]:
            font.remove(el)
    bold.insert(0, etree.Element(q("b")))
    link.insert(0, etree.Element(q("u")))
    etree.SubElement(link, q("color"), rgb="FF0563C1")
    fonts.extend((bold, link))
    fonts.set("count", str(len(fonts)))
    fill = _append(
        fills,
        '<fill><patternFill patternType="solid"><fgColor rgb="FFD9E1F2"/>'
        '<bgColor indexed="64"/></patternFill></fill>',
    )
    style = root.find(q("cellStyleXfs"))
    base = 'numFmtId="0" borderId="0"' + (' xfId="0"' if style is not None and len(style) else "")
    wrap = 'applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>'
    first = _append(
        xfs,
        f'<xf {base} fontId="{len(fonts) - 2}" fillId="{fill}" applyFont="1" applyFill="1"/>'
        f'<xf {base} fontId="0" fillId="0" {wrap}<xf {base} fontId="0" fillId="0" quotePrefix="1" '
        f'{wrap}<xf {base} fontId="{len(fonts) - 1}" fillId="0" applyFont="1" {wrap}'
        f'<xf {base} fontId="{len(fonts) - 2}" fillId="0" applyFont="1" applyAlignment="1">'
        '<alignment vertical="center" wrapText="1"/></xf>',
    )
    keys = ("header", "text", "quoted", "link", "title")
    ids = {key: first + n for n, key in enumerate(keys)}
    dxfs = root.find(q("dxfs"))
    if dxfs is None:  # its place: right after cellStyles (or cellXfs)
        dxfs = etree.Element(q("dxfs"))
        styles = root.find(q("cellStyles"))
        (xfs if styles is None else styles).addnext(dxfs)
    dxf = _append(
        dxfs,
        '<dxf><font><color rgb="FF9C0006"/></font><fill><patternFill>'
        '<bgColor rgb="FFFFC7CE"/></patternFill></fill></dxf>',
    )
    return ids, dxf


def _summary(findings: list[Finding], sheets: set[str], st: dict[str, int]) -> bytes:
    """The 校验问题 sheet (as :mod:`perfeval.issue.annotations` describes it): a title line, a
    frozen header row, then one row per finding with its height, all inline strings; printed
    A4 landscape one page wide, the header repeated (a print title the workbook part names, see
    :func:`_add_first_sheet`), page numbers in the footer."""
    title = summary_title(findings)
    rows = [[(title, st["title"])], [(label, st["header"]) for label, _ in COLUMNS]]
    heights = {1: title_height(title)}
    links = []
    for r, f in enumerate(findings, start=3):
        texts = [workbook_text(t) for t in (f.sheet, f.cell, f.code, str(f.severity), f.message)]
        row = [(t, st["quoted"] if needs_quote_prefix(t) else st["text"]) for t in texts]
        row.append(
            (hint := workbook_text(f.hint), st["quoted" if needs_quote_prefix(hint) else "text"])
        )
        if f.sheet in sheets and CELL.fullmatch(f.cell):
            row[1] = (f.cell, st["link"])
            place = xml_attr(f"{quote_sheetname(f.sheet)}!{f.cell}")
            links.append(f'<hyperlink ref="B{r}" location="{place}" display="{f.cell}"/>')
        if height := finding_height(tuple(text for text, _ in row)):
            heights[r] = height
        rows.append(row)
    data = "".join(
        (
            f'<row r="{r}" ht="{heights[r]:g}" customHeight="1">'
            if r in heights
            else f'<row r="{r}">'
        )
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
    last = chr(64 + len(COLUMNS))
    xml = (
        f'<worksheet xmlns="{MAIN}" xmlns:r="{REL}"><sheetPr><pageSetUpPr fitToPage="1"/>'
        f'</sheetPr><dimension ref="A1:{last}{len(rows)}"/>'
        '<sheetViews><sheetView tabSelected="1" workbookViewId="0"><pane ySplit="2" '
        'topLeftCell="A3" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" '
        'activeCell="A3" sqref="A3"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight='
        f'"15"/><cols>{cols}</cols><sheetData>{data}</sheetData>'
        f'<mergeCells count="1"><mergeCell ref="A1:{last}1"/></mergeCells>'
        + (f"<hyperlinks>{''.join(links)}</hyperlinks>" if links else "")
        + f'<pageMargins left="{P.MARGIN_SIDE}" right="{P.MARGIN_SIDE}" top="{P.MARGIN_TOP}" '
        f'bottom="{P.MARGIN_BOTTOM}" header="{P.MARGIN_HEADER}" footer="{P.MARGIN_HEADER}"/>'
        f'<pageSetup paperSize="{P.A4}" fitToHeight="0" orientation="landscape" '
        'useFirstPageNumber="1"/>'
        f"<headerFooter><oddFooter>{xml_text(P.FOOTER)}</oddFooter></headerFooter>"
        "</worksheet>"
    )
    return DECL + xml.encode("utf-8")


#: CT_Workbook's children that come after definedNames (it goes before the first of these)
_AFTER_NAMES = {
    q(t)
    for t in (
        "calcPr",
        "oleSize",
        "customWorkbookViews",
        "pivotCaches",
        "smartTagPr",
        "smartTagTypes",
        "webPublishing",
        "fileRecoveryPr",
        "webPublishObjects",
        "extLst",
    )
}


def _print_titles(wb: etree._Element, sheets: etree._Element) -> None:
    """The summary sheet's header row repeated on every printed page: a name local to it."""
    names = wb.find(q("definedNames"))
    if names is None:
        names = etree.Element(q("definedNames"))
        later = next((e for e in wb if e.tag in _AFTER_NAMES), None)
        if later is None:
            wb.append(names)
        else:
            later.addprevious(names)
    title = etree.SubElement(names, q("definedName"), name="_xlnm.Print_Titles")
    title.set("localSheetId", "0")
    title.text = f"{quote_sheetname(SUMMARY_SHEET)}!$2:$2"


def _add_first_sheet(wb: etree._Element, sheets: etree._Element, rid: str) -> None:
    """Register the summary sheet first and active; sheet indices move up by one."""
    sheet_id = str(max((int(s.get("sheetId") or 0) for s in sheets), default=0) + 1)
    nsmap = None if REL in wb.nsmap.values() else {"r": REL}
    first = etree.Element(q("sheet"), name=SUMMARY_SHEET, sheetId=sheet_id, nsmap=nsmap)
    first.set(q("id", REL), rid)
    sheets.insert(0, first)
    for name in wb.iterfind(f"{q('definedNames')}/{q('definedName')}"):
        if name.get("localSheetId") is not None:
            name.set("localSheetId", str(int(name.get("localSheetId")) + 1))
    _print_titles(wb, sheets)
    views = wb.find(q("bookViews"))
    if views is None:
        views = etree.Element(q("bookViews"))
        sheets.addprevious(views)
    if not len(views):
        etree.SubElement(views, q("workbookView"))
    for view in views:
        view.set("activeTab", "0")
        if view.get("firstSheet") is not None:
            view.set("firstSheet", "0")
