import threading

import pytest

from pycsync.flickr import RateLimiter


def test_unlimited_never_sleeps(fake_clock):
    """No budget: every call is granted at once, and counted like any other."""
    for limit in (None, 0):
        rl = RateLimiter(limit, clock=fake_clock, sleep=fake_clock.sleep)
        for _ in range(10000):
            rl.acquire()
        assert (rl.total_acquired, rl.total_waited) == (10000, 0)
    assert fake_clock.sleeps == []


def test_burst_then_wait_for_window(fake_clock):
    rl = RateLimiter(10, clock=fake_clock, sleep=fake_clock.sleep)
    start = fake_clock.now
    for _ in range(10):
        assert rl.acquire() == 0
    assert fake_clock.sleeps == []
    rl.acquire()  # 11th must wait until the first stamp leaves the window
    assert fake_clock.now == pytest.approx(start + 3600)
    assert rl.in_window() == 1  # the first ten left the window exactly now


def test_sliding_window_invariant(fake_clock):
    """Never more than N acquisitions in any 3600 s window, with irregular arrivals."""
    n = 50
    rl = RateLimiter(n, clock=fake_clock, sleep=fake_clock.sleep)
    stamps = []
    gaps = [0, 1, 0, 7, 300, 0, 0, 2, 1000, 5]
    for i in range(400):
        fake_clock.now += gaps[i % len(gaps)]
        rl.acquire()
        stamps.append(fake_clock.now)
    # check every window [t, t+3600)
    j = 0
    for i, t in enumerate(stamps):
        while stamps[j] <= t - 3600:
            j += 1
        assert i - j + 1 <= n


def test_pause_until_blocks_everyone(fake_clock):
    rl = RateLimiter(None, clock=fake_clock, sleep=fake_clock.sleep)
    rl.pause_until(fake_clock.now + 30)
    waited = rl.acquire()
    assert waited == pytest.approx(30)
    rl.pause_for(5)
    rl.pause_until(fake_clock.now + 1)  # an earlier pause never shortens a longer one
    assert rl.acquire() == pytest.approx(5)


def test_pause_and_window_combined(fake_clock):
    rl = RateLimiter(2, clock=fake_clock, sleep=fake_clock.sleep)
    t0 = fake_clock.now
    rl.acquire()
    rl.acquire()
    rl.pause_for(10)
    rl.acquire()
    assert fake_clock.now == pytest.approx(t0 + 3600)


def test_a_pause_of_a_fraction_of_a_second_is_waited_exactly_and_then_the_call_counts(fake_clock):
    """Retry-After may be short: the wait is what it says, not a second, and the call that
    follows takes its place in the window like any other."""
    rl = RateLimiter(10, clock=fake_clock, sleep=fake_clock.sleep)
    rl.pause_for(0.25)
    assert rl.acquire() == 0.25
    assert fake_clock.sleeps == [0.25]
    assert (rl.in_window(), rl.total_acquired) == (1, 1)


def test_every_wait_is_counted_in_what_acquire_returns_and_in_the_total(fake_clock):
    """A pause, then a full window: one acquire() waits for both, and says so."""
    rl = RateLimiter(1, clock=fake_clock, sleep=fake_clock.sleep)
    rl.acquire()
    rl.pause_for(10)
    assert rl.acquire() == 3600
    assert fake_clock.sleeps == [10, 3590]
    rl.pause_for(0.5)
    assert rl.acquire() == 3600
    assert fake_clock.sleeps == [10, 3590, 0.5, 3599.5]
    assert rl.total_waited == 7200


@pytest.mark.parametrize("limit, granted", [(None, [1000, 1000, 1000]), (2, [1000, 1000, 4600])])
def test_every_granted_slot_is_reported_with_its_clock_time(fake_clock, limit, granted):
    times: list[float] = []

    class Recording(RateLimiter):
        def _granted(self, now):
            times.append(now)

    rl = Recording(limit, clock=fake_clock, sleep=fake_clock.sleep)
    for _ in range(3):
        rl.acquire()
    assert times == granted


def test_thread_safety_with_real_threads(fake_clock):
    n = 100
    times: list[float] = []

    class Recording(RateLimiter):
        def _granted(self, now):
            times.append(now)  # called under the limiter's lock

    rl = Recording(n, clock=fake_clock, sleep=fake_clock.sleep)

    def worker():
        for _ in range(30):
            rl.acquire()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(times) == 240
    assert rl.total_acquired == 240
    assert times == sorted(times)
    assert times[-1] - times[0] >= 7200
    j = 0
    for i, t in enumerate(times):
        while times[j] <= t - 3600:
            j += 1
        assert i - j + 1 <= n


def test_negative_rejected():
    with pytest.raises(ValueError, match=r"^calls_per_hour must be >= 0 or None$"):
        RateLimiter(-1)


def test_a_run_beyond_the_budget_goes_at_an_even_pace(fake_clock):
    """Told it needs more than the window has left, a run spends the budget evenly: a small
    burst, then one call every 3600 / budget seconds, never an hour's budget and an idle hour."""
    rl = RateLimiter(3000, clock=fake_clock, sleep=fake_clock.sleep)
    start = fake_clock.now
    for _ in range(3):  # the listing, before the plan is known
        rl.acquire()
    rl.plan_calls(5000)
    assert rl.paced and rl.burst == 30
    for _ in range(rl.burst + 1):
        assert rl.acquire() == 0
    times = []
    for _ in range(100):
        rl.acquire()
        times.append(fake_clock.now - start)
    assert times == pytest.approx([(i + 1) * 1.2 for i in range(100)])


def test_a_run_that_fits_in_the_window_is_not_paced(fake_clock):
    rl = RateLimiter(100, clock=fake_clock, sleep=fake_clock.sleep)
    for _ in range(40):
        rl.acquire()
    rl.plan_calls(60)
    assert not rl.paced
    for _ in range(60):
        assert rl.acquire() == 0
    rl.plan_calls(1)  # the window is full: even one call waits for it
    assert rl.paced


def test_the_pace_does_not_save_up_idle_time(fake_clock):
    """After a quiet spell a paced run starts with its small burst, not the hour's unused budget."""
    rl = RateLimiter(200, clock=fake_clock, sleep=fake_clock.sleep)
    rl.plan_calls(1000)
    rl.acquire()
    assert rl.burst == 2
    fake_clock.now += 2 * 3600
    start = fake_clock.now
    for _ in range(rl.burst + 1):
        assert rl.acquire() == 0
    rl.acquire()
    assert fake_clock.now - start == pytest.approx(18)


@pytest.mark.parametrize("n", [1, 7, 50, 3000])
def test_paced_runs_keep_the_window_invariant(fake_clock, n):
    rl = RateLimiter(n, clock=fake_clock, sleep=fake_clock.sleep)
    stamps = []
    gaps = [0, 1, 0, 7, 300, 0, 0, 2, 1000, 5]
    for i in range(3 * n + 40):
        if i % 97 == 0:
            rl.plan_calls(10**6)
        fake_clock.now += gaps[i % len(gaps)]
        rl.acquire()
        stamps.append(fake_clock.now)
    j = 0
    for i, t in enumerate(stamps):
        while stamps[j] <= t - 3600:
            j += 1
        assert i - j + 1 <= n


@pytest.mark.parametrize("paced", [False, True])
@pytest.mark.parametrize("n, before", [(3000, 0), (3000, 20), (3000, 2999), (150, 7), (150, 150), (None, 40)])
@pytest.mark.parametrize("k", [1, 2, 31, 400])
def test_seconds_for_is_when_the_kth_call_from_now_starts(fake_clock, n, before, k, paced):
    """What an ETA relies on when the budget is what limits a run."""
    rl = RateLimiter(n, clock=fake_clock, sleep=fake_clock.sleep)
    if paced:
        rl.plan_calls(10**6)
    for _ in range(before):
        rl.acquire()
    rl.pause_for(3)
    predicted = rl.seconds_for(k)
    start = fake_clock.now
    for _ in range(k):
        rl.acquire()
    assert fake_clock.now - start == pytest.approx(predicted)
    assert rl.seconds_for(0) == 0
