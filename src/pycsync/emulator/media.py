"""Media sniffing (magic numbers), image dimensions and a small EXIF reader.

No imaging library is used: everything here reads the few header bytes it
needs.  ``sniff()`` decides photo/video, the Flickr ``originalformat`` value
and the MIME type from the first bytes of a file.
"""

from __future__ import annotations

import base64
import struct
from dataclasses import dataclass
from typing import BinaryIO

__all__ = [
    "MediaType",
    "sniff",
    "image_dimensions",
    "exif_datetime_original",
    "exif_entries",
    "ExifEntry",
    "POSTER_JPEG",
    "mime_for_format",
    "HEAD_BYTES",
]

HEAD_BYTES = 512 * 1024  # how much of a file sniffing / dimension parsing looks at


@dataclass(frozen=True)
class MediaType:
    media: str  # "photo" | "video"
    format: str  # Flickr originalformat / file extension: jpg, png, mp4, mov, ...
    mime: str


_MIME = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "tiff": "image/tiff",
    "webp": "image/webp",
    "heic": "image/heic",
    "heif": "image/heif",
    "avif": "image/avif",
    "bmp": "image/bmp",
    "mp4": "video/mp4",
    "m4v": "video/x-m4v",
    "mov": "video/quicktime",
    "3gp": "video/3gpp",
    "3g2": "video/3gpp2",
    "avi": "video/x-msvideo",
    "mpg": "video/mpeg",
    "mts": "video/mp2t",
    "wmv": "video/x-ms-wmv",
    "mkv": "video/x-matroska",
    "webm": "video/webm",
    "ogv": "video/ogg",
    "flv": "video/x-flv",
}


def mime_for_format(fmt: str) -> str:
    return _MIME.get(fmt, "application/octet-stream")


def _t(media: str, fmt: str) -> MediaType:
    return MediaType(media, fmt, _MIME[fmt])


_HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis"}
_HEIF_BRANDS = {b"mif1", b"msf1", b"mif2"}
_AVIF_BRANDS = {b"avif", b"avis"}
_QT_BRANDS = {b"qt  "}
_3GP_PREFIX = (b"3gp", b"3gr", b"3gs")
_3G2_PREFIX = (b"3g2",)
_M4V_BRANDS = {b"M4V ", b"M4VH", b"M4VP"}
_AUDIO_ONLY = {b"M4A ", b"M4B ", b"M4P "}


def _ftyp(head: bytes) -> MediaType | None:
    if len(head) < 12 or head[4:8] != b"ftyp":
        return None
    size = struct.unpack(">I", head[:4])[0]
    major = head[8:12]
    compat = [head[i : i + 4] for i in range(16, min(size, len(head)) - 3, 4)] if size >= 16 else []
    brands = [major] + compat
    if major in _HEIC_BRANDS:
        return _t("photo", "heic")
    if major in _HEIF_BRANDS or major in _AVIF_BRANDS:
        if any(b in _HEIC_BRANDS for b in compat):
            return _t("photo", "heic")
        if major in _AVIF_BRANDS or any(b in _AVIF_BRANDS for b in compat):
            return _t("photo", "avif")
        return _t("photo", "heif")
    if major in _QT_BRANDS:
        return _t("video", "mov")
    if major.startswith(_3GP_PREFIX):
        return _t("video", "3gp")
    if major.startswith(_3G2_PREFIX):
        return _t("video", "3g2")
    if major in _M4V_BRANDS:
        return _t("video", "m4v")
    if major in _AUDIO_ONLY:
        return None
    if any(b in _QT_BRANDS for b in brands[1:]) and major not in (b"isom", b"mp41", b"mp42"):
        return _t("video", "mov")
    return _t("video", "mp4")


def sniff(head: bytes) -> MediaType | None:
    """Identify a file from its first bytes; ``None`` when not a supported type."""
    if len(head) < 4:
        return None
    if head[:3] == b"\xff\xd8\xff":
        return _t("photo", "jpg")
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return _t("photo", "png")
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return _t("photo", "gif")
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return _t("photo", "tiff")
    if head[:4] == b"RIFF" and len(head) >= 12:
        if head[8:12] == b"WEBP":
            return _t("photo", "webp")
        if head[8:12] == b"AVI ":
            return _t("video", "avi")
        return None
    if head[:2] == b"BM" and len(head) >= 18:
        dib = struct.unpack("<I", head[14:18])[0]
        if dib in (12, 16, 40, 52, 56, 64, 108, 124):
            return _t("photo", "bmp")
    ft = _ftyp(head)
    if ft is not None:
        return ft
    if len(head) >= 8 and head[4:8] in (b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"):
        return _t("video", "mov")
    if head[:4] in (b"\x00\x00\x01\xba", b"\x00\x00\x01\xb3"):
        return _t("video", "mpg")
    if len(head) >= 189 and head[0] == 0x47 and head[188] == 0x47 and (len(head) < 377 or head[376] == 0x47):
        return _t("video", "mts")
    if len(head) >= 197 and head[4] == 0x47 and head[196] == 0x47:
        return _t("video", "mts")  # M2TS: a 4-byte timestamp precedes each 188-byte packet
    if head[:8] == b"\x30\x26\xb2\x75\x8e\x66\xcf\x11":
        return _t("video", "wmv")
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return _t("video", "webm" if b"webm" in head[:64] else "mkv")
    if head[:4] == b"OggS":
        return _t("video", "ogv")
    if head[:3] == b"FLV" and len(head) > 3 and head[3] == 1:
        return _t("video", "flv")
    return None


# ---------------------------------------------------------------------------
# dimensions

_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg_segments(data: bytes):
    """Yield (marker, payload_offset, payload_length) of JPEG header segments."""
    i = 2
    n = len(data)
    while i + 4 <= n:
        if data[i] != 0xFF:
            return
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        if marker == 0xD9 or marker == 0xDA:  # EOI / start of scan
            yield marker, i + 4, 0
            return
        length = struct.unpack(">H", data[i + 2 : i + 4])[0]
        yield marker, i + 4, length - 2
        i += 2 + length


def image_dimensions(head: bytes, fmt: str) -> tuple[int, int] | None:
    """Width and height of an image from its header bytes, when it can tell."""
    try:
        if fmt == "jpg":
            for marker, off, length in _jpeg_segments(head):
                if marker in _SOF and length >= 5:
                    h, w = struct.unpack(">HH", head[off + 1 : off + 5])
                    return w, h
            return None
        if fmt == "png" and len(head) >= 24 and head[12:16] == b"IHDR":
            w, h = struct.unpack(">II", head[16:24])
            return w, h
        if fmt == "gif" and len(head) >= 10:
            w, h = struct.unpack("<HH", head[6:10])
            return w, h
        if fmt == "bmp" and len(head) >= 26:
            dib = struct.unpack("<I", head[14:18])[0]
            if dib == 12:
                w, h = struct.unpack("<HH", head[18:22])
            else:
                w, h = struct.unpack("<ii", head[18:26])
            return abs(w), abs(h)
        if fmt == "webp" and len(head) >= 30:
            chunk = head[12:16]
            if chunk == b"VP8 ":
                w, h = struct.unpack("<HH", head[26:30])
                return w & 0x3FFF, h & 0x3FFF
            if chunk == b"VP8L":
                b = head[21:25]
                w = 1 + (((b[1] & 0x3F) << 8) | b[0])
                h = 1 + (((b[3] & 0xF) << 10) | (b[2] << 2) | ((b[1] & 0xC0) >> 6))
                return w, h
            if chunk == b"VP8X":
                w = 1 + int.from_bytes(head[24:27], "little")
                h = 1 + int.from_bytes(head[27:30], "little")
                return w, h
        if fmt == "tiff":
            tags = _tiff_tags(head, 0, want={256, 257})
            w, h = tags.get(256), tags.get(257)
            if isinstance(w, int) and isinstance(h, int):
                return w, h
    except (struct.error, IndexError, ValueError):
        return None
    return None


# ---------------------------------------------------------------------------
# EXIF

_TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8}


def _tiff_ifd(tiff: bytes, offset: int, endian: str) -> dict[int, object]:
    out: dict[int, object] = {}
    if offset <= 0 or offset + 2 > len(tiff):
        return out
    count = struct.unpack(endian + "H", tiff[offset : offset + 2])[0]
    for k in range(min(count, 1000)):
        e = offset + 2 + 12 * k
        if e + 12 > len(tiff):
            break
        tag, typ, n = struct.unpack(endian + "HHI", tiff[e : e + 8])
        size = _TYPE_SIZES.get(typ, 1) * n
        if size <= 4:
            raw = tiff[e + 8 : e + 8 + size]
        else:
            voff = struct.unpack(endian + "I", tiff[e + 8 : e + 12])[0]
            raw = tiff[voff : voff + size]
        if typ == 2:
            out[tag] = raw.split(b"\x00", 1)[0].decode("ascii", "replace")
        elif typ == 3 and n >= 1 and len(raw) >= 2:
            out[tag] = struct.unpack(endian + "H", raw[:2])[0]
        elif typ == 4 and n >= 1 and len(raw) >= 4:
            out[tag] = struct.unpack(endian + "I", raw[:4])[0]
        else:
            out[tag] = raw
    return out


def _tiff_tags(tiff: bytes, base: int, want: set[int] | None = None) -> dict[int, object]:
    """Tags of IFD0 plus the Exif sub-IFD of a TIFF structure starting at ``base``."""
    tiff = tiff[base:]
    if len(tiff) < 8:
        return {}
    if tiff[:2] == b"II":
        endian = "<"
    elif tiff[:2] == b"MM":
        endian = ">"
    else:
        return {}
    if struct.unpack(endian + "H", tiff[2:4])[0] != 42:
        return {}
    ifd0 = struct.unpack(endian + "I", tiff[4:8])[0]
    tags = _tiff_ifd(tiff, ifd0, endian)
    exif_ptr = tags.get(0x8769)
    if isinstance(exif_ptr, int):
        tags.update(_tiff_ifd(tiff, exif_ptr, endian))
    return tags


def _norm_exif_date(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    v = value.strip()
    if len(v) < 19:
        return None
    date, time_ = v[:10], v[11:19]
    parts = date.replace("-", ":").split(":")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    y, m, d = (int(p) for p in parts)
    tparts = time_.split(":")
    if len(tparts) != 3 or not all(p.isdigit() for p in tparts):
        return None
    hh, mm, ss = (int(p) for p in tparts)
    if y < 1 or not (1 <= m <= 12) or not (1 <= d <= 31) or hh > 23 or mm > 59 or ss > 60:
        return None
    return f"{y:04d}-{m:02d}-{d:02d} {hh:02d}:{mm:02d}:{min(ss, 59):02d}"


def exif_datetime_original(head: bytes, fmt: str) -> str | None:
    """DateTimeOriginal (then DateTimeDigitized) as ``YYYY-MM-DD HH:MM:SS``."""
    try:
        tags: dict[int, object] = {}
        if fmt == "jpg":
            for marker, off, length in _jpeg_segments(head):
                if marker == 0xE1 and head[off : off + 6] == b"Exif\x00\x00":
                    tags = _tiff_tags(head[off + 6 : off + length], 0)
                    break
        elif fmt == "tiff":
            tags = _tiff_tags(head, 0)
        else:
            return None
        for tag in (0x9003, 0x9004):
            got = _norm_exif_date(tags.get(tag))
            if got:
                return got
    except (struct.error, IndexError, ValueError):
        return None
    return None


@dataclass(frozen=True)
class ExifEntry:
    """One EXIF field as ``flickr.photos.getExif`` reports it."""

    tagspace: str  # "IFD0" or "ExifIFD"
    tag: str  # ExifTool-style tag name, e.g. "DateTimeOriginal"
    label: str
    raw: str
    clean: str | None = None


# tag id -> (name, label); IFD0 and the Exif sub-IFD are read separately
_IFD0_TAGS = {
    0x010F: ("Make", "Make"),
    0x0110: ("Model", "Model"),
    0x010E: ("ImageDescription", "Image Description"),
    0x0112: ("Orientation", "Orientation"),
    0x0131: ("Software", "Software"),
    0x0132: ("ModifyDate", "Date and Time (Modified)"),
    0x013B: ("Artist", "Artist"),
    0x8298: ("Copyright", "Copyright"),
}
_EXIF_TAGS = {
    0x829A: ("ExposureTime", "Exposure"),
    0x829D: ("FNumber", "Aperture"),
    0x8827: ("ISO", "ISO Speed"),
    0x9003: ("DateTimeOriginal", "Date and Time (Original)"),
    0x9004: ("CreateDate", "Date and Time (Digitized)"),
    0x920A: ("FocalLength", "Focal Length"),
    0xA434: ("LensModel", "Lens Model"),
}
_ORIENTATIONS = {
    1: "Horizontal (normal)",
    2: "Mirror horizontal",
    3: "Rotate 180",
    4: "Mirror vertical",
    5: "Mirror horizontal and rotate 270 CW",
    6: "Rotate 90 CW",
    7: "Mirror horizontal and rotate 90 CW",
    8: "Rotate 270 CW",
}


def _rational(raw: object, endian: str) -> tuple[int, int] | None:
    if isinstance(raw, (bytes, bytearray)) and len(raw) >= 8:
        num, den = struct.unpack(endian + "II", bytes(raw[:8]))
        return num, den
    return None


def _fmt_number(x: float) -> str:
    return f"{x:.4g}"


def _exif_entry(space: str, name: str, label: str, value: object, endian: str) -> ExifEntry | None:
    if name in ("ExposureTime", "FNumber", "FocalLength"):
        r = _rational(value, endian)
        if r is None or r[1] == 0:
            return None
        num, den = r
        x = num / den
        if name == "ExposureTime":
            raw = f"{num}/{den}" if num != 1 or den != 1 else "1"
            if 0 < x < 1 and num:
                raw = f"1/{round(den / num)}" if den % num == 0 else f"{num}/{den}"
            return ExifEntry(space, name, label, raw, f"{_fmt_number(x)} sec ({raw})" if x < 1 else None)
        if name == "FNumber":
            return ExifEntry(space, name, label, _fmt_number(x), f"f/{_fmt_number(x)}")
        return ExifEntry(space, name, label, f"{_fmt_number(x)} mm")
    if isinstance(value, (bytes, bytearray)):
        return None
    raw = str(value).strip()
    if not raw:
        return None
    clean = _ORIENTATIONS.get(value) if name == "Orientation" and isinstance(value, int) else None
    if clean:
        raw, clean = clean, None
    return ExifEntry(space, name, label, raw, clean)


def exif_entries(head: bytes, fmt: str) -> list[ExifEntry]:
    """The EXIF fields the emulator can read (camera, dates, exposure) from a file's head.

    JPEG (APP1 ``Exif``) and TIFF only; anything else -- or no EXIF -- gives ``[]``.
    """
    try:
        tiff = b""
        if fmt == "jpg":
            for marker, off, length in _jpeg_segments(head):
                if marker == 0xE1 and head[off : off + 6] == b"Exif\x00\x00":
                    tiff = head[off + 6 : off + length]
                    break
        elif fmt == "tiff":
            tiff = head
        if len(tiff) < 8 or tiff[:2] not in (b"II", b"MM"):
            return []
        endian = "<" if tiff[:2] == b"II" else ">"
        if struct.unpack(endian + "H", tiff[2:4])[0] != 42:
            return []
        ifd0 = _tiff_ifd(tiff, struct.unpack(endian + "I", tiff[4:8])[0], endian)
        exif_ptr = ifd0.get(0x8769)
        sub = _tiff_ifd(tiff, exif_ptr, endian) if isinstance(exif_ptr, int) else {}
        out: list[ExifEntry] = []
        for space, table, tags in (("IFD0", _IFD0_TAGS, ifd0), ("ExifIFD", _EXIF_TAGS, sub)):
            for tag_id, (name, label) in table.items():
                if tag_id in tags:
                    entry = _exif_entry(space, name, label, tags[tag_id], endian)
                    if entry is not None:
                        out.append(entry)
        return out
    except (struct.error, IndexError, ValueError):
        return []


def read_head(f: BinaryIO, n: int = HEAD_BYTES) -> bytes:
    pos = f.tell()
    f.seek(0)
    data = f.read(n)
    f.seek(pos)
    return data


# A small grey JPEG used as the poster frame of videos (Flickr reports a video's
# originalformat as the poster's "jpg").  Generated once for this project.
POSTER_JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERX"
    "RTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2Nj"
    "Y2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAASACADASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAA"
    "AAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAk"
    "M2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKT"
    "lJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QA"
    "HwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdh"
    "cRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hp"
    "anN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk"
    "5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwDk6KKKACiiigAooooAKKKKAP/Z"
)
