"""The network model (issue 15): one link of ``bandwidth_mbps`` shared by every connection in both
directions, ``upload_processing_ms`` per upload/replace, on top of ``latency_ms``; settable in
EmulatorConfig, on the command line and through the control surface. Measured over real HTTP with
generous tolerances; the tests themselves never sleep."""

from __future__ import annotations

import threading
import time

import pytest
from click.testing import CliRunner

from pycsync.emulator import EmulatorServer
from pycsync.emulator.cli import emulator_command
from pycsync.emulator.config import EmulatorConfig
from pycsync.emulator.network import Link
from tests.support.api import Api, control
from tests.support.media import make_jpeg_bytes

MB = 1_000_000


def _jpeg_of(size: int, seed: int = 1) -> bytes:
    """A real JPEG padded after its end marker to ``size`` bytes (Flickr keeps such files whole)."""
    data = make_jpeg_bytes(seed=seed)
    return data + bytes(size - len(data))


def _timed(fn, *args, **kwargs) -> tuple[float, object]:
    start = time.monotonic()
    result = fn(*args, **kwargs)
    return time.monotonic() - start, result


# --------------------------------------------------------------------------- the link itself


class _FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_a_link_carries_bytes_at_its_rate():
    t = _FakeTime()
    link = Link(lambda: 20, clock=t.clock, sleep=t.sleep)
    link.carry(2 * MB)
    assert t.now == pytest.approx(0.8)  # 16 Mbit over 20 Mbit/s


def test_an_unlimited_link_never_waits():
    t = _FakeTime()
    link = Link(lambda: 0, clock=t.clock, sleep=t.sleep)
    link.carry(10**9)
    assert t.now == 0 and not link.limited


def test_reservations_queue_behind_each_other():
    """What one transfer has reserved, the next waits for: the link is shared, not per connection."""
    t = _FakeTime()
    link = Link(lambda: 8, clock=t.clock, sleep=lambda s: None)  # 1 MB/s; nobody actually waits
    link.carry(MB)
    link.carry(MB)
    assert link._free_at == pytest.approx(2.0)  # noqa: SLF001  (the second megabyte ends at 2 s)


# --------------------------------------------------------------------------- over HTTP


def test_an_upload_takes_its_size_over_the_bandwidth():
    """2 MB over 20 Mbit/s: about 0.8 s (the link limit), not loopback's few milliseconds."""
    with EmulatorServer(bandwidth_mbps=20) as emu:
        api = Api(emu)
        api.ok("flickr.test.login")  # connection and OAuth warm
        elapsed, photo_id = _timed(api.upload_id, _jpeg_of(2 * MB))
        assert photo_id
        assert 0.7 <= elapsed <= 2.0, elapsed


def test_a_download_of_the_original_takes_its_size_over_the_bandwidth():
    data = _jpeg_of(2 * MB, seed=2)
    with EmulatorServer() as emu:
        api = Api(emu)
        url = api.original_url(api.upload_id(data, is_public=1))
        emu.set_network(bandwidth_mbps=20)
        elapsed, got = _timed(api.fetch, url)
        assert got.content == data
        assert 0.7 <= elapsed <= 2.0, elapsed


def test_two_transfers_at_once_share_the_link():
    """Two 1 MB uploads in parallel over 20 Mbit/s: each alone would take 0.4 s; sharing the link,
    both end after about the time of 2 MB (0.8 s)."""
    with EmulatorServer(bandwidth_mbps=20) as emu:
        apis = [Api(emu), Api(emu)]
        for api in apis:
            api.ok("flickr.test.login")
        times: list[float] = []

        def upload(api: Api, seed: int) -> None:
            times.append(_timed(api.upload_id, _jpeg_of(MB, seed=seed))[0])

        threads = [threading.Thread(target=upload, args=(api, i)) for i, api in enumerate(apis)]
        start = time.monotonic()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        total = time.monotonic() - start
        assert len(times) == 2
        assert 0.7 <= total <= 2.0, total
        assert min(times) >= 0.55, times  # neither had the link to itself


def test_answers_cross_the_link_too():
    """A REST answer of a few hundred kilobytes is slowed like any other body."""
    with EmulatorServer() as emu:
        api = Api(emu)
        for i in range(3):
            api.upload_id(make_jpeg_bytes(seed=i), title="t" * 2000, description="d" * 60000)
        fast, _ = _timed(api.ok, "flickr.people.getPhotos", user_id="me", extras="description")
        size = len(api.raw("flickr.people.getPhotos", user_id="me", extras="description").content)
        emu.set_network(bandwidth_mbps=1)
        slow, _ = _timed(api.ok, "flickr.people.getPhotos", user_id="me", extras="description")
        assert size > 150_000
        assert slow >= size * 8 / 1_000_000 * 0.8, (slow, size)
        assert slow > fast + 0.5


def test_upload_processing_time_is_spent_before_a_sync_answer():
    with EmulatorServer(upload_processing_ms=600) as emu:
        api = Api(emu)
        api.ok("flickr.test.login")
        elapsed, _ = _timed(api.upload_id, make_jpeg_bytes(seed=3))
        assert 0.6 <= elapsed <= 2.0, elapsed
        replaced, root = _timed(api.replace, make_jpeg_bytes(seed=4), api.upload_id(make_jpeg_bytes(seed=5)))
        assert root.get("stat") == "ok"
        assert 0.6 <= replaced <= 2.0, replaced


def test_an_async_upload_answers_at_once_and_its_ticket_waits_for_processing():
    with EmulatorServer(upload_processing_ms=60_000) as emu:
        api = Api(emu)
        api.ok("flickr.test.login")
        elapsed, root = _timed(api.upload, make_jpeg_bytes(seed=6), **{"async": 1})
        assert elapsed < 5
        ticket = root.findtext("ticketid")
        status = api.ok("flickr.photos.upload.checkTickets", tickets=ticket)["uploader"]["ticket"][0]
        assert status["complete"] == 0


def test_the_network_is_set_and_read_through_the_control_surface():
    with EmulatorServer() as emu:
        assert control(emu, "network").json() == {"latency_ms": 0, "bandwidth_mbps": 0, "upload_processing_ms": 0}
        r = control(emu, "network", "POST", {"bandwidth_mbps": 20, "upload_processing_ms": 1500, "latency_ms": 100})
        assert r.status_code == 200
        assert r.json() == {"latency_ms": 100, "bandwidth_mbps": 20, "upload_processing_ms": 1500}
        assert emu.backend.link.limited
        assert control(emu, "network", "POST", {"bandwidth_mbps": -1}).status_code == 400
        assert control(emu, "network", "POST", {"jitter_ms": 5}).status_code == 400
        assert control(emu, "network").json()["bandwidth_mbps"] == 20


def test_the_network_options_on_the_command_line_and_in_the_config():
    help_text = CliRunner().invoke(emulator_command, ["--help"]).output
    for option in ("--latency-ms", "--bandwidth-mbps", "--upload-processing-ms"):
        assert option in help_text
    assert CliRunner().invoke(emulator_command, ["--bandwidth-mbps", "-3"]).exit_code == 2
    with pytest.raises(ValueError):
        EmulatorConfig(upload_processing_ms=-1)
