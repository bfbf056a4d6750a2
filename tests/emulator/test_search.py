"""photos.search, people.getPhotos, getNotInSet, recentlyUpdated: filters, extras, paging."""

from __future__ import annotations

import pytest

from pycsync.emulator import EmulatorServer
from tests.support.api import Api
from tests.support.media import make_jpeg_bytes, make_mp4_bytes


def ids(body: dict) -> list[str]:
    return [p["id"] for p in body["photos"]["photo"]]


@pytest.fixture
def lib(emulator):
    """Four photos + one video with distinct posted/taken dates, tags and privacy."""
    api = Api(emulator)
    specs = [
        dict(
            title="alpha beach",
            tags='beach "New York" checksum:md5=aaa',
            is_public=1,
            posted=1_000_000_100,
            taken="2010-01-01 00:00:00",
        ),
        dict(
            title="bravo",
            tags="beach sunset geo:country=france",
            is_public=0,
            posted=1_000_000_200,
            taken="2012-01-01 00:00:00",
        ),
        dict(
            title="charlie",
            tags="sunset checksum:md5=ccc",
            is_public=0,
            posted=1_000_000_300,
            taken="2011-01-01 00:00:00",
        ),
        dict(title="delta", tags="city", is_public=1, posted=1_000_000_400, taken="2013-01-01 00:00:00"),
    ]
    out = []
    for i, s in enumerate(specs):
        pid = api.upload_id(make_jpeg_bytes(seed=i), title=s["title"], tags=s["tags"], is_public=s["is_public"])
        api.ok("flickr.photos.setDates", photo_id=pid, date_posted=str(s["posted"]), date_taken=s["taken"])
        out.append(pid)
    vid = api.upload_id(make_mp4_bytes(seed=9), "movie.mp4", tags="beach", is_public=0)
    api.ok("flickr.photos.setDates", photo_id=vid, date_posted="1000000500", date_taken="2009-01-01 00:00:00")
    out.append(vid)
    return api, out


def test_user_me_default_sort_and_shape(lib):
    api, (a, b, c, d, v) = lib
    body = api.ok("flickr.photos.search", user_id="me")
    assert ids(body) == [v, d, c, b, a]  # date-posted-desc
    photos = body["photos"]
    assert photos["page"] == 1 and photos["pages"] == 1 and photos["perpage"] == 100 and photos["total"] == "5"
    first = photos["photo"][0]
    assert set(first) == {"id", "owner", "secret", "server", "farm", "title", "ispublic", "isfriend", "isfamily"}


@pytest.mark.parametrize(
    "sort,order",
    [
        ("date-posted-asc", "abcdv"),
        ("date-posted-desc", "vdcba"),
        ("date-taken-asc", "vacbd"),
        ("date-taken-desc", "dbcav"),
    ],
)
def test_sorts(lib, sort, order):
    api, pids = lib
    by = dict(zip("abcdv", pids, strict=False))
    assert ids(api.ok("flickr.photos.search", user_id="me", sort=sort)) == [by[x] for x in order]


def test_tags_any_all_and_exclude(lib):
    api, (a, b, c, d, v) = lib
    assert set(ids(api.ok("flickr.photos.search", user_id="me", tags="beach,city"))) == {a, b, d, v}
    assert set(ids(api.ok("flickr.photos.search", user_id="me", tags="beach,sunset", tag_mode="all"))) == {b}
    assert set(ids(api.ok("flickr.photos.search", user_id="me", tags="beach,-sunset"))) == {a, v}
    assert ids(api.ok("flickr.photos.search", user_id="me", tags="New York")) == [a]
    assert ids(api.ok("flickr.photos.search", user_id="me", tags="newyork")) == [a]


def test_machine_tags_forms(lib):
    api, (a, b, c, d, v) = lib

    def mt(q, **kw):
        return set(ids(api.ok("flickr.photos.search", user_id="me", machine_tags=q, **kw)))

    assert mt("checksum:md5=aaa") == {a}
    assert mt('checksum:md5="AAA"') == {a}
    assert mt("checksum:") == {a, c}
    assert mt("checksum:md5=") == {a, c}
    assert mt("*:country=france") == {b}
    assert mt("checksum:md5=aaa,geo:country=france") == {a, b}
    assert mt("checksum:md5=aaa,checksum:md5=ccc", machine_tag_mode="all") == set()
    assert mt("checksum:md5=zzz") == set()
    api.fail("flickr.photos.search", 11, user_id="me", machine_tags="notamachinetag")


def test_text_dates_media_privacy(lib):
    api, (a, b, c, d, v) = lib
    s = lambda **kw: set(ids(api.ok("flickr.photos.search", user_id="me", **kw)))  # noqa: E731
    assert s(text="ALPHA") == {a}
    assert s(text="BEACH") == {a, b, v}
    assert s(text="sunset") == {b, c}  # tags are searched too
    assert s(min_upload_date="1000000200", max_upload_date="1000000300") == {b, c}
    assert s(min_taken_date="2011-01-01 00:00:00", max_taken_date="2012-06-01") == {b, c}
    assert s(media="videos") == {v}
    assert s(media="photos") == {a, b, c, d}
    assert s(privacy_filter="1") == {a, d}
    assert s(privacy_filter="5") == {b, c, v}


def test_extras(emulator, lib):
    api, (a, *_rest) = lib
    extras = (
        "description,license,date_upload,date_taken,owner_name,icon_server,original_format,last_update,"
        "geo,tags,machine_tags,o_dims,views,media,path_alias,url_sq,url_t,url_s,url_q,url_m,url_n,url_z,"
        "url_c,url_l,url_o"
    )
    p = next(x for x in api.ok("flickr.photos.search", user_id="me", extras=extras)["photos"]["photo"] if x["id"] == a)
    info = api.info(a)
    assert p["description"] == {"_content": ""} and p["license"] == "0"
    assert p["dateupload"] == "1000000100" and p["datetaken"] == "2010-01-01 00:00:00"
    assert p["datetakengranularity"] == 0 and p["datetakenunknown"] == "0"
    assert p["ownername"] == emulator.username and p["iconserver"] == "0" and p["iconfarm"] == 0
    assert p["originalsecret"] == info["originalsecret"] and p["originalformat"] == "jpg"
    assert p["lastupdate"] == info["dates"]["lastupdate"]
    assert p["tags"] == "beach newyork checksum:md5=aaa" and p["machine_tags"] == "checksum:md5=aaa"
    assert (p["o_width"], p["o_height"]) == ("64", "48")
    assert p["views"] == "0" and p["media"] == "photo" and p["media_status"] == "ready"
    assert "pathalias" in p and "latitude" in p
    assert p["url_o"].endswith(f"/static/65535/{a}_{info['originalsecret']}_o.jpg")
    assert (p["width_o"], p["height_o"]) == (64, 48)
    assert p["url_sq"].endswith(f"/{a}_{info['secret']}_s.jpg") and p["width_sq"] == 75
    assert p["url_t"].endswith("_t.jpg") and "url_l" not in p  # 64px wide: no Large size


def test_pagination_and_past_the_end(lib):
    api, pids = lib
    got = []
    for page in (1, 2, 3):
        body = api.ok("flickr.photos.search", user_id="me", per_page=2, page=page)["photos"]
        assert body["pages"] == 3 and body["perpage"] == 2 and body["page"] == page
        got += [p["id"] for p in body["photo"]]
    assert sorted(got) == sorted(pids)
    # like Flickr, a page past the end serves data again: clients must stop at `pages`
    past = api.ok("flickr.photos.search", user_id="me", per_page=2, page=9)["photos"]
    assert past["photo"] and past["pages"] == 3
    assert api.ok("flickr.photos.search", user_id="me", per_page=1000)["photos"]["perpage"] == 500


def test_search_result_cap():
    with EmulatorServer(search_result_cap=3) as emu:
        api = Api(emu)
        pids = [api.upload_id(make_jpeg_bytes(seed=i)) for i in range(5)]
        body = api.ok("flickr.photos.search", user_id="me", per_page=2)["photos"]
        assert body["total"] == "5" and body["pages"] == 3
        seen = [
            p["id"]
            for page in (1, 2, 3)
            for p in api.ok("flickr.photos.search", user_id="me", per_page=2, page=page)["photos"]["photo"]
        ]
        # only the first 3 results are ever served; the page past the cap repeats the last one
        assert len(seen) == 4 and len(set(seen)) == 3
        # people.getPhotos is not capped
        got = [p["id"] for p in api.ok("flickr.people.getPhotos", user_id="me", per_page=500)["photos"]["photo"]]
        assert sorted(got) == sorted(pids)


def test_parameterless_search_and_unknown_user(lib):
    api, _ = lib
    api.fail("flickr.photos.search", 3)
    api.fail("flickr.photos.search", 2, user_id="999@N00")


def test_public_search_across_users(emulator, lib):
    api, (a, b, c, d, v) = lib
    other = emulator.add_user("other")
    them = Api(emulator, other["oauth_token"], other["oauth_token_secret"])
    theirs_public = them.upload_id(make_jpeg_bytes(seed=77), tags="beach", is_public=1)
    them.upload_id(make_jpeg_bytes(seed=78), tags="beach", is_public=0)  # private
    got = set(ids(api.ok("flickr.photos.search", tags="beach")))
    assert got == {a, b, v, theirs_public}
    assert set(ids(them.ok("flickr.photos.search", user_id=emulator.user_nsid))) == {a, d}


def test_people_get_photos(emulator, lib):
    api, (a, b, c, d, v) = lib
    body = api.ok("flickr.people.getPhotos", user_id="me", extras="date_upload")
    assert ids(body) == [v, d, c, b, a]
    api.fail("flickr.people.getPhotos", 1)
    api.fail("flickr.people.getPhotos", 2, user_id="1@N00")
    body = api.ok("flickr.people.getPhotos", user_id=emulator.user_nsid, per_page=1, page=20000)["photos"]
    assert body["page"] == 10000  # page is clamped to 10,000
    assert set(ids(api.ok("flickr.people.getPhotos", user_id="me", min_upload_date="1000000300"))) == {c, d, v}


def test_get_not_in_set(lib):
    api, (a, b, c, d, v) = lib
    api.create_set("s", a)
    sid = api.create_set("t", b)
    api.ok("flickr.photosets.addPhoto", photoset_id=sid, photo_id=c)
    assert ids(api.ok("flickr.photos.getNotInSet")) == [v, d]
    assert ids(api.ok("flickr.photos.getNotInSet", media="photos")) == [d]
    body = api.ok("flickr.photos.getNotInSet", per_page=1)["photos"]
    assert body["pages"] == 2 and body["total"] == "2"


def test_recently_updated(flickr_clock, lib):
    api, (a, b, c, d, v) = lib
    api.fail("flickr.photos.recentlyUpdated", 1)
    api.fail("flickr.photos.recentlyUpdated", 2, min_date="not a date")
    flickr_clock.advance()
    mark = flickr_clock.now
    api.ok("flickr.photos.setMeta", photo_id=b, title="b2")
    flickr_clock.advance()
    api.ok("flickr.photos.addTags", photo_id=d, tags="later")
    body = api.ok("flickr.photos.recentlyUpdated", min_date=str(mark))
    assert ids(body) == [d, b]  # lastupdate descending
    assert all("lastupdate" in p for p in body["photos"]["photo"])
    assert len(ids(api.ok("flickr.photos.recentlyUpdated", min_date="0"))) == 5
