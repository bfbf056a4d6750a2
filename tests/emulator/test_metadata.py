"""What the emulator reads from a photo's own metadata (exiv2): dimensions, date taken, EXIF
fields, and the title, description, keywords and position Flickr takes on upload."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import exiv2
import pytest

from pycsync.emulator.metadata import read_embedded
from tests.support.media import make_jpeg_bytes


def _file(tmp_path: Path, data: bytes, name: str = "x.jpg") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def tagged_jpeg(tmp_path: Path, **fields: str) -> Path:
    """A JPEG with metadata written by exiv2: keys are exiv2 keys with "_" for ".", e.g.
    ``Xmp_dc_title``."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 200, 30)).save(out, "JPEG")
    path = _file(tmp_path, out.getvalue())
    image = exiv2.ImageFactory.open(str(path))
    image.readMetadata()
    for key, value in fields.items():
        family = key.split("_", 1)[0]
        data = {"Exif": image.exifData(), "Iptc": image.iptcData(), "Xmp": image.xmpData()}[family]
        data[key.replace("_", ".")] = value
    image.writeMetadata()
    return path


@pytest.mark.parametrize("pil", ["JPEG", "PNG", "GIF", "TIFF", "WEBP", "BMP"])
def test_dimensions_of_every_image_format(tmp_path, pil):
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (37, 21), (10, 200, 30)).save(out, pil)
    assert read_embedded(_file(tmp_path, out.getvalue())).size == (37, 21)


def test_date_taken_from_exif(tmp_path):
    assert (
        read_embedded(_file(tmp_path, make_jpeg_bytes(exif_datetime="2018:12:31 23:59:58"))).taken
        == "2018-12-31 23:59:58"
    )
    assert read_embedded(_file(tmp_path, make_jpeg_bytes())).taken is None
    assert read_embedded(_file(tmp_path, make_jpeg_bytes(exif_datetime="0000:00:00 00:00:00"))).taken is None


def _big_endian_tiff(date: bytes) -> bytes:
    """Hand-built MM TIFF: IFD0 = {ImageWidth, ImageLength, ExifIFD ptr}, Exif IFD = {DateTimeOriginal}."""
    ifd0_at, exif_at = 8, 8 + 2 + 3 * 12 + 4
    date_at = exif_at + 2 + 12 + 4
    out = b"MM\x00*" + struct.pack(">I", ifd0_at)
    out += struct.pack(">H", 3)
    out += struct.pack(">HHIHH", 256, 3, 1, 640, 0)
    out += struct.pack(">HHIHH", 257, 3, 1, 480, 0)
    out += struct.pack(">HHII", 0x8769, 4, 1, exif_at)
    out += struct.pack(">I", 0)
    out += struct.pack(">H", 1) + struct.pack(">HHII", 0x9003, 2, len(date), date_at) + struct.pack(">I", 0)
    return out + date


def test_big_endian_tiff(tmp_path):
    found = read_embedded(_file(tmp_path, _big_endian_tiff(b"2001:02:03 04:05:06\x00"), "x.tif"))
    assert (found.taken, found.size) == ("2001-02-03 04:05:06", (640, 480))


def test_garbage_has_no_metadata(tmp_path):
    bad = b"\xff\xd8\xff\xe1\x00\x10Exif\x00\x00II*\x00\xff\xff\xff\x7f" + b"\x00" * 20
    found = read_embedded(_file(tmp_path, bad))
    assert (found.taken, found.title, found.keywords, found.position) == (None, None, (), None)
    assert read_embedded(tmp_path / "missing.jpg").exif == ()


def test_title_description_keywords_from_xmp_before_iptc(tmp_path):
    path = tagged_jpeg(
        tmp_path,
        Xmp_dc_title='lang="x-default" Harbour at dawn',
        Iptc_Application2_ObjectName="older title",
        Iptc_Application2_Caption="Boats, fog.",
        Iptc_Application2_Keywords="Sea",
        Xmp_dc_subject="fishing boat",
    )
    found = read_embedded(path)
    assert found.title == "Harbour at dawn"
    assert found.description == "Boats, fog."
    assert found.keywords == ("Sea", "fishing boat")


def test_gps_position(tmp_path):
    path = tagged_jpeg(
        tmp_path,
        Exif_GPSInfo_GPSLatitudeRef="S",
        Exif_GPSInfo_GPSLatitude="33/1 52/1 0/1",
        Exif_GPSInfo_GPSLongitudeRef="E",
        Exif_GPSInfo_GPSLongitude="151/1 12/1 30/1",
    )
    assert read_embedded(path).position == (-33.866667, 151.208333)
