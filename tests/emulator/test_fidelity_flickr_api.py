"""Fidelity: the ``flickr_api`` 0.8.1 client (python-flickr-api) against the emulator."""

from __future__ import annotations

import re
import warnings

import pytest
import requests

flickr_api = pytest.importorskip("flickr_api")

from .test_fidelity_flickrapi import approve_in_browser  # noqa: E402


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
    defaults = tuple(f"{ep}/services/rest/" if d == "https://api.flickr.com/services/rest/" else d
                     for d in method_call.call_api.__defaults__)
    monkeypatch.setattr(method_call.call_api, "__defaults__", defaults)
    monkeypatch.setattr(keys, "API_KEY", emulator.api_key)
    monkeypatch.setattr(keys, "API_SECRET", emulator.api_secret)
    monkeypatch.setattr(auth, "AUTH_HANDLER", None)
    monkeypatch.setattr(method_call, "CACHE", None)
    return emulator


def test_flickr_api_auth_upload_sets_download(point_flickr_api, tmp_path, make_jpeg):
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
    path.write_bytes(make_jpeg(seed=11, size=(320, 240)))
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
    assert sizes["Original"]["width"] == 320
    got = requests.get(photo.getPhotoFile("Original"), timeout=10)
    assert got.content == path.read_bytes()
    out = tmp_path / "saved"
    photo.save(str(out), size_label="Original")
    assert (tmp_path / "saved.jpg").read_bytes() == path.read_bytes()

    # --- replace keeps the id and rotates the original secret
    new = tmp_path / "holiday 01 edited.jpg"
    new.write_bytes(make_jpeg(seed=12, size=(320, 240)))
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
