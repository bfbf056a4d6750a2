"""paginate(): page/pages/total as strings or numbers; stops at pages; list helpers."""

from typing import Any

import pytest

from pycsync.flickr import Credentials, Endpoints, FlickrClient, ListedPhoto
from pycsync.flickr.client import format_tags


class Scripted(FlickrClient):
    def __init__(self, pages: list[dict[str, Any]]):
        super().__init__(
            Endpoints.for_base("http://127.0.0.1:9"), Credentials("k", "s", "t", "ts"), calls_per_hour=None
        )
        self.pages = pages
        self.calls: list[tuple[str, dict]] = []

    def call(self, method, *, write=False, idempotent=True, **params):
        self.calls.append((method, params))
        return self.pages[len(self.calls) - 1]


def page(n, pages, items, total=None, per=2, key="photos", item="photo"):
    c = {"page": n, "pages": pages, "perpage": per, "photo": items}
    if total is not None:
        c["total"] = total
    return {key: {**{k: v for k, v in c.items() if k != "photo"}, item: items}, "stat": "ok"}


@pytest.mark.parametrize("pages_value", [3, "3"])
def test_loops_until_pages(pages_value):
    c = Scripted(
        [
            page(1, pages_value, [{"id": "1"}, {"id": "2"}], total="5"),
            page("2", pages_value, [{"id": "3"}, {"id": "4"}], total=5),
            page(3, pages_value, [{"id": "5"}], total="5"),
            page(4, pages_value, [{"id": "1"}]),  # must never be requested
        ]
    )
    ids = [p["id"] for p in c.paginate("flickr.photos.search", "photos", "photo", per_page=2, user_id="me")]
    assert ids == ["1", "2", "3", "4", "5"]
    assert [p["page"] for _, p in c.calls] == [1, 2, 3]
    assert all(p["per_page"] == 2 and p["user_id"] == "me" for _, p in c.calls)


def test_empty_result_and_empty_total():
    c = Scripted([{"photos": {"page": 1, "pages": 0, "perpage": 500, "total": "", "photo": []}, "stat": "ok"}])
    assert list(c.paginate("flickr.photos.search", "photos", "photo")) == []
    assert len(c.calls) == 1


def test_missing_container_and_single_dict_item():
    c = Scripted([{"stat": "ok"}])
    assert list(c.paginate("flickr.photos.getNotInSet", "photos", "photo")) == []
    c = Scripted([{"photos": {"page": "1", "pages": "1", "photo": {"id": "9"}}, "stat": "ok"}])
    assert list(c.paginate("flickr.photos.getNotInSet", "photos", "photo")) == [{"id": "9"}]


def test_pages_missing_uses_total_then_short_page():
    c = Scripted(
        [
            {"photos": {"page": 1, "total": "3", "photo": [{"id": "a"}, {"id": "b"}]}},
            {"photos": {"page": 2, "total": "3", "photo": [{"id": "c"}]}},
        ]
    )
    assert [p["id"] for p in c.paginate("m", "photos", "photo", per_page=2)] == ["a", "b", "c"]
    c = Scripted(
        [
            {"photos": {"photo": [{"id": "a"}, {"id": "b"}]}},
            {"photos": {"photo": [{"id": "c"}]}},
        ]
    )
    assert [p["id"] for p in c.paginate("m", "photos", "photo", per_page=2)] == ["a", "b", "c"]


def test_per_page_clamped():
    c = Scripted([page(1, 1, [])])
    list(c.paginate("m", "photos", "photo", per_page=5000))
    assert c.calls[0][1]["per_page"] == 500


def test_album_helpers_pass_expected_params():
    c = Scripted(
        [
            {"photosets": {"page": 1, "pages": "2", "photoset": [{"id": "s1"}]}},
            {"photosets": {"page": 2, "pages": "2", "photoset": [{"id": "s2"}]}},
            {"photoset": {"page": 1, "pages": 1, "photo": [{"id": "p"}], "total": "1"}},
        ]
    )
    assert [s.album_id for s in c.list_albums()] == ["s1", "s2"]
    assert c.calls[0] == ("flickr.photosets.getList", {"page": 1, "per_page": 500})
    c._nsid = "1@N01"
    assert [p["id"] for p in c.album_photos("s1", "tags,machine_tags")] == ["p"]
    assert c.calls[2] == (
        "flickr.photosets.getPhotos",
        {
            "page": 1,
            "per_page": 500,
            "photoset_id": "s1",
            "media": "all",
            "extras": "tags,machine_tags",
            "user_id": "1@N01",
        },
    )


def test_search_and_machine_tag():
    c = Scripted([page(1, 1, [{"id": "1"}])])
    assert c.find_by_machine_tag("checksum:md5=abc", "machine_tags") == [ListedPhoto("1", "", 0)]
    assert c.calls[0] == (
        "flickr.photos.search",
        {"page": 1, "per_page": 500, "machine_tags": "checksum:md5=abc", "extras": "machine_tags", "user_id": "me"},
    )


def test_format_tags():
    assert (
        format_tags(["a", "central station", 'x"y', "", "checksum:md5=ab"]) == 'a "central station" xy checksum:md5=ab'
    )
