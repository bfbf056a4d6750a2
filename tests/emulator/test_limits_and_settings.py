"""Account limits and per-photo settings (issue 13; docs/flickr-behaviour.md, "Account kinds"):
people.getLimits and getUploadStatus as recorded, the per-account video length (measured from the
file), setPerms and the free account's non-public count, setSafetyLevel / setContentType /
licenses.setLicense and what getInfo and the extras then say."""

from __future__ import annotations

import pytest

from pycsync.emulator import EmulatorServer
from tests.support.api import Api
from tests.support.media import make_jpeg_bytes, make_mp4_with_header


def _video(api: Api, pid: str) -> dict:
    return api.info(pid)["video"]


def test_pro_limits_and_upload_status_as_recorded(emulator):
    api = Api(emulator)
    api.upload_id(make_jpeg_bytes(seed=1))
    limits = api.ok("flickr.people.getLimits")["person"]
    assert limits["photos"] == {"maxdisplaypx": "0", "maxupload": "209715200"}
    assert limits["videos"] == {"maxduration": "600", "maxupload": "1073741824"}
    status = api.ok("flickr.people.getUploadStatus")["user"]
    assert list(status) == ["id", "ispro", "username", "bandwidth", "filesize", "sets", "videosize", "videos"]
    assert status["bandwidth"]["unlimited"] == 1 and status["bandwidth"]["usedbytes"] > 0
    assert status["filesize"] == {"max": "209715200", "maxbytes": "209715200", "maxkb": "204800", "maxmb": "200"}
    assert status["videosize"] == {"maxbytes": "1073741824", "maxkb": "1048576", "maxmb": "1024"}
    assert status["videos"] == {"uploaded": 0, "remaining": "lots"}


def test_a_video_plays_as_long_as_the_account_allows(emulator):
    api = Api(emulator)
    assert _video(api, api.upload_id(make_mp4_with_header(42), "short.mp4"))["duration"] == 42
    long_video = api.upload_id(make_mp4_with_header(700, seed=1), "long.mp4")
    assert _video(api, long_video)["duration"] == 600  # pro: 10 minutes
    emulator.set_account(account="free")
    pid = api.upload_id(make_mp4_with_header(200, seed=2), "free.mp4")  # accepted, and cut to 3 minutes
    assert _video(api, pid)["duration"] == 180
    emulator.set_account(account="pro")
    assert api.replace(make_mp4_with_header(300, seed=3), pid, "free.mp4").get("stat") == "ok"
    assert _video(api, pid)["duration"] == 300


def test_a_longer_video_can_be_configured_to_be_refused():
    with EmulatorServer(account="free", video_too_long="refuse") as emu:
        api = Api(emu)
        root = api.upload(make_mp4_with_header(181), "long.mp4")
        assert root.find("err").get("code") == "3"
        ticket = api.upload(make_mp4_with_header(200, seed=1), "long.mp4", **{"async": 1}).findtext("ticketid")
        assert api.ok("flickr.photos.upload.checkTickets", tickets=ticket)["uploader"]["ticket"][0]["complete"] == 2
        assert api.upload(make_mp4_with_header(180, seed=2), "ok.mp4").get("stat") == "ok"
        assert len(emu.state()["photos"]) == 1


def test_set_perms_counts_towards_the_free_accounts_non_public_items():
    """Flickr documents no error for setPerms past the 50 non-public items (content over the limits
    "is at risk of deletion"): the change is made, and the next non-public upload is refused."""
    with EmulatorServer(account="free", free_max_nonpublic=1) as emu:
        api = Api(emu)
        a, b = api.upload_id(make_jpeg_bytes(seed=1), is_public=1), api.upload_id(make_jpeg_bytes(seed=2), is_public=1)
        answer = api.ok("flickr.photos.setPerms", photo_id=a, is_public=0, is_friend=1, is_family=0)
        assert answer["photoid"]["_content"] == a and set(answer["photoid"]) == {"secret", "originalsecret", "_content"}
        assert api.upload(make_jpeg_bytes(seed=3), is_public=0).find("err").get("code") == "6"
        api.ok("flickr.photos.setPerms", photo_id=b, is_public=0, is_friend=0, is_family=0)
        perms = api.ok("flickr.photos.getPerms", photo_id=b)["perms"]
        assert (perms["ispublic"], perms["isfriend"], perms["isfamily"]) == (0, 0, 0)
        api.fail("flickr.photos.setPerms", 2, photo_id=b, is_public=1)


def test_safety_level_content_type_and_license_are_the_photos_own(emulator):
    api = Api(emulator)
    pid = api.upload_id(make_jpeg_bytes(seed=4), is_public=1)
    answer = api.ok("flickr.photos.setSafetyLevel", photo_id=pid, safety_level=3, hidden=1)["photo"]
    assert answer == {"id": pid, "safety_level": "2", "hidden": 1}  # getInfo's scale: 0 safe ... 2 restricted
    assert api.info(pid)["safety_level"] == "2"
    api.ok("flickr.photos.setSafetyLevel", photo_id=pid, hidden=0)
    api.fail("flickr.photos.setSafetyLevel", 2, photo_id=pid, safety_level=9)
    assert api.ok("flickr.photos.setContentType", photo_id=pid, content_type=2)["photo"]["content_type"] == "2"
    api.fail("flickr.photos.setContentType", 2, photo_id=pid, content_type=4)
    api.ok("flickr.photos.licenses.setLicense", photo_id=pid, license_id=9)
    api.fail("flickr.photos.licenses.setLicense", 2, photo_id=pid, license_id=17)
    assert api.info(pid)["license"] == "9"
    listed = api.ok("flickr.people.getPhotos", user_id="me", extras="license,safety_level")["photos"]["photo"][0]
    assert (listed["license"], listed["safety_level"]) == ("9", "2")
    row = emulator.store.photo(pid)
    assert (row["content_type"], row["hidden"]) == (2, 1)


@pytest.mark.parametrize(
    ("method", "args"),
    [
        ("flickr.photos.setSafetyLevel", {"safety_level": 1}),
        ("flickr.photos.setContentType", {"content_type": 3}),
        ("flickr.photos.licenses.setLicense", {"license_id": 4}),
        ("flickr.photos.setPerms", {"is_public": 1, "is_friend": 0, "is_family": 0}),
        ("flickr.photos.setMeta", {"title": "t"}),
        ("flickr.photos.setDates", {"date_taken": "2001-02-03 04:05:06"}),
    ],
)
def test_settings_are_the_owners_and_move_lastupdate(emulator, method, args):
    owner = Api(emulator)
    other = emulator.add_user("other")
    stranger = Api(emulator, other["oauth_token"], other["oauth_token_secret"])
    pid = owner.upload_id(make_jpeg_bytes(seed=5), is_public=1)
    stranger.fail(method, 1, photo_id=pid, **args)
    emulator.store.x("UPDATE photos SET lastupdate=1000 WHERE id=?", (int(pid),))
    owner.ok(method, photo_id=pid, **args)
    assert emulator.store.photo(pid)["lastupdate"] > 1000


def test_set_dates_rules(emulator):
    """Granularity 0/4/6/8 cuts the date taken; a date taken in the future is error 6, a posted date
    in the future error 4; setting a date taken clears takenunknown."""
    api = Api(emulator)
    pid = api.upload_id(make_jpeg_bytes(seed=6))
    assert api.info(pid)["dates"]["takenunknown"] == "1"
    api.ok("flickr.photos.setDates", photo_id=pid, date_taken="2001-02-03 04:05:06", date_taken_granularity=4)
    dates = api.info(pid)["dates"]
    assert (dates["taken"], dates["takengranularity"], dates["takenunknown"]) == ("2001-02-01 00:00:00", "4", "0")
    api.ok("flickr.photos.setDates", photo_id=pid, date_taken_granularity=6)
    assert api.info(pid)["dates"]["taken"] == "2001-01-01 00:00:00"
    api.fail("flickr.photos.setDates", 2, photo_id=pid)
    api.fail("flickr.photos.setDates", 3, photo_id=pid, date_taken_granularity=5)
    api.fail("flickr.photos.setDates", 4, photo_id=pid, date_posted="4102444800")
    api.fail("flickr.photos.setDates", 5, photo_id=pid, date_taken="yesterday")
    api.fail("flickr.photos.setDates", 6, photo_id=pid, date_taken="2001-02-30 00:00:00")
    api.fail("flickr.photos.setDates", 6, photo_id=pid, date_taken="2999-01-01 00:00:00")
    api.ok("flickr.photos.setDates", photo_id=pid, date_posted="1000000000")
    assert api.info(pid)["dates"]["posted"] == "1000000000"
