"""A photo's metadata as pycsync syncs it: title, description, tags, date taken, location.

Locally it lives in the file itself (EXIF, IPTC and XMP; a video's container) and in an XMP
sidecar, which wins field by field over what the file says. pycsync never writes the photo file
(the photo on Flickr stays byte-identical to it): it writes sidecars only, standard XMP that
Lightroom, digiKam and darktable read. Every byte of EXIF, IPTC and XMP is parsed and written by
exiv2 (python-exiv2); this module only maps its properties to the fields.

Where each field is read from, best first (the README's Metadata section has the table):

* title: XMP ``dc:title``, IPTC Object Name, IPTC Headline;
* description: XMP ``dc:description``, IPTC Caption, EXIF ImageDescription;
* tags: XMP ``dc:subject`` and IPTC Keywords (plain keywords only: a keyword in machine-tag form,
  ``ns:pred=value``, is left alone, as Flickr's machine tags are);
* date taken: EXIF DateTimeOriginal, XMP ``exif:DateTimeOriginal``, ``photoshop:DateCreated``,
  ``xmp:CreateDate``; a video's: its container's creation date (UTC, shown in local time);
* location: EXIF GPS (in a sidecar, XMP ``exif:GPSLatitude``/``GPSLongitude``).

Flickr keeps two things no standard property holds, and one no XMP can say; a sidecar keeps them
in pycsync's own namespace (other programs ignore it): ``pycsync:GeoAccuracy`` (Flickr's 1-16),
``pycsync:DateTakenGranularity`` (Flickr's 0, 4 month, 6 year, 8 circa) and ``pycsync:Cleared``,
the fields the sidecar says are empty although the file itself holds a value (XMP has no empty
title, and no "no location").

Fields are compared as Flickr compares them: tags by their clean form (``New York`` and
``newyork`` are one tag), text without surrounding space, positions to Flickr's six decimals,
dates to their granularity.
"""

from __future__ import annotations

import math
import os
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import exiv2

__all__ = [
    "FIELDS",
    "Location",
    "Meta",
    "MetaError",
    "clean_tag",
    "field_value",
    "fields_equal",
    "is_machine_tag",
    "meta_from_listing",
    "read_local",
    "read_embedded",
    "read_sidecar",
    "sidecar_bytes",
    "sidecar_name",
    "adobe_sidecar_name",
    "is_sidecar_name",
    "tag_set",
]

exiv2.LogMsg.setLevel(exiv2.LogMsg.Level.mute)  # a damaged file is one without metadata, not noise

#: the fields pycsync syncs, in the order they are reported
FIELDS = ("title", "description", "tags", "taken", "location")

NAMESPACE = "urn:pycsync:xmp:1.0/"
exiv2.XmpProperties.registerNs(NAMESPACE, "pycsync")

#: sidecars larger than this are not read (a real one is a few KB; this one is not a sidecar)
MAX_SIDECAR_BYTES = 16 << 20
SIDECAR_EXT = ".xmp"

_TITLE = ("Xmp.dc.title", "Iptc.Application2.ObjectName", "Iptc.Application2.Headline")
_DESCRIPTION = ("Xmp.dc.description", "Iptc.Application2.Caption", "Exif.Image.ImageDescription")
_KEYWORDS = ("Xmp.dc.subject", "Iptc.Application2.Keywords")
_EXIF_TAKEN = ("Exif.Photo.DateTimeOriginal",)
_XMP_TAKEN = ("Xmp.exif.DateTimeOriginal", "Xmp.photoshop.DateCreated", "Xmp.xmp.CreateDate")
# a video's creation date: QuickTime/MP4 movie header (seconds since 1904, UTC), else others'
_VIDEO_SECONDS_1904 = ("Xmp.video.DateUTC", "Xmp.video.MediaCreateDate")
_VIDEO_TAKEN = ("Xmp.video.DateTimeOriginal", "Xmp.video.DateTimeDigitized")
_SECONDS_1904_TO_1970 = 2082844800

_ACCURACY = "Xmp.pycsync.GeoAccuracy"
_GRANULARITY = "Xmp.pycsync.DateTakenGranularity"
_CLEARED = "Xmp.pycsync.Cleared"
_CLEARABLE = ("title", "description", "location")  # (tags: an empty dc:subject says it)

GRANULARITIES = (0, 4, 6, 8)
_MACHINE_TAG = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*:[A-Za-z_][A-Za-z0-9_]*=.+$", re.S)
# an XMP date (ISO 8601 as XMP allows it: cut short, with or without seconds and a zone)
_XMP_DATE = re.compile(
    r"(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?)?)?"
    r"(?:Z|[+-]\d{2}:?\d{2})?"
)
_EXIF_DATE = re.compile(r"(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})")


class MetaError(Exception):
    """A sidecar that cannot be read or written (too large, not XMP, not writable)."""


# --------------------------------------------------------------------------- the fields


@dataclass(frozen=True, slots=True)
class Location:
    latitude: float  # degrees, Flickr's six decimals
    longitude: float
    accuracy: int | None = None  # Flickr's 1 (world) .. 16 (street); None: not said

    @classmethod
    def of(cls, latitude: float, longitude: float, accuracy: int | None = None) -> Location | None:
        if not (math.isfinite(latitude) and math.isfinite(longitude)):
            return None
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            return None
        if accuracy is not None and not 1 <= accuracy <= 16:
            accuracy = None
        return cls(round(latitude, 6), round(longitude, 6), accuracy)

    def same_place(self, other: Location) -> bool:
        """The same position as Flickr keeps it: six decimals, cut (Flickr) or rounded (a file's
        own EXIF import), so one unit of the last one apart; accuracy only when both say one."""
        return (
            abs(self.latitude - other.latitude) < 1.5e-6
            and abs(self.longitude - other.longitude) < 1.5e-6
            and (self.accuracy is None or other.accuracy is None or self.accuracy == other.accuracy)
        )


@dataclass(frozen=True, slots=True)
class Meta:
    """One photo's metadata. ``title`` None: no title of its own (Flickr shows its file name);
    ``tags``: raw forms of the plain tags, one per clean form; ``taken`` None: not known."""

    title: str | None = None
    description: str = ""
    tags: tuple[str, ...] = ()
    taken: str | None = None  # "YYYY-MM-DD HH:MM:SS", cut to its granularity
    granularity: int = 0
    location: Location | None = None

    def with_field(self, name: str, value: Any) -> Meta:
        """A copy with one field set to a value as :func:`field_value` gives it."""
        if name == "taken":
            taken, granularity = value if value is not None else (None, 0)
            return replace(self, taken=taken, granularity=granularity)
        if name == "tags":
            return replace(self, tags=tuple(value))
        return replace(self, **{name: value})


def field_value(meta: Meta, name: str) -> Any:
    """A field's value, in the form fields are merged in (``taken``: (date, granularity) or None)."""
    if name == "taken":
        return (meta.taken, meta.granularity) if meta.taken is not None else None
    return getattr(meta, name)


def _text(value: str | None) -> str:
    return (value or "").replace("\r\n", "\n").strip()


def _date_key(value: tuple[str, int] | None) -> tuple[str, int] | None:
    """A date as far as its granularity says: a year (6 or circa 8), a month (4), or all of it."""
    if value is None:
        return None
    taken, granularity = value
    if granularity in (6, 8):
        return taken[:4], 6
    if granularity == 4:
        return taken[:7], 4
    return taken, 0


def fields_equal(name: str, a: Any, b: Any) -> bool:
    """Whether two values of a field (see :func:`field_value`) are the same as Flickr sees them."""
    if name == "title":
        return _text(a) == _text(b)  # (None and "": no title of its own)
    if name == "description":
        return _text(a) == _text(b)
    if name == "tags":
        return tag_set(a) == tag_set(b)
    if name == "taken":
        return _date_key(a) == _date_key(b)
    if name == "location":
        if a is None or b is None:
            return a is b
        return bool(a.same_place(b))
    raise ValueError(f"not a metadata field: {name!r}")


# --------------------------------------------------------------------------- tags


def is_machine_tag(tag: str) -> bool:
    return bool(_MACHINE_TAG.match(tag.strip()))


def clean_tag(raw: str) -> str:
    """Flickr's clean form of a plain tag: lower case, every character that is not a letter or a
    digit removed, letters of any script kept (``United States`` -> ``unitedstates``)."""
    return "".join(ch for ch in raw.lower() if ch.isalnum())


def tag_set(tags: Iterable[str]) -> frozenset[str]:
    return frozenset(c for c in (clean_tag(t) for t in tags) if c)


def plain_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """The plain tags among ``tags``, stripped, one per clean form (the first spelling wins);
    machine tags and tags with nothing Flickr keeps are left out. Double quotes are dropped:
    Flickr's tag syntax uses them to group words."""
    out: list[str] = []
    seen: set[str] = set()
    for tag in tags:
        tag = " ".join(str(tag).replace('"', "").split())
        clean = clean_tag(tag)
        if not clean or clean in seen or is_machine_tag(tag):
            continue
        seen.add(clean)
        out.append(tag)
    return tuple(out)


# --------------------------------------------------------------------------- Flickr's side


def meta_from_listing(
    title: str,
    description: str,
    tags: str,
    taken: str,
    granularity: int,
    taken_unknown: bool,
    latitude: float | None,
    longitude: float | None,
    accuracy: int | None,
) -> Meta:
    """A photo's metadata as Flickr's listing gives it (extras ``description``, ``tags``,
    ``date_taken``, ``geo``). Machine tags are out of view; a date Flickr only guessed (the upload
    time, ``datetakenunknown``) is no date; a location of 0,0 with accuracy 0 is none."""
    location = None
    if latitude is not None and longitude is not None and (latitude or longitude or accuracy):
        location = Location.of(latitude, longitude, accuracy or None)
    date = None if taken_unknown or not taken else _exif_date(taken)
    return Meta(
        title=title or None,
        description=_text(description),
        tags=plain_tags(tags.split()),
        taken=_cut(date, granularity) if date else None,
        granularity=granularity if date and granularity in GRANULARITIES else 0,
        location=location,
    )


def _cut(taken: str, granularity: int) -> str:
    if granularity in (6, 8):
        return taken[:4] + "-01-01 00:00:00"
    if granularity == 4:
        return taken[:7] + "-01 00:00:00"
    return taken


# --------------------------------------------------------------------------- reading


def _exif_date(value: str | None) -> str | None:
    """ "2015:03:04 05:06:07" (EXIF) or "2015-03-04 05:06:07" (Flickr) as "2015-03-04 05:06:07"."""
    m = _EXIF_DATE.match((value or "").strip().replace("-", ":", 2))
    if not m:
        return None
    y, mo, d, hh, mm, ss = (int(p) for p in m.groups())
    if y < 1 or not 1 <= mo <= 12 or not 1 <= d <= 31 or hh > 23 or mm > 59 or ss > 60:
        return None
    return f"{y:04d}-{mo:02d}-{d:02d} {hh:02d}:{mm:02d}:{min(ss, 59):02d}"


def _xmp_date(value: str | None) -> tuple[str, int] | None:
    """An XMP date (``2019``, ``2019-05``, ``2019-05-04T13:14:15+02:00``, ...) as (date taken,
    granularity): the clock as written (a zone is not converted: Flickr's date taken is the
    local time the photo was taken), a year or a month alone as that granularity."""
    m = _XMP_DATE.fullmatch((value or "").strip())
    if not m:
        return None
    y, mo, d, hh, mm, ss = (int(p) if p else None for p in m.groups())
    assert y is not None
    if y < 1 or (mo is not None and not 1 <= mo <= 12) or (d is not None and not 1 <= d <= 31):
        return None
    if (hh or 0) > 23 or (mm or 0) > 59 or (ss or 0) > 60:
        return None
    granularity = 6 if mo is None else 4 if d is None else 0
    text = f"{y:04d}-{mo or 1:02d}-{d or 1:02d} {hh or 0:02d}:{mm or 0:02d}:{min(ss or 0, 59):02d}"
    return text, granularity


def _xmp_date_text(taken: str, granularity: int) -> str:
    """The XMP form of a date taken: as precise as its granularity."""
    if granularity in (6, 8):
        return taken[:4]
    if granularity == 4:
        return taken[:7]
    return taken.replace(" ", "T")


def _langalt(datum: Any) -> str:
    value = datum.value()
    try:
        alternatives = dict(value)
    except (TypeError, ValueError):
        return str(datum.toString()).strip()
    text = alternatives.get("x-default")
    if text is None and alternatives:
        text = next(iter(alternatives.values()))
    return (text or "").strip()


def _datum_text(datum: Any) -> str:
    if datum.typeName() == "LangAlt":
        return _langalt(datum)
    return str(datum.toString()).strip()


def _items(datum: Any) -> list[str]:
    if datum.typeName() in ("XmpBag", "XmpSeq", "XmpAlt"):
        return [str(datum.toString(i)) for i in range(datum.count())]
    return [str(datum.toString())]


class _Props:
    """Every property of one file or sidecar, by exiv2 key, with the values' count."""

    def __init__(self, image: Any) -> None:
        self.data: dict[str, list[Any]] = {}
        for container in (image.exifData(), image.iptcData(), image.xmpData()):
            for datum in container:
                self.data.setdefault(datum.key(), []).append(datum)

    def has(self, key: str) -> bool:
        return key in self.data

    def first(self, keys: Iterable[str]) -> str | None:
        for key in keys:
            for datum in self.data.get(key, ()):
                text = _datum_text(datum)
                if text:
                    return text
        return None

    def words(self, keys: Iterable[str]) -> list[str]:
        return [w for key in keys for datum in self.data.get(key, ()) for w in _items(datum)]

    def degrees(self, axis: str, negative: str) -> float | None:
        values, refs = self.data.get(f"Exif.GPSInfo.GPS{axis}"), self.data.get(f"Exif.GPSInfo.GPS{axis}Ref")
        if not values or values[0].count() < 1:
            return None
        datum = values[0]
        parts = [datum.toFloat(i) for i in range(min(3, datum.count()))]
        if any(not math.isfinite(p) for p in parts):
            return None
        value = sum(p / 60**i for i, p in enumerate(parts))
        if refs and str(refs[0].toString()).strip().upper().startswith(negative):
            value = -value
        return value

    def location(self) -> Location | None:
        lat, lon = self.degrees("Latitude", "S"), self.degrees("Longitude", "W")
        if lat is None or lon is None:
            return None
        return Location.of(lat, lon, self.accuracy())

    def accuracy(self) -> int | None:
        text = self.first((_ACCURACY,))
        return int(text) if text and text.isdigit() and 1 <= int(text) <= 16 else None

    def taken(self, video: bool) -> tuple[str, int] | None:
        exif = _exif_date(self.first(_EXIF_TAKEN))
        if exif:
            return exif, 0
        for key in _XMP_TAKEN:
            found = _xmp_date(self.first((key,)))
            if found:
                return found
        if video:
            return self.video_taken()
        return None

    def video_taken(self) -> tuple[str, int] | None:
        for key in _VIDEO_SECONDS_1904:
            text = self.first((key,))
            if text and text.isdigit() and int(text) > _SECONDS_1904_TO_1970:
                stamp = int(text) - _SECONDS_1904_TO_1970
                return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(stamp)), 0
        for key in _VIDEO_TAKEN:
            found = _exif_date(self.first((key,))) if self.first((key,)) else None
            if found:
                return found, 0
        return None

    def granularity(self, found: int) -> int:
        text = self.first((_GRANULARITY,))
        if text and text.isdigit() and int(text) in GRANULARITIES:
            return int(text)
        return found

    def cleared(self) -> set[str]:
        return {w for w in self.words((_CLEARED,)) if w in _CLEARABLE}


def _meta(props: _Props, video: bool) -> Meta:
    found = props.taken(video)
    taken, granularity = found if found else (None, 0)
    if taken is not None:
        granularity = props.granularity(granularity)
        taken = _cut(taken, granularity)
    return Meta(
        title=props.first(_TITLE),
        description=_text(props.first(_DESCRIPTION)),
        tags=plain_tags(props.words(_KEYWORDS)),
        taken=taken,
        granularity=granularity,
        location=props.location(),
    )


def read_embedded(path: str | os.PathLike[str], video: bool = False) -> Meta:
    """What the file itself says (an empty Meta when it says nothing, or exiv2 cannot read it)."""
    try:
        image = exiv2.ImageFactory.open(os.fspath(path))
        image.readMetadata()
    except exiv2.Exiv2Error:
        return Meta()
    return _meta(_Props(image), video)


@dataclass(frozen=True)
class SidecarFields:
    """What a sidecar says: only the fields it holds (or clears), which win over the file's."""

    fields: Mapping[str, Any]

    def over(self, embedded: Meta) -> Meta:
        meta = embedded
        for name, value in self.fields.items():
            meta = meta.with_field(name, value)
        return meta


def _open_xmp(data: bytes) -> Any:
    try:
        image = exiv2.ImageFactory.open(data)
        image.readMetadata()
    except exiv2.Exiv2Error as exc:
        raise MetaError(f"not an XMP sidecar: {exc}") from None
    if image.imageType() != exiv2.ImageType.xmp:
        raise MetaError("not an XMP sidecar")
    return image


def read_sidecar(data: bytes) -> SidecarFields:
    """The fields an XMP sidecar holds (raises MetaError when it is no XMP)."""
    if len(data) > MAX_SIDECAR_BYTES:
        raise MetaError(f"larger than {MAX_SIDECAR_BYTES >> 20} MB: not a sidecar")
    image = _open_xmp(data)
    props = _Props(image)
    cleared = props.cleared()
    fields: dict[str, Any] = {}
    title = props.first(("Xmp.dc.title",))
    if title is not None or "title" in cleared:
        fields["title"] = title
    description = props.first(("Xmp.dc.description",))
    if description is not None or "description" in cleared:
        fields["description"] = _text(description)
    if props.has("Xmp.dc.subject"):
        fields["tags"] = plain_tags(props.words(("Xmp.dc.subject",)))
    for key in _XMP_TAKEN:
        found = _xmp_date(props.first((key,)))
        if found:
            granularity = props.granularity(found[1])
            fields["taken"] = (_cut(found[0], granularity), granularity)
            break
    location = props.location()
    if location is not None or "location" in cleared:
        fields["location"] = location
    del image  # (it reads from ``data``, which must outlive it)
    return SidecarFields(fields)


def read_local(path: str | os.PathLike[str], sidecar: bytes | None = None, video: bool = False) -> tuple[Meta, Meta]:
    """(the file's own metadata, what holds once its sidecar is read over it)."""
    embedded = read_embedded(path, video)
    if sidecar is None:
        return embedded, embedded
    return embedded, read_sidecar(sidecar).over(embedded)


# --------------------------------------------------------------------------- writing


def _set_langalt(xmp: Any, key: str, text: str) -> None:
    """Set the default language's text, keeping the other languages' (a translated title stays)."""
    others: dict[str, str] = {}
    found = xmp.findKey(exiv2.XmpKey(key))
    if found != xmp.end():
        try:
            others = {k: v for k, v in dict(found.value()).items() if k != "x-default"}
        except (TypeError, ValueError):
            others = {}
        xmp.erase(found)
    value = exiv2.LangAltValue()
    value.read(f'lang="x-default" {text}')
    for lang, other in others.items():
        value.read(f'lang="{lang}" {other}')
    xmp.add(exiv2.XmpKey(key), value)


def _erase(xmp: Any, *keys: str) -> None:
    for key in keys:
        found = xmp.findKey(exiv2.XmpKey(key))
        while found != xmp.end():
            xmp.erase(found)
            found = xmp.findKey(exiv2.XmpKey(key))


def _set_bag(xmp: Any, key: str, words: Iterable[str]) -> None:
    _erase(xmp, key)
    value = exiv2.XmpArrayValue(exiv2.TypeId.xmpBag)
    for word in words:
        value.read(word)
    xmp.add(exiv2.XmpKey(key), value)


def _gps(value: float, positive: str, negative: str) -> str:
    """An XMP GPS coordinate, ``DDD,MM.mmmmmmmR`` (degrees, decimal minutes, reference)."""
    ref = positive if value >= 0 else negative
    value = abs(value)
    degrees = int(value)
    minutes = (value - degrees) * 60
    return f"{degrees},{minutes:.8f}{ref}"


def sidecar_bytes(existing: bytes | None, meta: Meta, embedded: Meta) -> bytes:
    """The sidecar that says ``meta`` over a file that itself says ``embedded``: every field is
    written (the sidecar alone says what holds), into ``existing`` when there is one (whatever
    else it holds, a raw converter's settings, other languages, stays as it was). The same
    metadata always makes the same bytes (no time stamp: editors notice the file's own time)."""
    if existing is not None:
        if len(existing) > MAX_SIDECAR_BYTES:
            raise MetaError(f"larger than {MAX_SIDECAR_BYTES >> 20} MB: not a sidecar")
        image = _open_xmp(existing)
        xmp = exiv2.XmpData()
        for datum in image.xmpData():
            xmp.add(datum)
        del image
    else:
        xmp = exiv2.XmpData()
    cleared = []
    if meta.title:
        _set_langalt(xmp, "Xmp.dc.title", meta.title)
    else:
        _erase(xmp, "Xmp.dc.title")
        if embedded.title:
            cleared.append("title")
    if meta.description:
        _set_langalt(xmp, "Xmp.dc.description", meta.description)
    else:
        _erase(xmp, "Xmp.dc.description")
        if embedded.description:
            cleared.append("description")
    _set_bag(xmp, "Xmp.dc.subject", plain_tags(meta.tags))
    _erase(xmp, *_XMP_TAKEN, _GRANULARITY)
    if meta.taken is not None:
        text = _xmp_date_text(meta.taken, meta.granularity)
        xmp["Xmp.exif.DateTimeOriginal"] = text
        xmp["Xmp.photoshop.DateCreated"] = text
        if meta.granularity:
            xmp[_GRANULARITY] = str(meta.granularity)
    _erase(xmp, "Xmp.exif.GPSLatitude", "Xmp.exif.GPSLongitude", _ACCURACY)
    if meta.location is not None:
        xmp["Xmp.exif.GPSVersionID"] = "2.2.0.0"
        xmp["Xmp.exif.GPSMapDatum"] = "WGS-84"
        xmp["Xmp.exif.GPSLatitude"] = _gps(meta.location.latitude, "N", "S")
        xmp["Xmp.exif.GPSLongitude"] = _gps(meta.location.longitude, "E", "W")
        if meta.location.accuracy is not None:
            xmp[_ACCURACY] = str(meta.location.accuracy)
    elif embedded.location is not None:
        cleared.append("location")
    _erase(xmp, _CLEARED)
    if cleared:
        _set_bag(xmp, _CLEARED, cleared)
    flags = exiv2.XmpParser.XmpFormatFlags
    status, packet = exiv2.XmpParser.encode(xmp, flags.omitPacketWrapper | flags.useCompactFormat)
    if status != 0:
        raise MetaError(f"exiv2 could not write the XMP (status {status})")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + packet.strip() + "\n").encode("utf-8")


# --------------------------------------------------------------------------- sidecar names


def is_sidecar_name(name: str) -> bool:
    return len(name) > len(SIDECAR_EXT) and name[-len(SIDECAR_EXT) :].lower() == SIDECAR_EXT


def sidecar_name(name: str) -> str:
    """The sidecar pycsync writes for the file ``name``: ``NAME.EXT.xmp`` (digiKam, darktable)."""
    return name + SIDECAR_EXT


def adobe_sidecar_name(name: str) -> str:
    """Adobe's sidecar name for the file ``name``: ``NAME.xmp``, read when it is the only one."""
    return name.rpartition(".")[0] + SIDECAR_EXT if "." in name else name + SIDECAR_EXT
