"""REST ``format`` handling beyond XML/JSON basics: explicit ``rest``, ``php_serial``, unknown formats,
``nojsoncallback`` without JSON, JSONP callback validation, a missing ``method``."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest

from tests.support.api import Api
from tests.support.media import make_jpeg_bytes


def php_unserialize(text: str):
    """A small independent reader for PHP ``serialize()`` output (strings counted in UTF-8 bytes)."""
    data = text.encode("utf-8")
    pos = 0

    def read():
        nonlocal pos
        kind = chr(data[pos])
        if kind == "N":
            pos += 2
            return None
        if kind in "ib":
            end = data.index(b";", pos)
            value = int(data[pos + 2 : end])
            pos = end + 1
            return bool(value) if kind == "b" else value
        if kind == "s":
            colon = data.index(b":", pos + 2)
            n = int(data[pos + 2 : colon])
            start = colon + 2
            value = data[start : start + n].decode("utf-8")
            assert data[start + n : start + n + 2] == b'";'
            pos = start + n + 2
            return value
        if kind == "a":
            colon = data.index(b":", pos + 2)
            n = int(data[pos + 2 : colon])
            pos = colon + 2
            out = {}
            for _ in range(n):
                k = read()
                out[k] = read()
            assert data[pos : pos + 1] == b"}"
            pos += 1
            return out
        raise AssertionError(f"unexpected {kind!r} at {pos}")

    value = read()
    assert pos == len(data)
    return value


def test_explicit_format_rest_is_xml(emulator):
    r = Api(emulator).raw("flickr.test.login", fmt="rest")
    assert r.headers["Content-Type"] == "text/xml; charset=utf-8"
    assert ET.fromstring(r.content).find("user").get("id") == emulator.user_nsid


def test_php_serial_mirrors_the_json_tree(emulator):
    api = Api(emulator)
    pid = api.upload_id(make_jpeg_bytes(seed=1), title="Zürich ☃")
    r = api.raw("flickr.photos.getInfo", fmt="php_serial", photo_id=pid)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/plain")
    as_php = php_unserialize(r.text)
    as_json = api.ok("flickr.photos.getInfo", photo_id=pid)

    def listify(v):  # PHP arrays keyed 0..n-1 are JSON lists
        if isinstance(v, dict):
            if v and list(v) == list(range(len(v))):
                return [listify(x) for x in v.values()]
            return {k: listify(x) for k, x in v.items()}
        return v

    def empty_lists_as_arrays(v):  # an empty JSON list serialises as the empty PHP array a:0:{}
        if isinstance(v, dict):
            return {k: empty_lists_as_arrays(x) for k, x in v.items()}
        if isinstance(v, list):
            return [empty_lists_as_arrays(x) for x in v] if v else {}
        return v

    assert listify(as_php) == empty_lists_as_arrays(as_json)
    assert as_php["photo"]["title"] == {"_content": "Zürich ☃"}
    fail = php_unserialize(api.raw("flickr.nope", fmt="php_serial").text)
    assert fail == {"stat": "fail", "code": 112, "message": 'Method "flickr.nope" not found'}


@pytest.mark.parametrize("fmt", ["xmlrpc", "soap", "xml", "yaml"])
def test_unknown_formats_are_111_in_xml(emulator, fmt):
    r = Api(emulator).raw("flickr.test.login", fmt=fmt)
    err = ET.fromstring(r.content).find("err")
    assert r.status_code == 200 and err.get("code") == "111" and err.get("msg") == f'Format "{fmt}" not found'


def test_nojsoncallback_without_format_json_is_xml(emulator):
    r = Api(emulator).raw("flickr.test.login", fmt=None, nojsoncallback="1")
    assert r.headers["Content-Type"] == "text/xml; charset=utf-8" and r.text.startswith("<?xml")


@pytest.mark.parametrize(
    "callback,expected",
    [
        ("myCallback", "myCallback"),
        ("jQuery1234_5678", "jQuery1234_5678"),
        ("ns.sub.fn", "ns.sub.fn"),
        ("$cb", "$cb"),
        ("alert(1)//", "jsonFlickrApi"),
        ("<script>", "jsonFlickrApi"),
        ("a b", "jsonFlickrApi"),
        ("1abc", "jsonFlickrApi"),
        ("x" * 200, "jsonFlickrApi"),
        ("", "jsonFlickrApi"),
    ],
)
def test_jsonp_callback_names_are_validated(emulator, callback, expected):
    r = Api(emulator).raw("flickr.test.echo", nojsoncallback=False, jsoncallback=callback, foo="bar")
    assert r.headers["Content-Type"] == "text/javascript; charset=utf-8"
    m = re.fullmatch(r"([^(]*)\((.*)\)", r.text, re.S)
    assert m and m.group(1) == expected
    assert json.loads(m.group(2))["foo"] == {"_content": "bar"}


def test_nojsoncallback_wins_over_jsoncallback(emulator):
    r = Api(emulator).raw("flickr.test.login", jsoncallback="cb")  # nojsoncallback=1 is sent too
    assert r.headers["Content-Type"].startswith("application/json") and r.json()["stat"] == "ok"


def test_missing_method(emulator):
    api = Api(emulator)
    assert api.call(None) == {"stat": "fail", "code": 112, "message": 'Method "" not found'}  # type: ignore[arg-type]
    r = api.raw(None, fmt=None)
    err = ET.fromstring(r.content).find("err")
    assert err.attrib == {"code": "112", "msg": 'Method "" not found'}
    r = Api(emulator, signed=False).raw(None, http="GET", fmt=None)
    assert ET.fromstring(r.content).find("err").get("code") == "112"
