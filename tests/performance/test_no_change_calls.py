"""A sync with nothing to do costs three calls whatever the library's size, and reads no file:
the listing comes from the state DB's snapshot (getList to see that no album changed,
recentlyUpdated to see that no photo did, people.getInfo to check the photo count) and the local
scan trusts size and mtime. Who the token belongs to and what it may do are known from the run
that first used it (no test.login, no checkToken); the albums a run changed itself are recognised
from what it recorded, so the run right after uploads, moves or deletions is just as quiet."""

from __future__ import annotations

import pytest

from tests.support.calls import NO_CHANGE
from tests.support.library import make_library


@pytest.mark.parametrize("n", [10, 60])
def test_no_change_sync_costs_the_same_at_any_size(emulator, root, counted, flickr_clock, n):
    per_album = n // 5
    make_library(root, {"A": per_album, "B/C": per_album, "D": per_album, "E": per_album}, loose=n - 4 * per_album)
    counted(root)
    flickr_clock.advance()

    for _ in range(3):  # right after the upload too: the four albums it created are not read
        summary, calls = counted(root)
        assert calls == NO_CHANGE, "the same calls at n=10 and n=60"
        assert summary["files_hashed"] == 0
        assert summary["uploaded"] == summary["downloaded"] == summary["replaced"] == 0
        flickr_clock.advance()


def test_no_change_after_a_download_costs_the_same(emulator, root, tmp_path, counted, flickr_clock):
    make_library(root, {"A": 8, "B": 8}, loose=3)
    counted(root)
    other = tmp_path / "copy"
    other.mkdir()
    flickr_clock.advance()
    pulled, _ = counted(other)
    assert pulled["downloaded"] == 19
    flickr_clock.advance()
    summary, calls = counted(other)
    assert calls == NO_CHANGE and summary["files_hashed"] == 0


def test_an_album_edit_in_the_second_of_the_last_listing_is_still_seen(
    emulator, root, tmp_path, counted, flickr_clock, flickr
):
    """Flickr's clock stands still from one run to the next: an album changed in the second the
    last run read it (one photo out, another in: same count, same last update) is read again."""
    make_library(root, {"A": 3, "B": 3})
    counted(root)
    flickr_clock.advance()
    counted(root)
    flickr_clock.advance()
    album = next(a for a in emulator.state()["albums"] if a["title"] == "A")
    make_library(tmp_path, {"x": 2})
    first = flickr.upload(tmp_path / "x" / "IMG_0000.jpg", title="first").photo_id
    flickr.add_to_album(album["id"], first)  # second S: the album's last update becomes S
    summary, calls = counted(root)  # the listing reads it at S
    assert summary["downloaded"] == 1 and calls["flickr.photosets.getPhotos"] == 1
    second = flickr.upload(tmp_path / "x" / "IMG_0001.jpg", title="second").photo_id
    flickr.remove_from_album(album["id"], [album["photo_ids"][0]])
    flickr.add_to_album(album["id"], second)  # still S: same count, same last update
    flickr_clock.advance()
    summary, calls = counted(root)
    assert calls["flickr.photosets.getPhotos"] == 1, "A is read again: it changed in second S"
    assert (root / "A" / "second.jpg").exists()
    flickr_clock.advance()
    assert counted(root)[1] == NO_CHANGE
