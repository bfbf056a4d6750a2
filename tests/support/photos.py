"""Real photos carrying real metadata, made with exiv2 as a camera or an editor would leave them,
and XMP sidecars read back with exiv2 (never by hand), for the metadata tests."""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

import exiv2

from tests.support.media import noise_image


def _pixels(seed: int, fmt: str, size: tuple[int, int] = (48, 32)) -> bytes:
    out = io.BytesIO()
    noise_image(seed, size).save(out, fmt)
    return out.getvalue()


def _dms(value: float) -> str:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60 * 10000)
    return f"{degrees}/1 {minutes}/1 {seconds}/10000"


def photo(
    path: Path,
    seed: int = 0,
    *,
    fmt: str = "JPEG",
    title: str | None = None,
    description: str | None = None,
    keywords: Iterable[str] = (),
    taken: str | None = None,  # EXIF syntax: "2019:05:04 13:14:15"
    gps: tuple[float, float] | None = None,
) -> bytes:
    """Write an image with this embedded metadata (XMP dc:title/description/subject, IPTC
    keywords, EXIF DateTimeOriginal and GPS) to ``path``; returns its bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_pixels(seed, fmt))
    image = exiv2.ImageFactory.open(str(path))
    image.readMetadata()
    exif, iptc, xmp = image.exifData(), image.iptcData(), image.xmpData()
    if title is not None:
        xmp["Xmp.dc.title"] = f'lang="x-default" {title}'
    if description is not None:
        xmp["Xmp.dc.description"] = f'lang="x-default" {description}'
    words = list(keywords)
    if words:
        bag = exiv2.XmpArrayValue(exiv2.TypeId.xmpBag)
        for word in words:
            bag.read(word)
            iptc.add(exiv2.IptcKey("Iptc.Application2.Keywords"), exiv2.StringValue(word))
        xmp.add(exiv2.XmpKey("Xmp.dc.subject"), bag)
    if taken is not None:
        exif["Exif.Photo.DateTimeOriginal"] = taken
    if gps is not None:
        lat, lon = gps
        exif["Exif.GPSInfo.GPSVersionID"] = "2 2 0 0"
        exif["Exif.GPSInfo.GPSLatitudeRef"] = "N" if lat >= 0 else "S"
        exif["Exif.GPSInfo.GPSLatitude"] = _dms(lat)
        exif["Exif.GPSInfo.GPSLongitudeRef"] = "E" if lon >= 0 else "W"
        exif["Exif.GPSInfo.GPSLongitude"] = _dms(lon)
    image.writeMetadata()
    del image
    return path.read_bytes()


def sidecar(path: Path, **props: str | list[str]) -> Path:
    """Write an XMP sidecar as an editor would (exiv2 keys with '_' for '.': ``Xmp_dc_title``); a
    list is a bag. Returns its path."""
    xmp = exiv2.XmpData()
    for key, value in props.items():
        key = key.replace("_", ".")
        if isinstance(value, list):
            bag = exiv2.XmpArrayValue(exiv2.TypeId.xmpBag)
            for v in value:
                bag.read(v)
            xmp.add(exiv2.XmpKey(key), bag)
        else:
            xmp[key] = value
    status, packet = exiv2.XmpParser.encode(xmp)
    assert status == 0
    path.write_text(packet, encoding="utf-8")
    return path


def read_xmp(path: Path) -> dict[str, str | list[str]]:
    """Every XMP property of a sidecar as exiv2 reads it: bags as lists, a LangAlt as its default."""
    data = path.read_bytes()
    image = exiv2.ImageFactory.open(data)
    image.readMetadata()
    out: dict[str, str | list[str]] = {}
    for datum in image.xmpData():
        kind = datum.typeName()
        if kind in ("XmpBag", "XmpSeq"):
            out[datum.key()] = [datum.toString(i) for i in range(datum.count())]
        elif kind == "LangAlt":
            out[datum.key()] = dict(datum.value()).get("x-default", "")
        else:
            out[datum.key()] = datum.toString()
    del image
    return out


def read_file_props(path: Path) -> dict[str, str]:
    """Every EXIF, IPTC and XMP property embedded in a file (to prove it is never written)."""
    image = exiv2.ImageFactory.open(str(path))
    image.readMetadata()
    out = {d.key(): d.toString() for c in (image.exifData(), image.iptcData(), image.xmpData()) for d in c}
    del image
    return out
