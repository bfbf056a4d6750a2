"""Fidelity: the ``flickrapi`` 2.4.0 client (nobody here wrote it) against the emulator."""

from __future__ import annotations

import json
import re
import sys
import types
import xml.etree.ElementTree as ET

import pytest
import requests

from tests.support.browser import approve_in_browser
from tests.support.media import make_jpeg_bytes, make_png_bytes

flickrapi = pytest.importorskip("flickrapi")


class _CompatElement(ET.Element):
    def getchildren(self):  # removed from ElementTree in Python 3.9; flickrapi 2.4.0's walkers still call it
        return list(self)

    def getiterator(self, tag=None):  # ditto, used by FlickrAPI.trait_names()
        return list(self.iter(tag))


def _compat_fromstring(text):
    parser = ET.XMLParser(target=ET.TreeBuilder(element_factory=_CompatElement))
    parser.feed(text)
    return parser.close()


@pytest.fixture
def point_flickrapi(monkeypatch, emulator):
    # flickrapi.parse_etree imports xml.etree.cElementTree (gone since 3.9) before falling back to
    # xml.etree.ElementTree; provide one whose elements still have getchildren() so walk_set works.
    # This shim only papers over the client's Python-version bug; the XML itself is the emulator's.
    shim = types.ModuleType("xml.etree.cElementTree")
    shim.fromstring = _compat_fromstring
    monkeypatch.setitem(sys.modules, "xml.etree.cElementTree", shim)
    ep = emulator.endpoint
    monkeypatch.setattr(flickrapi.FlickrAPI, "REST_URL", f"{ep}/services/rest/")
    monkeypatch.setattr(flickrapi.FlickrAPI, "UPLOAD_URL", f"{ep}/services/upload/")
    monkeypatch.setattr(flickrapi.FlickrAPI, "REPLACE_URL", f"{ep}/services/replace/")
    iface = flickrapi.auth.OAuthFlickrInterface
    monkeypatch.setattr(iface, "REQUEST_TOKEN_URL", f"{ep}/services/oauth/request_token")
    monkeypatch.setattr(iface, "AUTHORIZE_URL", f"{ep}/services/oauth/authorize")
    monkeypatch.setattr(iface, "ACCESS_TOKEN_URL", f"{ep}/services/oauth/access_token")
    return emulator


def test_flickrapi_oob_auth_upload_replace_album_walk_download_delete(point_flickrapi, tmp_path):
    emu = point_flickrapi
    f = flickrapi.FlickrAPI(emu.api_key, emu.api_secret, format="etree", token_cache_location=str(tmp_path / "tokens"))
    assert not f.token_valid(perms="delete")

    # --- OAuth, out of band: the user reads the verifier off the page
    f.get_request_token(oauth_callback="oob")
    page = approve_in_browser(f.auth_url(perms="delete"))
    verifier = re.search(r'id="verifier">([^<]+)<', page.text).group(1)
    f.get_access_token(verifier)
    assert f.token_valid(perms="delete")
    login = f.test.login()
    assert login.find("user").get("id") == emu.user_nsid

    # --- upload (flickrapi signs a dummy urlencoded request, then sends multipart with its header)
    one = tmp_path / "IMG_0001.jpg"
    one.write_bytes(make_jpeg_bytes(seed=1, exif_datetime="2020:02:02 20:20:20"))
    two = tmp_path / "IMG_0002.jpg"
    two.write_bytes(make_jpeg_bytes(seed=2))
    rsp = f.upload(filename=str(one), title="First one", tags='trip "two words" checksum:md5=abc', is_public=0)
    assert rsp.get("stat") == "ok"
    pid1 = rsp.findtext("photoid")
    pid2 = f.upload(filename=str(two), format="etree").findtext("photoid")  # title defaults to the basename
    info = f.photos.getInfo(photo_id=pid1).find("photo")
    assert info.findtext("title") == "First one"
    assert info.find("dates").get("taken") == "2020-02-02 20:20:20"
    assert [t.get("raw") for t in info.findall("tags/tag")] == ["trip", "two words", "checksum:md5=abc"]
    assert f.photos.getInfo(photo_id=pid2).find("photo").findtext("title") == "IMG_0002.jpg"

    # --- replace keeps the id
    new = tmp_path / "replacement.png"
    new.write_bytes(make_png_bytes(seed=5))
    rsp = f.replace(filename=str(new), photo_id=pid2, format="etree")
    assert rsp.findtext("photoid") == pid2

    # --- album: create, add, walk
    sid = f.photosets.create(title="Trip", primary_photo_id=pid1).find("photoset").get("id")
    f.photosets.addPhoto(photoset_id=sid, photo_id=pid2)
    with pytest.raises(flickrapi.exceptions.FlickrError):
        f.photosets.addPhoto(photoset_id=sid, photo_id=pid2)  # 3: already in set
    walked = list(f.walk_set(sid, per_page=1, extras="url_o,original_format"))
    assert [p.get("id") for p in walked] == [pid1, pid2]
    assert [s.get("id") for s in f.walk_photosets()] == [sid]
    assert sorted(p.get("id") for p in f.walk_user("me")) == sorted([pid1, pid2])

    # --- download url_o byte-identical
    for p, path in zip(walked, (one, new), strict=False):
        got = requests.get(p.get("url_o"), timeout=10)
        assert got.status_code == 200 and got.content == path.read_bytes()

    # --- JSON format through flickrapi too
    parsed = flickrapi.FlickrAPI(
        emu.api_key, emu.api_secret, format="parsed-json", token_cache_location=str(tmp_path / "tokens")
    )
    sets = parsed.photosets.getList()
    assert sets["photosets"]["photoset"][0]["id"] == sid

    # --- delete
    f.photos.delete(photo_id=pid1)
    f.photos.delete(photo_id=pid2)
    with pytest.raises(flickrapi.exceptions.FlickrError):
        f.photos.getInfo(photo_id=pid1)
    assert list(f.walk_photosets()) == []  # the album went away with its last photo
    calls = emu.calls()
    assert calls["upload"] == 2 and calls["replace"] == 1 and calls["oauth/access_token"] == 1


def test_flickrapi_callback_flow(point_flickrapi, tmp_path):
    emu = point_flickrapi
    f = flickrapi.FlickrAPI(emu.api_key, emu.api_secret, store_token=False)
    f.get_request_token(oauth_callback="http://127.0.0.1:9/done?x=1")
    r = approve_in_browser(f.auth_url(perms="read"), follow=False)
    assert r.status_code == 302
    verifier = re.search(r"oauth_verifier=([0-9a-f]+)", r.headers["Location"]).group(1)
    f.get_access_token(verifier)
    assert f.test.login().find("user").get("id") == emu.user_nsid
    with pytest.raises(flickrapi.exceptions.FlickrError):
        f.photosets.create(title="x", primary_photo_id="1")  # read token: 99


def _token(emu):
    return flickrapi.auth.FlickrAccessToken(
        emu.oauth_token, emu.oauth_token_secret, "delete", "Emulator User", emu.username, emu.user_nsid
    )


def test_flickrapi_formats_walkers_and_token_cache(point_flickrapi, tmp_path):
    """Every flickrapi response format, its walkers (walk = photos.search, walk_user, walk_set,
    walk_photosets, walk_contacts), uploads in each upload-capable format, and token-cache validation."""
    emu = point_flickrapi
    cache = str(tmp_path / "tokens")
    f = flickrapi.FlickrAPI(emu.api_key, emu.api_secret, format="etree", token_cache_location=cache)
    f.token_cache.token = _token(emu)  # what a finished OAuth dance leaves in the SQLite cache
    f.flickr_oauth.token = f.token_cache.token

    # --- uploads: the answer is XML whatever the client's default format (etree, xmlnode, rest)
    paths = []
    for i, make in enumerate((make_jpeg_bytes, make_png_bytes, make_jpeg_bytes)):
        p = tmp_path / f"IMG_{i}.{'png' if make is make_png_bytes else 'jpg'}"
        p.write_bytes(make(seed=30 + i))
        paths.append(p)
    pid_a = f.upload(filename=str(paths[0]), title="Fjord ø", tags="trip checksum:md5=aaa", is_public=1).findtext(
        "photoid"
    )
    node = f.upload(filename=str(paths[1]), tags="trip", format="xmlnode")
    pid_b = node.photoid[0].text
    raw = f.upload(filename=str(paths[2]), format="rest")
    pid_c = ET.fromstring(raw).findtext("photoid")
    assert raw.startswith(b'<?xml version="1.0" encoding="utf-8" ?>')
    with pytest.raises(flickrapi.exceptions.FlickrError):
        f.upload(filename=str(paths[2]), format="json")  # flickrapi refuses: uploads only answer XML

    # --- walk = flickr.photos.search, paged
    by_tag = list(f.walk(user_id="me", tags="trip", extras="tags,url_o,original_format", per_page=1))
    assert sorted(p.get("id") for p in by_tag) == sorted([pid_a, pid_b])
    assert {p.get("id"): p.get("originalformat") for p in by_tag}[pid_b] == "png"
    mt = list(f.walk(user_id="me", machine_tags="checksum:md5=aaa", extras="machine_tags"))
    assert [p.get("id") for p in mt] == [pid_a] and mt[0].get("machine_tags") == "checksum:md5=aaa"
    assert sorted(p.get("id") for p in f.walk_user("me", per_page=2)) == sorted([pid_a, pid_b, pid_c])
    sid = f.photosets.create(title="Set ø", primary_photo_id=pid_c).find("photoset").get("id")
    f.photosets.addPhoto(photoset_id=sid, photo_id=pid_a)
    assert [p.get("id") for p in f.walk_set(sid, per_page=1)] == [pid_c, pid_a]
    assert [s.findtext("title") for s in f.walk_photosets()] == ["Set ø"]
    assert list(f.walk_contacts()) == []
    assert "photos.getExif" in f.trait_names() and "reflection.getMethodInfo" in f.trait_names()
    ctx = f.photos.getAllContexts(photo_id=pid_a)
    assert [s.get("id") for s in ctx.findall("set")] == [sid]

    # --- etree
    sizes = f.photos.getSizes(photo_id=pid_b)
    original = next(s for s in sizes.iter("size") if s.get("label") == "Original")
    assert requests.get(original.get("source"), timeout=10).content == paths[1].read_bytes()
    assert f.people.getInfo(user_id=emu.user_nsid).find("person").findtext("photos/count") == "3"

    # --- parsed-json / json / xmlnode clients sharing the token cache
    parsed = flickrapi.FlickrAPI(emu.api_key, emu.api_secret, format="parsed-json", token_cache_location=cache)
    assert parsed.token_valid(perms="delete")  # flickr.auth.oauth.checkToken on load
    info = parsed.photos.getInfo(photo_id=pid_a)
    assert info["photo"]["title"]["_content"] == "Fjord ø" and info["photo"]["farm"] == 66
    found = parsed.people.findByUsername(username=emu.username)
    assert found["user"]["nsid"] == emu.user_nsid
    got = parsed.photosets.getPhotos(photoset_id=sid, extras="url_o")
    assert [p["id"] for p in got["photoset"]["photo"]] == [pid_c, pid_a]
    assert got["photoset"]["photo"][1]["url_o"].endswith(".jpg")
    lic = parsed.photos.licenses.getInfo()["licenses"]["license"]
    assert lic[0]["id"] == "0" and lic[0]["name"] == "All Rights Reserved"
    up = parsed.upload(filename=str(paths[0]), format="etree")  # the XML upload answer, parsed as etree
    assert up.get("stat") == "ok"
    with pytest.raises(flickrapi.exceptions.FlickrError) as err:
        parsed.photos.getInfo(photo_id="1")
    assert str(err.value.code) == "1"
    text = flickrapi.FlickrAPI(emu.api_key, emu.api_secret, format="json", token_cache_location=cache)
    assert json.loads(text.test.login())["user"]["id"] == emu.user_nsid
    xn = flickrapi.FlickrAPI(emu.api_key, emu.api_secret, format="xmlnode", token_cache_location=cache)
    rsp = xn.photos.search(user_id="me", tags="trip", extras="tags")
    assert sorted(p["id"] for p in rsp.photos[0].photo) == sorted([pid_a, pid_b])
    assert xn.photos.getInfo(photo_id=pid_a).photo[0].title[0].text == "Fjord ø"
    with pytest.raises(flickrapi.exceptions.FlickrError) as err:
        xn.photos.fakeMethod()
    assert str(err.value.code) == "112"

    # --- a revoked token is no longer valid, and the cache entry is dropped
    emu.revoke_token(emu.oauth_token)
    again = flickrapi.FlickrAPI(emu.api_key, emu.api_secret, format="etree", token_cache_location=cache)
    assert not again.token_valid(perms="read")
    assert again.token_cache.token is None
