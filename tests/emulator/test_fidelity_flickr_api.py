"""Fidelity: the ``flickr_api`` 0.8.1 client (python-flickr-api) against the emulator."""

from __future__ import annotations

import re
import warnings

import pytest
import requests

from tests.support.browser import approve_in_browser
from tests.support.media import make_jpeg_bytes, make_png_bytes

flickr_api = pytest.importorskip("flickr_api")


@pytest.fixture
def point_flickr_api(monkeypatch, emulator):
    import importlib

    from flickr_api import auth, keys, method_call

    upload = importlib.import_module("flickr_api.upload")  # the package re-exports a function of that name

    ep = emulator.endpoint
    monkeypatch.setattr(auth, "TOKEN_REQUEST_URL", f"{ep}/services/oauth/request_token")
    monkeypatch.setattr(auth, "AUTHORIZE_URL", f"{ep}/services/oauth/authorize")
    monkeypatch.setattr(auth, "ACCESS_TOKEN_URL", f"{ep}/services/oauth/access_token")
    monkeypatch.setattr(upload, "UPLOAD_URL", f"{ep}/services/upload/")
    monkeypatch.setattr(upload, "REPLACE_URL", f"{ep}/services/replace/")
    monkeypatch.setattr(method_call, "REST_URL", f"{ep}/services/rest/")
    # call_api binds REST_URL as a default argument at import time
    defaults = tuple(
        f"{ep}/services/rest/" if d == "https://api.flickr.com/services/rest/" else d
        for d in method_call.call_api.__defaults__
    )
    monkeypatch.setattr(method_call.call_api, "__defaults__", defaults)
    monkeypatch.setattr(keys, "API_KEY", emulator.api_key)
    monkeypatch.setattr(keys, "API_SECRET", emulator.api_secret)
    monkeypatch.setattr(auth, "AUTH_HANDLER", None)
    monkeypatch.setattr(method_call, "CACHE", None)
    return emulator


def test_flickr_api_auth_upload_sets_download(point_flickr_api, tmp_path):
    emu = point_flickr_api
    # --- OAuth (oob): request token, the user approves in a browser, verifier -> access token
    handler = flickr_api.auth.AuthHandler(callback="oob")
    page = approve_in_browser(handler.get_authorization_url("delete"))
    verifier = re.search(r'id="verifier">([^<]+)<', page.text).group(1)
    handler.set_verifier(verifier)
    flickr_api.set_auth_handler(handler)
    assert handler.access_token_key and handler.access_token_secret

    user = flickr_api.test.login()
    assert user.id == emu.user_nsid and user.username == emu.username

    # --- upload: python-flickr-api signs the form fields itself (OAuth params in the body)
    path = tmp_path / "holiday 01.jpg"
    path.write_bytes(make_jpeg_bytes(seed=11, size=(320, 240)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        photo = flickr_api.upload(photo_file=str(path), title="Holiday", tags="sea sun", is_public=0)
    assert re.fullmatch(r"\d+", photo.id)
    info = photo.getInfo()
    assert info["title"] == "Holiday"
    state = {p["id"]: p for p in emu.state()["photos"]}
    assert state[photo.id]["tags"] == ["sea", "sun"]

    # --- photosets
    ps = flickr_api.Photoset.create(title="Album", primary_photo=photo)
    sets = user.getPhotosets()
    assert [s.id for s in sets] == [ps.id]
    assert sets[0].title == "Album" and sets[0].photos == 1
    assert [p.id for p in ps.getPhotos()] == [photo.id]

    # --- download the original via getSizes
    sizes = photo.getSizes()
    assert int(sizes["Original"]["width"]) == 320  # a string, as real Flickr types it
    got = requests.get(photo.getPhotoFile("Original"), timeout=10)
    assert got.content == path.read_bytes()
    out = tmp_path / "saved"
    photo.save(str(out), size_label="Original")
    assert (tmp_path / "saved.jpg").read_bytes() == path.read_bytes()

    # --- replace keeps the id and rotates the original secret
    new = tmp_path / "holiday 01 edited.jpg"
    new.write_bytes(make_jpeg_bytes(seed=12, size=(320, 240)))
    before = photo.getInfo()["originalsecret"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        replaced = flickr_api.replace(photo_file=str(new), photo_id=photo.id)
    assert replaced.id == photo.id
    assert flickr_api.Photo(id=photo.id).getInfo()["originalsecret"] != before
    got = requests.get(flickr_api.Photo(id=photo.id).getPhotoFile("Original"), timeout=10)
    assert got.content == new.read_bytes()

    photo.delete()
    assert emu.state()["photos"] == [] and emu.state()["albums"] == []
    calls = emu.calls()
    assert calls["upload"] == 1 and calls["oauth/request_token"] == 1 and calls["flickr.photosets.getList"] == 1


def test_flickr_api_objects_browse_and_download_originals(point_flickr_api, tmp_path):
    """A flickr-download style session through flickr_api's object layer: find the user, list albums and
    photos (pages via Walker), read info / sizes / EXIF / context / tags, download originals byte-identical."""
    emu = point_flickr_api
    from flickr_api.objects import License, Walker

    from tests.support.api import Api

    api = Api(emu)
    originals = {
        "Beach": make_jpeg_bytes(seed=21, size=(200, 150), exif_datetime="2021:07:01 12:00:00"),
        "Łódź <&>": make_png_bytes(seed=22, size=(180, 120)),
        "Private one": make_jpeg_bytes(seed=23, size=(160, 160)),
    }
    ids = {}
    for i, (title, data) in enumerate(originals.items()):
        ids[title] = api.upload_id(
            data,
            ["b.jpg", "l.png", "p.jpg"][i],
            title=title,
            tags="sea trip:day=1",
            is_public=0 if title == "Private one" else 1,
        )
    sid = api.create_set("Summer/2021", ids["Beach"], description="folder: /photos/summer")
    api.ok("flickr.photosets.addPhoto", photoset_id=sid, photo_id=ids["Łódź <&>"])
    api.ok("flickr.photosets.addPhoto", photoset_id=sid, photo_id=ids["Private one"])

    flickr_api.set_auth_handler(
        flickr_api.auth.AuthHandler(
            callback="oob", access_token_key=emu.oauth_token, access_token_secret=emu.oauth_token_secret
        )
    )

    # --- find the user three ways, then its profile
    person = flickr_api.Person.findByUserName(emu.username)
    assert person.id == emu.user_nsid
    assert flickr_api.Person.findByUrl(f"https://www.flickr.com/photos/{emu.user_nsid}/").id == person.id
    assert flickr_api.Person.findByEmail(f"{emu.username}@example.com").id == person.id
    info = person.getInfo()
    assert info["photos_info"]["count"] == 3 and info["username"] == emu.username
    assert person.getPhotosUrl().endswith(f"/photos/{emu.user_nsid}/")
    assert person.getProfileUrl().endswith(f"/people/{emu.user_nsid}/")
    assert sorted(t.text for t in person.getTags()) == ["sea", "trip:day=1"]

    # --- photostream, paged one by one
    walked = list(Walker(person.getPhotos, per_page=1, extras="url_o,original_format"))
    assert sorted(p.id for p in walked) == sorted(ids.values())
    assert len(Walker(person.getPhotos, per_page=2)) == 3

    # --- albums: the set object loads its info lazily (flickr-download reads pset.title)
    sets = list(Walker(person.getPhotosets))
    assert [s.id for s in sets] == [sid] and sets[0].title == "Summer/2021"
    pset = flickr_api.Photoset(id=sid)
    assert pset.title == "Summer/2021" and pset.owner.id == emu.user_nsid
    in_set = pset.getPhotos()
    assert [p.id for p in in_set] == [ids["Beach"], ids["Łódź <&>"], ids["Private one"]]
    assert in_set.info.pages == 1 and in_set.info.total == 3

    # --- each photo: info, sizes ("Original" source), download byte-identical (requests and Photo.save)
    by_id = {v: k for k, v in ids.items()}
    for photo in in_set:
        title = by_id[photo.id]
        pinfo = photo.getInfo()
        assert pinfo["title"] == title and pinfo["owner"].id == emu.user_nsid
        assert [u["text"] for u in pinfo["urls"]["url"] if u["type"] == "photopage"]
        sizes = photo.getSizes()
        original = sizes["Original"]
        got = requests.get(original["source"], timeout=10)
        assert got.status_code == 200 and got.content == originals[title]
        saved = photo.save(str(tmp_path / photo.id), size_label="Original")
        with open(saved, "rb") as f:
            assert f.read() == originals[title]
        assert saved.endswith(".png" if title.startswith("Łódź") else ".jpg")
        assert [c.id for c in photo.getAllContexts()[0]] == [sid]
        assert photo.getComments() == []
    beach = flickr_api.Photo(id=ids["Beach"])
    assert beach.save(str(tmp_path / "largest")).endswith(".jpg")  # no size label: the largest size
    exif = {e.tag: e.raw for e in beach.getExif()}
    assert exif["DateTimeOriginal"] == "2021:07:01 12:00:00"
    prev, nxt = flickr_api.Photo(id=ids["Łódź <&>"]).getContext()
    assert prev.id == ids["Private one"] and nxt.id == ids["Beach"]
    prev, nxt = pset.getContext(photo=beach)
    assert prev.id == 0 and nxt.id == ids["Łódź <&>"]
    assert [t.raw for t in beach.getTags()] == ["sea", "trip:day=1"]
    assert beach.getPerms()["perms"]["ispublic"] == 1
    assert len(beach.getFavorites()) == 0
    assert {lic.id: lic.name for lic in License.getList()}["0"] == "All Rights Reserved"
    assert flickr_api.Photo.search(user_id="me", tags="sea", per_page=10).info.total == 3

    # --- without authentication (flickr-download's default): public photos only, still downloadable
    flickr_api.set_auth_handler(None)
    anon = flickr_api.Person.findByUserName(emu.username)
    public = list(Walker(anon.getPublicPhotos, per_page=1))
    assert sorted(p.id for p in public) == sorted([ids["Beach"], ids["Łódź <&>"]])
    anon_set = flickr_api.Photoset(id=sid).getPhotos()
    assert [p.id for p in anon_set] == [ids["Beach"], ids["Łódź <&>"]]
    src = flickr_api.Photo(id=ids["Beach"]).getSizes()["Original"]["source"]
    assert requests.get(src, timeout=10).content == originals["Beach"]
    with pytest.raises(flickr_api.flickrerrors.FlickrAPIError) as err:
        flickr_api.Photo(id=ids["Private one"]).getInfo()
    assert err.value.code == 1
