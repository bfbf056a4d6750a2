"""Media sniffing by magic numbers: ``sniff()`` decides photo/video, the Flickr
``originalformat`` value and the MIME type from the first bytes of a file (what Flickr accepts
is decided by content, not by file name). Dimensions and metadata are exiv2's (metadata.py).
"""

from __future__ import annotations

import base64
import struct
from dataclasses import dataclass

__all__ = ["MediaType", "sniff", "POSTER_JPEG", "mime_for_format"]


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
