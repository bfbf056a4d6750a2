"""The integration suite (and the client's tests) run against an emulator that types Flickr's
inconsistently typed numbers at random, seeded per test: pycsync must never depend on one typing."""

from __future__ import annotations

from pycsync.emulator import EmulatorServer
from tests.support.api import Api
from tests.support.files import write_jpeg
from tests.support.media import make_jpeg_bytes


def test_this_suite_runs_under_random_typing(emulator):
    assert emulator.config.types == "random" and emulator.config.seed != 0


def _paging_types(seed: int) -> set[tuple[str, str]]:
    with EmulatorServer(types="random", seed=seed) as emu:
        api = Api(emu)
        api.upload_id(make_jpeg_bytes(seed=1))
        body = api.ok("flickr.photos.search", user_id="me")["photos"]
        return {(k, type(body[k]).__name__) for k in ("page", "pages", "perpage", "total")}


def test_random_typing_varies_with_the_seed_and_repeats_for_one_seed():
    seen = [_paging_types(seed) for seed in range(6)]
    assert len({frozenset(s) for s in seen}) > 1  # different seeds type differently
    assert _paging_types(3) == seen[3]  # one seed always types the same


def test_a_sync_round_trips_whatever_the_typing(emulator, root, tmp_path, sync_json):
    for i in range(3):
        write_jpeg(root / "A" / f"{i}.jpg", i)
    assert sync_json(root)["uploaded"] == 3
    other = tmp_path / "other"
    other.mkdir()
    assert sync_json(other)["downloaded"] == 3
