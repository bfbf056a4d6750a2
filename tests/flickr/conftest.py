"""Fixtures for the Flickr client tests (tests/flickr)."""

from __future__ import annotations

import pytest

from tests.support.flickr_stub import FakeClock, Hostile, StubServer


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def stub():
    s = StubServer()
    yield s
    s.close()


@pytest.fixture
def hostile():
    """A server that sends what a broken or hostile Flickr might (see flickr_stub.Hostile)."""
    server = Hostile()
    yield server
    server.close()
