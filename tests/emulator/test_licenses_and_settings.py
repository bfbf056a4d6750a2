"""Licenses (getInfo / setLicense), getPerms, setContentType, setSafetyLevel."""

from __future__ import annotations

from tests.support.api import Api
from tests.support.media import make_jpeg_bytes


def test_licenses_get_info_is_flickrs_list(emulator):
    for api in (Api(emulator), Api(emulator, signed=False)):
        lic = api.ok("flickr.photos.licenses.getInfo")["licenses"]["license"]
        by_id = {entry["id"]: entry for entry in lic}
        # ids 0-16 in Flickr's order and with its current names (recorded 2025)
        assert [entry["id"] for entry in lic] == [
            "0",
            "4",
            "6",
            "3",
            "2",
            "1",
            "5",
            "7",
            "8",
            "9",
            "10",
            "11",
            "12",
            "13",
            "14",
            "15",
            "16",
        ]
        assert by_id["0"]["name"] == "All Rights Reserved" and by_id["0"]["url"].startswith("https://www.flickrhelp")
        assert by_id["4"]["name"] == "CC BY 2.0"
        assert by_id["4"]["url"] == "https://creativecommons.org/licenses/by/2.0/"
        assert by_id["9"]["name"] == "Public Domain Dedication (CC0)"
        assert by_id["10"]["name"] == "Public Domain Mark"
        assert (by_id["11"]["name"], by_id["16"]["name"]) == ("CC BY 4.0", "CC BY-NC-ND 4.0")
        assert by_id["16"]["url"] == "https://creativecommons.org/licenses/by-nc-nd/4.0/"
    root = Api(emulator).xml("flickr.photos.licenses.getInfo")
    assert root.find("licenses/license").get("name") == "All Rights Reserved"


def test_set_license(emulator):
    api = Api(emulator)
    pid = api.upload_id(make_jpeg_bytes(seed=1))
    assert api.info(pid)["license"] == "0"
    assert api.call("flickr.photos.licenses.setLicense", photo_id=pid, license_id="4") == {"stat": "ok"}
    assert api.info(pid)["license"] == "4"
    p = api.ok("flickr.photos.search", user_id="me", extras="license")["photos"]["photo"][0]
    assert p["license"] == "4"
    api.ok("flickr.photos.licenses.setLicense", photo_id=pid, license_id="16")  # CC BY-NC-ND 4.0
    assert api.info(pid)["license"] == "16"
    api.fail("flickr.photos.licenses.setLicense", 2, photo_id=pid, license_id="99")
    api.fail("flickr.photos.licenses.setLicense", 1, photo_id="1", license_id="4")
    read = emulator.add_token(perms="read")
    Api(emulator, read["oauth_token"], read["oauth_token_secret"]).fail(
        "flickr.photos.licenses.setLicense", 99, photo_id=pid, license_id="1"
    )


def test_get_perms(emulator):
    api = Api(emulator)
    pid = api.upload_id(make_jpeg_bytes(seed=1), is_public=0, is_friend=1)
    perms = api.ok("flickr.photos.getPerms", photo_id=pid)["perms"]
    assert perms["id"] == pid and perms["ispublic"] == 0 and perms["isfriend"] == 1 and perms["isfamily"] == 0
    assert "permcomment" in perms and "permaddmeta" in perms
    api.fail("flickr.photos.getPerms", 1, photo_id="1")


def test_set_content_type(emulator):
    api = Api(emulator)
    pid = api.upload_id(make_jpeg_bytes(seed=1))
    assert api.ok("flickr.photos.setContentType", photo_id=pid, content_type=3)["photo"] == {
        "id": pid,
        "content_type": "3",
    }
    assert emulator.store.photo(pid)["content_type"] == 3
    api.fail("flickr.photos.setContentType", 2, photo_id=pid, content_type=7)
    api.fail("flickr.photos.setContentType", 2, photo_id=pid)


def test_set_safety_level(emulator):
    api = Api(emulator)
    pid = api.upload_id(make_jpeg_bytes(seed=1))
    got = api.ok("flickr.photos.setSafetyLevel", photo_id=pid, safety_level=3)["photo"]
    assert got == {"id": pid, "safety_level": "2", "hidden": 0}
    assert api.info(pid)["safety_level"] == "2"
    got = api.ok("flickr.photos.setSafetyLevel", photo_id=pid, hidden=1)["photo"]
    assert got["hidden"] == 1 and got["safety_level"] == "2"
    root = api.xml("flickr.photos.setSafetyLevel", photo_id=pid, safety_level=1, hidden=0)
    assert root.find("photo").attrib == {"id": pid, "safety_level": "0", "hidden": "0"}
    api.fail("flickr.photos.setSafetyLevel", 2, photo_id=pid)
    api.fail("flickr.photos.setSafetyLevel", 2, photo_id=pid, safety_level=9)
