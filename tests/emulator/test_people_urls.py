"""People and URL reads: findByUsername / findByEmail, people.getInfo, getPublicPhotos, flickr.urls.*."""

from __future__ import annotations

import pytest

from tests.support.api import Api
from tests.support.media import make_jpeg_bytes


def test_find_by_username_and_email(emulator):
    api = Api(emulator)
    nsid = emulator.user_nsid
    for name in (emulator.username, emulator.username.upper()):
        user = api.ok("flickr.people.findByUsername", username=name)["user"]
        assert user == {"id": nsid, "nsid": nsid, "username": {"_content": emulator.username}}
    api.fail("flickr.people.findByUsername", 1, username="nobody-here")
    api.fail("flickr.people.findByUsername", 1)

    # no address given at creation: <username>@example.com stands in
    assert api.ok("flickr.people.findByEmail", find_email=f"{emulator.username}@Example.com")["user"]["id"] == nsid
    api.fail("flickr.people.findByEmail", 1, find_email="someone@else.org")
    other = emulator.add_user("alice", email="alice@mail.test")
    assert api.ok("flickr.people.findByEmail", find_email="ALICE@mail.test")["user"]["nsid"] == other["user_nsid"]
    api.fail("flickr.people.findByEmail", 1, find_email="alice@example.com")
    # unauthenticated (api_key only) works too, in XML
    root = Api(emulator, signed=False).xml("flickr.people.findByUsername", username="alice")
    assert root.find("user").get("nsid") == other["user_nsid"] and root.findtext("user/username") == "alice"


def test_people_get_info_full_shape(emulator):
    api = Api(emulator)
    nsid = emulator.user_nsid
    api.upload_id(make_jpeg_bytes(seed=1, exif_datetime="2019:03:04 05:06:07"), is_public=1)
    api.upload_id(make_jpeg_bytes(seed=2), is_public=0)  # private
    p = api.ok("flickr.people.getInfo", user_id=nsid)["person"]
    assert p["id"] == p["nsid"] == nsid
    assert p["ispro"] == 1 and p["iconserver"] == "0" and p["iconfarm"] == 0
    assert "path_alias" in p and p["path_alias"] is None
    for key in ("username", "realname", "location", "description", "photosurl", "profileurl", "mobileurl"):
        assert set(p[key]) == {"_content"}, key
    assert p["username"]["_content"] == emulator.username
    assert p["photosurl"]["_content"] == f"{emulator.endpoint}/photos/{nsid}/"
    assert p["profileurl"]["_content"] == f"{emulator.endpoint}/people/{nsid}/"
    photos = p["photos"]
    assert photos["count"] == {"_content": 2}
    assert photos["firstdatetaken"]["_content"] == "2019-03-04 05:06:07"
    assert photos["firstdate"]["_content"].isdigit() and photos["views"] == {"_content": "0"}
    assert p["mbox_sha1sum"]["_content"] and p["pro_badge"] == "standard"  # the owner's view of a pro account
    assert (p["has_adfree"], p["has_free_standard_shipping"], p["has_free_educational_resources"]) == (0, 0, 0)
    # others see only public photos, and neither the owner's views nor e-mail hash
    anon = Api(emulator, signed=False).ok("flickr.people.getInfo", user_id=nsid)["person"]
    assert anon["photos"]["count"] == {"_content": 1}
    assert "views" not in anon["photos"] and "mbox_sha1sum" not in anon and "has_adfree" in anon
    # XML: path_alias present but empty (clients do attrib["path_alias"] or None)
    person = api.xml("flickr.people.getInfo", user_id=nsid).find("person")
    assert person.get("path_alias") == "" and person.get("nsid") == nsid
    assert person.findtext("photosurl").endswith(f"/photos/{nsid}/") and person.findtext("photos/count") == "2"
    api.fail("flickr.people.getInfo", 1, user_id="1@N00")


def test_people_get_public_photos(emulator):
    api = Api(emulator)
    pub = api.upload_id(make_jpeg_bytes(seed=1), is_public=1)
    api.upload_id(make_jpeg_bytes(seed=2), is_public=0)
    for caller in (api, Api(emulator, signed=False)):
        photos = caller.ok("flickr.people.getPublicPhotos", user_id=emulator.user_nsid, extras="url_o")["photos"]
        assert [p["id"] for p in photos["photo"]] == [pub] and photos["total"] == "1"
        assert "width_o" in photos["photo"][0] and "height_o" in photos["photo"][0]
    api.fail("flickr.people.getPublicPhotos", 1, user_id="nobody")


@pytest.mark.parametrize(
    "form",
    [
        "https://www.flickr.com/photos/{nsid_enc}/",
        "https://www.flickr.com/people/{nsid}",
        "flickr.com/photos/{username}/123/",
        "{endpoint}/photos/{nsid}/",
        "/people/{nsid}/",
    ],
)
def test_urls_lookup_user(emulator, form):
    api = Api(emulator)
    url = form.format(
        nsid=emulator.user_nsid,
        nsid_enc=emulator.user_nsid.replace("@", "%40"),
        username=emulator.username,
        endpoint=emulator.endpoint,
    )
    user = api.ok("flickr.urls.lookupUser", url=url)["user"]
    assert user == {"id": emulator.user_nsid, "username": {"_content": emulator.username}}


def test_urls_lookup_user_unknown(emulator):
    api = Api(emulator)
    for url in ("https://www.flickr.com/photos/nobody/", "https://www.flickr.com/groups/x/", ""):
        api.fail("flickr.urls.lookupUser", 1, url=url)


def test_urls_user_photos_and_profile(emulator):
    api = Api(emulator)
    nsid = emulator.user_nsid
    assert api.ok("flickr.urls.getUserPhotos")["user"] == {"nsid": nsid, "url": f"{emulator.endpoint}/photos/{nsid}/"}
    other = emulator.add_user("bob")
    u = api.ok("flickr.urls.getUserProfile", user_id=other["user_nsid"])["user"]
    assert u == {"nsid": other["user_nsid"], "url": f"{emulator.endpoint}/people/{other['user_nsid']}/"}
    anon = Api(emulator, signed=False)
    anon.fail("flickr.urls.getUserPhotos", 1)  # no caller, no user_id
    assert anon.xml("flickr.urls.getUserProfile", user_id=nsid).find("user").get("url").endswith(f"/people/{nsid}/")


def test_contacts_and_favorites_are_empty_lists(emulator):
    api = Api(emulator)
    c = api.ok("flickr.contacts.getList")["contacts"]
    assert c["contact"] == [] and c["total"] == "0" and c["page"] == 1
    assert api.ok("flickr.contacts.getPublicList", user_id=emulator.user_nsid)["contacts"]["contact"] == []
    Api(emulator, signed=False).fail("flickr.contacts.getList", 99)
    f = api.ok("flickr.favorites.getList", extras="url_o")["photos"]
    assert f["photo"] == [] and f["total"] == "0"
    assert api.ok("flickr.favorites.getPublicList", user_id=emulator.user_nsid)["photos"]["photo"] == []
    api.fail("flickr.favorites.getPublicList", 1, user_id="nobody")


def test_control_surface_user_email(emulator):
    from tests.support.api import control

    r = control(emulator, "users", "POST", {"username": "carol", "email": "carol@home.test"})
    assert r.status_code == 200
    found = Api(emulator).ok("flickr.people.findByEmail", find_email="carol@home.test")["user"]
    assert found["nsid"] == r.json()["user_nsid"]


def test_old_data_dir_gains_the_email_column(tmp_path):
    import sqlite3

    from pycsync.emulator import EmulatorServer

    with EmulatorServer(data_dir=tmp_path) as emu:
        username = emu.username
    db = sqlite3.connect(tmp_path / "emulator.db")
    db.execute("ALTER TABLE users DROP COLUMN email")  # what an older emulator wrote
    db.commit()
    db.close()
    with EmulatorServer(data_dir=tmp_path) as emu:
        Api(emu).ok("flickr.people.findByEmail", find_email=f"{username}@example.com")
