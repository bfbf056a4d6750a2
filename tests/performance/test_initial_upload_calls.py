"""Initial upload: N uploads, and per album one photosets.create (with the first photo as its
primary) plus ONE photosets.editPhotos holding every member in order (addPhoto when there is only
one more photo), on top of a constant seven calls (login, token check, getList, getNotInSet, the
account's kind and limits -- people.getInfo and people.getLimits, read once before anything is
sent -- and one people.getPhotos per 500 uploads: Flickr's upload answer is only the photo id, so
the new photos' original secrets are read back in one listing). New photos for albums that
already exist go in with one photosets.addPhoto each."""

from __future__ import annotations

from tests.support.calls import LOGIN
from tests.support.library import make_library

EMPTY_ACCOUNT_LISTING = {"flickr.photosets.getList": 1, "flickr.photos.getNotInSet": 1}
#: the limits check before the first upload: the account's kind and count, its file limits
ACCOUNT = {"flickr.people.getInfo": 1, "flickr.people.getLimits": 1}


def test_initial_upload_makes_one_call_per_photo_and_at_most_two_per_album(emulator, root, counted, flickr_clock):
    albums = {"2019/Paris": 7, "2019/Alps": 3, "Trips": 2, "Solo": 1}
    keys = make_library(root, albums, loose=4)
    n, m = len(keys), len(albums)

    summary, calls = counted(root)

    assert summary["uploaded"] == n and summary["failed"] == 0
    assert calls == {
        **LOGIN,
        **EMPTY_ACCOUNT_LISTING,
        **ACCOUNT,
        "upload": n,
        "flickr.photosets.create": m,
        "flickr.photosets.editPhotos": 2,  # 2019/Paris and 2019/Alps: all members at once
        "flickr.photosets.addPhoto": 1,  # Trips: the one photo besides its primary
        # Solo: created with its only photo as primary, nothing else
        "flickr.people.getPhotos": 1,  # the new uploads' original secrets, 500 a page
    }
    assert sum(calls.values()) == n + 2 * m + 7 - 1  # at most two per album: Solo needed one
    assert summary["api_calls_total"] == sum(v for k, v in calls.items() if k != "upload") + n


def test_members_are_in_file_order_with_the_first_as_primary(emulator, root, counted, flickr_clock):
    make_library(root, {"Album": 12})
    counted(root)
    state = emulator.state()
    titles = {p["id"]: p["title"] for p in state["photos"]}
    (album,) = state["albums"]
    assert [titles[p] for p in album["photo_ids"]] == [f"IMG_{i:04d}" for i in range(12)]
    assert titles[album["primary"]] == "IMG_0000"


def test_new_photos_for_existing_albums_go_in_with_one_additive_call_each(emulator, root, counted, flickr_clock):
    make_library(root, {"Big": 5, "Small": 2})
    counted(root)
    flickr_clock.advance()
    make_library(root, {"Big": 9, "Small": 3})  # 4 new in Big, 1 new in Small (same names kept)
    summary, calls = counted(root)
    assert summary["uploaded"] == 5
    writes = {k: v for k, v in calls.items() if k not in LOGIN and "get" not in k and "recently" not in k}
    assert writes == {
        "upload": 5,
        # never editPhotos on an album that existed before the run: it replaces the member list
        # with the one listed before the uploads, dropping whatever joined the album since
        "flickr.photosets.addPhoto": 5,  # Big: 4 new, in order; Small: 1
    }
    state = emulator.state()
    titles = {p["id"]: p["title"] for p in state["photos"]}
    big = next(a for a in state["albums"] if a["title"] == "Big")
    assert [titles[p] for p in big["photo_ids"]] == [f"IMG_{i:04d}" for i in range(9)]
