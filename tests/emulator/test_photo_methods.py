"""flickr.photos.* single-photo methods and flickr.people.* (docs/flickr-behaviour.md)."""

from __future__ import annotations

import re

from tests.support.api import Api
from tests.support.media import make_jpeg_bytes, make_mp4_bytes


def test_get_info_json_shape(emulator, api):
    pid = api.upload_id(
        make_jpeg_bytes(seed=1, exif_datetime="2019:07:04 10:11:12"),
        "IMG_0001.JPG",
        description="desc",
        tags='Holiday "New York" uploaded:by=flickr_mobile',
    )
    p = api.info(pid)
    assert p["id"] == pid and re.fullmatch(r"[0-9a-f]{10}", p["secret"])
    assert re.fullmatch(r"[0-9a-f]{10}", p["originalsecret"]) and p["originalsecret"] != p["secret"]
    assert p["server"] == "65535" and p["farm"] == 66 and p["originalformat"] == "jpg"
    assert p["media"] == "photo" and p["rotation"] == 0 and p["license"] == "0" and p["views"] == "0"
    assert p["title"] == {"_content": "IMG_0001"} and p["description"] == {"_content": "desc"}
    assert p["visibility"] == {"ispublic": 1, "isfriend": 0, "isfamily": 0}  # the account's default: public
    d = p["dates"]
    assert d["taken"] == "2019-07-04 10:11:12" and d["takenunknown"] == "0" and d["takengranularity"] == "0"
    assert d["posted"] == p["dateuploaded"] and d["lastupdate"].isdigit()
    assert p["owner"]["nsid"] == emulator.user_nsid and p["owner"]["username"] == emulator.username
    assert p["comments"] == {"_content": "0"} and p["notes"] == {"note": []}
    tags = p["tags"]["tag"]
    assert [(t["raw"], t["_content"], t["machine_tag"]) for t in tags] == [
        ("Holiday", "holiday", 0),
        ("New York", "newyork", 0),
        ("uploaded:by=flickr_mobile", "uploaded:by=flickrmobile", 1),
    ]
    internal = tags[0]["id"].split("-")[0]
    assert all(re.fullmatch(rf"{internal}-{pid}-\d+", t["id"]) for t in tags)
    assert p["urls"]["url"][0]["type"] == "photopage"


def test_get_info_xml_shape(api):
    pid = api.upload_id(make_jpeg_bytes(seed=1), tags="a")
    photo = api.xml("flickr.photos.getInfo", photo_id=pid).find("photo")
    assert photo.get("id") == pid and photo.get("farm") == "66"
    assert photo.find("owner").get("nsid")
    assert photo.find("dates").get("takenunknown") == "1"
    assert photo.find("tags/tag").text == "a" and photo.find("tags/tag").get("raw") == "a"
    assert photo.find("visibility").get("ispublic") == "1"


def test_missing_and_foreign_private_photos_are_not_found(emulator, api):
    api.fail("flickr.photos.getInfo", 1, photo_id="123")
    api.fail("flickr.photos.getInfo", 1)
    other = emulator.add_user("other")
    them = Api(emulator, other["oauth_token"], other["oauth_token_secret"])
    private = them.upload_id(make_jpeg_bytes(seed=5), is_public=0)
    public = them.upload_id(make_jpeg_bytes(seed=6), is_public=1)
    body = api.fail("flickr.photos.getInfo", 1, photo_id=private)
    assert body["message"] == "Photo not found"  # as Flickr words it today (recorded 2025)
    assert body == api.fail("flickr.photos.getInfo", 1, photo_id=private)
    for m in ("flickr.photos.getSizes", "flickr.photos.getAllContexts"):
        api.fail(m, 1, photo_id=private)
    info = api.info(public)
    assert "permissions" not in info
    # someone else's photo cannot be edited
    api.fail("flickr.photos.setMeta", 1, photo_id=public, title="mine now")
    api.fail("flickr.photos.delete", 1, photo_id=public)


def test_get_sizes(api):
    pid = api.upload_id(make_jpeg_bytes(seed=1, size=(1200, 800)))
    sizes = api.ok("flickr.photos.getSizes", photo_id=pid)["sizes"]
    assert sizes["candownload"] == 1
    by = {s["label"]: s for s in sizes["size"]}
    # typed as real Flickr types them, mixed within one answer: Square's a number, Large's strings
    assert by["Square"]["width"] == 75 and by["Large"]["width"] == "1024" and by["Large"]["height"] == "683"
    assert "Large 1600" not in by
    o = by["Original"]
    assert (o["width"], o["height"]) == ("1200", "800")
    # the size pages as Flickr names them: sq (Square), s (Small, file _m), m (Medium), l (Large, file _b)
    assert [by[label]["url"].rsplit("/", 2)[1] for label in ("Square", "Small", "Medium", "Large")] == [
        "sq",
        "s",
        "m",
        "l",
    ]
    info = api.info(pid)
    assert o["source"].endswith(f"/static/65535/{pid}_{info['originalsecret']}_o.jpg")
    assert by["Medium"]["source"].endswith(f"/{pid}_{info['secret']}.jpg")
    assert by["Medium 640"]["source"].endswith(f"/{pid}_{info['secret']}_z.jpg")


def test_set_meta(api):
    pid = api.upload_id(make_jpeg_bytes(seed=1))
    before = int(api.info(pid)["dates"]["lastupdate"])
    api.fail("flickr.photos.setMeta", 2, photo_id=pid)
    api.ok("flickr.photos.setMeta", photo_id=pid, description="only the description")
    p = api.info(pid)
    assert p["title"]["_content"] == "photo" and p["description"]["_content"] == "only the description"
    api.ok("flickr.photos.setMeta", photo_id=pid, title="", description="")
    p = api.info(pid)
    assert p["title"]["_content"] == "" and int(p["dates"]["lastupdate"]) >= before


def test_set_dates(api):
    pid = api.upload_id(make_jpeg_bytes(seed=1))
    assert api.info(pid)["dates"]["takenunknown"] == "1"
    api.fail("flickr.photos.setDates", 2, photo_id=pid)
    api.fail("flickr.photos.setDates", 3, photo_id=pid, date_taken_granularity="5")
    api.fail("flickr.photos.setDates", 4, photo_id=pid, date_posted="yesterday")
    api.fail("flickr.photos.setDates", 5, photo_id=pid, date_taken="07/04/2019")
    api.fail("flickr.photos.setDates", 6, photo_id=pid, date_taken="2019-02-30 10:00:00")
    api.ok("flickr.photos.setDates", photo_id=pid, date_taken="2001-02-03 04:05:06", date_posted="1000000000")
    d = api.info(pid)["dates"]
    assert d["taken"] == "2001-02-03 04:05:06" and d["takenunknown"] == "0" and d["posted"] == "1000000000"
    api.ok("flickr.photos.setDates", photo_id=pid, date_taken="2001-02-03 04:05:06", date_taken_granularity="4")
    d = api.info(pid)["dates"]
    assert d["taken"] == "2001-02-01 00:00:00" and d["takengranularity"] == "4"


def test_tags_add_set_remove(api):
    pid = api.upload_id(make_jpeg_bytes(seed=1), tags="one")
    api.ok("flickr.photos.addTags", photo_id=pid, tags='two "Three Four" ONE checksum:md5=ABCdef')
    raw = [t["raw"] for t in api.info(pid)["tags"]["tag"]]
    assert raw == ["one", "two", "Three Four", "checksum:md5=ABCdef"]
    tags = api.info(pid)["tags"]["tag"]
    api.ok("flickr.photos.removeTag", tag_id=tags[1]["id"])
    assert [t["raw"] for t in api.info(pid)["tags"]["tag"]] == ["one", "Three Four", "checksum:md5=ABCdef"]
    api.fail("flickr.photos.removeTag", 1, tag_id=tags[1]["id"])
    api.fail("flickr.photos.removeTag", 1, tag_id="nonsense")
    api.ok("flickr.photos.setTags", photo_id=pid, tags="x y:z=1")
    got = api.info(pid)["tags"]["tag"]
    assert [(t["raw"], t["machine_tag"]) for t in got] == [("x", 0), ("y:z=1", 1)]
    api.ok("flickr.photos.setTags", photo_id=pid, tags="")
    assert api.info(pid)["tags"] == {"tag": []}


def test_tag_limit_is_all_or_nothing(api):
    pid = api.upload_id(make_jpeg_bytes(seed=1), tags=" ".join(f"t{i}" for i in range(70)))
    api.fail("flickr.photos.addTags", 2, photo_id=pid, tags=" ".join(f"u{i}" for i in range(6)))
    assert len(api.info(pid)["tags"]["tag"]) == 70
    api.ok("flickr.photos.addTags", photo_id=pid, tags=" ".join(f"u{i}" for i in range(5)))
    assert len(api.info(pid)["tags"]["tag"]) == 75


def test_set_perms(api):
    pid = api.upload_id(make_jpeg_bytes(seed=1))
    api.fail("flickr.photos.setPerms", 2, photo_id=pid, is_public=1)
    body = api.ok("flickr.photos.setPerms", photo_id=pid, is_public=1, is_friend=0, is_family=1)
    info = api.info(pid)
    assert body["photoid"] == {"secret": info["secret"], "originalsecret": info["originalsecret"], "_content": pid}
    assert info["visibility"] == {"ispublic": 1, "isfriend": 0, "isfamily": 1}
    perms = api.ok("flickr.photos.getPerms", photo_id=pid)["perms"]
    assert perms["ispublic"] == 1 and perms["isfamily"] == 1


def test_lastupdate_never_goes_backwards_and_bumps(flickr_clock, api):
    pid = api.upload_id(make_jpeg_bytes(seed=1))
    seen = [int(api.info(pid)["dates"]["lastupdate"])]
    flickr_clock.advance()
    for method, kw in [
        ("flickr.photos.setMeta", {"title": "t"}),
        ("flickr.photos.addTags", {"tags": "a"}),
        ("flickr.photos.setPerms", {"is_public": 1, "is_friend": 0, "is_family": 0}),
        ("flickr.photos.setDates", {"date_taken": "2000-01-01 00:00:00"}),
    ]:
        api.ok(method, photo_id=pid, **kw)
        seen.append(int(api.info(pid)["dates"]["lastupdate"]))
    assert seen == sorted(seen) and seen[1] > seen[0]


def test_delete_removes_from_sets_and_empty_sets_vanish(api):
    a = api.upload_id(make_jpeg_bytes(seed=1))
    b = api.upload_id(make_jpeg_bytes(seed=2))
    s1 = api.create_set("one", a)
    s2 = api.create_set("two", a)
    api.ok("flickr.photosets.addPhoto", photoset_id=s2, photo_id=b)
    api.ok("flickr.photos.delete", photo_id=a)
    api.fail("flickr.photos.getInfo", 1, photo_id=a)
    api.fail("flickr.photosets.getInfo", 1, photoset_id=s1)
    info = api.ok("flickr.photosets.getInfo", photoset_id=s2)["photoset"]
    assert info["primary"] == b and info["photos"] == 1
    api.fail("flickr.photos.delete", 1, photo_id=a)


def test_get_all_contexts(api):
    a = api.upload_id(make_jpeg_bytes(seed=1))
    s1 = api.create_set("one", a)
    s2 = api.create_set("two", a)
    sets = api.ok("flickr.photos.getAllContexts", photo_id=a)["set"]
    assert sorted(s["id"] for s in sets) == sorted([s1, s2])
    one = next(s for s in sets if s["id"] == s1)
    assert one["title"] == "one" and one["primary"] == a and one["farm"] == 66 and one["count_photo"] == "1"
    xml = api.xml("flickr.photos.getAllContexts", photo_id=a)
    assert len(xml.findall("set")) == 2


def test_echo_and_login(emulator, api):
    body = api.ok("flickr.test.echo", foo="bar", baz="ü")
    assert body["foo"] == {"_content": "bar"} and body["baz"] == {"_content": "ü"}
    assert body["format"] == {"_content": "json"}
    login = api.ok("flickr.test.login")["user"]
    assert login == {"id": emulator.user_nsid, "username": {"_content": emulator.username}, "path_alias": None}


def test_people_methods(emulator, api):
    api.upload_id(make_jpeg_bytes(seed=1), is_public=1)
    api.upload_id(make_jpeg_bytes(seed=2), is_public=0)
    api.upload_id(make_mp4_bytes(seed=3), "clip.mp4", is_public=0)
    person = api.ok("flickr.people.getInfo", user_id=emulator.user_nsid)["person"]
    assert person["nsid"] == emulator.user_nsid and person["username"]["_content"] == emulator.username
    assert person["photos"]["count"]["_content"] == 3
    anon = Api(emulator, signed=False)
    assert anon.ok("flickr.people.getInfo", user_id=emulator.user_nsid)["person"]["photos"]["count"]["_content"] == 1
    api.fail("flickr.people.getInfo", 1, user_id="1@N00")
    status = api.ok("flickr.people.getUploadStatus")["user"]
    assert status["id"] == emulator.user_nsid and status["sets"]["remaining"] == "lots"
    assert status["videos"]["uploaded"] == 1 and status["filesize"]["maxbytes"] == str(200 * 2**20)
    limits = api.ok("flickr.people.getLimits")["person"]
    assert limits["photos"]["maxupload"] == str(200 * 2**20)
    assert limits["videos"]["maxupload"] == str(2**30)
