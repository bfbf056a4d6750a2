"""Fault matrix: every call a sync makes, crossed with every way Flickr can fail it.

Each cell builds a small library on both sides, changes both sides so that the faulted run has
something of every kind to do (uploads, a replace, a new album, additions to existing albums,
downloads, a download over an old version), injects one fault (with a ``max`` so it clears),
syncs until exit 0 (at most 3 runs) and then checks: the runs' exit statuses are exactly the
ones measured for that cell, both sides hold the same files in the same albums, no content has
two Flickr photos, nothing was lost, and one more run writes nothing.

Most cells must succeed in one run: the client retries the fault away (or, for a write whose
outcome is unknown, looks it up) within the run. A cell that allowed a second run could not tell
whether the client retries at all, since every fault here clears within two requests.
"""

from __future__ import annotations

import pytest

from tests.support.calls import wait_for_answers
from tests.support.convergence import assert_converged, assert_same_both_sides
from tests.support.faults import TIMEOUT_LATENCY_MS
from tests.support.files import sha, tree, write_jpeg
from tests.support.library import build_library
from tests.support.media import jpeg

# cell name -> (the call to fault, extra sync options for the faulted runs)
TARGETS = {
    "upload": ("upload", ()),
    "replace": ("replace", ()),
    "create": ("flickr.photosets.create", ()),
    "addPhoto": ("flickr.photosets.addPhoto", ()),
    "editPhotos": ("flickr.photosets.editPhotos", ()),
    "getList": ("flickr.photosets.getList", ()),
    "getPhotos": ("flickr.photosets.getPhotos", ()),
    # the incremental listing reads unsorted photos only when its count check asks: --full does
    "getNotInSet": ("flickr.photos.getNotInSet", ("--full",)),
    "recentlyUpdated": ("flickr.photos.recentlyUpdated", ()),
    "static": ("static", ()),
}

FAULTS = {
    "timeout": {"latency_ms": TIMEOUT_LATENCY_MS},
    "reset": {"reset": True},
    "http500": {"http": 500},
    "http502": {"http": 502},
    "http503": {"http": 503},
    "http429": {"http": 429, "retry_after": 1},
    "api0": {"error": 0},
    "api105": {"error": 105},
    "api106": {"error": 106},
    "api201": {"error": 201},
    "truncate": {"truncate": True},
    "apply_then_drop": {"apply_then_drop": True},
}

CELLS = [(t, f) for t in TARGETS for f in FAULTS]

# The exit statuses of the runs, for the cells that need more than one run (measured; every
# other cell succeeds in its first run). An upload or replace whose request failed without an
# answer is not retried blindly (it may have landed): it is looked up, and when the lookup finds
# nothing the next run sends it again. Album creation likewise. A download answered with an error
# page is not a transport error: the file fails alone and the next run fetches it.
RUNS = {
    ("upload", "reset"): [1, 0],
    ("upload", "http500"): [1, 0],
    ("upload", "http502"): [1, 0],
    ("upload", "http503"): [1, 0],
    ("replace", "timeout"): [1, 0],
    ("replace", "reset"): [1, 0],
    ("replace", "truncate"): [1, 0],
    ("replace", "apply_then_drop"): [1, 0],
    ("replace", "http500"): [1, 1, 0],  # each of the two 5xx answers costs a run
    ("replace", "http502"): [1, 1, 0],
    ("replace", "http503"): [1, 1, 0],
    ("create", "timeout"): [1, 0],
    ("create", "reset"): [1, 0],
    ("create", "http500"): [1, 1, 0],
    ("create", "http502"): [1, 1, 0],
    ("create", "http503"): [1, 1, 0],
    ("static", "api0"): [1, 0],
    ("static", "api105"): [1, 0],
    ("static", "api106"): [1, 0],
    ("static", "api201"): [1, 0],
    ("static", "truncate"): [1, 0],
}


@pytest.mark.parametrize("target,fault", CELLS, ids=[f"{t}-{f}" for t, f in CELLS])
def test_fault_cell(target, fault, emulator, root, flickr, sync_json):
    layout = build_library(root, flickr, sync_json)
    times = 2 if fault.startswith(("http5", "api")) else 1
    match, options = TARGETS[target]
    emulator.set_faults([{"match": match, "max": times, "action": dict(FAULTS[fault])}])
    codes = []
    for _ in range(3):
        # a run starts once Flickr has answered the last one's requests: a replace it gave up on
        # (timeout) still lands, and lands before the next run lists, as it does on an idle machine
        wait_for_answers(emulator)
        summary = sync_json(root, *options, expect=None)
        codes.append(summary["exit_code"])
        if summary["exit_code"] == 0:
            break
    fired = emulator.faults()[0]["fired"]
    emulator.set_faults([])
    assert codes == RUNS.get((target, fault), [0]), (codes, summary)
    assert fired == times, "the fault did not fire as often as set: the cell tests something else"
    assert_same_both_sides(root, emulator, layout)
    assert_converged(emulator, sync_json, root)


# requests the failing call received in the run: a read is tried 6 times (5 retries); a write
# that may have been applied is not retried (each of the 6 uploads once, the replace and the album
# creation once); addPhoto is tried 6 times for the first new photo of each of the two existing
# albums (their other new photos wait for the next run); each of the 3 downloads is tried 6 times
OUTAGE_REQUESTS = {"upload": 6, "replace": 1, "create": 1, "addPhoto": 12, "static": 18}
# a listing that keeps failing stops the run before it changes anything: Flickr "keeps failing"
# (exit 4); a transfer or album edit that keeps failing fails its items (exit 1)
LISTINGS = ("getList", "getPhotos", "getNotInSet", "recentlyUpdated")


@pytest.mark.parametrize("target", TARGETS)
def test_outage_for_a_whole_run(target, emulator, root, flickr, sync_json):
    """The call fails every time for a whole run (Flickr down for that method): the run fails
    without disturbing anything (every file it leaves is where it belongs), and the next one,
    with Flickr back, puts everything in its place on both sides."""
    layout = build_library(root, flickr, sync_json)
    match, options = TARGETS[target]
    emulator.set_faults([{"match": match, "action": {"http": 503}}])
    sync_json(root, *options, expect=4 if target in LISTINGS else 1)
    fired = emulator.faults()[0]["fired"]
    emulator.set_faults([])
    assert fired == OUTAGE_REQUESTS.get(target, 6), "requests to the failing call: once, or with every retry"
    assert set(tree(root)) <= set(layout), "a file left its place"
    sync_json(root, *options)
    assert_same_both_sides(root, emulator, layout)
    assert_converged(emulator, sync_json, root)


@pytest.mark.parametrize("fault", ["apply_then_drop", "truncate", "timeout"])
def test_lost_upload_answer_with_search_lag_makes_no_duplicate(fault, emulator, root, sync_json):
    """The upload landed, its answer was lost, and Flickr's search only shows it a second later
    (less than PYCSYNC_UNKNOWN_UPLOAD_WAIT): the same run finds it, not uploaded again, and the
    run succeeds (no second run to repair anything)."""
    write_jpeg(root / "A/a.jpg", 1)
    write_jpeg(root / "A/b.jpg", 2)
    emulator.set_faults([{"search_lag_seconds": 1.0}, {"match": "upload", "max": 1, "action": dict(FAULTS[fault])}])
    summary = sync_json(root)
    assert emulator.faults()[1]["fired"] == 1
    assert (summary["uploaded"], summary["failed"]) == (2, 0), summary
    calls = emulator.calls()
    assert calls["upload"] == 2, "one request per file: the lost answer was looked up, not re-sent"
    assert calls["flickr.photos.search"] >= 1, "the landed upload was found by a search"
    emulator.set_faults([])
    assert_same_both_sides(root, emulator, {"A/a.jpg": sha(jpeg(1)), "A/b.jpg": sha(jpeg(2))})
    assert_converged(emulator, sync_json, root)
