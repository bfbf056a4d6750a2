"""Rate-limit discipline: never more calls in a window than the budget, retries included; a run
beyond the budget goes at an even pace and never meets Flickr's limit; a 429 pauses every thread
(for its Retry-After, or the backoff's step when it has none, as Flickr's has none);
--rate-limit / PYCSYNC_RATE_LIMIT set the budget.

The hour is scaled down to WINDOW seconds (the limiter's window is a parameter); the budget is
what the user passes on the command line.
"""

from __future__ import annotations

import pytest

import pycsync.cli as cli_module
from pycsync.flickr import FlickrClient
from pycsync.flickr.ratelimit import RateLimiter
from tests.support.api import control
from tests.support.convergence import assert_same_both_sides
from tests.support.files import sha, write_jpeg
from tests.support.media import jpeg

WINDOW = 1.5


class _Recording(RateLimiter):
    """The budget's own clock times of the calls it lets start: a paced run's calls are a window
    apart every budget's worth, so the emulator's arrival times, which add each request's way
    through a loaded machine, can put one more inside a window than the client ever sent."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.granted: list[float] = []

    def _granted(self, now: float) -> None:
        self.granted.append(now)


def _scaled_client(made: list, backoff_base: float = 0.02):
    def factory(*args, calls_per_hour=None, **kwargs):
        limiter = _Recording(calls_per_hour, window=WINDOW) if calls_per_hour else None
        client = FlickrClient(
            *args,
            calls_per_hour=calls_per_hour,
            limiter=limiter,
            backoff_base=backoff_base,
            backoff_cap=max(0.2, backoff_base),
            **kwargs,
        )
        made.append(client)
        return client

    return factory


def _api_calls(emulator) -> list[dict]:
    return [c for c in emulator.recent_calls() if c["name"] != "static"]


def control_calls(emulator) -> dict:
    return control(emulator, "calls").json()


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
    times = made[-1].limiter.granted
    assert len(times) == len(calls)
    peak = _max_in_window(times, WINDOW)
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


def test_a_run_beyond_the_budget_goes_at_an_even_pace_within_flickrs_limit(emulator, root, cli, monkeypatch, sync_json):
    """Flickr allows the key 24 calls a window here and the client's budget is 20: a first
    upload of 40 photos (51 calls, two and a half windows) spends it evenly, one call every
    WINDOW / 20 seconds, and never meets a 429; before, it sent 20 at once and then waited."""
    made: list = []
    monkeypatch.setattr(cli_module, "FlickrClient", _scaled_client(made))
    emulator.backend.config.rate_limit, emulator.backend.config.rate_limit_window = 24, WINDOW
    layout = {f"{'AB'[i % 2]}/{i}.jpg": i for i in range(40)}
    for key, seed in layout.items():
        write_jpeg(root / key, seed)
    assert cli("sync", str(root), "--json", "--rate-limit", "20", "--jobs", "4").exit_code == 0
    calls = _api_calls(emulator)
    times = made[-1].limiter.granted
    interval = WINDOW / 20
    assert made[-1].limiter.paced and len(calls) == 51  # N + 2M + ceil(N/500) + 6
    assert control_calls(emulator)["rate_limited"] == 0 and made[-1].stats.retries == 0
    assert _max_in_window(times, WINDOW) <= 20
    paced = times[8:]  # (the listing and the account's limits come before the plan is known)
    assert _max_in_window(paced, 10 * interval) <= 10 + 2, "no burst once paced"
    assert paced[-1] - paced[0] >= (len(paced) - 1 - 2) * interval
    assert_same_both_sides(root, emulator, {key: sha(jpeg(seed)) for key, seed in layout.items()})


@pytest.mark.parametrize(
    "refusal",
    [{"http": 429, "retry_after": 1}, {"http": 429}],
    ids=["with-retry-after", "without-retry-after-as-flickr"],
)
def test_a_429_pauses_every_caller(emulator, root, cli, monkeypatch, refusal):
    made: list = []
    monkeypatch.setattr(cli_module, "FlickrClient", _scaled_client(made, backoff_base=1.0))
    _library(root)
    emulator.set_faults([{"match": "upload", "max": 1, "action": refusal}])
    result = cli("sync", str(root), "--jobs", "4")
    assert result.exit_code == 0, result.stderr
    calls = _api_calls(emulator)
    limited = next(i for i, c in enumerate(calls) if c.get("fault") == "http")
    t429 = calls[limited]["time"]
    soon = [c["time"] - t429 for c in calls[limited + 1 :] if c["time"] - t429 < 0.9]
    # only the other three workers' requests already on their way when the 429 came back (one
    # each: a worker that went on would send several in 0.9 s; how late they reach the server
    # depends on the machine's load, not on pycsync)
    assert len(soon) <= 3, soon
    assert any(c["time"] - t429 >= 0.9 for c in calls[limited + 1 :])
