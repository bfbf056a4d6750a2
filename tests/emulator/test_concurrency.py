"""Correctness under >= 8 concurrent clients, including parallel uploads."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor

from tests.support.api import Api
from tests.support.media import make_jpeg_bytes


def test_parallel_uploads_and_set_writes(emulator):
    blobs = [make_jpeg_bytes(seed=i, size=(80, 60)) for i in range(32)]
    first = Api(emulator).upload_id(make_jpeg_bytes(seed=999))
    sid = Api(emulator).create_set("shared", first)
    emulator.reset_calls()

    def worker(i: int) -> str:
        api = Api(emulator)  # one session per thread
        pid = api.upload_id(blobs[i], f"f{i}.jpg", tags=f"n:i={i}")
        api.ok("flickr.photosets.addPhoto", photoset_id=sid, photo_id=pid)
        api.ok("flickr.photos.setMeta", photo_id=pid, title=f"t{i}")
        api.ok("flickr.test.login")
        return pid

    with ThreadPoolExecutor(max_workers=8) as pool:
        pids = list(pool.map(worker, range(32)))
    assert len(set(pids)) == 32
    api = Api(emulator)
    got = [p["id"] for p in api.ok("flickr.photosets.getPhotos", photoset_id=sid)["photoset"]["photo"]]
    assert got[0] == first and sorted(got[1:]) == sorted(pids)
    state = {p["id"]: p for p in emulator.state()["photos"]}
    for i, pid in enumerate(pids):
        assert state[pid]["sha256"] == hashlib.sha256(blobs[i]).hexdigest()
        assert state[pid]["title"] == f"t{i}" and state[pid]["machine_tags"] == [f"n:i={i}"]
    calls = emulator.calls()
    assert calls["upload"] == 32 and calls["flickr.photosets.addPhoto"] == 32 and calls["flickr.test.login"] == 32

    def download(i: int) -> bool:
        return api.fetch(api.original_url(pids[i])).content == blobs[i]

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert all(pool.map(download, range(32)))


def test_parallel_signed_reads_have_unique_nonces(emulator):
    def worker(_: int) -> int:
        api = Api(emulator)
        return sum(api.raw("flickr.test.login").status_code == 200 for _ in range(25))

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert sum(pool.map(worker, range(8))) == 200
