"""Fault matrix: every call a sync makes, crossed with every way Flickr can fail it.

Each cell builds a small library on both sides, changes both sides so that the faulted run has
something of every kind to do (uploads, a replace, a new album, additions to existing albums,
downloads, a download over an old version), injects one fault (with a ``max`` so it clears),
syncs until exit 0 (at most 3 runs) and then checks: both sides hold the same files in the same
albums, no content has two Flickr photos, nothing was lost, and one more run writes nothing.
"""

from __future__ import annotations

import pytest

from tests.reliability.conftest import (
    TIMEOUT_LATENCY_MS,
    assert_converged,
    assert_same_both_sides,
    build_library,
    jpeg,
    put,
    sha,
)

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


@pytest.mark.parametrize("target,fault", CELLS, ids=[f"{t}-{f}" for t, f in CELLS])
def test_fault_cell(target, fault, emulator, root, flickr, sync_json):
    expected = build_library(root, flickr, sync_json)
    times = 2 if fault.startswith(("http5", "api")) else 1
    match, options = TARGETS[target]
    emulator.set_faults([{"match": match, "max": times, "action": dict(FAULTS[fault])}])
    codes = []
    for _ in range(3):
        summary = sync_json(root, *options, expect=None)
        codes.append(summary["exit_code"])
        if summary["exit_code"] == 0:
            break
    fired = emulator.faults()[0]["fired"]
    emulator.set_faults([])
    assert codes[-1] == 0, (codes, summary)
    assert fired >= 1, "the fault never fired: the cell tests nothing"
    assert_same_both_sides(root, emulator, expected)
    assert_converged(root, emulator, sync_json)


@pytest.mark.parametrize("fault", ["apply_then_drop", "truncate", "timeout"])
def test_lost_upload_answer_with_search_lag_makes_no_duplicate(fault, emulator, root, sync_json):
    """The upload landed, its answer was lost, and Flickr's search only shows it a second later
    (less than PYCSYNC_UNKNOWN_UPLOAD_WAIT): it is found, not uploaded again."""
    put(root / "A/a.jpg", 1)
    put(root / "A/b.jpg", 2)
    emulator.set_faults([{"search_lag_seconds": 1.0}, {"match": "upload", "max": 1, "action": dict(FAULTS[fault])}])
    summary = sync_json(root, expect=None)
    assert emulator.faults()[1]["fired"] == 1
    if summary["exit_code"] != 0:
        sync_json(root)
    emulator.set_faults([])
    assert_same_both_sides(root, emulator, {sha(jpeg(1)), sha(jpeg(2))})
    assert_converged(root, emulator, sync_json)
