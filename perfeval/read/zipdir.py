"""A zip archive's central directory and members, read straight from its bytes.

Every returned workbook is a zip that is opened several times (checked, read, sometimes patched).
``zipfile`` builds a rich object per member and reads through file-like layers; for the small,
plain archives that spreadsheets are, reading the directory with ``struct`` and inflating a member
from its offset is several times faster. Anything unusual (zip64, data before the archive,
encryption, other compression methods, a header that does not match) returns None, and the caller
uses ``zipfile``, which raises its usual, well-understood errors.
"""

from __future__ import annotations

import struct
import zipfile
import zlib

LOCAL_MAGIC = b"PK\x03\x04"
CENTRAL_MAGIC = b"PK\x01\x02"
END_MAGIC = b"PK\x05\x06"
_END = struct.Struct("<4xHHHHIIH")  # end of central directory record, 22 bytes
_CENTRAL = struct.Struct("<4x2x2xHH2x2xIIIHHH2x2x4xI")  # central directory header, 46 bytes
_MAX_COMMENT = 0xFFFF


class Entry:
    """One member, with the attribute names of :class:`zipfile.ZipInfo` that callers use."""

    __slots__ = (
        "CRC",
        "_raw_name",
        "compress_size",
        "compress_type",
        "file_size",
        "filename",
        "flag_bits",
        "header_offset",
    )

    def __init__(
        self,
        filename: str,
        flag_bits: int,
        compress_type: int,
        crc: int,
        compress_size: int,
        file_size: int,
        header_offset: int,
        raw_name: bytes = b"",
    ) -> None:
        self.filename, self.flag_bits, self.compress_type = filename, flag_bits, compress_type
        self._raw_name = raw_name
        self.CRC, self.compress_size, self.file_size = crc, compress_size, file_size
        self.header_offset = header_offset


def read_directory(data: bytes) -> list[Entry] | None:
    """Every member of the archive ``data``; None when it is not a plain, single-disk zip whose
    directory sits where its end record says (``zipfile`` then decides)."""
    end = data.rfind(END_MAGIC, max(0, len(data) - _END.size - _MAX_COMMENT))
    if end < 0 or len(data) < end + _END.size:
        return None
    disk, cd_disk, on_disk, count, cd_size, cd_offset, _ = _END.unpack_from(data, end)
    if disk or cd_disk or on_disk != count or cd_offset + cd_size != end:
        return None  # spanned, zip64, or data prepended to the archive
    entries = []
    pos = cd_offset
    for _ in range(count):
        if data[pos : pos + 4] != CENTRAL_MAGIC or pos + _CENTRAL.size > end:
            return None
        flags, method, crc, csize, usize, name_len, extra_len, comment_len, offset = (
            _CENTRAL.unpack_from(data, pos)
        )
        start = pos + _CENTRAL.size
        raw = data[start : start + name_len]
        name = raw.decode("utf-8" if flags & 0x800 else "cp437", "replace")
        entries.append(Entry(name, flags, method, crc, csize, usize, offset, raw))
        pos = start + name_len + extra_len + comment_len
    if pos != end:
        return None
    return entries


def stored_bytes(data: bytes, info: Entry | zipfile.ZipInfo) -> bytes | None:
    """A member's data as stored in the archive ``data`` (still compressed), found through its
    local header; None for an encrypted member, another method, or a header that is not there."""
    start = info.header_offset
    head = data[start : start + 30]
    if (
        len(head) != 30
        or head[:4] != LOCAL_MAGIC
        or info.flag_bits & 0x1
        or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
    ):
        return None
    begin = start + 30 + int.from_bytes(head[26:28], "little")
    begin += int.from_bytes(head[28:30], "little")
    return data[begin : begin + info.compress_size]


def inflate(data: bytes, info: Entry | zipfile.ZipInfo) -> bytes | None:
    """A member's bytes, never past its declared size; None when it cannot be read this way."""
    chunk = stored_bytes(data, info)
    if chunk is None:
        return None
    if info.compress_type == zipfile.ZIP_STORED:
        return chunk[: info.file_size]
    try:
        return zlib.decompressobj(-15).decompress(chunk, info.file_size)
    except zlib.error:
        return None


_LOCAL = struct.Struct("<4sHHHHHIIIHH")  # local file header, 30 bytes
_DIRECTORY = struct.Struct("<4sHHHHHHIIIHHHHHII")  # central directory header, 46 bytes


def repack(data: bytes, entries: list[Entry], plain: dict[int, bytes]) -> bytes | None:
    """The archive ``data`` again, with the members ``plain`` holds (by position in
    ``entries``) stored uncompressed and every other member copied as it is stored. A reader
    then skips inflating what was already inflated here. None if a member cannot be copied.

    The CRC-32 in a zip is that of the uncompressed data, so the original values stay valid;
    a member whose inflated size is not the declared one keeps a CRC that no longer matches,
    and the reader rejects it as it would have rejected the original."""
    parts: list[bytes] = []
    directory: list[bytes] = []
    offset = 0
    for n, e in enumerate(entries):
        body = plain.get(n)
        if body is not None:
            method, size, stored = zipfile.ZIP_STORED, len(body), len(body)
        else:
            body = stored_bytes(data, e)
            if body is None or e.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                return None
            method, size, stored = e.compress_type, e.file_size, len(body)
        name = e._raw_name
        flags = e.flag_bits & 0x800  # keep the UTF-8 name flag; sizes are in the header now
        version = 20
        parts.append(
            _LOCAL.pack(
                LOCAL_MAGIC, version, flags, method, 0, 0x21, e.CRC, stored, size, len(name), 0
            )
        )
        parts.append(name)
        parts.append(body)
        directory.append(
            _DIRECTORY.pack(
                CENTRAL_MAGIC,
                version,
                version,
                flags,
                method,
                0,
                0x21,
                e.CRC,
                stored,
                size,
                len(name),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
        )
        directory.append(name)
        offset += _LOCAL.size + len(name) + stored
    if offset > 0xFFFFFFFF:
        return None
    cd = b"".join(directory)
    end = struct.pack("<4sHHHHIIH", END_MAGIC, 0, 0, len(entries), len(entries), len(cd), offset, 0)
    return b"".join(parts) + cd + end
