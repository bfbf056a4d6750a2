"""Fidelity: the ``flickrapi`` 2.4.0 client (nobody here wrote it) against the emulator."""

from __future__ import annotations

import html
import re
import sys
import types
import xml.etree.ElementTree as ET

import pytest
import requests

flickrapi = pytest.importorskip("flickrapi")


def approve_in_browser(url: str, follow: bool = True) -> requests.Response:
    """Act as the user's browser: open the authorize page and press the authorize button."""
    s = requests.Session()
    page = s.get(url, timeout=10)
    assert page.status_code == 200
    form = re.search(r'<form method="post"(?: action="([^"]*)")?>(.*?)</form>', page.text, re.S)
    assert form, page.text
    action = requests.compat.urljoin(url, html.unescape(form.group(1) or "")) if form.group(1) else url
    fields = {html.unescape(n): html.unescape(v)
              for n, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(2))}
    button = re.search(r'<button type="submit" name="(authorize)"', form.group(2))
    assert button
    fields[button.group(1)] = "1"
    return s.post(action, data=fields, timeout=10, allow_redirects=follow)


class _CompatElement(ET.Element):
    def getchildren(self):  # removed from ElementTree in Python 3.9; flickrapi 2.4.0's walkers still call it
        return list(self)


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


def test_flickrapi_oob_auth_upload_replace_album_walk_download_delete(point_flickrapi, tmp_path, make_jpeg,
                                                                      make_png):
    emu = point_flickrapi
    f = flickrapi.FlickrAPI(emu.api_key, emu.api_secret, format="etree",
                            token_cache_location=str(tmp_path / "tokens"))
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
    one.write_bytes(make_jpeg(seed=1, exif_datetime="2020:02:02 20:20:20"))
    two = tmp_path / "IMG_0002.jpg"
    two.write_bytes(make_jpeg(seed=2))
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
    new.write_bytes(make_png(seed=5))
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
    for p, path in zip(walked, (one, new)):
        got = requests.get(p.get("url_o"), timeout=10)
        assert got.status_code == 200 and got.content == path.read_bytes()

    # --- JSON format through flickrapi too
    parsed = flickrapi.FlickrAPI(emu.api_key, emu.api_secret, format="parsed-json",
                                 token_cache_location=str(tmp_path / "tokens"))
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
