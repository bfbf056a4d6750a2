"""Rate-limit discipline: never more calls in a window than the budget, retries included;
Retry-After is honoured by every thread; --rate-limit / PYCSYNC_RATE_LIMIT set the budget.

The hour is scaled down to WINDOW seconds (the limiter's window is a parameter); the budget is
what the user passes on the command line.
"""

from __future__ import annotations

import pycsync.cli as cli_module
from pycsync.flickr import FlickrClient
from pycsync.flickr.ratelimit import RateLimiter
from tests.support.convergence import assert_same_both_sides
from tests.support.files import sha, write_jpeg
from tests.support.media import jpeg

WINDOW = 1.5


def _scaled_client(made: list):
    def factory(*args, calls_per_hour=None, **kwargs):
        limiter = RateLimiter(calls_per_hour, window=WINDOW) if calls_per_hour else None
        client = FlickrClient(
            *args, calls_per_hour=calls_per_hour, limiter=limiter, backoff_base=0.02, backoff_cap=0.2, **kwargs
        )
        made.append(client)
        return client

    return factory


def _api_calls(emulator) -> list[dict]:
    return [c for c in emulator.recent_calls() if c["name"] != "static"]


def _max_in_window(times: list[float], window: float) -> int:
    best = 0
    for i, t in enumerate(times):
        best = max(best, sum(1 for u in times[i:] if u < t + window))
    return best


def _library(root) -> None:
    for i in range(4):
        write_jpeg(root / f"A/{i}.jpg", i)
    write_jpeg(root / "loose.jpg", 9)


def test_never_more_calls_than_the_budget_retries_included(emulator, root, cli, monkeypatch, sync_json):
    made: list = []
    monkeypatch.setattr(cli_module, "FlickrClient", _scaled_client(made))
    _library(root)
    emulator.set_faults(
        [
            {"match": "flickr.photosets.getList", "max": 2, "action": {"http": 500}},
            {"match": "flickr.photosets.editPhotos", "max": 2, "action": {"error": 105}},
            {"match": "upload", "max": 1, "action": {"error": 201}},
        ]
    )
    budget = 6
    result = cli("sync", str(root), "--rate-limit", str(budget), "--jobs", "4")
    assert result.exit_code == 0, result.stderr
    calls = _api_calls(emulator)
    times = sorted(c["time"] for c in calls)
    peak = _max_in_window(times, WINDOW - 0.02)
    retries = made[-1].stats.retries
    print(
        f"rate limit: {len(calls)} calls ({retries} retries) against {budget} per {WINDOW}s window; "
        f"busiest window {peak}"
    )
    assert retries == 5
    assert len(calls) > budget, "the run needed more than one window's budget"
    assert peak <= budget, f"{peak} calls in one window, budget {budget}"
    emulator.set_faults([])
    layout = {**{f"A/{i}.jpg": sha(jpeg(i)) for i in range(4)}, "loose.jpg": sha(jpeg(9))}
    assert_same_both_sides(root, emulator, layout)


def test_budget_from_the_environment(emulator, root, cli, monkeypatch):
    made: list = []
    monkeypatch.setattr(cli_module, "FlickrClient", _scaled_client(made))
    write_jpeg(root / "a.jpg", 1)
    assert cli("sync", str(root), env={"PYCSYNC_RATE_LIMIT": "7"}).exit_code == 0
    assert made[-1].limiter.calls_per_hour == 7
    assert cli("sync", str(root)).exit_code == 0
    assert made[-1].limiter.calls_per_hour == 3000, "the default budget"
    assert cli("sync", str(root), "--rate-limit", "0").exit_code == 0
    assert made[-1].limiter is None or made[-1].limiter.unlimited


def test_retry_after_pauses_every_caller(emulator, root, cli, monkeypatch):
    made: list = []
    monkeypatch.setattr(cli_module, "FlickrClient", _scaled_client(made))
    _library(root)
    emulator.set_faults([{"match": "upload", "max": 1, "action": {"http": 429, "retry_after": 1}}])
    result = cli("sync", str(root), "--jobs", "4")
    assert result.exit_code == 0, result.stderr
    calls = _api_calls(emulator)
    limited = next(i for i, c in enumerate(calls) if c.get("fault") == "http")
    t429 = calls[limited]["time"]
    soon = [c["time"] - t429 for c in calls[limited + 1 :] if c["time"] - t429 < 0.9]
    # only the other workers' requests already on their way when the 429 came back
    assert len(soon) <= 3 and all(d < 0.05 for d in soon), soon
    assert any(c["time"] - t429 >= 0.9 for c in calls[limited + 1 :])
