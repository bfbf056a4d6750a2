"""The incremental remote listing equals a full listing after any mix of edits on Flickr.

Random edits (uploads, replaces, deletes, album adds and removals, retitles, retags, re-dates,
album renames, reorders and deletions) are made "on the website"; after each round the listing
built from the state DB's snapshot must equal a full listing of the account, photo for photo,
album for album, in the same order.

Flickr's timestamps are whole seconds, and the edge cases are edits made in the very second of
a listing. So the emulator runs on a fake clock (its stored timestamps and the Date header the
client reads alike) that hypothesis moves forward by 0, 1, 2, 3 or 10 seconds around each round:
edits land before, in and after the second of each listing, deterministically.
"""

from __future__ import annotations

import itertools
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pycsync.flickr.transport as transport
from pycsync import naming
from pycsync.app import web_base
from pycsync.emulator import EmulatorServer
from pycsync.remote import ListingStats, list_remote, note_own_writes
from pycsync.state import StateDB
from tests.support.media import make_jpeg_bytes
from tests.support.remote import owner_client

OPS = (
    "upload",
    "upload_into",
    "replace",
    "delete",
    "add",
    "remove",
    "retitle",
    "retag",
    "redate",
    "new_album",
    "rename_album",
    "reorder",
    "delete_album",
)


class World:
    """One emulator on a fake clock, and a client acting on the website."""

    def __init__(self):
        self.clock = 1_700_000_000
        self.emu = EmulatorServer().start()
        self.emu.store.now = lambda: self.clock
        self.client = owner_client(self.emu)
        self.nsid = self.client.test_login().user_nsid
        self.web = web_base(self.client)
        self.files = Path(tempfile.mkdtemp(prefix="pycsync-incr-"))
        self.seeds = itertools.count(1)

    def close(self):
        self.client.close()
        self.emu.stop()

    def jpeg(self) -> Path:
        seed = next(self.seeds)
        path = self.files / f"IMG_{seed}.jpg"
        make_jpeg_bytes(path, seed=seed, size=(8, 8))
        return path

    def ids(self) -> tuple[list[str], list[str]]:
        state = self.emu.state()
        return [p["id"] for p in state["photos"]], [a["id"] for a in state["albums"]]

    def wipe(self):
        photos, _ = self.ids()
        for pid in photos:
            self.client.delete_photo(pid)

    def upload(self) -> str:
        path = self.jpeg()
        sha = naming.hash_tag(f"{next(self.seeds):064x}")
        return self.client.upload(path, title=path.stem, tags=[sha, naming.name_tag(path.name)]).photo_id

    def apply(self, op: str, a: int, b: int) -> None:
        photos, albums = self.ids()
        photo = photos[a % len(photos)] if photos else None
        album = albums[b % len(albums)] if albums else None
        c = self.client
        if op == "upload" or (photo is None and op != "new_album"):
            self.upload()
        elif op == "upload_into":
            pid = self.upload()
            if album:
                c.add_to_album(album, pid)
            else:
                c.create_album(f"album {b}", pid)
        elif op == "replace":
            c.replace(self.jpeg(), photo)
        elif op == "delete":
            c.delete_photo(photo)
        elif op == "add" and album:
            c.add_to_album(album, photo)
        elif op == "remove" and album:
            c.remove_from_album(album, [photo])
        elif op == "retitle":
            c.set_meta(photo, title=f"title {a}-{b}")
        elif op == "retag":
            c.add_tags(photo, [naming.hash_tag("%064x" % (a * 1000 + b))])
        elif op == "redate":
            c.set_dates(photo, date_taken=f"20{b % 30:02d}-01-02 03:04:05")
        elif op == "new_album" and photo:
            c.create_album(f"new album {a}", photo)
        elif op == "rename_album" and album:
            c.edit_album_meta(album, f"renamed {a}")
        elif op == "reorder" and album:
            members = next(x["photo_ids"] for x in self.emu.state()["albums"] if x["id"] == album)
            c.call(
                "flickr.photosets.reorderPhotos", write=True, photoset_id=album, photo_ids=",".join(reversed(members))
            )
        elif op == "delete_album" and album:
            c.delete_album(album)


@pytest.fixture(scope="module")
def world():
    w = World()
    real_date = transport._server_date
    transport._server_date = lambda headers: w.clock  # the Date header follows the fake clock
    try:
        yield w
    finally:
        transport._server_date = real_date
        w.close()


def _listing(world: World, state: StateDB | None):
    stats = ListingStats()
    listing = list_remote(world.client, web_base=world.web, user_nsid=world.nsid, cache=state, stats=stats)
    return listing, stats


def _same(incremental, full) -> None:
    assert list(incremental.albums.items()) == list(full.albums.items())
    assert dict(incremental.members) == dict(full.members)
    assert list(incremental.photos) == list(full.photos), "same photos in the same order"
    for pid, photo in full.photos.items():
        assert incremental.photos[pid] == photo


op = st.tuples(st.sampled_from(OPS), st.integers(0, 6), st.integers(0, 3))
tick = st.sampled_from([0, 0, 1, 2, 3, 10])
rounds = st.lists(st.tuples(tick, st.lists(op, max_size=6), tick), min_size=1, max_size=4)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(setup=st.lists(op, max_size=8), pause=tick, rounds=rounds)
def test_incremental_listing_equals_full_listing(world, setup, pause, rounds):
    world.wipe()
    for o in setup:
        world.apply(*o)
    world.clock += pause
    with tempfile.TemporaryDirectory() as tmp:
        state = StateDB(Path(tmp) / "state.db")
        try:
            first, stats = _listing(world, state)
            assert stats.mode == "full"
            for before, ops, after in rounds:
                world.clock += before
                for o in ops:
                    world.apply(*o)
                world.clock += after
                incremental, stats = _listing(world, state)
                assert stats.mode == "incremental", stats
                full, _ = _listing(world, None)
                _same(incremental, full)
        finally:
            state.close()


def test_a_quiet_account_is_listed_without_reading_any_album(world):
    world.wipe()
    for i in range(6):
        world.apply("upload_into", i, i % 2)
    world.apply("upload", 0, 0)
    with tempfile.TemporaryDirectory() as tmp:
        state = StateDB(Path(tmp) / "state.db")
        try:
            world.clock += 10  # the edits are older than the listing's overlap
            _listing(world, state)
            world.emu.reset_calls()
            again, stats = _listing(world, state)
            assert (stats.mode, stats.albums_read, stats.unsorted_read) == ("incremental", 0, False)
            assert world.emu.calls() == {
                "flickr.photosets.getList": 1,
                "flickr.photos.recentlyUpdated": 1,
                "flickr.people.getInfo": 1,
            }
            _same(again, _listing(world, None)[0])
        finally:
            state.close()


@pytest.mark.parametrize(
    "edit",
    [
        ["reorder"],  # same count, same second: only the album's last update can tell
        ["remove", "add_other"],  # one photo out, another in: the count is unchanged
        ["replace"],
        ["retitle", "retag"],
        ["delete_unsorted", "upload"],  # one unsorted photo gone, another new: same total
        ["remove_all_but_one"],
    ],
)
def test_edits_in_the_very_second_of_the_last_listing_are_seen(world, edit):
    world.wipe()
    album_photos = [world.upload() for _ in range(3)]
    album = world.client.create_album("album", album_photos[0])
    for pid in album_photos[1:]:
        world.client.add_to_album(album, pid)
    loose = [world.upload() for _ in range(2)]
    with tempfile.TemporaryDirectory() as tmp:
        state = StateDB(Path(tmp) / "state.db")
        try:
            _listing(world, state)  # the clock stands still: every edit below is in this second
            c = world.client
            for step in edit:
                if step == "reorder":
                    c.call(
                        "flickr.photosets.reorderPhotos",
                        write=True,
                        photoset_id=album,
                        photo_ids=",".join(reversed(album_photos)),
                    )
                elif step == "remove":
                    c.remove_from_album(album, [album_photos[1]])
                elif step == "add_other":
                    c.add_to_album(album, loose[0])
                elif step == "replace":
                    c.replace(world.jpeg(), album_photos[2])
                    c.replace(world.jpeg(), loose[1])
                elif step == "retitle":
                    c.set_meta(album_photos[0], title="new title")
                elif step == "retag":
                    c.add_tags(loose[0], [naming.hash_tag("ab" * 32)])
                elif step == "delete_unsorted":
                    c.delete_photo(loose[1])
                elif step == "upload":
                    world.upload()
                elif step == "remove_all_but_one":
                    c.remove_from_album(album, album_photos[1:])
            for _ in range(2):  # in the same second, and again once it has passed
                incremental, stats = _listing(world, state)
                assert stats.mode == "incremental"
                _same(incremental, _listing(world, None)[0])
                world.clock += 3
        finally:
            state.close()


def test_the_remote_hash_cache_applies_to_cached_and_fresh_photos_alike(world):
    """A hash of a downloaded original (state.remote_hashes) beats the photo's content tag, both
    for photos the snapshot holds and for photos read again in this run."""
    world.wipe()
    kept, changed = world.upload(), world.upload()
    with tempfile.TemporaryDirectory() as tmp:
        state = StateDB(Path(tmp) / "state.db")
        try:
            world.clock += 100  # the uploads are older than recentlyUpdated's overlap
            first = list_remote(world.client, web_base=world.web, user_nsid=world.nsid, cache=state)
            for pid in (kept, changed):
                state.put_remote_hash(pid, first.photos[pid].original_secret, "c" * 64)
            world.client.set_meta(changed, title="read again")
            world.clock += 10

            def listing(cache):
                stats = ListingStats()
                got = list_remote(
                    world.client,
                    web_base=world.web,
                    user_nsid=world.nsid,
                    cache=cache,
                    known_hashes=state.remote_hash_lookup(),
                    stats=stats,
                )
                return got, stats

            incremental, stats = listing(state)
            assert stats.mode == "incremental" and stats.photos_refreshed == 1
            full, _ = listing(None)
            _same(incremental, full)
            assert {p.sha256 for p in incremental.photos.values()} == {"c" * 64}
        finally:
            state.close()


# --------------------------------------------------------------------------- our own writes

# pycsync never reorders an album: a reorder of ours would be a write it did not record
our_op = st.tuples(st.sampled_from([o for o in OPS if o != "reorder"]), st.integers(0, 6), st.integers(0, 3))
own_round = st.tuples(
    st.lists(our_op, min_size=1, max_size=6), st.sampled_from([1, 2, 3, 10]), st.lists(op, max_size=3)
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(setup=st.lists(op, max_size=8), pause=tick, rounds=st.lists(own_round, min_size=1, max_size=3))
def test_own_writes_are_recognised_and_the_listing_still_equals_a_full_one(world, setup, pause, rounds):
    """A run's own album writes, recorded and noted, spare the next listing their albums; edits
    made on the website in a later second are still seen, and the listing equals a full one."""
    world.wipe()
    for o in setup:
        world.apply(*o)
    world.clock += pause
    with tempfile.TemporaryDirectory() as tmp:
        state = StateDB(Path(tmp) / "state.db")
        try:
            listing, _ = _listing(world, state)
            for ours, later, theirs in rounds:
                log = world.client.record_writes()
                try:
                    for o in ours:
                        world.apply(*o)
                finally:
                    world.client.writes = None
                note_own_writes(state, listing, log)
                noted = set(json.loads(state.get_meta("remote.own_writes") or "{}"))
                world.clock += later  # the website's edits come in a later second
                for o in theirs:
                    world.apply(*o)
                listing, stats = _listing(world, state)
                assert stats.mode == "incremental", stats
                _same(listing, _listing(world, None)[0])
                if not theirs:  # every album our writes left as noted is recognised
                    assert stats.albums_recognised == len(noted & set(listing.albums)), (ours, stats)
        finally:
            state.close()


def test_a_write_whose_outcome_is_unknown_gets_its_album_read_again(world):
    world.wipe()
    for i in range(4):
        world.apply("upload_into", i, 0)
    with tempfile.TemporaryDirectory() as tmp:
        state = StateDB(Path(tmp) / "state.db")
        try:
            world.clock += 10
            listing, _ = _listing(world, state)
            (album,) = listing.albums
            photo = world.upload()
            log = world.client.record_writes()
            world.client.add_to_album(album, photo)
            log.album_unsure(album)  # as when its answer was lost: it may or may not have landed
            world.client.writes = None
            note_own_writes(state, listing, log)
            world.clock += 10
            again, stats = _listing(world, state)
            assert stats.albums_read == 1 and stats.albums_recognised == 0
            _same(again, _listing(world, None)[0])
        finally:
            state.close()
