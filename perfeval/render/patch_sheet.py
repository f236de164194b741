"""A worksheet part of the department's file marked by string insertion (it can be large): a red
conditional format per cell with a finding, the legacyDrawing that shows new comments, and the
sheet views deselected so that 校验问题 is the one selected tab.

Only the part after sheetData is scanned: its top-level elements, in schema order, give the places
to insert at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from perfeval.render.zipcopy import MAIN, REL, Unsupported

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
AFTER_VIEWS = re.compile(rb"<(?:[\w.-]+:)?(?:sheetFormatPr|cols|sheetData)\b")
_PRIORITY = re.compile(rb"""priority\s*=\s*["'](\d+)""")
_ROW = re.compile(rb"<row\b(" + _ATTRS + rb")\s*/?>")
_NUMBER = rb"\d{1,3}(?:\.\d+)?"
_DEFAULT_HEIGHT = re.compile(
    rb"<sheetFormatPr\b[^>]*?\sdefaultRowHeight\s*=\s*[\"'](" + _NUMBER + rb")"
)
_HEIGHT = re.compile(_NUMBER)
_ATTR = re.compile(rb"""([\w.:-]+)\s*=\s*["']([^"']*)["']""")
_XMLNS = re.compile(rb"""xmlns:([\w.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_PREFIXED = re.compile(rb"""\s([\w.-]+):([\w.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _utf8(xml: bytes) -> None:
    if (m := _ENCODING.match(xml)) and m.group(1).lower() not in (b"utf-8", b"utf8"):
        raise Unsupported("encoding")


def is_selected(head: bytes) -> bool:
    """Whether the start of a sheet part selects its tab (or cannot tell: more to read)."""
    return (b"tabSelected" in head and bool(_TAB_SELECTED.search(head))) or (
        len(head) >= 4096 and not AFTER_VIEWS.search(head)
    )


def deselect(xml: bytes) -> bytes:
    """Drop tabSelected from the sheet views (they come before sheetData); the same object when
    there is none."""
    cut = xml.find(b"sheetData")
    head = xml if cut < 0 else xml[:cut]
    if b"tabSelected" not in head or not _TAB_SELECTED.search(head):
        return xml
    _utf8(xml)
    return _TAB_SELECTED.sub(b"", head) + (b"" if cut < 0 else xml[cut:])


@dataclass
class Sheet:
    """A worksheet part located: where sheetData ends and its top-level elements after it."""

    xml: bytes
    root: re.Match
    end: int  # just after sheetData
    close: int  # at </worksheet>
    tops: list[tuple[int, re.Match]]  # (schema rank, start tag) after sheetData
    _heights: dict[int, float] | None = field(default=None, repr=False)
    _default: float = 15.0

    def row_height(self, row: int) -> float:
        """The height in points of a row (0-based), for sizing notes."""
        if self._heights is None:
            self._heights = {}
            found = _DEFAULT_HEIGHT.search(self.xml, self.root.end(), self.end)
            self._default = float(found.group(1)) if found else 15.0
            for m in _ROW.finditer(self.xml, self.root.end(), self.end):
                attrs = dict(_ATTR.findall(m.group(1)))
                number = attrs.get(b"r", b"")
                if not number.isdigit():
                    continue
                if attrs.get(b"hidden") in (b"1", b"true"):
                    self._heights[int(number) - 1] = 0.0
                elif _HEIGHT.fullmatch(attrs.get(b"ht", b"")):
                    self._heights[int(number) - 1] = float(attrs[b"ht"])
        return self._heights.get(row, self._default)

    def legacy_drawing(self) -> str | None:
        """The relationship id of the sheet's legacyDrawing (its comments' VML), if any."""
        tags = [m for rank, m in self.tops if rank == TAIL_ORDER["legacyDrawing"]]
        if not tags:
            return None
        names = {p: a or b for p, a, b in _XMLNS.findall(self.root.group(2))}
        tag = tags[0].group(0)
        names.update((p, a or b) for p, a, b in _XMLNS.findall(tag))
        for prefix, local, a, b in _PREFIXED.findall(tag):
            if local == b"id" and names.get(prefix) == REL.encode():
                return (a or b).decode()
        raise Unsupported("legacyDrawing without an id")


def locate(xml: bytes) -> Sheet:
    """The sheet part deselected and located; Unsupported for a shape not handled here."""
    xml = deselect(xml)
    _utf8(xml)
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
    return Sheet(xml, root, end, close, _top_level(xml, end, close))


def _top_level(xml: bytes, pos: int, close: int) -> list[tuple[int, re.Match]]:
    """(schema rank, start tag) of each top-level element between sheetData and the end."""
    tops, depth = [], 0
    while (start := xml.find(b"<", pos, close)) >= 0:
        m = _TAG.match(xml, start, close)
        if m is None:
            raise Unsupported("markup after sheetData")
        closing, prefix, local, empty = m.groups()
        if not closing and depth == 0:
            name = local.decode()
            if prefix == b"mc" and name == "AlternateContent":  # wraps oleObjects or controls
                name = "oleObjects"
            elif prefix is not None or name not in TAIL_ORDER:
                raise Unsupported(f"element {name} after sheetData")
            tops.append((TAIL_ORDER[name], m))
        depth += -1 if closing else 0 if empty else 1
        pos = m.end()
    return tops


def mark(sheet: Sheet, cells: list[str], dxf: int, rid: str | None) -> bytes:
    """Insert a conditional format per cell and, with ``rid``, the legacyDrawing for new
    comments (a sheet with a legacyDrawing has its comments merged into that one)."""
    xml, end, close, tops = sheet.xml, sheet.end, sheet.close, sheet.tops
    if rid is not None and sheet.legacy_drawing() is not None:
        raise Unsupported("sheet already has a legacy drawing")
    priority = max((int(p) for p in _PRIORITY.findall(xml, end, close)), default=0)
    cf = "".join(
        f'<conditionalFormatting sqref="{cell}"><cfRule type="expression" dxfId="{dxf}" '
        f'priority="{priority + n}"><formula>TRUE</formula></cfRule></conditionalFormatting>'
        for n, cell in enumerate(cells, start=1)
    )
    at_cf, at_drawing = (
        next((m.start() for r, m in tops if r > TAIL_ORDER[name]), close)
        for name in ("conditionalFormatting", "legacyDrawing")
    )
    if rid is None:
        return b"".join((xml[:at_cf], cf.encode(), xml[at_cf:]))
    declared = _XMLNS.findall(sheet.root.group(2))
    prefix = next((p for p, a, b in declared if (a or b) == REL.encode()), None)
    declare = f"{prefix.decode()}:" if prefix else f'xmlns:r="{REL}" r:'
    drawing = f'<legacyDrawing {declare}id="{rid}"/>'.encode()
    return b"".join((xml[:at_cf], cf.encode(), xml[at_cf:at_drawing], drawing, xml[at_drawing:]))
