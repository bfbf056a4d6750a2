"""Response envelopes: XML (default), JSON, JSONP; format / method errors (docs/flickr-behaviour.md)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from pycsync.emulator import EmulatorServer
from tests.support.api import Api
from tests.support.media import make_jpeg_bytes


def test_xml_is_the_default(emulator):
    api = Api(emulator)
    r = api.raw("flickr.test.login", fmt=None)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/xml; charset=utf-8"
    assert r.text.startswith('<?xml version="1.0" encoding="utf-8" ?>\n<rsp stat="ok">\n')
    root = ET.fromstring(r.content)
    user = root.find("user")
    assert user.get("id") == emulator.user_nsid
    assert user.findtext("username") == emulator.username


def test_json_and_jsonp(emulator):
    api = Api(emulator)
    r = api.raw("flickr.test.echo", foo="bar")
    assert r.headers["Content-Type"].startswith("application/json")
    body = r.json()
    assert body["stat"] == "ok" and body["foo"] == {"_content": "bar"}
    assert body["method"] == {"_content": "flickr.test.echo"}
    r = api.raw("flickr.test.echo", nojsoncallback=False, foo="bar")
    assert r.text.startswith("jsonFlickrApi({") and r.text.endswith("})")
    assert json.loads(r.text[len("jsonFlickrApi(") : -1])["foo"]["_content"] == "bar"
    r = api.raw("flickr.test.echo", nojsoncallback=False, jsoncallback="myCb")
    assert r.text.startswith("myCb({")


def test_errors_are_http_200_in_the_requested_format(emulator):
    api = Api(emulator)
    r = api.raw("flickr.fakeMethod")
    assert r.status_code == 200
    assert r.json() == {"stat": "fail", "code": 112, "message": 'Method "flickr.fakeMethod" not found'}
    r = api.raw("flickr.fakeMethod", fmt=None)
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/xml; charset=utf-8"
    assert r.text == (
        '<?xml version="1.0" encoding="utf-8" ?>\n<rsp stat="fail">\n'
        '\t<err code="112" msg="Method &quot;flickr.fakeMethod&quot; not found" />\n</rsp>\n'
    )
    r = api.raw("flickr.fakeMethod", nojsoncallback=False)
    assert r.text.startswith("jsonFlickrApi(") and '"code":112' in r.text


def test_unknown_format_is_111(emulator):
    r = Api(emulator).raw("flickr.test.login", fmt="yaml")
    assert r.status_code == 200
    root = ET.fromstring(r.content)
    assert root.get("stat") == "fail"
    assert root.find("err").get("code") == "111"
    assert root.find("err").get("msg") == 'Format "yaml" not found'


def test_missing_method_is_112(emulator):
    body = Api(emulator).call(None)  # type: ignore[arg-type]
    assert body["code"] == 112


def test_empty_success_bodies(emulator):
    api = Api(emulator)
    pid = api.upload_id(make_jpeg_bytes(seed=1))
    assert api.call("flickr.photos.setMeta", photo_id=pid, title="t") == {"stat": "ok"}
    r = api.raw("flickr.photos.getAllContexts", fmt=None, photo_id=pid)
    assert r.text == '<?xml version="1.0" encoding="utf-8" ?>\n<rsp stat="ok">\n</rsp>\n'
    assert api.call("flickr.photos.getAllContexts", photo_id=pid) == {"stat": "ok"}


def test_get_and_post_both_accepted(emulator):
    api = Api(emulator)
    pid = api.upload_id(make_jpeg_bytes(seed=1))
    assert api.call("flickr.photos.setMeta", http="GET", photo_id=pid, title="via get")["stat"] == "ok"
    assert api.info(pid)["title"]["_content"] == "via get"


def test_xml_escaping_roundtrip(emulator):
    api = Api(emulator)
    pid = api.upload_id(make_jpeg_bytes(seed=1), title='a <b> & "c"\nline2', description="x\ty")
    root = api.xml("flickr.photos.getInfo", photo_id=pid)
    assert root.find("photo").findtext("title") == 'a <b> & "c"\nline2'
    root = api.xml("flickr.photos.search", user_id="me", text="line2")
    assert root.find("photos/photo").get("title") == 'a <b> & "c"\nline2'


def test_json_scalar_types_are_flickrs(emulator):
    api = Api(emulator)
    pid = api.upload_id(make_jpeg_bytes(seed=1))
    sid = api.create_set("S", pid)
    photos = api.ok("flickr.photos.search", user_id="me", extras="date_upload,last_update,views,o_dims,url_o")
    p = photos["photos"]
    assert isinstance(p["page"], int) and isinstance(p["pages"], int) and isinstance(p["perpage"], int)
    assert isinstance(p["total"], str)
    ph = p["photo"][0]
    assert isinstance(ph["id"], str) and isinstance(ph["server"], str) and ph["server"] == "65535"
    assert ph["farm"] == 66
    assert all(isinstance(ph[k], int) for k in ("ispublic", "isfriend", "isfamily"))
    assert all(isinstance(ph[k], str) for k in ("dateupload", "lastupdate", "views", "o_width"))
    assert int(ph["id"]) > 5 * 10**10
    sp = api.ok("flickr.photosets.getPhotos", photoset_id=sid)["photoset"]
    assert sp["photo"][0]["isprimary"] == "1" and isinstance(sp["total"], str)
    assert sp["per_page"] == sp["perpage"] == 500
    assert sid.startswith("72157") and len(sid) == 17


@pytest.mark.parametrize("types,expected", [("numbers", int), ("strings", str)])
def test_the_typing_option_types_every_inconsistent_number_one_way(types, expected):
    """--types numbers|strings: each field real Flickr types either way comes out one way (ids and
    always-string fields are untouched)."""
    with EmulatorServer(types=types) as emu:
        api = Api(emu)
        pid = api.upload_id(make_jpeg_bytes(seed=1, size=(300, 200)), is_public=1)
        photos = api.ok("flickr.photos.search", user_id="me", extras="date_taken,views,url_o")["photos"]
        assert all(isinstance(photos[k], expected) for k in ("page", "pages", "perpage", "total"))
        photo = photos["photo"][0]
        assert all(isinstance(photo[k], expected) for k in ("datetakengranularity", "views", "width_o"))
        assert isinstance(photo["id"], str) and photo["id"] == pid
        sizes = api.ok("flickr.photos.getSizes", photo_id=pid)["sizes"]["size"]
        assert all(isinstance(s["width"], expected) and isinstance(s["height"], expected) for s in sizes)
