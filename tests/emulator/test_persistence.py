"""data_dir persistence, temporary dirs, the CLI command and ``python -m pycsync.emulator``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

from click.testing import CliRunner

from pycsync.emulator import EmulatorServer
from pycsync.emulator.cli import emulator_command
from tests.support.api import Api
from tests.support.media import make_jpeg_bytes


def test_restart_keeps_everything(tmp_path):
    data = make_jpeg_bytes(seed=1)
    with EmulatorServer(data_dir=tmp_path / "d") as emu:
        info1 = emu.info()
        api = Api(emu)
        pid = api.upload_id(data, tags="keep")
        sid = api.create_set("S", pid)
        other = emu.add_user("other")
    assert (tmp_path / "d" / "emulator.db").exists()
    with EmulatorServer(data_dir=tmp_path / "d") as emu:
        info2 = emu.info()
        assert {k: v for k, v in info2.items() if k != "endpoint"} == {
            k: v for k, v in info1.items() if k != "endpoint"
        }
        api = Api(emu)
        assert api.info(pid)["tags"]["tag"][0]["raw"] == "keep"
        assert [p["id"] for p in api.ok("flickr.photosets.getPhotos", photoset_id=sid)["photoset"]["photo"]] == [pid]
        assert api.fetch(api.original_url(pid)).content == data
        assert Api(emu, other["oauth_token"], other["oauth_token_secret"]).ok("flickr.test.login")
        # new ids keep increasing
        assert int(api.upload_id(make_jpeg_bytes(seed=2))) > int(pid)


def test_explicit_keys(tmp_path):
    key, secret = "0123456789abcdef0123456789abcdef", "fedcba9876543210"
    with EmulatorServer(data_dir=tmp_path, api_key=key, api_secret=secret) as emu:
        assert (emu.api_key, emu.api_secret) == (key, secret)
        assert Api(emu).ok("flickr.test.login")


def test_temporary_dir_is_removed():
    emu = EmulatorServer().start()
    Api(emu).upload_id(make_jpeg_bytes(seed=1))
    root = emu.store.dir
    assert root.exists()
    emu.stop()
    assert not root.exists()


def test_cli_prints_one_json_line_and_stops_on_sigterm(tmp_path):
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pycsync.emulator",
            "--port",
            "0",
            "--data",
            str(tmp_path),
            "--api-key",
            "a" * 32,
            "--api-secret",
            "b" * 16,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        info = json.loads(line)
        assert set(info) == {
            "endpoint",
            "api_key",
            "api_secret",
            "user_nsid",
            "username",
            "oauth_token",
            "oauth_token_secret",
        }
        assert info["api_key"] == "a" * 32 and info["endpoint"].startswith("http://127.0.0.1:")

        class E:  # enough of the EmulatorServer interface for Api
            endpoint, api_key, api_secret = info["endpoint"], info["api_key"], info["api_secret"]
            oauth_token, oauth_token_secret = info["oauth_token"], info["oauth_token_secret"]

        assert Api(E).ok("flickr.test.login")["user"]["id"] == info["user_nsid"]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    # restarting on the same data dir gives the same identity
    proc = subprocess.Popen(
        [sys.executable, "-m", "pycsync.emulator", "--port", "0", "--data", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        again = json.loads(proc.stdout.readline())
        assert {k: again[k] for k in ("api_key", "user_nsid", "oauth_token")} == {
            k: info[k] for k in ("api_key", "user_nsid", "oauth_token")
        }
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def test_click_command_help_and_options():
    result = CliRunner().invoke(emulator_command, ["--help"])
    assert result.exit_code == 0
    for opt in ("--host", "--port", "--data", "--api-key", "--api-secret", "--latency-ms", "--faults", "--seed"):
        assert opt in result.output
    for opt in ("--types", "--account", "--default-privacy"):
        assert opt in result.output
    assert emulator_command.name == "emulator"


def test_port_in_use_fails_cleanly():
    with EmulatorServer() as emu:
        result = CliRunner().invoke(emulator_command, ["--port", str(emu.port)])
        assert result.exit_code != 0 and "cannot listen" in result.output
