"""The cost of a sync after k changes made on Flickr, for k = 1, 20 and 500, against the formula

    calls = ceil(M / 500)                       photosets.getList (M albums)
          + max(1, ceil(u / 500))               photos.recentlyUpdated (u photos changed since the
                                                last listing, 60 s overlap included; the last
                                                run's own uploads and edits count too)
          + 1                                   people.getInfo (the photo count check)
          + sum of ceil(n_a / 500)              photosets.getPhotos, for each album whose members
                                                changed (n_a members)

plus one download per new or replaced original (not an API call, no rate budget). Retitles,
retags and replaces touch no album: they cost nothing beyond the three calls up to 500 a page.
"""

from __future__ import annotations

import math

from tests.support.calls import NO_CHANGE
from tests.support.library import make_library

ALBUMS = {f"Album {i}": 100 for i in range(5)}  # 500 photos


def settled(root, counted, flickr_clock) -> None:
    make_library(root, ALBUMS)
    counted(root)
    flickr_clock.advance(120)
    # this listing reads the 500 uploads back (recentlyUpdated, one page); the next ones do not
    assert counted(root)[1] == NO_CHANGE


def test_k_photos_retitled_on_flickr(emulator, root, counted, flickr_clock, flickr):
    settled(root, counted, flickr_clock)
    photos = [p["id"] for p in emulator.state()["photos"]]
    for k in (1, 20, 500):
        for i, pid in enumerate(photos[:k]):
            flickr.set_meta(pid, description=f"edited on the website, round {k}, photo {i}")
        flickr_clock.advance(120)  # (so the next round's overlap does not reach back to these)
        summary, calls = counted(root)
        assert calls == {
            "flickr.photosets.getList": 1,
            "flickr.photos.recentlyUpdated": max(1, math.ceil(k / 500)),
            "flickr.people.getInfo": 1,
        }, k


def test_k_photos_added_to_an_album_on_flickr(emulator, root, counted, flickr_clock, flickr, tmp_path):
    settled(root, counted, flickr_clock)
    album = next(a for a in emulator.state()["albums"] if a["title"] == "Album 0")
    members = len(album["photo_ids"])
    for k in (1, 20, 500):
        new = make_library(tmp_path / f"web{k}", {"x": k}, seed=k)
        for key in new:
            pid = flickr.upload(tmp_path / f"web{k}" / key, title=f"web {k} {key[2:-4]}").photo_id
            flickr.add_to_album(album["id"], pid)
        members += k
        flickr_clock.advance(120)  # (so the next round's overlap does not reach back to these)
        summary, calls = counted(root)
        assert summary["downloaded"] == k
        assert calls == {
            "flickr.photosets.getList": 1,
            "flickr.photos.recentlyUpdated": max(1, math.ceil(k / 500)),
            "flickr.people.getInfo": 1,
            "flickr.photosets.getPhotos": math.ceil(members / 500),
            "static": k,
        }, k
