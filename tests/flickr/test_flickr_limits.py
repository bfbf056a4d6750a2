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
