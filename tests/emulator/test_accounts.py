"""Account kinds and per-user settings: a free account's limits refused with Flickr's error codes
(6, 7, 15) and reported by people.getInfo / getUploadStatus / getLimits; settings per user through
the control surface; deleted users (code 5); video uploads disabled (code 0)."""

from __future__ import annotations

import pytest

from pycsync.emulator import EmulatorServer
from tests.support.api import Api, control
from tests.support.media import make_jpeg_bytes, make_mp4_bytes


def err(root) -> tuple[int, str]:
    e = root.find("err")
    return int(e.get("code")), e.get("msg")


@pytest.fixture
def free():
    with EmulatorServer(account="free", free_max_items=3, free_max_nonpublic=1) as emu:
        yield emu, Api(emu)


def test_a_free_account_reports_itself_and_its_limits(free):
    emu, api = free
    api.upload_id(make_jpeg_bytes(seed=1), is_public=1)
    me = api.ok("flickr.people.getInfo", user_id=emu.user_nsid)["person"]
    assert me["ispro"] == 0 and "pro_badge" not in me
    assert (me["upload_count"], me["upload_limit"], me["upload_limit_status"]) == (1, 3, "below_limit")
    assert "upload_count" not in Api(emu, signed=False).ok("flickr.people.getInfo", user_id=emu.user_nsid)["person"]
    # getUploadStatus and getLimits carry no item limits (as recorded): only the free account's
    # shorter videos and smaller displayed size
    status = api.ok("flickr.people.getUploadStatus")["user"]
    assert status["ispro"] == 0 and "items" not in status
    limits = api.ok("flickr.people.getLimits")["person"]
    assert limits == {
        "nsid": emu.user_nsid,
        "photos": {"maxdisplaypx": "1024", "maxupload": str(200 * 2**20)},
        "videos": {"maxduration": "180", "maxupload": str(2**30)},
    }


def test_a_free_account_refuses_uploads_past_its_limits(free):
    emu, api = free
    assert api.upload(make_jpeg_bytes(seed=1), is_public=0).get("stat") == "ok"
    limit = (6, "Upload limit reached. For more info, visit flickr.com/pro")
    assert err(api.upload(make_jpeg_bytes(seed=2), is_public=0)) == limit  # past 1 non-public item
    assert err(api.upload(make_jpeg_bytes(seed=3), safety_level=2)) == (15, "Non-safe content not allowed")
    assert api.upload(make_jpeg_bytes(seed=4), is_public=1).get("stat") == "ok"
    assert api.upload(make_jpeg_bytes(seed=5), is_public=1).get("stat") == "ok"
    assert err(api.upload(make_jpeg_bytes(seed=6), is_public=1)) == limit  # past 3 items
    assert len(emu.state()["photos"]) == 3
    ticket = api.upload(make_jpeg_bytes(seed=8), is_public=1, **{"async": 1}).findtext("ticketid")
    assert api.ok("flickr.photos.upload.checkTickets", tickets=ticket)["uploader"]["ticket"][0]["complete"] == 2
    pid = emu.state()["photos"][0]["id"]
    assert err(api.replace(make_jpeg_bytes(seed=7), pid)) == (1, "Not a pro account")
    api.fail("flickr.photos.setSafetyLevel", 3, photo_id=pid, safety_level=2)
    api.ok("flickr.photos.setSafetyLevel", photo_id=pid, safety_level=1)


def test_a_video_limit_is_error_7():
    with EmulatorServer(account="free", free_max_videos=1) as emu:
        api = Api(emu)
        assert api.upload(make_mp4_bytes(seed=1), "a.mp4").get("stat") == "ok"
        assert err(api.upload(make_mp4_bytes(seed=2), "b.mp4")) == (7, "User exceeded video upload limit")
        assert api.upload(make_jpeg_bytes(seed=3)).get("stat") == "ok"
        assert api.ok("flickr.people.getUploadStatus")["user"]["videos"] == {"uploaded": 1, "remaining": 0}


def test_video_uploads_can_be_disabled():
    with EmulatorServer(video_uploads=False) as emu:
        assert err(Api(emu).upload(make_mp4_bytes(seed=1), "a.mp4")) == (0, "Video uploads are temporarily disabled")


def test_accounts_per_user_through_the_control_surface(emulator):
    other = emulator.add_user("alice")
    body = {"user_nsid": other["user_nsid"], "account": "free", "max_items": 1}
    r = control(emulator, "account", "POST", body)
    assert r.status_code == 200 and r.json()["kind"] == "free" and r.json()["max_items"] == 1
    alice = Api(emulator, other["oauth_token"], other["oauth_token_secret"])
    assert alice.upload(make_jpeg_bytes(seed=1)).get("stat") == "ok"
    assert err(alice.upload(make_jpeg_bytes(seed=2)))[0] == 6
    # the default user stays pro, without limits
    me = Api(emulator)
    for seed in range(3, 6):
        assert me.upload(make_jpeg_bytes(seed=seed)).get("stat") == "ok"
    assert me.ok("flickr.people.getInfo", user_id=emulator.user_nsid)["person"]["ispro"] == 1
    # bad settings are refused, nothing changes
    assert control(emulator, "account", "POST", {"account": "gold"}).status_code == 400
    assert control(emulator, "account", "POST", {"user_nsid": "1@N00", "account": "free"}).status_code == 404
    assert control(emulator, "account", "POST", {"colour": "red"}).status_code == 400
    # null restores the configured default
    control(emulator, "account", "POST", {"user_nsid": other["user_nsid"], "account": None, "max_items": None})
    assert alice.upload(make_jpeg_bytes(seed=9)).get("stat") == "ok"


def test_deleted_users(emulator):
    api = Api(emulator)
    api.upload_id(make_jpeg_bytes(seed=1), is_public=1)
    other = emulator.add_user("bob")
    emulator.set_account(emulator.user_nsid, deleted=True)
    bob = Api(emulator, other["oauth_token"], other["oauth_token_secret"])
    assert bob.fail("flickr.people.getPhotos", 5, user_id=emulator.user_nsid)["message"] == "User deleted"
    bob.fail("flickr.photos.search", 5, user_id=emulator.user_nsid)
    bob.fail("flickr.people.getPublicPhotos", 1, user_id=emulator.user_nsid)  # as recorded (2024)
    assert bob.ok("flickr.people.getInfo", user_id=emulator.user_nsid)["person"]["is_deleted"] == 1
