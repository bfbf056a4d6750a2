"""flickr.photosets.* (docs/flickr-behaviour.md, "Photosets")."""

from __future__ import annotations

import pytest

from pycsync.emulator import EmulatorServer
from tests.support.api import Api
from tests.support.media import make_jpeg_bytes, make_mp4_bytes


@pytest.fixture
def five(emulator):
    api = Api(emulator)
    return api, [api.upload_id(make_jpeg_bytes(seed=i), title=f"p{i}", is_public=0) for i in range(5)]


def members(api, sid, **kw):
    return [p["id"] for p in api.ok("flickr.photosets.getPhotos", photoset_id=sid, **kw)["photoset"]["photo"]]


def test_create_requires_title_and_own_primary(emulator, five):
    api, p = five
    api.fail("flickr.photosets.create", 1, primary_photo_id=p[0])
    api.fail("flickr.photosets.create", 2, title="x")
    api.fail("flickr.photosets.create", 2, title="x", primary_photo_id="123")
    other = emulator.add_user("other")
    theirs = Api(emulator, other["oauth_token"], other["oauth_token_secret"]).upload_id(
        make_jpeg_bytes(seed=9), is_public=1
    )
    api.fail("flickr.photosets.create", 2, title="x", primary_photo_id=theirs)
    body = api.ok("flickr.photosets.create", title="Holiday", description="d", primary_photo_id=p[0])
    sid = body["photoset"]["id"]
    assert body["photoset"]["url"].endswith(f"/photos/{emulator.user_nsid}/sets/{sid}/")
    assert members(api, sid) == [p[0]]  # the primary is the first member
    api.fail("flickr.photosets.addPhoto", 3, photoset_id=sid, photo_id=p[0])


def test_add_remove_and_last_photo_deletes_the_set(five):
    api, p = five
    sid = api.create_set("S", p[0])
    for x in p[1:3]:
        api.ok("flickr.photosets.addPhoto", photoset_id=sid, photo_id=x)
    assert members(api, sid) == p[:3]
    api.fail("flickr.photosets.addPhoto", 3, photoset_id=sid, photo_id=p[1])
    api.fail("flickr.photosets.addPhoto", 1, photoset_id="72157000000000000", photo_id=p[1])
    api.fail("flickr.photosets.addPhoto", 2, photoset_id=sid, photo_id="1")
    api.fail("flickr.photosets.removePhoto", 3, photoset_id=sid, photo_id=p[4])
    api.ok("flickr.photosets.removePhoto", photoset_id=sid, photo_id=p[0])
    info = api.ok("flickr.photosets.getInfo", photoset_id=sid)["photoset"]
    assert info["primary"] == p[1]  # another member becomes primary
    api.ok("flickr.photosets.removePhotos", photoset_id=sid, photo_ids=f"{p[1]},{p[2]}")
    api.fail("flickr.photosets.getInfo", 1, photoset_id=sid)
    assert api.ok("flickr.photosets.getList")["photosets"]["photoset"] == []


def test_edit_photos_reorder_and_primary(five):
    api, p = five
    sid = api.create_set("S", p[0])
    api.fail("flickr.photosets.editPhotos", 5, photoset_id=sid, primary_photo_id=p[0], photo_ids="")
    api.fail("flickr.photosets.editPhotos", 4, photoset_id=sid, primary_photo_id=p[0], photo_ids=p[1])
    api.fail("flickr.photosets.editPhotos", 2, photoset_id=sid, primary_photo_id=p[0], photo_ids=f"{p[0]},1")
    api.fail("flickr.photosets.editPhotos", 3, photoset_id=sid, primary_photo_id="1", photo_ids=p[0])
    api.ok(
        "flickr.photosets.editPhotos", photoset_id=sid, primary_photo_id=p[3], photo_ids=",".join([p[4], p[3], p[1]])
    )
    assert members(api, sid) == [p[4], p[3], p[1]]
    photos = api.ok("flickr.photosets.getPhotos", photoset_id=sid)["photoset"]
    assert photos["primary"] == p[3]
    assert [x["isprimary"] for x in photos["photo"]] == ["0", "1", "0"]
    api.ok("flickr.photosets.reorderPhotos", photoset_id=sid, photo_ids=f"{p[1]},{p[4]}")
    assert members(api, sid) == [p[1], p[4], p[3]]
    api.fail("flickr.photosets.reorderPhotos", 2, photoset_id=sid, photo_ids=p[0])
    api.ok("flickr.photosets.setPrimaryPhoto", photoset_id=sid, photo_id=p[4])
    assert api.ok("flickr.photosets.getInfo", photoset_id=sid)["photoset"]["primary"] == p[4]
    api.fail("flickr.photosets.setPrimaryPhoto", 2, photoset_id=sid, photo_id=p[0])


def test_get_list_order_counts_and_shape(emulator, five):
    api, p = five
    vid = api.upload_id(make_mp4_bytes(seed=1), "v.mp4", is_public=0)
    s1 = api.create_set("first", p[0], description="folder/a")
    api.ok("flickr.photosets.addPhoto", photoset_id=s1, photo_id=vid)
    s2 = api.create_set("second", p[1])
    s3 = api.create_set("third", p[2])
    sets = api.ok("flickr.photosets.getList")["photosets"]
    assert [s["id"] for s in sets["photoset"]] == [s3, s2, s1]  # new sets first
    # getList's paging fields are all numbers (recorded 2017); only the owner may create sets
    assert sets["total"] == 3 and sets["page"] == 1 and sets["perpage"] == 500 and sets["cancreate"] == 1
    assert (
        "cancreate"
        not in Api(emulator, signed=False).ok("flickr.photosets.getList", user_id=emulator.user_nsid)["photosets"]
    )
    first = sets["photoset"][2]
    assert first["photos"] == 1 and first["videos"] == 1
    assert first["title"] == {"_content": "first"} and first["description"] == {"_content": "folder/a"}
    assert first["primary"] == p[0] and first["farm"] == 66 and first["count_views"] == "0"
    assert first["date_create"].isdigit() and first["date_update"].isdigit()
    api.ok("flickr.photosets.orderSets", photoset_ids=f"{s1},{s3}")
    assert [s["id"] for s in api.ok("flickr.photosets.getList")["photosets"]["photoset"]] == [s1, s3, s2]
    api.fail("flickr.photosets.orderSets", 1, photoset_ids="72157000000000001")
    paged = api.ok("flickr.photosets.getList", per_page=2, page=2)["photosets"]
    assert paged["pages"] == 2 and [s["id"] for s in paged["photoset"]] == [s2]
    xml = api.xml("flickr.photosets.getList")
    assert [e.findtext("title") for e in xml.findall("photosets/photoset")] == ["first", "third", "second"]
    info = api.ok("flickr.photosets.getInfo", photoset_id=s1)["photoset"]
    assert info["photos"] == 2 and info["count_photos"] == 1 and info["count_videos"] == 1
    assert info["owner"] == emulator.user_nsid and info["title"] == {"_content": "first"}
    extras = api.ok("flickr.photosets.getList", primary_photo_extras="url_o,original_format", photo_ids=p[0])[
        "photosets"
    ]["photoset"]
    by = {s["id"]: s for s in extras}
    assert by[s1]["primary_photo_extras"]["originalformat"] == "jpg"
    assert by[s1]["has_requested_photos"] == 1 and by[s2]["has_requested_photos"] == 0


def test_edit_meta_and_date_update(flickr_clock, five):
    api, p = five
    sid = api.create_set("S", p[0], description="keep me")
    before = api.ok("flickr.photosets.getInfo", photoset_id=sid)["photoset"]["date_update"]
    flickr_clock.advance()
    api.fail("flickr.photosets.editMeta", 2, photoset_id=sid)
    api.ok("flickr.photosets.editMeta", photoset_id=sid, title="T2")
    info = api.ok("flickr.photosets.getInfo", photoset_id=sid)["photoset"]
    assert info["title"]["_content"] == "T2" and info["description"]["_content"] == "keep me"
    assert int(info["date_update"]) > int(before)
    after_meta = info["date_update"]
    api.ok("flickr.photosets.addPhoto", photoset_id=sid, photo_id=p[1])
    assert int(api.ok("flickr.photosets.getInfo", photoset_id=sid)["photoset"]["date_update"]) >= int(after_meta)


def test_get_photos_paging_extras_media_and_privacy(emulator, five):
    api, p = five
    sid = api.create_set("S", p[0])
    for x in p[1:]:
        api.ok("flickr.photosets.addPhoto", photoset_id=sid, photo_id=x)
    vid = api.upload_id(make_mp4_bytes(seed=2), "v.mp4", is_public=1)
    api.ok("flickr.photosets.addPhoto", photoset_id=sid, photo_id=vid)
    body = api.ok(
        "flickr.photosets.getPhotos", photoset_id=sid, per_page=2, page=3, extras="url_o,original_format,media"
    )["photoset"]
    assert body["pages"] == 3 and body["total"] == "6" and body["page"] == 3
    assert [x["id"] for x in body["photo"]] == [p[4], vid]
    v = body["photo"][1]
    # a video's url_o is its poster frame, as on Flickr (the video file is play/orig, for its owner)
    assert v["media"] == "video" and v["url_o"].endswith(f"_{v['originalsecret']}_o.jpg")
    assert members(api, sid, media="videos") == [vid]
    assert members(api, sid, privacy_filter="1") == [vid]
    assert body["owner"] == emulator.user_nsid and body["ownername"] == emulator.username
    # a stranger only sees the public photos of the set
    anon = Api(emulator, signed=False)
    assert members(anon, sid) == [vid]
    api.fail("flickr.photosets.getPhotos", 1, photoset_id="72157000000000000")
    api.fail("flickr.photosets.getPhotos", 2, photoset_id=sid, user_id="1@N00")


def test_delete_set_and_foreign_sets(emulator, five):
    api, p = five
    sid = api.create_set("S", p[0])
    other = emulator.add_user("other")
    them = Api(emulator, other["oauth_token"], other["oauth_token_secret"])
    them.fail("flickr.photosets.delete", 1, photoset_id=sid)
    them.fail("flickr.photosets.addPhoto", 1, photoset_id=sid, photo_id=p[1])
    them.fail("flickr.photosets.getInfo", 1, photoset_id=sid)  # only private photos in it
    api.ok("flickr.photosets.delete", photoset_id=sid)
    api.fail("flickr.photosets.delete", 1, photoset_id=sid)
    assert api.info(p[0])["id"] == p[0]  # photos survive


def test_set_limits_are_configurable():
    with EmulatorServer(max_sets=1, max_set_photos=2) as emu:
        api = Api(emu)
        a, b, c = (api.upload_id(make_jpeg_bytes(seed=i)) for i in range(3))
        sid = api.create_set("S", a)
        api.fail("flickr.photosets.create", 3, title="T", primary_photo_id=b)
        api.ok("flickr.photosets.addPhoto", photoset_id=sid, photo_id=b)
        api.fail("flickr.photosets.addPhoto", 10, photoset_id=sid, photo_id=c)
