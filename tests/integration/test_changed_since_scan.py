"""What changes on disk after the scan, before the run acts on it, is left as the user left it,
and the run says so in the file's failure (the next run sees the change and decides again)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

import pycsync.app as app_module
from pycsync.executor import Executor
from tests.support.files import sha, trash, tree, write_jpeg
from tests.support.media import jpeg
from tests.support.remote import photo_with_sha


@pytest.fixture
def after_planning(monkeypatch) -> Callable[[Callable[[], None]], None]:
    """``after_planning(change)``: the next run makes ``change`` once its plan is made, before
    it acts (as a user or another program would, at that moment)."""

    def arm(change: Callable[[], None]) -> None:
        real = Executor.run

        def run(self, plan):
            monkeypatch.setattr(Executor, "run", real)
            change()
            return real(self, plan)

        monkeypatch.setattr(Executor, "run", run)

    return arm


def failures(summary: dict) -> dict[str, str]:
    return {f["path"]: f["error"] for f in summary["failures"]}


def test_a_file_that_appears_where_a_photo_moved_on_flickr_would_go_is_left_with_the_one_to_move(
    root, sync_json, web, after_planning
):
    write_jpeg(root / "A" / "x.jpg", 1)
    sync_json(root)
    web.move(photo_with_sha(web.emulator, sha(jpeg(1)))["id"], "A", "B")
    after_planning(lambda: write_jpeg(root / "B" / "x.jpg", 2))
    summary = sync_json(root, expect=1)
    assert failures(summary) == {"B/x.jpg": "B/x.jpg appeared since the scan; left both in place"}
    assert tree(root) == {"A/x.jpg": jpeg(1), "B/x.jpg": jpeg(2)}


def test_a_file_that_appears_where_a_new_photo_would_be_downloaded_is_left_alone(root, sync_json, web, after_planning):
    web.upload(jpeg(1), "sunset", "Holidays")
    after_planning(lambda: write_jpeg(root / "Holidays" / "sunset.jpg", 2))
    summary = sync_json(root, expect=1)
    why = "Holidays/sunset.jpg appeared since the scan; left it alone"
    assert failures(summary) == {"Holidays/sunset.jpg": why}
    assert f"Holidays/sunset.jpg: {why}" in summary["stderr"], "and said as it happened"
    assert tree(root) == {"Holidays/sunset.jpg": jpeg(2)}


def test_a_file_edited_after_the_scan_is_not_moved_to_the_trash(root, sync_json, web, after_planning):
    write_jpeg(root / "A" / "x.jpg", 1)
    write_jpeg(root / "A" / "y.jpg", 3)
    sync_json(root)
    web.delete(photo_with_sha(web.emulator, sha(jpeg(1)))["id"])
    after_planning(lambda: write_jpeg(root / "A" / "x.jpg", 2))
    summary = sync_json(root, "--delete", expect=1)
    assert failures(summary) == {"A/x.jpg": "A/x.jpg changed since the scan; not moved to the trash"}
    assert tree(root) == {"A/x.jpg": jpeg(2), "A/y.jpg": jpeg(3)} and trash(root) == {}


def test_a_photo_that_a_lagging_listing_leaves_out_keeps_its_file_while_flickr_still_has_it(
    root, emulator, sync_json, monkeypatch
):
    """--delete trashes a file whose photo Flickr's listing left out only once Flickr, asked
    directly, agrees (tests/reliability/test_state.py holds the executor alone; this is the run)."""
    for n in range(5):
        write_jpeg(root / "A" / f"{n}.jpg", n)
    sync_json(root)
    lagging = photo_with_sha(emulator, sha(jpeg(0)))["id"]
    real = app_module.list_remote

    def listing_that_lags(*args, **kwargs):
        listed = real(*args, **kwargs)
        return dataclasses.replace(
            listed,
            photos={pid: p for pid, p in listed.photos.items() if pid != lagging},
            members={aid: tuple(p for p in ids if p != lagging) for aid, ids in listed.members.items()},
        )

    monkeypatch.setattr(app_module, "list_remote", listing_that_lags)
    summary = sync_json(root, "--delete", expect=1)
    assert failures(summary) == {
        "A/0.jpg": "A/0.jpg: Flickr's listing left it out, but Flickr still has it there (the listing lags); "
        "left in place, the next run looks again"
    }
    assert sorted(tree(root)) == [f"A/{n}.jpg" for n in range(5)] and trash(root) == {}


def test_a_sidecar_edited_after_the_scan_is_not_written_over(root, emulator, sync_json, flickr, after_planning):
    write_jpeg(root / "A" / "x.jpg", 1)
    write_jpeg(root / "A" / "y.jpg", 2)
    sync_json(root)
    flickr.set_meta(photo_with_sha(emulator, sha(jpeg(1)))["id"], title="x", description="from the website")
    mine = root / "A" / "x.jpg.xmp"
    after_planning(lambda: mine.write_bytes(b"<x:xmpmeta xmlns:x='adobe:ns:meta/'/>\n"))
    summary = sync_json(root, expect=1)
    assert failures(summary) == {
        "A/x.jpg": "the sidecar of A/x.jpg changed since the scan; the next run merges it again"
    }
    assert mine.read_bytes() == b"<x:xmpmeta xmlns:x='adobe:ns:meta/'/>\n"
