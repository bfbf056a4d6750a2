"""Fixtures for the user-experience tests: a CLI run in a thread whose output can be read while it
waits (for sign-in flows)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support.background import BackgroundCli


@pytest.fixture
def auth_env(emulator, tmp_path) -> dict[str, str]:
    """An environment with the emulator's endpoint but no credentials at all (nobody signed in)."""
    return {"PYCSYNC_ENDPOINT": emulator.endpoint, "PYCSYNC_CONFIG_DIR": str(tmp_path / "config")}


@pytest.fixture
def background_cli(auth_env) -> Callable[..., BackgroundCli]:
    runs: list[BackgroundCli] = []

    def start(*args: str, env: dict | None = None, **environment) -> BackgroundCli:
        run = BackgroundCli(list(args), {**auth_env, **(env or {})}, **environment)
        runs.append(run)
        return run

    yield start
    for run in runs:
        run.close_stdin()
        run.thread.join(10)
