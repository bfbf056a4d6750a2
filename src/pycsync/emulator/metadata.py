"""What Flickr reads from a photo's own metadata (EXIF, IPTC, XMP), read with exiv2.

On upload Flickr takes the date taken from EXIF and -- when the request does not give them --
the title, description and keywords from IPTC/XMP and the position from EXIF GPS (subject to
the owner's "import EXIF location" preference); ``flickr.photos.getExif`` lists the EXIF fields.
See docs/flickr-behaviour.md, "Embedded metadata". The parsing is exiv2's (python-exiv2): the
emulator reads no metadata format by hand.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from dataclasses import dataclass, field

import exiv2
import mutagen.mp4

__all__ = ["Embedded", "ExifEntry", "read_embedded", "video_seconds"]

exiv2.LogMsg.setLevel(exiv2.LogMsg.Level.mute)  # a damaged file is simply one without metadata

# where each field may be, best first
_TITLE = ("Xmp.dc.title", "Iptc.Application2.ObjectName", "Iptc.Application2.Headline")
_DESCRIPTION = ("Xmp.dc.description", "Iptc.Application2.Caption", "Exif.Image.ImageDescription")
_KEYWORDS = ("Iptc.Application2.Keywords", "Xmp.dc.subject")
_TAKEN = ("Exif.Photo.DateTimeOriginal", "Exif.Photo.DateTimeDigitized", "Xmp.exif.DateTimeOriginal")

# exiv2 group -> the tag space Flickr names (ExifTool's names)
_TAGSPACES = {"Image": "IFD0", "Photo": "ExifIFD", "GPSInfo": "GPS"}
# exiv2 tag name -> (Flickr's tag name, its label), where they differ from exiv2's
_NAMES = {
    "Make": ("Make", "Make"),
    "Model": ("Model", "Model"),
    "ExposureTime": ("ExposureTime", "Exposure"),
    "FNumber": ("FNumber", "Aperture"),
    "ISOSpeedRatings": ("ISO", "ISO Speed"),
    "DateTimeOriginal": ("DateTimeOriginal", "Date and Time (Original)"),
    "DateTimeDigitized": ("CreateDate", "Date and Time (Digitized)"),
    "DateTime": ("ModifyDate", "Date and Time (Modified)"),
    "FocalLength": ("FocalLength", "Focal Length"),
    "ImageDescription": ("ImageDescription", "Image Description"),
}
_SKIPPED_TYPES = {"Undefined", "Byte", "SByte"}  # binary blobs (maker notes, thumbnails, versions)
_POINTERS = {"ExifTag", "GPSTag", "InteroperabilityTag"}
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


@dataclass(frozen=True)
class ExifEntry:
    """One EXIF field as ``flickr.photos.getExif`` reports it."""

    tagspace: str  # "IFD0", "ExifIFD" or "GPS"
    tag: str  # ExifTool-style tag name, e.g. "DateTimeOriginal"
    label: str
    raw: str
    clean: str | None = None


@dataclass(frozen=True)
class Embedded:
    taken: str | None = None  # "YYYY-MM-DD HH:MM:SS"
    title: str | None = None
    description: str | None = None
    keywords: tuple[str, ...] = ()
    position: tuple[float, float] | None = None  # (latitude, longitude)
    size: tuple[int, int] | None = None  # (width, height) in pixels
    exif: tuple[ExifEntry, ...] = field(default=())


def _text(datum: exiv2.Metadatum) -> str:
    value = datum.toString().strip()
    if datum.typeName() == "LangAlt" and value.startswith('lang="'):
        value = value.split('" ', 1)[1] if '" ' in value else ""
    return value


def _first(data: dict[str, list[exiv2.Metadatum]], keys: Iterable[str]) -> str | None:
    for key in keys:
        for datum in data.get(key, ()):
            text = _text(datum)
            if text:
                return text
    return None


def _keywords(data: dict[str, list[exiv2.Metadatum]]) -> tuple[str, ...]:
    out: list[str] = []
    for key in _KEYWORDS:
        for datum in data.get(key, ()):
            words = [datum.toString(i) for i in range(datum.count())] if datum.typeName() == "XmpBag" else []
            for word in words or [datum.toString()]:
                word = word.strip()
                if word and word.lower() not in {w.lower() for w in out}:
                    out.append(word)
    return tuple(out)


def _date(value: str | None) -> str | None:
    """An EXIF date ("2015:03:04 05:06:07", or XMP's ISO form) as Flickr stores it."""
    if not value or len(value) < 19:
        return None
    date, clock = value[:10].replace("-", ":").split(":"), value[11:19].split(":")
    try:
        y, mo, d = (int(p) for p in date)
        hh, mm, ss = (int(p) for p in clock)
    except ValueError:
        return None
    if y < 1 or not (1 <= mo <= 12) or not (1 <= d <= 31) or hh > 23 or mm > 59 or ss > 60:
        return None
    return f"{y:04d}-{mo:02d}-{d:02d} {hh:02d}:{mm:02d}:{min(ss, 59):02d}"


def _degrees(data: dict[str, list[exiv2.Metadatum]], key: str, negative: str) -> float | None:
    values, refs = data.get(f"Exif.GPSInfo.GPS{key}"), data.get(f"Exif.GPSInfo.GPS{key}Ref")
    if not values or values[0].count() < 1:
        return None
    datum = values[0]
    parts = [datum.toFloat(i) for i in range(min(3, datum.count()))]
    if any(math.isnan(p) or math.isinf(p) for p in parts):
        return None
    degrees = sum(p / 60**i for i, p in enumerate(parts))
    if refs and refs[0].toString().strip().upper().startswith(negative):
        degrees = -degrees
    return degrees


def _position(data: dict[str, list[exiv2.Metadatum]]) -> tuple[float, float] | None:
    lat, lon = _degrees(data, "Latitude", "S"), _degrees(data, "Longitude", "W")
    if lat is None or lon is None or not (-90 <= lat <= 90) or not (-180 <= lon <= 180):
        return None
    return round(lat, 6), round(lon, 6)


def _number(x: float) -> str:
    return f"{x:.4g}"


def _rational_entry(space: str, tag: str, label: str, datum: exiv2.Metadatum) -> ExifEntry | None:
    numerator, denominator = datum.toRational(0)
    if numerator <= 0 or denominator <= 0:
        return None
    x = numerator / denominator
    if tag == "ExposureTime":
        raw = f"{numerator}/{denominator}" if x < 1 else _number(x)
        if x < 1 and denominator % numerator == 0:
            raw = f"1/{denominator // numerator}"
        return ExifEntry(space, tag, label, raw, f"{_number(x)} sec ({raw})" if x < 1 else None)
    if tag == "FNumber":
        return ExifEntry(space, tag, label, _number(x), f"f/{_number(x)}")
    return ExifEntry(space, tag, label, f"{_number(x)} mm")


def _exif_entry(datum: exiv2.Metadatum) -> ExifEntry | None:
    space = _TAGSPACES.get(datum.groupName())
    name = datum.tagName()
    if space is None or name in _POINTERS or datum.typeName() in _SKIPPED_TYPES or name.startswith("0x"):
        return None
    tag, label = _NAMES.get(name, (name, datum.tagLabel() or name))
    if tag in ("ExposureTime", "FNumber", "FocalLength"):
        return _rational_entry(space, tag, label, datum)
    raw = datum.toString().strip()
    if not raw:
        return None
    if tag == "Orientation" and raw.isdigit() and int(raw) in _ORIENTATIONS:
        return ExifEntry(space, tag, label, _ORIENTATIONS[int(raw)])
    return ExifEntry(space, tag, label, raw)


def _collect(image: exiv2.Image) -> tuple[dict[str, list[exiv2.Metadatum]], list[ExifEntry]]:
    data: dict[str, list[exiv2.Metadatum]] = {}
    entries: list[ExifEntry] = []
    for container in (image.exifData(), image.iptcData(), image.xmpData()):
        for datum in container:
            data.setdefault(datum.key(), []).append(datum)
    for datum in image.exifData():
        entry = _exif_entry(datum)
        if entry is not None:
            entries.append(entry)
    return data, entries


def read_embedded(path: str | os.PathLike[str]) -> Embedded:
    """The metadata of the image file at ``path`` (an empty :class:`Embedded` when it has none,
    or exiv2 cannot read the file)."""
    try:
        image = exiv2.ImageFactory.open(str(path))
        image.readMetadata()
        data, entries = _collect(image)
        return Embedded(
            taken=_date(_first(data, _TAKEN)),
            title=_first(data, _TITLE),
            description=_first(data, _DESCRIPTION),
            keywords=_keywords(data),
            position=_position(data),
            size=(image.pixelWidth(), image.pixelHeight()) if image.pixelWidth() > 0 < image.pixelHeight() else None,
            exif=tuple(entries),
        )
    except exiv2.Exiv2Error:
        return Embedded()


def video_seconds(path: str | os.PathLike[str]) -> float | None:
    """A video's length in seconds, read with mutagen from the MP4/QuickTime family's movie header
    (mp4, mov, m4v, 3gp); None for other containers or a file it cannot read. Flickr limits how
    long a video plays per account (people.getLimits videos/@maxduration)."""
    try:
        info = mutagen.mp4.MP4(os.fspath(path)).info
        length = float(info.length) if info is not None else math.nan
    except Exception:  # noqa: BLE001 - any unreadable file is one of unknown length
        return None
    return length if math.isfinite(length) and length >= 0 else None
