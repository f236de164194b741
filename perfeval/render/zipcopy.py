"""An xlsx package patched in place: its zip entries by part name, the parts that change, and the
zip written again with every unchanged entry copied still compressed.

Shared by the fast annotated copy (:mod:`perfeval.render.patch`): the OPC names, relationships and
content types, safe XML parsing, and :class:`Unsupported`, raised for any shape left to the slow
paths.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib

from lxml import etree

from perfeval.read.parse import remembered
from perfeval.read.zipdir import (
    MIN_DATE,
    UTF8_NAME,
    Entry,
    inflate,
    read_directory,
    stored_bytes,
    write_archive,
)

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
CT = "application/vnd.openxmlformats-"
MAX_UNPACKED = 512 * 1024 * 1024
DECL = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


class Unsupported(Exception):
    """A shape the fast path leaves to the slow paths."""


def q(tag: str, ns: str = MAIN) -> str:
    return f"{{{ns}}}{tag}"


def parse(data: bytes) -> etree._Element:
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise Unsupported("DTD")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(data, parser)


def dump(root: etree._Element) -> bytes:
    return DECL + etree.tostring(root, encoding="UTF-8", xml_declaration=False)


def rels_name(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


class Package:
    """The zip's entries by name (case-insensitive, as OPC part names are) and changed parts.
    Entries are inflated when read, their CRC-32 checked."""

    def __init__(self, data: bytes) -> None:
        entries: list[Entry] | list[zipfile.ZipInfo] | None = read_directory(data)
        if entries is None:  # an unusual archive: zipfile reads the directory (or refuses)
            entries = zipfile.ZipFile(io.BytesIO(data)).infolist()
        self.data = data
        self.infos = {i.filename: i for i in entries}
        self.names = {name.lower(): name for name in self.infos}
        if len(self.names) != len(entries) or len(self.names) > 60000:
            raise Unsupported("duplicate or too many zip entries")
        if sum(i.file_size for i in self.infos.values()) > MAX_UNPACKED:
            raise Unsupported("too large")
        self.changed: dict[str, bytes] = {}
        self.shared: set[str] = set()
        self.created: list[tuple[str, str]] = []  # new parts: (name, content type)

    def read(self, name: str) -> bytes:
        real = self.names.get(name.lower())
        if real is None:
            raise Unsupported(f"missing part {name}")
        if real in self.changed:
            return self.changed[real]
        info = self.infos[real]
        body = inflate(self.data, info)
        if body is None or len(body) != info.file_size or zlib.crc32(body) != info.CRC:
            raise Unsupported(f"damaged part {name}")
        return body

    def head(self, name: str, size: int) -> bytes:
        """The start of an entry, decompressing no more than needed."""
        info = self.infos.get(self.names.get(name.lower(), ""))
        if info is None or info.compress_type != 8 or info.filename in self.changed:
            return self.read(name)[:size]
        return zlib.decompressobj(-15).decompress(self.raw(info), size)

    def raw(self, info: Entry | zipfile.ZipInfo) -> bytes:
        """An entry's data as stored in the zip."""
        chunk = stored_bytes(self.data, info)
        if chunk is None:
            raise Unsupported("encrypted or unusual zip entry")
        return chunk

    def put(self, name: str, data: bytes, shared: bool = False) -> None:
        """Replace or add a part; ``shared`` parts (styles, workbook, content types) are often
        the same bytes in every copy of a run, and are compressed once per process."""
        real = self.names.setdefault(name.lower(), name)
        self.changed[real] = data
        if shared:
            self.shared.add(real)

    def create(self, pattern: str, data: bytes, kind: str) -> str:
        """A new part named ``pattern`` with the first free number; ``kind`` completes its
        content type (``CT + "officedocument." + kind``)."""
        name = self.fresh(pattern)
        self.put(name, data)
        self.created.append((name, CT + "officedocument." + kind))
        return name

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
        if rels_name(source).lower() in self.names:
            rels = parse(self.read(rels_name(source)))
            if rels.tag != q("Relationships", PKG):
                raise Unsupported("relationships")
            return rels
        return etree.Element(q("Relationships", PKG), nsmap={None: PKG})

    def targets(self, rels: etree._Element, source: str, kind: str) -> dict[str, str]:
        """Relationship id -> part name, for the internal relationships of type ``kind``."""
        out = {}
        for rel in rels:
            if rel.get("Type") == f"{REL}/{kind}":
                if rel.get("TargetMode") == "External":
                    raise Unsupported(f"external {kind}")
                out[rel.get("Id")] = self.resolve(source, rel.get("Target") or "")
        return out

    def relate(self, rels: etree._Element, source: str, kind: str, target: str) -> str:
        used = {r.get("Id") for r in rels}
        rid = next(f"rId{n}" for n in range(len(used) + 1, 99999) if f"rId{n}" not in used)
        target = posixpath.relpath("/" + target, "/" + posixpath.dirname(source))
        etree.SubElement(rels, q("Relationship", PKG), Id=rid, Type=f"{REL}/{kind}", Target=target)
        return rid

    def output(self) -> bytes:
        """The zip, [Content_Types].xml first; unchanged entries are copied still compressed."""
        members = []
        order = sorted(self.infos, key=lambda n: n != "[Content_Types].xml")
        for name in order + [n for n in self.changed if n not in self.infos]:
            if name in self.changed:
                data = self.changed[name]
                fields = _deflated(data) if name in self.shared else _deflate(data)
            else:
                info = self.infos[name]
                fields = (info.compress_type, _dos_time(info), info.CRC, self.raw(info))
                fields += (info.file_size,)
            members.append((name.encode("utf-8"), UTF8_NAME, *fields))
        return write_archive(members)


_Fields = tuple[int, int, int, bytes, int]  # method, DOS time, CRC-32, stored bytes, size
_DEFLATED: dict[bytes, _Fields] = {}
_DEFLATED_KEPT = 64


def _deflate(data: bytes) -> _Fields:
    packer = zlib.compressobj(1, zlib.DEFLATED, -15)
    raw = packer.compress(data) + packer.flush()
    return (zipfile.ZIP_DEFLATED, MIN_DATE, zlib.crc32(data), raw, len(data))


def _deflated(data: bytes) -> _Fields:
    """:func:`_deflate`, remembered for parts that recur byte for byte."""
    return remembered(_DEFLATED, data, _deflate, _DEFLATED_KEPT)


def _dos_time(info: Entry | zipfile.ZipInfo) -> int:
    if isinstance(info, Entry):
        return info.dos_time
    y, mo, d, h, mi, s = info.date_time
    return (y - 1980) << 25 | mo << 21 | d << 16 | h << 11 | mi << 5 | s // 2
