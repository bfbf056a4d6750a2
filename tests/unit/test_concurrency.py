"""--jobs auto: one more transfer at once while that raises the measured throughput."""

from __future__ import annotations

import threading

from pycsync.concurrency import AUTO_HIGH, AUTO_START, Gate

MB = 1_000_000


class Link:
    """A fake link of ``rate`` bytes/s shared by all, each transfer also waiting ``wait`` s:
    c transfers of ``size`` at once complete c * size bytes every max(c*size/rate, size/rate + wait)."""

    def __init__(self, rate: float, wait: float, size: int = 2 * MB):
        self.rate, self.wait, self.size = rate, wait, size
        self.now = 0.0

    def run(self, gate: Gate, transfers: int) -> None:
        left = transfers
        while left > 0:
            c = min(gate.limit, left)
            self.now += max(c * self.size / self.rate, self.size / self.rate + self.wait)
            for _ in range(c):
                gate.finished(self.size)
            left -= c


def test_it_climbs_to_the_plateau_where_the_link_is_full():
    # 2 MB uploads over 2.5 MB/s waiting 1.6 s: 3 at once fill the link
    link = Link(2.5 * MB, 1.6)
    gate = Gate(start=2, clock=lambda: link.now)
    link.run(gate, 100)
    assert gate.limit == 3


def test_it_starts_where_asked_and_stays_when_more_does_not_pay():
    link = Link(2.5 * MB, 0.1)  # downloads: 100 ms to the first byte
    gate = Gate(clock=lambda: link.now)
    assert gate.limit == AUTO_START
    link.run(gate, 100)
    assert gate.limit == AUTO_START


def test_it_goes_as_high_as_a_fast_link_needs_and_no_further():
    link = Link(100 * MB, 1.5)  # a fast line, Flickr's processing dominates
    gate = Gate(start=2, clock=lambda: link.now)
    link.run(gate, 2000)
    assert gate.limit == AUTO_HIGH


def test_a_failed_transfer_is_not_counted():
    link = Link(2.5 * MB, 1.6)
    gate = Gate(start=2, clock=lambda: link.now)
    try:
        with gate.transfer("up", 2 * MB):
            raise OSError("reset")
    except OSError:
        pass
    assert gate._skip == 2


def test_the_gate_lets_no_more_than_its_limit_run():
    gate = Gate(start=2)
    inside, most = [0], [0]
    lock = threading.Lock()
    release = threading.Event()

    def work():
        with gate:
            with lock:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            release.wait(5)
            with lock:
                inside[0] -= 1

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    while True:
        with lock:
            if inside[0] == 2:
                break
    release.set()
    for t in threads:
        t.join()
    assert most[0] == 2
