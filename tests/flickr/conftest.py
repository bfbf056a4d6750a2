"""Fixtures for the Flickr client tests (tests/flickr)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from flickr_stub import FakeClock, StubServer  # noqa: E402


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def stub():
    s = StubServer()
    yield s
    s.close()
