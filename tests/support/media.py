"""Small real media files made from a seed: the same seed gives the same bytes, two seeds never do."""

from __future__ import annotations

import io
import random
import struct
from pathlib import Path

from PIL import Image

#: the size of ``jpeg(seed)``: a sync test stores thousands of them (the model check writes and
#: rehashes every content it made), and small pixels make distinct files as well as large ones
SMALL = (24, 16)


def _exif_with_datetime(value: str) -> bytes:
    """A minimal EXIF (TIFF, little endian) block with DateTimeOriginal in the Exif IFD."""
    exif = Image.Exif()
    exif[0x0110] = "pycsync test camera"
    exif.get_ifd(0x8769)[0x9003] = value
    return exif.tobytes()


def noise_image(seed: int, size: tuple[int, int]) -> Image.Image:
    """An image of seeded random pixels (compresses badly, as a real photo does)."""
    rnd = random.Random(seed)
    w, h = size
    img = Image.new("RGB", size)
    img.putdata([(rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)) for _ in range(w * h)])
    return img


def make_jpeg_bytes(
    path: str | Path | None = None, *, seed: int = 0, size: tuple[int, int] = (64, 48), exif_datetime: str | None = None
) -> bytes:
    """A JPEG of seeded noise (written to ``path`` if given); ``exif_datetime`` in EXIF syntax:
    ``"2021:06:01 12:34:56"``."""
    img = noise_image(seed, size)
    out = io.BytesIO()
    kwargs: dict = {"quality": 90}
    if exif_datetime:
        kwargs["exif"] = _exif_with_datetime(exif_datetime)
    img.save(out, "JPEG", **kwargs)
    data = out.getvalue()
    if path is not None:
        Path(path).write_bytes(data)
    return data


def make_png_bytes(path: str | Path | None = None, *, seed: int = 0, size: tuple[int, int] = (40, 30)) -> bytes:
    img = noise_image(seed, size)
    out = io.BytesIO()
    img.save(out, "PNG")
    data = out.getvalue()
    if path is not None:
        Path(path).write_bytes(data)
    return data


def _box(kind: bytes, payload: bytes) -> bytes:
    """An ISO base media (MP4) box."""
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def _ftyp(brand: bytes = b"isom") -> bytes:
    return _box(b"ftyp", brand + struct.pack(">I", 512) + brand + b"iso2avc1mp41")


def make_mp4_bytes(seed: int = 0, size: int = 4096, brand: bytes = b"isom") -> bytes:
    """A tiny MP4-looking byte string: an ``ftyp`` box plus an ``mdat`` of seeded bytes."""
    rnd = random.Random(seed)
    return _ftyp(brand) + _box(b"mdat", bytes(rnd.randrange(256) for _ in range(size)))


#: seconds from the movie header's epoch (1904-01-01 UTC) to the Unix epoch
MP4_EPOCH_OFFSET = 2082844800


def make_mp4_with_header(seconds: int = 3, *, created_unix: int | None = None, seed: int = 0) -> bytes:
    """A small MP4 whose movie header (``mvhd``) says how long it lasts and when it was made, as
    Flickr and mutagen read them (no creation date: 0)."""
    stamp = 0 if created_unix is None else created_unix + MP4_EPOCH_OFFSET
    mvhd = struct.pack(">B3xIIII", 0, stamp, stamp, 1000, seconds * 1000)  # version, dates, timescale, duration
    mvhd += struct.pack(">IH", 0x00010000, 0x0100) + bytes(10)  # rate 1.0, volume 1.0, reserved
    mvhd += struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)  # the identity matrix
    mvhd += bytes(24) + struct.pack(">I", 2)  # pre-defined, next track id
    rnd = random.Random(seed)
    return _ftyp() + _box(b"moov", _box(b"mvhd", mvhd)) + _box(b"mdat", bytes(rnd.randrange(256) for _ in range(256)))


def jpeg(seed: int) -> bytes:
    """The photo a sync test stores for ``seed`` (``SMALL``)."""
    return make_jpeg_bytes(seed=seed, size=SMALL)
