"""Magic-number sniffing, image dimensions and the EXIF reader (no Pillow at runtime)."""

from __future__ import annotations

import io

import pytest

from pycsync.emulator.media import exif_datetime_original, image_dimensions, sniff


@pytest.mark.parametrize(
    "fmt,pil", [("jpg", "JPEG"), ("png", "PNG"), ("gif", "GIF"), ("tiff", "TIFF"), ("webp", "WEBP"), ("bmp", "BMP")]
)
def test_real_images_sniffed_with_dimensions(fmt, pil):
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (37, 21), (10, 200, 30)).save(out, pil)
    data = out.getvalue()
    mt = sniff(data)
    assert mt is not None and (mt.media, mt.format) == ("photo", fmt)
    assert image_dimensions(data, fmt) == (37, 21)


def test_webp_lossless_and_extended_dimensions():
    from PIL import Image

    for kw in ({"lossless": True}, {"exif": b"Exif\x00\x00II*\x00\x08\x00\x00\x00\x00\x00"}):
        out = io.BytesIO()
        Image.new("RGBA", (123, 45)).save(out, "WEBP", **kw)
        assert image_dimensions(out.getvalue(), "webp") == (123, 45)


@pytest.mark.parametrize(
    "head,expected",
    [
        (b"\x00\x00\x00\x20ftypmp42\x00\x00\x00\x00mp42isom", ("video", "mp4", "video/mp4")),
        (b"\x00\x00\x00\x14ftypM4V \x00\x00\x00\x00", ("video", "m4v", "video/x-m4v")),
        (b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00", ("video", "mov", "video/quicktime")),
        (b"\x00\x00\x00\x08wide\x00\x00\x00\x00mdat", ("video", "mov", "video/quicktime")),
        (b"\x00\x00\x00\x14ftyp3gp4\x00\x00\x00\x00", ("video", "3gp", "video/3gpp")),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", ("photo", "heic", "image/heic")),
        (b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1heic", ("photo", "heic", "image/heic")),
        (b"\x00\x00\x00\x14ftypmsf1\x00\x00\x00\x00", ("photo", "heif", "image/heif")),
        (b"RIFF\x00\x00\x00\x00AVI LIST", ("video", "avi", "video/x-msvideo")),
        (b"\x00\x00\x01\xba\x44\x00", ("video", "mpg", "video/mpeg")),
        ((b"\x47" + b"\x11" * 187) * 3, ("video", "mts", "video/mp2t")),
        (b"\x30\x26\xb2\x75\x8e\x66\xcf\x11\xa6\xd9", ("video", "wmv", "video/x-ms-wmv")),
        (b"\x1a\x45\xdf\xa3\x01\x42\x82\x84webm", ("video", "webm", "video/webm")),
        (b"\x1a\x45\xdf\xa3\x01\x42\x82\x88matroska", ("video", "mkv", "video/x-matroska")),
        (b"OggS\x00\x02\x00\x00", ("video", "ogv", "video/ogg")),
    ],
)
def test_container_sniffing(head, expected):
    mt = sniff(head + b"\x00" * 32)
    assert (mt.media, mt.format, mt.mime) == expected


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"abc",
        b"hello world this is text",
        b"\x00\x00\x00\x14ftypM4A \x00" * 2,
        b"G" + b"x" * 300,
        b"BM" + b"\x00" * 30,
    ],
)
def test_unrecognised(data):
    assert sniff(data) is None


def test_exif_datetime_original(make_jpeg):
    data = make_jpeg(seed=1, exif_datetime="2018:12:31 23:59:58")
    assert exif_datetime_original(data, "jpg") == "2018-12-31 23:59:58"
    assert exif_datetime_original(make_jpeg(seed=1), "jpg") is None
    assert exif_datetime_original(make_jpeg(seed=1, exif_datetime="0000:00:00 00:00:00"), "jpg") is None


def _big_endian_tiff(date: bytes) -> bytes:
    """Hand-built MM TIFF: IFD0 = {ImageWidth, ImageLength, ExifIFD ptr}, Exif IFD = {DateTimeOriginal}."""
    import struct

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


def test_exif_and_dimensions_in_big_endian_tiff():
    data = _big_endian_tiff(b"2001:02:03 04:05:06\x00")
    assert sniff(data).format == "tiff"
    assert exif_datetime_original(data, "tiff") == "2001-02-03 04:05:06"
    assert image_dimensions(data, "tiff") == (640, 480)


def test_exif_reader_survives_garbage():
    bad = b"\xff\xd8\xff\xe1\x00\x10Exif\x00\x00II*\x00\xff\xff\xff\x7f" + b"\x00" * 20
    assert exif_datetime_original(bad, "jpg") is None
    assert image_dimensions(b"\xff\xd8\xff\xe0\x00", "jpg") is None
