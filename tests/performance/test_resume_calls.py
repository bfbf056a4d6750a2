"""A first upload stopped part way (here: Flickr refusing the token at the 9th upload) resumes
without checking again what is done: the run after it costs the three listing calls, the
uploads and album edits still to do, and the one read of the new photos' secrets."""

from __future__ import annotations

import json
import signal
import subprocess

from tests.support.calls import calls_started
from tests.support.cli import PYCSYNC, process_env
from tests.support.library import make_library
from tests.support.waiting import wait_until


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


def test_a_first_upload_stopped_by_ctrl_c_resumes_with_the_listing_alone(emulator, root, cli_env, counted):
    """A real Ctrl-C (SIGINT to a real process) half way through a first upload of three albums:
        the run after it spends the listing's three calls before its first new upload (not a call per
        album, nor one per photo done: recentlyUpdated returns those, 500 a call), then only what is
        left. The upload in flight at the signal landed on Flickr and is recognised (its original fetched
    once and hashed, no API call), not sent again."""
    make_library(root, {"A": 6, "B": 6, "C": 6}, loose=2)
    emulator.set_faults([{"match": "upload", "after": 9, "max": 1, "action": {"latency_ms": 1500}}])
    proc = subprocess.Popen(
        [*PYCSYNC, "sync", str(root), "--jobs", "1", "--json"],
        env=process_env(cli_env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # the tenth upload is held on its way in, then Flickr takes it and processes it for 3 s:
    # Ctrl-C comes once it has landed and before its answer
    wait_until(lambda: calls_started(emulator, "upload") == 10, "the tenth upload started")
    emulator.set_network(upload_processing_ms=3000)
    wait_until(lambda: len(emulator.state()["photos"]) == 10, "the tenth upload landed")
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    emulator.set_network(upload_processing_ms=0)
    assert proc.returncode == 130 and json.loads(out)["uploaded"] == 9, (proc.returncode, err)
    assert not emulator.state()["albums"]
    emulator.set_faults([])
    emulator.reset_calls()
    summary, calls = counted(root, "--jobs", "1")
    assert [c["name"] for c in emulator.recent_calls() if c["name"] != "static"][:4] == [
        "flickr.photosets.getList",
        "flickr.photos.recentlyUpdated",
        "flickr.people.getInfo",
        "upload",
    ]
    assert calls == {
        "flickr.photosets.getList": 1,
        "flickr.photos.recentlyUpdated": 1,
        "flickr.people.getInfo": 1,
        "upload": 10,
        "flickr.photosets.create": 3,
        "flickr.photosets.editPhotos": 3,
        "flickr.people.getPhotos": 1,
        "static": 1,  # (not an API call: the landed upload's original, hashed before its tag is trusted)
    }
    assert summary["uploaded"] == 10
    assert len(emulator.state()["photos"]) == 20
