"""The client's limits on API answers against a hostile server on 127.0.0.1: size (in
tests/reliability/test_bounded_input.py, through a whole run), number of objects, nesting."""

from __future__ import annotations

import json

import pytest

from pycsync.flickr import FlickrError, OutcomeUnknown
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
