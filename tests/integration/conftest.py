"""Fixtures for running the real CLI against the emulator over HTTP.

`cli(...)` invokes `pycsync` in-process with the emulator's endpoint and credentials in its
environment; `flickr` is a client acting "on Flickr" as a user on the website would; `tree`
reads a folder back as {relative path: bytes} for whole-tree assertions.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pycsync.cli import Environment, main
from tests.conftest import make_jpeg_bytes


def emulator_env(emulator, tmp_path) -> dict[str, str]:
    """The environment that points pycsync at this emulator with its ready access token."""
    return {
        "PYCSYNC_ENDPOINT": emulator.endpoint,
        "FLICKR_API_KEY": emulator.api_key,
        "FLICKR_API_SECRET": emulator.api_secret,
        "FLICKR_OAUTH_TOKEN": emulator.oauth_token,
        "FLICKR_OAUTH_TOKEN_SECRET": emulator.oauth_token_secret,
        "PYCSYNC_CONFIG_DIR": str(tmp_path / "config"),
    }


def runner_for(cli_env: dict[str, str]) -> Callable[..., Result]:
    """``run(*args, input=None, env=None) -> click Result``: the real CLI, in-process."""

    def run(*args: str, input: str | None = None, env: dict | None = None) -> Result:
        full_env = {**cli_env, **(env or {})}
        return CliRunner().invoke(main, list(args), input=input, env=full_env, obj=Environment(env=full_env))

    return run


@pytest.fixture
def cli_env(emulator, tmp_path) -> dict[str, str]:
    return emulator_env(emulator, tmp_path)


@pytest.fixture
def cli(cli_env) -> Callable[..., Result]:
    return runner_for(cli_env)


@pytest.fixture
def sync_json(cli) -> Callable[..., dict]:
    """Run `pycsync sync ROOT --json ...` and return the parsed summary (exit code checked)."""

    def run(root: Path, *args: str, expect: int = 0) -> dict:
        result = cli("sync", str(root), "--json", *args)
        assert result.exit_code == expect, (result.exit_code, result.output, result.stderr)
        return json.loads(result.stdout)

    return run


def write_jpeg(path: Path, seed: int) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    return make_jpeg_bytes(path, seed=seed)


def tree(root: Path) -> dict[str, bytes]:
    """Every file under root except pycsync's own folder, as {posix path: bytes}."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".pycsync" not in p.relative_to(root).parts
    }


def remote_photos(emulator) -> list[dict]:
    return emulator.state()["photos"]


@pytest.fixture
def web(flickr, emulator, tmp_path):
    """Changes "on Flickr" as the account owner would make them on the website (see helpers.Web)."""
    from tests.integration.helpers import Web

    return Web(flickr, emulator, tmp_path / "web")
