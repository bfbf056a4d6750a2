"""Fixtures for the emulator tests."""

from __future__ import annotations

import pytest

from tests.support.api import Api


@pytest.fixture
def api(emulator) -> Api:
    """The emulator's owner, signing independently of the emulator's own code."""
    return Api(emulator)
