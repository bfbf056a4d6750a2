"""A sync after k changes costs O(k) calls on top of the no-change cost: the transfers and album
edits the changes need (one addPhoto per new photo of an existing album), and the re-reading of
only the albums they touched."""

from __future__ import annotations

import pytest

from tests.support.calls import NO_CHANGE
from tests.support.library import make_library
from tests.support.media import make_jpeg_bytes


@pytest.fixture
def settled(emulator, root, counted, flickr_clock):
    """A synced library of 40 photos in 4 albums (+4 loose), with Flickr's clock moved on."""
    make_library(root, {"A": 10, "B": 10, "C": 10, "D": 6}, loose=4)
    counted(root)
    flickr_clock.advance()
    counted(root)
    flickr_clock.advance()
    assert counted(root)[1] == NO_CHANGE
    flickr_clock.advance()
    return root


def test_local_changes_cost_their_transfers_and_one_edit_per_album(settled, counted, flickr_clock):
    root = settled
    make_library(root, {"A": 13})  # k=3 new photos in A
    make_jpeg_bytes(root / "B" / "new.jpg", seed=99)  # one new photo in B
    make_jpeg_bytes(root / "C" / "IMG_0004.jpg", seed=98)  # one edited photo
    (root / "D" / "IMG_0002.jpg").rename(root / "D" / "renamed.jpg")  # one rename: no re-upload

    summary, calls = counted(root)
    assert (summary["uploaded"], summary["replaced"], summary["moved"]) == (4, 1, 1)
    assert calls == {
        **NO_CHANGE,
        "upload": 4,
        # one additive call per new photo in an existing album (A: 3, B: 1): editPhotos would
        # replace the member list with one read before the uploads, dropping what joined since
        "flickr.photosets.addPhoto": 4,
        "flickr.people.getPhotos": 1,  # the 4 uploads' original secrets (the upload answer has none)
        "replace": 1,
        # replace: the new secret and the old content tag's id; rename: the old name tag's id
        "flickr.photos.getInfo": 2,
        "flickr.photos.addTags": 2,  # replace: the new content tag; rename: the new name tag
        "flickr.photos.removeTag": 2,  # the stale ones
        "flickr.photos.setMeta": 1,  # rename: the title follows the file name
    }

    flickr_clock.advance()
    summary, calls = counted(root)  # the two albums it changed are recognised, not read again
    assert calls == NO_CHANGE


def test_remote_changes_cost_their_downloads_and_the_albums_they_touched(
    settled, emulator, counted, flickr_clock, flickr, tmp_path
):
    root = settled
    albums = {a["title"]: a for a in emulator.state()["albums"]}
    make_library(tmp_path, {"web": 3})
    for i in range(2):  # k=2 photos added to album A on the website
        pid = flickr.upload(tmp_path / "web" / f"IMG_{i:04d}.jpg", title=f"web {i}").photo_id
        flickr.add_to_album(albums["A"]["id"], pid)
    flickr.replace(tmp_path / "web" / "IMG_0002.jpg", albums["B"]["photo_ids"][3])  # one replaced
    flickr.set_meta(albums["C"]["photo_ids"][0], title="retitled on Flickr")  # one retitled
    flickr_clock.advance()

    summary, calls = counted(root)
    assert (summary["downloaded"], summary["replaced"]) == (2, 1)
    static = calls.pop("static")
    assert static == 3  # the three originals, by URL
    assert calls == {**NO_CHANGE, "flickr.photosets.getPhotos": 1}  # only A changed membership

    flickr_clock.advance()
    assert counted(root)[1] == NO_CHANGE
