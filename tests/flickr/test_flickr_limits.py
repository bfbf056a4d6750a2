"""The client's download limits against a hostile server on 127.0.0.1: size, free space,
stalls and overall time (answers: test_flickr_answer_limits.py).

Every server here stops on its own (a few seconds, a few MiB at most).
"""

from __future__ import annotations

import gzip
import io
import re
import time

import pytest

from pycsync.flickr import (
    AuthError,
    DiskSpaceLow,
    DownloadLimits,
    LimitExceeded,
    TransientError,
)
from tests.support.flickr_stub import client_of, send_headers

# ----------------------------------------------------------------------------- downloads


def _chunked_forever(hostile, limit: int = 64 << 20, seconds: float = 10):
    """A download without a declared size that never ends (HTTP chunked encoding)."""

    def serve(handler) -> None:
        send_headers(handler, {"Content-Type": "image/jpeg", "Transfer-Encoding": "chunked"})
        block = b"\0" * (1 << 16)
        deadline = time.monotonic() + seconds
        while hostile.sent < limit and time.monotonic() < deadline:
            if not hostile.send(handler, b"%x\r\n%s\r\n" % (len(block), block)):
                return

    return serve


def test_a_download_without_a_declared_size_stops_at_the_limit(hostile):
    hostile.serve = _chunked_forever(hostile)
    out = io.BytesIO()
    with pytest.raises(LimitExceeded) as refused:
        client_of(hostile).download(
            hostile.base + "/a.jpg", out, limits=DownloadLimits(max_bytes=1 << 20, kind="photo")
        )
    assert (
        str(refused.value) == f"download: refusing {hostile.base}/a.jpg: more than Flickr accepts for a photo (1 MiB)"
    )
    assert len(out.getvalue()) <= 1 << 20, "nothing past the limit was written"
    assert hostile.sent < 16 << 20


def test_a_declared_size_larger_than_the_free_space_is_refused_before_any_byte(hostile):
    hostile.serve = lambda handler: send_headers(
        handler, {"Content-Type": "image/jpeg", "Content-Length": str(50 << 20)}
    )
    out = io.BytesIO()
    with pytest.raises(LimitExceeded) as refused:
        client_of(hostile).download(hostile.base + "/a.jpg", out, limits=DownloadLimits(room=lambda: (10 << 20) + 1))
    assert out.getvalue() == b""
    assert str(refused.value) == (
        f"download: not enough free disk space for {hostile.base}/a.jpg (50 MiB): 10 MiB free beyond what is kept free"
    )
    assert not isinstance(refused.value, DiskSpaceLow), "this file does not fit; a smaller one may"


def test_no_download_starts_once_the_disk_is_down_to_the_margin(hostile):
    hostile.serve = lambda handler: send_headers(handler, {"Content-Type": "image/jpeg", "Content-Length": "1000"})
    out = io.BytesIO()
    with pytest.raises(DiskSpaceLow) as refused:  # none fits: a caller may stop the run there
        client_of(hostile).download(hostile.base + "/a.jpg", out, limits=DownloadLimits(room=lambda: -1))
    assert out.getvalue() == b""
    assert str(refused.value) == (
        f"download: not enough free disk space for {hostile.base}/a.jpg (0 MiB): 0 MiB free beyond what is kept free"
    )


@pytest.mark.parametrize(
    "declared, limit, said",
    [
        ((3 << 29) + 1, 1 << 30, "it is 1.5 GiB, more than Flickr accepts for a video (1.0 GiB)"),
        ((1 << 30) + 1, (1 << 30) - 1, "it is 1.0 GiB, more than Flickr accepts for a video (1024 MiB)"),
        ((3 << 19) + 1, 1 << 20, "it is 2 MiB, more than Flickr accepts for a video (1 MiB)"),
    ],
)
def test_a_declared_size_over_the_limit_is_refused_in_words(hostile, declared, limit, said):
    hostile.serve = lambda handler: send_headers(
        handler, {"Content-Type": "video/mp4", "Content-Length": str(declared)}
    )
    out = io.BytesIO()
    with pytest.raises(LimitExceeded) as refused:
        client_of(hostile).download(hostile.base + "/v.mp4", out, limits=DownloadLimits(max_bytes=limit, kind="video"))
    assert str(refused.value) == f"download: refusing {hostile.base}/v.mp4: {said}"
    assert out.getvalue() == b""


def test_a_download_stops_when_the_disk_fills_up(hostile):
    hostile.serve = _chunked_forever(hostile)
    out = io.BytesIO()
    # the free space left beyond the margin: what the disk has minus what was written
    with pytest.raises(DiskSpaceLow) as stopped:
        client_of(hostile).download(
            hostile.base + "/a.jpg", out, limits=DownloadLimits(room=lambda: (20 << 20) - len(out.getvalue()))
        )
    assert len(out.getvalue()) <= 28 << 20  # checked every 8 MiB
    assert re.fullmatch(
        f"download: stopped downloading {re.escape(hostile.base)}/a.jpg after \\d+ MiB: "
        "the disk is down to the free space kept free",
        str(stopped.value),
    )


def _plain(hostile, size: int, declared: bool = True):
    """A download of ``size`` bytes, its size declared or not (chunked)."""

    def serve(handler) -> None:
        block = b"\0" * (1 << 16)
        if declared:
            send_headers(handler, {"Content-Type": "image/jpeg", "Content-Length": str(size)})
        else:
            send_headers(handler, {"Content-Type": "image/jpeg", "Transfer-Encoding": "chunked"})
        left = size
        while left:
            part = block[: min(left, len(block))]
            if not hostile.send(handler, part if declared else b"%x\r\n%s\r\n" % (len(part), part)):
                return
            left -= len(part)
        if not declared:
            hostile.send(handler, b"0\r\n\r\n")

    return serve


def test_free_space_is_asked_before_the_first_byte_and_then_every_8_mib(hostile):
    asked = []
    hostile.serve = _plain(hostile, 20 << 20)
    out = io.BytesIO()
    client_of(hostile).download(
        hostile.base + "/a.jpg", out, limits=DownloadLimits(room=lambda: asked.append(1) or 1 << 40)
    )
    assert (len(out.getvalue()), len(asked)) == (20 << 20, 3)


def test_a_download_may_fill_the_disk_to_exactly_the_free_space_kept_free(hostile):
    hostile.serve = _plain(hostile, 10 << 20, declared=False)
    out = io.BytesIO()
    client_of(hostile).download(hostile.base + "/a.jpg", out, limits=DownloadLimits(room=lambda: 0))
    assert len(out.getvalue()) == 10 << 20


def test_a_file_of_exactly_the_size_flickr_accepts_is_downloaded(hostile):
    hostile.serve = _plain(hostile, 1 << 20, declared=False)
    out = io.BytesIO()
    client_of(hostile).download(hostile.base + "/a.jpg", out, limits=DownloadLimits(max_bytes=1 << 20, kind="photo"))
    assert len(out.getvalue()) == 1 << 20


def test_a_stalled_download_times_out(hostile):
    def serve(handler) -> None:
        send_headers(handler, {"Content-Type": "image/jpeg", "Content-Length": "100000"})
        hostile.send(handler, b"\xff\xd8" + b"\0" * 998)
        time.sleep(5)  # then nothing: the server hangs

    hostile.serve = serve
    out = io.BytesIO()
    started = time.monotonic()
    with pytest.raises(TransientError, match="stalled"):
        client_of(hostile).download(hostile.base + "/a.jpg", out, limits=DownloadLimits(stall_seconds=0.5))
    assert time.monotonic() - started < 4


def test_a_trickling_download_hits_the_overall_limit(hostile):
    def serve(handler) -> None:
        send_headers(handler, {"Content-Type": "image/jpeg", "Content-Length": "1000"})
        for _ in range(200):  # a byte every 50 ms: never stalled, never done
            if not hostile.send(handler, b"\0"):
                return
            time.sleep(0.05)

    hostile.serve = serve
    started = time.monotonic()
    with pytest.raises(LimitExceeded) as slow:
        client_of(hostile).download(
            hostile.base + "/a.jpg",
            io.BytesIO(),
            limits=DownloadLimits(stall_seconds=5, base_seconds=0.5, min_rate=1000),
        )
    assert time.monotonic() - started < 4  # 0.5 s + 1000 bytes at 1000 bytes/s
    assert re.fullmatch(
        f"download: download of {re.escape(hostile.base)}/a.jpg too slow: \\d+ bytes in [1-4] s "
        "\\(the limit for its size is 2 s\\)",
        str(slow.value),
    )


def test_downloads_ask_for_the_file_as_it_is(hostile):
    seen = []

    def serve(handler) -> None:
        seen.append(handler.headers.get("Accept-Encoding"))
        send_headers(handler, {"Content-Type": "image/jpeg", "Content-Length": "3"})
        hostile.send(handler, b"abc")

    hostile.serve = serve
    out = io.BytesIO()
    client_of(hostile).download(hostile.base + "/a.jpg", out)
    assert out.getvalue() == b"abc" and seen == ["identity"]


def test_a_server_that_compresses_the_file_anyway_delivers_the_file_itself(hostile):
    """Asked for the file as it is, a server may still send it gzip-encoded: what is written is
    the file, never its compressed form."""
    photo = b"\xff\xd8" + bytes(range(256)) * 40
    packed = gzip.compress(photo)

    def serve(handler) -> None:
        send_headers(
            handler, {"Content-Type": "image/jpeg", "Content-Encoding": "gzip", "Content-Length": str(len(packed))}
        )
        hostile.send(handler, packed)

    hostile.serve = serve
    out = io.BytesIO()
    result = client_of(hostile).download(hostile.base + "/a.jpg", out)
    assert out.getvalue() == photo and result.bytes_written == len(photo)


# ----------------------------------------------------------------------------- what a download is told


def test_an_error_page_is_read_no_further_than_its_start(hostile):
    def serve(handler) -> None:  # an error page that never ends
        send_headers(handler, {"Content-Type": "text/html", "Transfer-Encoding": "chunked"}, status=503)
        block = b"<p>busy</p>" * 6000
        deadline = time.monotonic() + 10
        while hostile.sent < 64 << 20 and time.monotonic() < deadline:
            if not hostile.send(handler, b"%x\r\n%s\r\n" % (len(block), block)):
                return

    hostile.serve = serve
    with pytest.raises(TransientError) as busy:
        client_of(hostile).download(hostile.base + "/a.jpg", io.BytesIO())
    assert str(busy.value) == "download: HTTP 503"
    assert hostile.sent < 32 << 20


def test_a_compressed_error_page_is_read_for_what_it_says(hostile):
    page = gzip.compress(b"<html>Sorry, the Flickr API service is not currently available.</html>")
    hostile.serve = lambda handler: (
        send_headers(handler, {"Content-Encoding": "gzip", "Content-Length": str(len(page))}, status=400),
        hostile.send(handler, page),
    )
    with pytest.raises(TransientError) as later:
        client_of(hostile).download(hostile.base + "/a.jpg", io.BytesIO())
    assert str(later.value) == "download: HTTP 400: service not currently available"


def test_a_download_refused_by_a_server_whose_clock_is_far_off_is_told_as_the_clock(hostile):
    body = b"oauth_problem=signature_invalid"

    def serve(handler) -> None:  # (send_response would add a Date of its own)
        handler.send_response_only(401)
        handler.send_header("Date", "Mon, 01 Jan 2024 00:00:00 GMT")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        hostile.send(handler, body)

    hostile.serve = serve
    with pytest.raises(AuthError) as refused:
        client_of(hostile).download(hostile.base + "/a.jpg", io.BytesIO())
    assert (type(refused.value).__name__, refused.value.problem, refused.value.server_time) == (
        "ClockSkew",
        "signature_invalid",
        1704067200,
    )


@pytest.mark.parametrize(
    "headers", [{"Content-Length": "-5"}, {"Content-Length": "x"}, {"Connection": "close"}], ids=str
)
def test_a_size_that_is_no_size_is_not_taken_for_the_files(hostile, headers):
    hostile.serve = lambda handler: (send_headers(handler, headers), hostile.send(handler, b"abc"))
    out = io.BytesIO()
    assert client_of(hostile).download(hostile.base + "/a.jpg", out).bytes_written == 3
    assert out.getvalue() == b"abc"


def test_a_declared_size_with_an_empty_encoding_is_the_files(hostile):
    hostile.serve = lambda handler: send_headers(handler, {"Content-Length": "3000", "Content-Encoding": ""})
    with pytest.raises(LimitExceeded, match="it is 0 MiB, more than Flickr accepts"):
        client_of(hostile).download(hostile.base + "/a.jpg", io.BytesIO(), limits=DownloadLimits(max_bytes=2999))


def test_a_declared_size_of_exactly_the_limit_or_the_free_space_is_downloaded(hostile):
    hostile.serve = _plain(hostile, 1 << 20)
    for limits in (DownloadLimits(max_bytes=1 << 20, kind="photo"), DownloadLimits(room=lambda: 1 << 20)):
        out = io.BytesIO()
        client_of(hostile).download(hostile.base + "/a.jpg", out, limits=limits)
        assert len(out.getvalue()) == 1 << 20


def test_a_disk_at_exactly_the_free_space_kept_free_has_room_for_no_file_but_another_may_fit(hostile):
    """Nothing below the margin: a run goes on to the next file (a file of no bytes fits)."""
    hostile.serve = _plain(hostile, 1000)
    with pytest.raises(LimitExceeded) as refused:
        client_of(hostile).download(hostile.base + "/a.jpg", io.BytesIO(), limits=DownloadLimits(room=lambda: 0))
    assert type(refused.value) is LimitExceeded
    assert str(refused.value).endswith("(0 MiB): 0 MiB free beyond what is kept free")


@pytest.mark.parametrize("declared, needed", [(True, " (0 MiB)"), (False, "")])
def test_below_the_margin_the_message_gives_the_size_only_when_it_is_known(hostile, declared, needed):
    hostile.serve = _plain(hostile, 0, declared=declared)
    with pytest.raises(DiskSpaceLow) as refused:
        client_of(hostile).download(hostile.base + "/a.jpg", io.BytesIO(), limits=DownloadLimits(room=lambda: -1))
    assert str(refused.value) == (
        f"download: not enough free disk space for {hostile.base}/a.jpg{needed}: 0 MiB free beyond what is kept free"
    )


@pytest.mark.parametrize("size, asked", [((8 << 20) - 1, 1), (8 << 20, 2)])
def test_free_space_is_asked_again_once_8_mib_are_written(hostile, size, asked):
    seen = []
    hostile.serve = _plain(hostile, size)
    client_of(hostile).download(
        hostile.base + "/a.jpg", io.BytesIO(), limits=DownloadLimits(room=lambda: seen.append(1) or 1 << 40)
    )
    assert len(seen) == asked


def _stalling(hostile, first: int):
    def serve(handler) -> None:
        send_headers(handler, {"Content-Type": "image/jpeg", "Content-Length": "100000"})
        hostile.send(handler, b"\0" * first)
        time.sleep(5)  # then nothing: the server hangs

    return serve


@pytest.mark.parametrize("first, said", [(0, ""), (1000, "download interrupted after 1000 bytes: ")])
def test_a_stall_is_the_clients_read_timeout_unless_the_download_sets_its_own(hostile, first, said):
    hostile.serve = _stalling(hostile, first)
    for limits in (DownloadLimits(), DownloadLimits(stall_seconds=0.25)):
        with pytest.raises(TransientError) as stalled:
            client_of(hostile, timeout=0.5).download(hostile.base + "/a.jpg", io.BytesIO(), limits=limits)
        seconds = limits.stall_seconds or 0.5
        assert (str(stalled.value), stalled.value.method) == (
            f"download: {said}download stalled: no data for {seconds:g} s",
            "download",
        )


def test_a_download_from_a_host_that_never_takes_the_connection_gives_up_at_the_connect_timeout():
    """The connect timeout is the client's, whatever the download's stall limit (a listening
    socket whose queue is full drops further connection attempts, as a host that drops packets)."""
    import socket

    from pycsync.flickr import Endpoints, FlickrClient, Unreachable
    from tests.support.flickr_stub import CREDS

    with socket.create_server(("127.0.0.1", 0), backlog=0) as full:
        port = full.getsockname()[1]
        waiting = [socket.socket() for _ in range(3)]
        for s in waiting:
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", port))
        client = FlickrClient(
            Endpoints.for_base("http://localhost:9"), CREDS, calls_per_hour=None, max_retries=0, timeout=(0.3, 5)
        )
        started = time.monotonic()
        with pytest.raises(Unreachable) as unreachable:
            client.download(f"http://127.0.0.1:{port}/a.jpg", io.BytesIO(), limits=DownloadLimits(stall_seconds=10))
        assert time.monotonic() - started < 5
        assert unreachable.value.reason == "timed out"
        for s in waiting:
            s.close()


def test_a_download_cut_off_before_its_first_byte_is_worth_trying_again(hostile):
    hostile.serve = lambda handler: send_headers(handler, {"Content-Type": "image/jpeg", "Content-Length": "1000"})
    with pytest.raises(TransientError) as cut:
        client_of(hostile).download(hostile.base + "/a.jpg", io.BytesIO())
    assert (type(cut.value).__name__, str(cut.value), cut.value.method) == (
        "TransientError",
        f"download: the answer was cut off after the request was sent ({hostile.base}/a.jpg)",
        "download",
    )
