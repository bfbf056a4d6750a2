"""Races made real against the emulator: a run's write held while something else happens."""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from pycsync.app import SyncOptions, sync
from tests.support.remote import owner_client

HOLD_MS = 3000  # far longer than the change made meanwhile takes; checked below, never assumed


@contextmanager
def meanwhile(emulator, methods: list[str], change: Callable[[], None]):
    """Hold the first call to one of ``methods`` and make ``change`` while it waits.

    Checks that the race really happened: ``change`` finished while the held call had not been
    answered yet (so it was applied after the change).
    """
    emulator.set_faults([{"match": methods, "max": 1, "action": {"latency_ms": HOLD_MS}}])
    stop = threading.Event()
    outcome: list = []

    def watch() -> None:
        while not stop.is_set():
            if emulator.faults()[0]["fired"]:
                try:
                    change()
                    held = [c for c in emulator.recent_calls() if c["name"] in methods and c["fault"] == "latency"]
                    outcome.append(("ok", held[0]["status"]))
                except BaseException as exc:  # reported in the test's thread
                    outcome.append(("error", exc))
                return
            stop.wait(0.005)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        yield
    finally:
        stop.set()
        watcher.join()
        emulator.set_faults([])
    assert outcome, f"no {methods} call was made: nothing to race with"
    kind, value = outcome[0]
    if kind == "error":
        raise value
    assert value is None, "the change landed after the held album write: no race happened"


def other_computer(emulator, root: Path) -> Callable[[], None]:
    """A sync of ``root`` as another computer runs it (its own process state, the same account)."""

    def run() -> None:
        with owner_client(emulator) as client:
            result = sync(client, SyncOptions(root=root, unknown_upload_wait=0))
        assert result.ok, result.outcome

    return run
