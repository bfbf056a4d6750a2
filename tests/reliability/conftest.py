"""Fixtures for the reliability suite: the real engine against the emulator over HTTP, with fast
retries (tests.support.faults: the policy is the same, only the clock is faster)."""

from __future__ import annotations

import pytest

import pycsync.cli as cli_module
from tests.support.faults import fast_client, fast_env


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch):
    monkeypatch.setattr(cli_module, "FlickrClient", fast_client)


@pytest.fixture
def cli_env(emulator, tmp_path) -> dict[str, str]:
    return fast_env(emulator, tmp_path)
