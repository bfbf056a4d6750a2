"""The real CLI pointed at an emulator: in-process, or as a child process where a test signals,
kills or races it."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner, Result

from pycsync.cli import Environment, main

#: every command `pycsync --help` lists
COMMANDS = ["sync", "status", "watch", "auth", "config", "emulator", "demo"]

#: the command line that runs pycsync in a child process
PYCSYNC = [sys.executable, "-m", "pycsync"]


def emulator_env(emulator, tmp_path: Path) -> dict[str, str]:
    """The environment that points pycsync at this emulator with its ready access token."""
    return {
        "PYCSYNC_ENDPOINT": emulator.endpoint,
        "FLICKR_API_KEY": emulator.api_key,
        "FLICKR_API_SECRET": emulator.api_secret,
        "FLICKR_OAUTH_TOKEN": emulator.oauth_token,
        "FLICKR_OAUTH_TOKEN_SECRET": emulator.oauth_token_secret,
        "PYCSYNC_CONFIG_DIR": str(tmp_path / "config"),
    }


def token_env(token: dict) -> dict[str, str]:
    """The environment that signs in with another token of the emulator's (``emulator.add_token``)."""
    return {"FLICKR_OAUTH_TOKEN": token["oauth_token"], "FLICKR_OAUTH_TOKEN_SECRET": token["oauth_token_secret"]}


def process_env(cli_env: dict[str, str], **extra: str) -> dict[str, str]:
    """The environment of a pycsync child process: this one's without any FLICKR_ or PYCSYNC_
    setting the machine may carry, then ``cli_env`` and ``extra``; output unbuffered, so what a
    killed or interrupted run printed is there to read."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("FLICKR_", "PYCSYNC_"))}
    return {**base, **cli_env, "PYTHONUNBUFFERED": "1", **extra}


def runner_for(cli_env: dict[str, str]) -> Callable[..., Result]:
    """``run(*args, input=None, env=None) -> click Result``: the real CLI, in-process."""

    def run(*args: str, input: str | None = None, env: dict | None = None) -> Result:
        full_env = {**cli_env, **(env or {})}
        return CliRunner().invoke(main, list(args), input=input, env=full_env, obj=Environment(env=full_env))

    return run


def sync_json_for(cli: Callable[..., Result]) -> Callable[..., dict]:
    """``run(root, *args, expect=0) -> summary``: `pycsync sync ROOT --json ARGS`, its exit status
    checked (``expect=None``: any status, as after a crash or fault, and an empty summary if the
    run printed none), the summary with the run's ``exit_code`` and ``stderr`` added."""

    def run(root: Path, *args: str, expect: int | None = 0) -> dict:
        result = cli("sync", str(root), "--json", *args)
        if expect is None:
            try:
                summary = json.loads(result.stdout)
            except ValueError:
                summary = {}
        else:
            assert result.exit_code == expect, (result.exit_code, result.output, result.stderr)
            summary = json.loads(result.stdout)
        summary["exit_code"] = result.exit_code
        summary["stderr"] = result.stderr
        return summary

    return run


def status_json(cli: Callable[..., Result], root: Path, *args: str) -> dict:
    """`pycsync status ROOT --json ARGS` -> its document (exit status 0 checked)."""
    result = cli("status", str(root), "--json", *args)
    assert result.exit_code == 0, (result.output, result.stderr)
    return json.loads(result.stdout)
