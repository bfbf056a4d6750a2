"""flickr.tags.getList* and flickr.machinetags.* reads."""

from __future__ import annotations

from tests.support.api import Api
from tests.support.media import make_jpeg_bytes


def _setup(emulator):
    api = Api(emulator)
    a = api.upload_id(make_jpeg_bytes(seed=1), tags='Beach "New York" checksum:md5=abc', is_public=1)
    b = api.upload_id(make_jpeg_bytes(seed=2), tags="beach checksum:md5=def upload:by=pycsync", is_public=0)
    return api, a, b


def test_tags_get_list_photo(emulator):
    api, a, _ = _setup(emulator)
    photo = api.ok("flickr.tags.getListPhoto", photo_id=a)["photo"]
    assert photo["id"] == a
    tags = photo["tags"]["tag"]
    assert [(t["raw"], t["_content"], t["machine_tag"]) for t in tags] == [
        ("Beach", "beach", 0),
        ("New York", "newyork", 0),
        ("checksum:md5=abc", "checksum:md5=abc", 1),
    ]
    info_ids = [t["id"] for t in api.info(a)["tags"]["tag"]]
    assert [t["id"] for t in tags] == info_ids and tags[0]["authorname"] == emulator.username
    root = api.xml("flickr.tags.getListPhoto", photo_id=a)
    assert [t.text for t in root.findall("photo/tags/tag")] == ["beach", "newyork", "checksum:md5=abc"]
    api.fail("flickr.tags.getListPhoto", 1, photo_id="5")


def test_tags_get_list_user_and_popular(emulator):
    api, _, _ = _setup(emulator)
    who = api.ok("flickr.tags.getListUser")["who"]
    assert who["id"] == emulator.user_nsid
    assert [t["_content"] for t in who["tags"]["tag"]] == [
        "beach",
        "checksum:md5=abc",
        "checksum:md5=def",
        "newyork",
        "upload:by=pycsync",
    ]
    # others see the tags of public photos only
    anon = Api(emulator, signed=False).ok("flickr.tags.getListUser", user_id=emulator.user_nsid)["who"]
    assert [t["_content"] for t in anon["tags"]["tag"]] == ["beach", "checksum:md5=abc", "newyork"]
    pop = api.ok("flickr.tags.getListUserPopular", count=1)["who"]["tags"]["tag"]
    assert pop == [{"count": 2, "_content": "beach"}]
    raw = api.ok("flickr.tags.getListUserRaw", tag="beach")["who"]["tags"]["tag"]
    assert raw == [{"clean": "beach", "raw": [{"_content": "Beach"}, {"_content": "beach"}]}]
    Api(emulator, signed=False).fail("flickr.tags.getListUser", 1)


def test_machinetags(emulator):
    api, _, _ = _setup(emulator)
    ns = api.ok("flickr.machinetags.getNamespaces")["namespaces"]
    assert [(n["_content"], n["usage"], n["predicates"]) for n in ns["namespace"]] == [
        ("checksum", 2, 1),
        ("upload", 1, 1),
    ]
    assert ns["total"] == 2 and ns["page"] == 1
    preds = api.ok("flickr.machinetags.getPredicates", namespace="checksum")["predicates"]["predicate"]
    assert preds == [{"usage": 2, "namespaces": 1, "_content": "md5"}]
    pairs = api.ok("flickr.machinetags.getPairs")["pairs"]["pair"]
    assert [p["_content"] for p in pairs] == ["checksum:md5", "upload:by"]
    vals = api.ok("flickr.machinetags.getValues", namespace="checksum", predicate="md5")["values"]
    assert vals["namespace"] == "checksum" and vals["predicate"] == "md5"
    assert [(v["_content"], v["usage"]) for v in vals["value"]] == [("abc", 1), ("def", 1)]
    api.fail("flickr.machinetags.getValues", 1, predicate="md5")
    api.fail("flickr.machinetags.getValues", 2, namespace="checksum")
    anon = Api(emulator, signed=False).ok("flickr.machinetags.getValues", namespace="checksum", predicate="md5")
    assert [v["_content"] for v in anon["values"]["value"]] == ["abc"]
    root = api.xml("flickr.machinetags.getNamespaces", per_page=1, page=2)
    assert root.find("namespaces").get("pages") == "2" and root.findtext("namespaces/namespace") == "upload"
