"""Initial download: ceil(M/500) getList + per album ceil(n/500) getPhotos + ceil(unsorted/500)
getNotInSet + the two login calls, and not one API call per photo: originals come straight from
their URLs (url_o; a video's owner-only play/orig URL is built without asking Flickr)."""

from __future__ import annotations

from tests.support.calls import LOGIN
from tests.support.files import tree
from tests.support.library import make_library
from tests.support.media import make_mp4_bytes


def test_initial_download_lists_in_pages_and_fetches_originals_by_url(emulator, root, tmp_path, counted, flickr_clock):
    albums = {"2019/Paris": 6, "2019/Alps": 3, "Trips": 1}
    keys = make_library(root, albums, loose=3)
    (root / "Trips" / "clip.mp4").write_bytes(make_mp4_bytes(seed=7))
    counted(root)
    n, m = len(keys) + 1, len(albums)

    other = tmp_path / "copy"
    other.mkdir()
    flickr_clock.advance()
    summary, calls = counted(other)

    assert summary["downloaded"] == n and summary["failed"] == 0
    downloads = {k: calls.pop(k) for k in list(calls) if not k.startswith("flickr.")}
    assert calls == {
        **LOGIN,
        "flickr.photosets.getList": 1,  # ceil(3 / 500)
        "flickr.photosets.getPhotos": m,  # one page per album
        "flickr.photos.getNotInSet": 1,  # ceil(3 / 500)
    }
    # one GET per original; the video's play/orig URL redirects once to its file
    assert downloads == {"static": n + 1}
    assert tree(other) == tree(root)
