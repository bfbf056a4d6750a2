"""Flickr's upload answer is only ``<photoid>N</photoid>``: pycsync learns the original secrets of
a run's uploads in one read (people.getPhotos since the first upload, 500 a page), falls back to
photos.getInfo only for photos that read missed, and a secret never learnt (the run crashed, or
both reads failed) is completed by the next listing -- never a download, conflict or second upload
of its own upload."""

from __future__ import annotations

from pycsync.state import StateDB
from tests.support.convergence import assert_converged
from tests.support.files import write_jpeg
from tests.support.remote import remote_photos


def _base_secrets(root) -> dict[str, str]:
    state = StateDB(root / ".pycsync" / "state.db")
    try:
        return {key: item.original_secret for key, item in state.load_base().items.items()}
    finally:
        state.close()


def _flickr_secrets(emulator) -> dict[str, str]:
    return {p["id"]: p["originalsecret"] for p in remote_photos(emulator)}


def _library(root, n: int = 4) -> None:
    for i in range(n):
        write_jpeg(root / "Album" / f"IMG_{i}.jpg", i)


def _photo_of(root) -> dict[str, str]:
    state = StateDB(root / ".pycsync" / "state.db")
    try:
        return {key: item.photo_id for key, item in state.load_base().items.items()}
    finally:
        state.close()


def test_one_read_learns_every_uploads_secret(emulator, root, sync_json):
    _library(root)
    emulator.reset_calls()
    summary = sync_json(root)
    assert summary["uploaded"] == 4
    calls = emulator.calls()
    assert calls["upload"] == 4 and calls["flickr.people.getPhotos"] == 1
    assert "flickr.photos.getInfo" not in calls
    secrets, photo_of = _base_secrets(root), _photo_of(root)
    assert {secrets[k] for k in secrets} == set(_flickr_secrets(emulator).values())
    assert all(secrets[k] == _flickr_secrets(emulator)[photo_of[k]] for k in secrets)
    assert_converged(emulator, sync_json, root)


def test_uploads_the_listing_lags_behind_are_asked_for_one_by_one(emulator, root, sync_json):
    emulator.set_faults([{"search_lag_seconds": 3600}])  # new photos not listed yet
    _library(root, 2)
    emulator.reset_calls()
    sync_json(root)
    calls = emulator.calls()
    assert calls["flickr.people.getPhotos"] == 1 and calls["flickr.photos.getInfo"] == 2
    assert all(_base_secrets(root).values())


def test_secrets_never_learnt_are_completed_by_the_next_listing(emulator, root, sync_json):
    """Both reads fail (as if the run crashed right after its uploads): the base holds the photos
    with unknown secrets; the next run completes them from its listing and does nothing else."""
    _library(root)
    emulator.set_faults([{"match": ["flickr.people.getPhotos", "flickr.photos.getInfo"], "error": 2}])
    summary = sync_json(root)
    assert summary["uploaded"] == 4 and summary["failed"] == 0
    assert set(_base_secrets(root).values()) == {""}
    emulator.set_faults([])
    emulator.reset_calls()
    again = sync_json(root)
    assert (again["uploaded"], again["downloaded"], again["conflicts"], again["replaced"]) == (0, 0, 0, 0)
    assert emulator.calls().get("static", 0) == 0 and "upload" not in emulator.calls()
    assert all(_base_secrets(root).values()) and len(remote_photos(emulator)) == 4
    assert_converged(emulator, sync_json, root)
