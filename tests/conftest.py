"""Shared fixtures: a running Flickr emulator, a client acting on it, a folder to sync and small
real media files."""

from __future__ import annotations

import io
import random
import struct
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

import pycsync.flickr.transport as transport
from pycsync.emulator import EmulatorServer
from pycsync.flickr import Credentials, Endpoints, FlickrClient

# Property tests draw the same examples on every run (derandomized, so no example database
# either): the suite fails only on a regression, never because hypothesis happened to explore a
# new region, and a failure reproduces anywhere. Sweeps explore: `--hypothesis-seed=N` (a
# random run that N reproduces) or `--hypothesis-profile=random`; PYCSYNC_EXAMPLES sets the
# planner properties' example counts (README, Development). No deadlines: a loaded machine is
# no failure.
settings.register_profile("deterministic", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("random", deadline=None, print_blob=True)
settings.load_profile("deterministic")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    # (a derandomized run would ignore the seed: asking for one asks for a random run)
    if config.getoption("--hypothesis-seed", None) is not None and not config.getoption("--hypothesis-profile", None):
        settings.load_profile("random")


# Real Flickr types many numbers sometimes as JSON numbers, sometimes as strings: the client's
# tests and the integration suite run against an emulator that types them at random, seeded by
# the test's name so that a failure reproduces.
RANDOM_TYPING_FOLDERS = ("flickr", "integration")


def emulator_typing(request: pytest.FixtureRequest) -> dict[str, object]:
    folder = Path(str(request.node.path)).resolve().relative_to(Path(__file__).resolve().parent).parts[0]
    if folder not in RANDOM_TYPING_FOLDERS:
        return {}
    return {"types": "random", "seed": zlib.crc32(request.node.nodeid.encode())}


@pytest.fixture
def emulator(request) -> Iterator[EmulatorServer]:
    """A fresh emulator on 127.0.0.1 (random port, temporary data dir), stopped afterwards."""
    with EmulatorServer(host="127.0.0.1", port=0, **emulator_typing(request)) as emu:
        yield emu


def _exif_with_datetime(value: str) -> bytes:
    """A minimal EXIF (TIFF, little endian) block with DateTimeOriginal in the Exif IFD."""
    from PIL import Image

    exif = Image.Exif()
    exif[0x0110] = "pycsync test camera"
    exif.get_ifd(0x8769)[0x9003] = value
    return exif.tobytes()


def _noise_image(seed: int, size: tuple[int, int]):
    from PIL import Image

    rnd = random.Random(seed)
    w, h = size
    img = Image.new("RGB", size)
    img.putdata([(rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)) for _ in range(w * h)])
    return img


def make_jpeg_bytes(
    path: str | Path | None = None, *, seed: int = 0, size: tuple[int, int] = (64, 48), exif_datetime: str | None = None
) -> bytes:
    img = _noise_image(seed, size)
    out = io.BytesIO()
    kwargs = {"quality": 90}
    if exif_datetime:
        kwargs["exif"] = _exif_with_datetime(exif_datetime)
    img.save(out, "JPEG", **kwargs)
    data = out.getvalue()
    if path is not None:
        Path(path).write_bytes(data)
    return data


def make_png_bytes(path: str | Path | None = None, *, seed: int = 0, size: tuple[int, int] = (40, 30)) -> bytes:
    img = _noise_image(seed, size)
    out = io.BytesIO()
    img.save(out, "PNG")
    data = out.getvalue()
    if path is not None:
        Path(path).write_bytes(data)
    return data


def make_mp4_bytes(seed: int = 0, size: int = 4096, brand: bytes = b"isom") -> bytes:
    """A tiny MP4-looking byte string: an ``ftyp`` box plus an ``mdat`` of seeded bytes."""
    rnd = random.Random(seed)
    ftyp_payload = brand + struct.pack(">I", 512) + brand + b"iso2avc1mp41"
    ftyp = struct.pack(">I", 8 + len(ftyp_payload)) + b"ftyp" + ftyp_payload
    payload = bytes(rnd.randrange(256) for _ in range(size))
    mdat = struct.pack(">I", 8 + len(payload)) + b"mdat" + payload
    return ftyp + mdat


@pytest.fixture
def make_jpeg() -> Callable[..., bytes]:
    """``make_jpeg(path=None, *, seed=0, size=(64, 48), exif_datetime=None) -> bytes``.

    ``exif_datetime`` uses EXIF syntax: ``"2021:06:01 12:34:56"``.
    """
    return make_jpeg_bytes


@pytest.fixture
def make_png() -> Callable[..., bytes]:
    """``make_png(path=None, *, seed=0, size=(40, 30)) -> bytes``."""
    return make_png_bytes


@pytest.fixture
def make_mp4() -> Callable[..., bytes]:
    """``make_mp4(seed=0, size=4096, brand=b"isom") -> bytes`` (sniffs as video/mp4)."""
    return make_mp4_bytes


@pytest.fixture
def flickr(emulator) -> Iterator[FlickrClient]:
    """A client acting on Flickr as the account's owner would on the website."""
    creds = Credentials(emulator.api_key, emulator.api_secret, emulator.oauth_token, emulator.oauth_token_secret)
    client = FlickrClient(Endpoints.for_base(emulator.endpoint), creds, calls_per_hour=None)
    yield client
    client.close()


class FlickrClock:
    """The emulator's clock, frozen: its stored timestamps (upload and update dates), the clock of
    its search index and upload tickets, and the Date header the client reads stay put until
    ``advance`` moves them, so a test that needs a later second takes one without waiting."""

    def __init__(self, start: float = 1_700_000_000):
        self.now = start

    def advance(self, seconds: float = 10) -> None:
        self.now += seconds

    def drive(self, emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> FlickrClock:
        monkeypatch.setattr(emulator.store, "now", lambda: int(self.now))  # whole seconds, as Flickr
        monkeypatch.setattr(emulator.backend, "clock", lambda: self.now)
        monkeypatch.setattr(transport, "_server_date", lambda headers: self.now)
        return self


@pytest.fixture
def flickr_clock(emulator, monkeypatch) -> FlickrClock:
    return FlickrClock().drive(emulator, monkeypatch)


@pytest.fixture
def root(tmp_path) -> Path:
    """An empty folder to sync."""
    path = tmp_path / "photos"
    path.mkdir()
    return path
