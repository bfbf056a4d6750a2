"""The client's limits on API answers against a hostile server on 127.0.0.1: size (in
tests/reliability/test_bounded_input.py, through a whole run), number of objects, nesting."""

from __future__ import annotations

import json
import time

import pytest

from pycsync.flickr import AuthError, FlickrError, OutcomeUnknown, TransientError, transport
from tests.support.flickr_stub import client_of, send_headers


def _json(handler, body: bytes) -> None:
    send_headers(handler, {"Content-Type": "application/json", "Content-Length": str(len(body))})
    handler.wfile.write(body)


def test_an_answer_with_too_many_objects_is_refused(hostile):
    body = b'{"stat": "ok", "photos": {"photo": [' + b"{}," * 300_000 + b"{}]}}"
    hostile.serve = lambda handler: _json(handler, body)
    with pytest.raises(FlickrError, match="objects") as refused:
        client_of(hostile).call("flickr.photos.search")
    assert refused.typename == "LimitExceeded", "refused, not retried"


def test_a_too_deep_answer_to_a_write_is_an_unknown_outcome(hostile):
    body = b'{"stat": "ok", "photoset": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
    hostile.serve = lambda handler: _json(handler, body)
    with pytest.raises(OutcomeUnknown, match="nested too deeply"):
        client_of(hostile).create_album("a", "1")


def test_a_deeply_nested_upload_answer_is_refused(hostile, tmp_path):
    body = b'<rsp stat="ok">' + b"<x>" * 1000 + b"</x>" * 1000 + b"<photoid>1</photoid></rsp>"
    hostile.serve = lambda handler: (
        handler.rfile.read(int(handler.headers["Content-Length"])),
        send_headers(handler, {"Content-Type": "text/xml", "Content-Length": str(len(body))}),
        hostile.send(handler, body),
    )
    photo = tmp_path / "a.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + b"\0" * 100)
    with pytest.raises(OutcomeUnknown, match="nested too deeply"):
        client_of(hostile).upload(photo, title="a")


def test_an_ordinary_answer_passes(hostile):
    page = {"photos": {"page": 1, "pages": 1, "photo": [{"id": str(i), "title": "[x] {y}"} for i in range(500)]}}
    hostile.serve = lambda handler: _json(handler, json.dumps({**page, "stat": "ok"}).encode())
    assert len(list(client_of(hostile).search())) == 500


def _read_request(handler) -> None:
    handler.rfile.read(int(handler.headers.get("Content-Length") or 0))


def test_an_answer_larger_than_the_limit_is_refused_once_that_much_has_come(hostile, tmp_path):
    """Read as it comes: a 64 MiB answer is refused at 16 MiB, not read whole first."""
    size = 64 << 20

    def serve(handler) -> None:
        _read_request(handler)
        send_headers(handler, {"Content-Type": "application/json", "Content-Length": str(size)})
        block = b" " * (1 << 16)
        while hostile.sent < size and hostile.send(handler, block):
            pass

    hostile.serve = serve
    photo = tmp_path / "a.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + b"\0" * 100)
    client = client_of(hostile)
    calls = (
        ("LimitExceeded", "flickr.photos.search", lambda: client.call("flickr.photos.search")),
        ("OutcomeUnknown", "flickr.photosets.create", lambda: client.create_album("a", "1")),
        ("OutcomeUnknown", "upload", lambda: client.upload(photo, title="a")),
    )
    for refused_as, method, call in calls:
        hostile.sent = 0
        with pytest.raises(FlickrError) as refused:
            call()
        assert (type(refused.value).__name__, str(refused.value), refused.value.method) == (
            refused_as,
            f"{method}: the answer is larger than 16 MiB; refused",
            method,
        )
        assert hostile.sent < 48 << 20, "read whole before it was refused"


def test_an_answer_that_does_not_come_in_time_is_given_up(hostile, tmp_path):
    def serve(handler) -> None:  # reads the request, then answers nothing for 3 s
        _read_request(handler)
        time.sleep(3)

    hostile.serve = serve
    photo = tmp_path / "a.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + b"\0" * 100)
    client = client_of(hostile, timeout=(5, 0.2), upload_timeout=(5, 0.2))
    calls = (
        ("TransientError", "flickr.photos.search", lambda: client.call("flickr.photos.search")),
        ("OutcomeUnknown", "flickr.photosets.create", lambda: client.create_album("a", "1")),
        ("OutcomeUnknown", "upload", lambda: client.upload(photo, title="a")),
    )
    for given_up_as, method, call in calls:
        with pytest.raises(TransientError) as given_up:
            call()
        assert (type(given_up.value).__name__, str(given_up.value)) == (
            given_up_as,
            f"{method}: no answer in time after the request was sent",
        )


def test_an_upload_refused_by_a_server_whose_clock_is_far_off_is_told_as_the_clock(hostile, tmp_path):
    body = b"oauth_problem=signature_invalid"

    def serve(handler) -> None:  # (send_response would add a Date of its own)
        _read_request(handler)
        handler.send_response_only(401)
        handler.send_header("Date", "Mon, 01 Jan 2024 00:00:00 GMT")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        hostile.send(handler, body)

    hostile.serve = serve
    photo = tmp_path / "a.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + b"\0" * 100)
    with pytest.raises(AuthError) as refused:
        client_of(hostile).upload(photo, title="a")
    assert (type(refused.value).__name__, refused.value.server_time, refused.value.method) == (
        "ClockSkew",
        1704067200,
        "upload",
    )


def test_an_answer_of_exactly_the_limit_is_read_whole(hostile):
    head, tail = b'{"stat": "ok", "a": "', b'"}'
    body = head + b"x" * (transport.MAX_ANSWER_BYTES - len(head) - len(tail)) + tail
    hostile.serve = lambda handler: _json(handler, body)
    assert client_of(hostile).call("flickr.photos.search")["a"] == "x" * (len(body) - len(head) - len(tail))
