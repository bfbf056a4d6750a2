"""photos.geo.* and prefs.* as real Flickr does them (docs/flickr-behaviour.md, "Geo", "Prefs"):
setLocation depends on the owner's default geo privacy (error 7 when none is set), coordinates
keep six decimals, who sees a location, the shapes and JSON types of the recorded answers, and
the upload defaults the prefs report."""

from __future__ import annotations

import pytest

from pycsync.emulator import EmulatorServer
from tests.support.api import Api
from tests.support.media import make_jpeg_bytes


def _stranger(emu: EmulatorServer) -> Api:
    user = emu.add_user("stranger")
    return Api(emu, user["oauth_token"], user["oauth_token_secret"])


def test_set_get_and_remove_a_location(emulator):
    api = Api(emulator)
    pid = api.upload_id(make_jpeg_bytes(seed=1), is_public=1)
    api.fail("flickr.photos.geo.getLocation", 2, photo_id=pid)
    old = emulator.store.photo(pid)["lastupdate"]
    emulator.store.x("UPDATE photos SET lastupdate=lastupdate-100 WHERE id=?", (int(pid),))
    api.ok("flickr.photos.geo.setLocation", photo_id=pid, lat="-17.6858959", lon="-63.369149", accuracy="6")
    assert emulator.store.photo(pid)["lastupdate"] >= old
    loc = api.ok("flickr.photos.geo.getLocation", photo_id=pid)["photo"]
    # more than six decimals are cut, not rounded; numbers in JSON
    assert loc["location"] == {"latitude": -17.685895, "longitude": -63.369149, "accuracy": 6, "context": 0}
    info = api.info(pid)
    assert info["location"]["accuracy"] == 6 and info["geoperms"] == {
        "ispublic": 1,
        "iscontact": 0,
        "isfriend": 0,
        "isfamily": 0,
    }
    api.ok("flickr.photos.geo.removeLocation", photo_id=pid)
    api.fail("flickr.photos.geo.removeLocation", 2, photo_id=pid)
    api.fail("flickr.photos.geo.getLocation", 2, photo_id=pid)
    assert "location" not in api.info(pid)
    found = api.ok("flickr.photos.search", user_id="me", extras="geo")["photos"]["photo"][0]
    assert {k: found[k] for k in ("latitude", "longitude", "accuracy", "context")} == dict.fromkeys(
        ("latitude", "longitude", "accuracy", "context"), 0
    )
    assert "geo_is_public" not in found


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ({}, 2),
        ({"lat": "10"}, 2),
        ({"lat": "91", "lon": "0"}, 3),
        ({"lat": "north", "lon": "0"}, 3),
        ({"lat": "NaN", "lon": "0"}, 3),
        ({"lat": "0", "lon": "-180.5"}, 4),
        ({"lat": "0", "lon": "0", "accuracy": "0"}, 5),
        ({"lat": "0", "lon": "0", "accuracy": "17"}, 5),
    ],
)
def test_set_location_errors(emulator, args, code):
    api = Api(emulator)
    pid = api.upload_id(make_jpeg_bytes(seed=2))
    api.fail("flickr.photos.geo.setLocation", code, photo_id=pid, **args)


def test_set_location_needs_a_default_geo_privacy():
    """ "Before users may assign location data to a photo they must define who, by default, may view
    that information ... If a user has not set this preference, the API method will return an error"."""
    with EmulatorServer(geo_perms=0) as emu:
        api = Api(emu)
        pid = api.upload_id(make_jpeg_bytes(seed=3))
        assert api.ok("flickr.prefs.getGeoPerms")["person"]["geoperms"] == 0
        body = api.fail("flickr.photos.geo.setLocation", 7, photo_id=pid, lat="1", lon="2")
        assert body["message"] == "User has not configured default viewing settings for location data."
        emu.set_account(geo_perms=5)  # family only
        api.ok("flickr.photos.geo.setLocation", photo_id=pid, lat="1", lon="2")
        perms = api.ok("flickr.photos.geo.getPerms", photo_id=pid)["perms"]
        assert perms == {"id": pid, "ispublic": 0, "iscontact": 0, "isfriend": 0, "isfamily": 1}


def test_who_sees_a_location(emulator):
    owner, stranger = Api(emulator), _stranger(emulator)
    pid = owner.upload_id(make_jpeg_bytes(seed=4), is_public=1)
    owner.ok("flickr.photos.geo.setLocation", photo_id=pid, lat="48.858", lon="2.2945", context="2")
    assert stranger.ok("flickr.photos.geo.getLocation", photo_id=pid)["photo"]["location"]["context"] == 2
    owner.ok("flickr.photos.geo.setPerms", photo_id=pid, is_public=0, is_contact=1, is_friend=1, is_family=1)
    stranger.fail("flickr.photos.geo.getLocation", 2, photo_id=pid)
    assert "location" not in stranger.info(pid)
    assert stranger.ok("flickr.photos.getInfo", photo_id=pid)["photo"].get("geoperms") is None
    seen = stranger.ok("flickr.photos.search", user_id=owner.emu.user_nsid, extras="geo")["photos"]["photo"][0]
    assert seen["latitude"] == 0 and "geo_is_public" not in seen
    mine = owner.ok("flickr.photos.search", user_id="me", extras="geo")["photos"]["photo"][0]
    assert (mine["latitude"], mine["geo_is_contact"], mine["geo_is_public"]) == (48.858, 1, 0)
    # only the owner reads or changes who sees it
    stranger.fail("flickr.photos.geo.getPerms", 1, photo_id=pid)
    stranger.fail("flickr.photos.geo.setPerms", 1, photo_id=pid, is_public=1, is_contact=0, is_friend=0, is_family=0)
    stranger.fail("flickr.photos.geo.setLocation", 1, photo_id=pid, lat="1", lon="1")
    stranger.fail("flickr.photos.geo.removeLocation", 1, photo_id=pid)
    owner.fail("flickr.photos.geo.setPerms", 3, photo_id=pid, is_public=1)


def test_setting_a_location_again_keeps_who_sees_it(emulator):
    api = Api(emulator)
    pid = api.upload_id(make_jpeg_bytes(seed=5))
    api.ok("flickr.photos.geo.setLocation", photo_id=pid, lat="1", lon="1")
    api.ok("flickr.photos.geo.setPerms", photo_id=pid, is_public=0, is_contact=0, is_friend=1, is_family=0)
    api.ok("flickr.photos.geo.setLocation", photo_id=pid, lat="2", lon="2")
    assert api.ok("flickr.photos.geo.getPerms", photo_id=pid)["perms"]["isfriend"] == 1


def test_every_geo_write_moves_lastupdate(emulator):
    api = Api(emulator)
    pid = api.upload_id(make_jpeg_bytes(seed=6))
    writes = [
        ("flickr.photos.geo.setLocation", {"lat": "1", "lon": "1"}),
        ("flickr.photos.geo.setPerms", {"is_public": 0, "is_contact": 0, "is_friend": 0, "is_family": 0}),
        ("flickr.photos.geo.setContext", {"context": "1"}),
        ("flickr.photos.geo.removeLocation", {}),
    ]
    for method, args in writes:
        emulator.store.x("UPDATE photos SET lastupdate=1000 WHERE id=?", (int(pid),))
        api.ok(method, photo_id=pid, **args)
        assert emulator.store.photo(pid)["lastupdate"] > 1000, method


def test_prefs_report_the_defaults_uploads_get():
    with EmulatorServer(default_privacy="private") as emu:
        api = Api(emu)
        got = {
            name: api.ok(f"flickr.prefs.get{name}")["person"]
            for name in ("GeoPerms", "Privacy", "SafetyLevel", "ContentType", "Hidden")
        }
        assert got["GeoPerms"] == {"nsid": emu.user_nsid, "geoperms": 1, "importgeoexif": 1}
        assert got["Privacy"]["privacy"] == 5
        assert (got["SafetyLevel"]["safety_level"], got["ContentType"]["content_type"], got["Hidden"]["hidden"]) == (
            1,
            1,
            1,
        )
        emu.set_account(default_safety_level=2, default_content_type=3, default_hidden=2, geo_import=False)
        assert api.ok("flickr.prefs.getSafetyLevel")["person"]["safety_level"] == 2
        assert api.ok("flickr.prefs.getGeoPerms")["person"]["importgeoexif"] == 0
        pid = api.upload_id(make_jpeg_bytes(seed=7))
        row = emu.store.photo(pid)
        assert (row["is_public"], row["safety_level"], row["content_type"], row["hidden"]) == (0, 1, 3, 2)
        read_only = emu.add_token(perms="read")
        reader = Api(emu, read_only["oauth_token"], read_only["oauth_token_secret"])
        assert reader.ok("flickr.prefs.getHidden")["person"]["hidden"] == 2
        Api(emu, signed=False).fail("flickr.prefs.getPrivacy", 99)


def test_a_free_account_defaults_to_safe_whatever_its_setting():
    with EmulatorServer(account="free") as emu:
        emu.set_account(default_safety_level=3)
        assert Api(emu).ok("flickr.prefs.getSafetyLevel")["person"]["safety_level"] == 1


def test_bad_prefs_settings_are_refused(emulator):
    with pytest.raises(ValueError):
        emulator.set_account(geo_perms=7)
    with pytest.raises(ValueError):
        emulator.set_account(default_hidden=0)
