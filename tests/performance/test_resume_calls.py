"""A first upload stopped part way (here: Flickr refusing the token at the 9th upload) resumes
without checking again what is done: the run after it costs the three listing calls, the
uploads and album edits still to do, and the one read of the new photos' secrets."""

from __future__ import annotations

from tests.support.library import make_library


def test_a_stopped_upload_resumes_without_rechecking_what_is_done(emulator, root, counted, flickr_clock):
    make_library(root, {"A": 10, "B": 10}, loose=2)
    refused = {"error": 98, "message": "Invalid auth token"}
    emulator.set_faults([{"match": "upload", "after": 8, "max": 1, "action": refused}])
    first, _ = counted(root, "--jobs", "1", expect=3)
    done = first["uploaded"]
    assert done == 8 and not emulator.state()["albums"]
    emulator.set_faults([])
    flickr_clock.advance()
    summary, calls = counted(root, "--jobs", "1")
    assert summary["uploaded"] == 22 - done
    assert calls == {
        "flickr.photosets.getList": 1,
        "flickr.photos.recentlyUpdated": 1,  # (the 8 uploads done are read back here, 500 a page)
        "flickr.people.getInfo": 1,
        "upload": 22 - done,
        "flickr.photosets.create": 2,
        "flickr.photosets.editPhotos": 2,
        "flickr.people.getPhotos": 1,  # the secrets of this run's uploads
    }
    flickr_clock.advance()
    assert sum(counted(root)[1].values()) == 3
