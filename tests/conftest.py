"""Shared fixtures: a running Flickr emulator, a client acting on it, a folder to sync and the real
CLI pointed at the emulator (helpers, small real media files among them: tests/support)."""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result
from hypothesis import Phase, settings

from pycsync.emulator import EmulatorServer
from pycsync.flickr import FlickrClient
from tests.support.cli import emulator_env, runner_for, sync_json_for
from tests.support.clock import FlickrClock
from tests.support.remote import Web, owner_client

# Property tests draw the same examples on every run (derandomized, so no example database
# either): the suite fails only on a regression, never because hypothesis happened to explore a
# new region, and a failure reproduces anywhere. Sweeps explore: `--hypothesis-seed=N` (a
# random run that N reproduces) or `--hypothesis-profile=random`; PYCSYNC_EXAMPLES sets the
# planner properties' example counts (README, Development). No deadlines: a loaded machine is
# no failure.
settings.register_profile("deterministic", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("random", deadline=None, print_blob=True)
# Under mutation testing (bench/mutation.py; mutmut names the mutant under test in the
# environment) a property only has to fail: shrinking the failing example to the smallest one
# takes time and changes no verdict.
settings.register_profile(
    "mutation",
    settings.get_profile("deterministic"),
    phases=[phase for phase in Phase if phase not in (Phase.shrink, Phase.explain)],
)
settings.load_profile("mutation" if "MUTANT_UNDER_TEST" in os.environ else "deterministic")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    # (a derandomized run would ignore the seed: asking for one asks for a random run)
    if config.getoption("--hypothesis-seed", None) is not None and not config.getoption("--hypothesis-profile", None):
        settings.load_profile("random")


# Real Flickr types many numbers sometimes as JSON numbers, sometimes as strings: the client's
# tests and the integration suite run against an emulator that types them at random, seeded by
# the test's name so that a failure reproduces.
RANDOM_TYPING_FOLDERS = ("flickr", "integration")


def emulator_typing(request: pytest.FixtureRequest) -> dict[str, object]:
    folder = Path(str(request.node.path)).resolve().relative_to(Path(__file__).resolve().parent).parts[0]
    if folder not in RANDOM_TYPING_FOLDERS:
        return {}
    return {"types": "random", "seed": zlib.crc32(request.node.nodeid.encode())}


@pytest.fixture
def emulator(request) -> Iterator[EmulatorServer]:
    """A fresh emulator on 127.0.0.1 (random port, temporary data dir), stopped afterwards."""
    with EmulatorServer(host="127.0.0.1", port=0, **emulator_typing(request)) as emu:
        yield emu


@pytest.fixture
def flickr(emulator) -> Iterator[FlickrClient]:
    """A client acting on Flickr as the account's owner would on the website."""
    client = owner_client(emulator)
    yield client
    client.close()


@pytest.fixture
def flickr_clock(emulator, monkeypatch) -> FlickrClock:
    return FlickrClock().drive(emulator, monkeypatch)


@pytest.fixture
def root(tmp_path) -> Path:
    """An empty folder to sync."""
    path = tmp_path / "photos"
    path.mkdir()
    return path


@pytest.fixture
def cli_env(emulator, tmp_path) -> dict[str, str]:
    return emulator_env(emulator, tmp_path)


@pytest.fixture
def cli(cli_env) -> Callable[..., Result]:
    """``cli(*args, input=None, env=None) -> click Result``: the real CLI, in-process, on the emulator."""
    return runner_for(cli_env)


@pytest.fixture
def sync_json(cli) -> Callable[..., dict]:
    """``sync_json(root, *args, expect=0) -> summary`` (see tests.support.cli.sync_json_for)."""
    return sync_json_for(cli)


@pytest.fixture
def web(flickr, emulator, tmp_path) -> Web:
    """Changes "on Flickr" as the account owner would make them on the website."""
    return Web(flickr, emulator, tmp_path / "web")
