"""What a run will cost, said before it runs: `status`, `sync --dry-run` and the sync itself
state the API calls, the bytes to send, the files to fetch and the time at the hourly budget,
and the calls estimated are the calls the sync then makes; a plan that needs more calls than an
hour's budget says so up front."""

from __future__ import annotations

import json

from tests.support.files import write_jpeg
from tests.support.media import jpeg


def _library(root, web) -> int:
    """New files in two new albums and one existing album, a photo to fetch: the bytes to send."""
    sent = 0
    for i in range(3):
        sent += len(write_jpeg(root / "New1" / f"a{i}.jpg", i))
    sent += len(write_jpeg(root / "New2" / "b.jpg", 10))
    web.upload(jpeg(20), "there", album="Old")
    sent += len(write_jpeg(root / "Old" / "c.jpg", 11))
    return sent


def test_the_estimate_is_the_calls_the_sync_makes(cli, root, emulator, web, sync_json):
    sent = _library(root, web)
    emulator.reset_calls()
    status = json.loads(cli("status", str(root), "--json").stdout)
    reading = sum(emulator.calls().values())  # what any run reads before it plans
    estimate = status["estimate"]
    # 5 uploads, New1: create + editPhotos, New2: create, Old: addPhoto, the new uploads'
    # secrets read back (people.getPhotos): 10
    assert estimate == {
        "calls": 10,
        "bytes_up": sent,
        "downloads": 1,
        "rate_limit": 3000,
        "seconds_at_rate_limit": 12,
        "beyond_the_hour": False,
        "calls_so_far": reading,
    }
    assert status["limits"]["account"]["kind"] == "pro" and status["limits"]["ok"] is True
    dry = json.loads(cli("sync", str(root), "--dry-run", "--json").stdout)
    assert dry["estimate"] == estimate
    emulator.reset_calls()
    summary = sync_json(root)
    assert summary["uploaded"] == 5 and summary["downloaded"] == 1
    assert sum(emulator.calls().values()) - emulator.calls().get("static", 0) == reading + estimate["calls"]
    assert summary["bytes_up"] == sent


def test_status_dry_run_and_the_sync_say_it_in_words(cli, root, emulator, web):
    _library(root, web)
    status = cli("status", str(root)).stdout
    assert "Flickr account: pro; 1 photos and videos, 1 non-public." in status
    assert "A sync would cost ≈ 10 API calls: under a minute at 3000/h; " in status
    dry = cli("sync", str(root), "--dry-run").output
    assert "estimate: ≈ 10 API calls: under a minute at 3000/h; " in dry
    run = cli("sync", str(root)).output
    estimate_at = run.find("estimate: ≈ 10 API calls")
    assert -1 < estimate_at < run.find("uploaded "), "said before the first upload"


def test_a_plan_beyond_the_hours_budget_says_so_up_front(cli, root, emulator):
    for i in range(30):
        write_jpeg(root / "A" / f"{i}.jpg", i)
    (root / ".pycsync").mkdir()
    (root / ".pycsync" / "config.toml").write_text("rate_limit = 20\n")
    out = cli("sync", str(root), "--dry-run").output
    # 30 uploads, create + editPhotos, one people.getPhotos: 33 calls at 20 an hour
    assert "estimate: ≈ 33 API calls: about 1 h 39 min at 20/h" in out
    assert "More calls than one hour's budget (20/h): the sync keeps going, waiting for the budget" in out
    doc = json.loads(cli("status", str(root), "--json").stdout)
    assert doc["estimate"]["beyond_the_hour"] is True and doc["estimate"]["seconds_at_rate_limit"] == 5940


def test_nothing_to_do_costs_nothing_and_estimates_nothing(cli, root, emulator, sync_json):
    write_jpeg(root / "A" / "a.jpg", 1)
    sync_json(root)
    status = json.loads(cli("status", str(root), "--json").stdout)
    assert status["estimate"] is None and status["limits"] is None, "nothing sent: the account is not read"
    assert "A sync would cost" not in cli("status", str(root)).stdout
