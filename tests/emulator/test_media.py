"""Magic-number sniffing (no imaging library at runtime); dimensions and EXIF: test_metadata.py."""

from __future__ import annotations

import io

import pytest

from pycsync.emulator.media import sniff


@pytest.mark.parametrize(
    "fmt,pil", [("jpg", "JPEG"), ("png", "PNG"), ("gif", "GIF"), ("tiff", "TIFF"), ("webp", "WEBP"), ("bmp", "BMP")]
)
def test_real_images_sniffed(fmt, pil):
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (37, 21), (10, 200, 30)).save(out, pil)
    data = out.getvalue()
    mt = sniff(data)
    assert mt is not None and (mt.media, mt.format) == ("photo", fmt)


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
