"""Faults on a fast clock: the client's retry backoff and read timeout shortened (the policy is the
same, only the clock is faster), and the wait for an upload whose answer was lost set from
PYCSYNC_UNKNOWN_UPLOAD_WAIT, as a user would set it."""

from __future__ import annotations

from pathlib import Path

from pycsync.flickr import FlickrClient
from tests.support.cli import emulator_env

# Reads that take longer than this time out (the "timeout" faults add more latency than that).
READ_TIMEOUT = 1.0
TIMEOUT_LATENCY_MS = 1500
UNKNOWN_UPLOAD_WAIT = "2"


def fast_client(*args, **kwargs) -> FlickrClient:
    kwargs.setdefault("backoff_base", 0.02)
    kwargs.setdefault("backoff_cap", 0.2)
    kwargs.setdefault("timeout", (5.0, READ_TIMEOUT))
    kwargs.setdefault("upload_timeout", (5.0, READ_TIMEOUT))
    return FlickrClient(*args, **kwargs)


def fast_env(emulator, tmp_path: Path) -> dict[str, str]:
    """``emulator_env`` with a short wait for a lost upload's answer."""
    return {**emulator_env(emulator, tmp_path), "PYCSYNC_UNKNOWN_UPLOAD_WAIT": UNKNOWN_UPLOAD_WAIT}
