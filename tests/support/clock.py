"""Flickr's clock under the test's control."""

from __future__ import annotations

import pytest

import pycsync.flickr.transport as transport
from pycsync.emulator import EmulatorServer


class FlickrClock:
    """The emulator's clock, frozen: its stored timestamps (upload and update dates), the clock of
    its search index and upload tickets, and the Date header the client reads stay put until
    ``advance`` moves them, so a test that needs a later second takes one without waiting."""

    def __init__(self, start: float = 1_700_000_000):
        self.now = start

    def advance(self, seconds: float = 10) -> None:
        self.now += seconds

    def drive(self, emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> FlickrClock:
        monkeypatch.setattr(emulator.store, "now", lambda: int(self.now))  # whole seconds, as Flickr
        monkeypatch.setattr(emulator.backend, "clock", lambda: self.now)
        monkeypatch.setattr(transport, "_server_date", lambda headers: self.now)
        return self
