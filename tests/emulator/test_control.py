"""The /__emulator__/ control surface and the Python-side equivalents."""

from __future__ import annotations

from tests.support.api import Api, control
from tests.support.media import make_jpeg_bytes


def test_calls_counts_recent_and_reset(emulator):
    api = Api(emulator)
    api.ok("flickr.test.login")
    api.ok("flickr.test.login")
    pid = api.upload_id(make_jpeg_bytes(seed=1))
    api.raw("flickr.nope")
    import requests

    api.fetch(api.original_url(pid))
    requests.get(f"{emulator.endpoint}/services/oauth/authorize", timeout=10)
    control(emulator, "state")  # control calls are not counted
    body = control(emulator, "calls").json()
    assert body["counts"] == {
        "flickr.test.login": 2,
        "upload": 1,
        "flickr.nope": 1,
        "flickr.photos.getSizes": 1,
        "static": 1,
        "oauth/authorize": 1,
    }
    assert body["counts"] == emulator.calls()
    assert [c["name"] for c in body["recent"]] == [
        "flickr.test.login",
        "flickr.test.login",
        "upload",
        "flickr.nope",
        "flickr.photos.getSizes",
        "static",
        "oauth/authorize",
    ]
    assert body["recent"][3]["status"] == 200 and body["recent"][3]["code"] == 112
    assert body["recent"][-1]["status"] == 400 and body["recent"][0]["fault"] is None
    assert control(emulator, "reset", "POST").status_code == 200
    assert emulator.calls() == {}
    api.ok("flickr.test.login")
    emulator.reset_calls()
    assert control(emulator, "calls").json() == {"counts": {}, "recent": [], "rate_limited": 0}


def test_recent_keeps_the_last_200(emulator):
    api = Api(emulator)
    for _ in range(205):
        api.raw("flickr.test.echo", http="GET")
    body = control(emulator, "calls").json()
    assert body["counts"]["flickr.test.echo"] == 205 and len(body["recent"]) == 200


def test_state_dump(emulator):
    import hashlib

    api = Api(emulator)
    data = make_jpeg_bytes(seed=1, exif_datetime="2011:11:11 11:11:11")
    pid = api.upload_id(data, "a.jpg", tags='x "y z" checksum:md5=AB', is_public=1)
    sid = api.create_set("Album", pid, description="desc")
    state = control(emulator, "state").json()
    assert state == emulator.state()
    assert state["users"][0]["nsid"] == emulator.user_nsid and state["users"][0]["username"] == emulator.username
    assert state["albums"] == [
        {
            "id": sid,
            "owner": emulator.user_nsid,
            "title": "Album",
            "description": "desc",
            "primary": pid,
            "photo_ids": [pid],
            "date_create": state["albums"][0]["date_create"],
            "date_update": state["albums"][0]["date_update"],
        }
    ]
    p = state["photos"][0]
    assert p["id"] == pid and p["owner"] == emulator.user_nsid and p["title"] == "a"
    assert p["tags"] == ["x", "y z", "checksum:md5=AB"] and p["machine_tags"] == ["checksum:md5=ab"]
    assert p["sha256"] == hashlib.sha256(data).hexdigest() and p["size"] == len(data)
    assert p["media"] == "photo" and p["original_format"] == "jpg"
    assert (p["is_public"], p["is_friend"], p["is_family"]) == (1, 0, 0)
    assert p["datetaken"] == "2011-11-11 11:11:11" and p["album_ids"] == [sid]
    assert p["lastupdate"] >= p["dateupload"] > 0


def test_users_endpoint_and_add_user(emulator):
    r = control(emulator, "users", "POST", {"username": "alice"})
    assert r.status_code == 200
    alice = r.json()
    assert set(alice) == {"user_nsid", "username", "oauth_token", "oauth_token_secret"}
    assert control(emulator, "users", "POST", {"username": "alice"}).status_code == 409
    bob = emulator.add_user("bob")
    for who in (alice, bob):
        api = Api(emulator, who["oauth_token"], who["oauth_token_secret"])
        assert api.ok("flickr.test.login")["user"]["id"] == who["user_nsid"]
    # users' data are separate
    a = Api(emulator, alice["oauth_token"], alice["oauth_token_secret"])
    a.upload_id(make_jpeg_bytes(seed=1))
    assert Api(emulator).ok("flickr.photos.search", user_id="me")["photos"]["photo"] == []
    assert len(emulator.state()["users"]) == 3


def test_info(emulator):
    info = control(emulator, "info").json()
    assert info == emulator.info()
    assert info["endpoint"] == emulator.endpoint
    assert set(info) == {
        "endpoint",
        "api_key",
        "api_secret",
        "user_nsid",
        "username",
        "oauth_token",
        "oauth_token_secret",
    }


def test_unknown_paths(emulator):
    import requests

    assert requests.get(f"{emulator.endpoint}/nothing/here", timeout=10).status_code == 404
    assert control(emulator, "nope").status_code == 404
    assert emulator.calls() == {}
