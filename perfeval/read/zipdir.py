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
_CENTRAL = struct.Struct("<4x2x2xHHIIIIHHH2x2x4xI")  # central directory header, 46 bytes
_MAX_COMMENT = 0xFFFF


class Entry:
    """One member, with the attribute names of :class:`zipfile.ZipInfo` that callers use."""

    __slots__ = (
        "CRC",
        "compress_size",
        "compress_type",
        "dos_time",
        "file_size",
        "filename",
        "flag_bits",
        "header_offset",
        "raw_name",
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
        dos_time: int = 0,
    ) -> None:
        self.filename, self.flag_bits, self.compress_type = filename, flag_bits, compress_type
        self.raw_name, self.dos_time = raw_name, dos_time  # name as stored; time and date
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
        flags, method, when, crc, csize, usize, name_len, extra_len, comment_len, offset = (
            _CENTRAL.unpack_from(data, pos)
        )
        start = pos + _CENTRAL.size
        raw = data[start : start + name_len]
        name = raw.decode("utf-8" if flags & 0x800 else "cp437", "replace")
        entries.append(Entry(name, flags, method, crc, csize, usize, offset, raw, when))
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


#: the fields local and central headers share: version needed, flags, method, DOS time and
#: date, CRC-32, stored size, size, name length, extra length
_SHARED = struct.Struct("<HHHIIIIHH")
_CENTRAL_TAIL = struct.Struct("<HHHII")  # comment length, disk, attributes, local header offset
_END_RECORD = struct.Struct("<4sHHHHIIH")
UTF8_NAME = 0x800
MIN_DATE = 0x21 << 16  # 1980-01-01 00:00, the earliest DOS date


def write_archive(members: list[tuple[bytes, int, int, int, int, bytes, int]]) -> bytes:
    """A zip of ``(name, flags, method, DOS time, CRC-32, stored bytes, size)`` members, in
    that order, with sizes in the local headers (no data descriptors). Raises ValueError when
    it would need zip64."""
    parts: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for name, flags, method, when, crc, raw, size in members:
        shared = _SHARED.pack(20, flags, method, when, crc, len(raw), size, len(name), 0)
        central.append(
            CENTRAL_MAGIC + b"\x14\x00" + shared + _CENTRAL_TAIL.pack(0, 0, 0, 0, offset)
        )
        central.append(name)
        parts += (LOCAL_MAGIC, shared, name, raw)
        offset += 4 + _SHARED.size + len(name) + len(raw)
    directory = b"".join(central)
    n = len(members)
    if offset > 0xFFFFFFFF or n > 0xFFFF:
        raise ValueError("the archive would need zip64")
    end = _END_RECORD.pack(END_MAGIC, 0, 0, n, n, len(directory), offset, 0)
    return b"".join(parts) + directory + end
