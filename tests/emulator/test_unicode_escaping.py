"""Non-ASCII titles, descriptions and tags round-trip in XML and JSON (UTF-8), and XML escaping
of ``& < > " '`` in text and attributes."""

from __future__ import annotations

import json

from tests.support.api import Api
from tests.support.media import make_jpeg_bytes

TITLE = "Łódź — 日本の夏 😀"
NASTY = """Tom & Jerry's <b>"best"</b> > all"""
NASTY_TAG = "Tom & Jerry's <b> > all"  # a quoted tag cannot itself contain a double quote


def test_non_ascii_round_trip(emulator):
    api = Api(emulator)
    pid = api.upload_id(make_jpeg_bytes(seed=1), title=TITLE, description="Ünïcödé ✓", tags='łódź "São Paulo" 東京')
    info = api.info(pid)
    assert info["title"]["_content"] == TITLE and info["description"]["_content"] == "Ünïcödé ✓"
    assert [(t["raw"], t["_content"]) for t in info["tags"]["tag"]] == [
        ("łódź", "łódź"),
        ("São Paulo", "sãopaulo"),
        ("東京", "東京"),
    ]
    r = api.raw("flickr.photos.getInfo", photo_id=pid)
    assert r.headers["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(r.content.decode("utf-8"))["photo"]["title"]["_content"] == TITLE
    root = api.xml("flickr.photos.getInfo", photo_id=pid)
    photo = root.find("photo")
    assert photo.findtext("title") == TITLE
    assert [t.get("raw") for t in photo.findall("tags/tag")] == ["łódź", "São Paulo", "東京"]
    # searching by a non-ASCII tag and reading it back as an extra (attribute)
    found = api.xml("flickr.photos.search", user_id="me", tags="東京", extras="tags")
    p = found.find("photos/photo")
    assert p.get("title") == TITLE and p.get("tags") == "łódź sãopaulo 東京"
    # setMeta with non-ASCII over GET (query string) and POST (body)
    api.ok("flickr.photos.setMeta", http="GET", photo_id=pid, title="Ça va? ✓")
    assert api.info(pid)["title"]["_content"] == "Ça va? ✓"
    set_id = api.create_set("Álbum ☀", pid, description="día")
    s = api.ok("flickr.photosets.getList")["photosets"]["photoset"][0]
    assert s["id"] == set_id and s["title"]["_content"] == "Álbum ☀"


def test_xml_escaping_of_special_characters(emulator):
    api = Api(emulator)
    pid = api.upload_id(make_jpeg_bytes(seed=2), title=NASTY, description=NASTY, tags=f'"{NASTY_TAG}"')
    r = api.raw("flickr.photos.getInfo", fmt=None, photo_id=pid)
    assert "<b>" not in r.text and "&lt;b&gt;" in r.text and "&amp;" in r.text
    photo = api.xml("flickr.photos.getInfo", photo_id=pid).find("photo")
    assert photo.findtext("title") == NASTY and photo.findtext("description") == NASTY
    tag = photo.find("tags/tag")
    assert tag.get("raw") == NASTY_TAG and tag.text == "tomjerrysball"
    listed = api.xml("flickr.photos.search", user_id="me", extras="description,tags").find("photos/photo")
    assert listed.get("title") == NASTY and listed.findtext("description") == NASTY
    sid = api.create_set(NASTY, pid, description=NASTY)
    ps = api.xml("flickr.photosets.getPhotos", photoset_id=sid).find("photoset")
    assert ps.get("title") == NASTY
    # JSON carries the same text unescaped
    assert api.info(pid)["title"]["_content"] == NASTY
