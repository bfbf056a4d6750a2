"""`pycsync watch` on the command line: the service it prints runs the same watch for this user
and folder, with no secret in it; what it refuses before it starts, and how."""

from __future__ import annotations

import json
import plistlib
import shlex
import sys
from pathlib import Path

import pytest


def exec_start(unit: str) -> list[str]:
    [line] = [line for line in unit.splitlines() if line.startswith("ExecStart=")]
    # systemd unquotes like a shell (C escapes in double quotes), then expands %% and $$
    return shlex.split(line[len("ExecStart=") :].replace("$$", "$").replace("%%", "%"))


def test_the_systemd_unit_runs_the_same_watch_with_no_secret_in_it(cli, cli_env, root, emulator):
    emulator.reset_calls()
    result = cli(
        "watch",
        str(root),
        "--interval",
        "600",
        "--push",
        "--exclude",
        "Private/",
        "--exclude",
        "*.tmp",
        "--no-delete",
        "-q",
        "--print-service",
        "systemd",
        env={"PYCSYNC_RATE_LIMIT": "1000"},
    )
    assert result.exit_code == 0, result.output
    unit = result.stdout
    command = exec_start(unit)
    assert command[:6] == [sys.executable, "-m", "pycsync", "--endpoint", emulator.endpoint, "watch"]
    assert command[6] == str(root.resolve())
    options = command[7:]
    for expected in (
        ["--push"],
        ["--exclude", "Private/", "--exclude", "*.tmp"],
        ["--no-delete"],
        ["--rate-limit", "1000"],  # (from PYCSYNC_RATE_LIMIT: the service has no such variable)
        ["--interval", "600.0"],
        ["--quiet"],
    ):
        at = options.index(expected[0])
        assert options[at : at + len(expected)] == expected, options
    assert "--print-service" not in options and "--pull" not in options
    assert f'Environment="PYCSYNC_CONFIG_DIR={cli_env["PYCSYNC_CONFIG_DIR"]}"' in unit
    for secret in (emulator.api_key, emulator.api_secret, emulator.oauth_token, emulator.oauth_token_secret):
        assert secret not in unit
    assert "[Install]\nWantedBy=default.target" in unit and "systemctl --user enable --now" in unit
    assert "User=" not in unit and "sudo" not in unit
    assert "FLICKR_* variables" in result.stderr  # this shell signs in with them; the service will not
    assert emulator.calls() == {}, "printing a service contacts nothing"


def test_the_launchd_plist_runs_the_same_watch_and_logs_to_a_rotated_file(cli, root):
    result = cli("watch", str(root), "--pull", "--print-service", "launchd")
    assert result.exit_code == 0, result.output
    plist = plistlib.loads(result.stdout.encode())
    args = plist["ProgramArguments"]
    assert args[:3] == [sys.executable, "-m", "pycsync"] and "--pull" in args
    assert args[args.index("watch") + 1] == str(root.resolve())
    log = Path(args[args.index("--log-file") + 1])
    assert log.parent == Path.home() / "Library" / "Logs" / "pycsync"
    assert plist["Label"].startswith("org.pycsync.watch.photos-")
    assert plist["RunAtLoad"] is True and plist["KeepAlive"] == {"SuccessfulExit": False}
    assert "launchctl load -w ~/Library/LaunchAgents/" in result.stdout


def test_a_given_log_file_is_kept_as_an_absolute_path(cli, root, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("watch", str(root), "--log-file", "logs/watch.log", "--print-service", "systemd")
    command = exec_start(result.stdout)
    assert command[command.index("--log-file") + 1] == str(tmp_path / "logs" / "watch.log")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--interval", "0"], "--interval"),
        (["--poll-share", "0"], "--poll-share"),
        (["--dry-run"], "No such option"),
        (["--push", "--pull"], "cannot be combined"),
        (["--print-service", "cron"], "--print-service"),
    ],
)
def test_what_makes_no_sense_is_refused_before_anything_starts(cli, root, emulator, args, message):
    emulator.reset_calls()
    result = cli("watch", str(root), *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert not (root / ".pycsync").exists() and emulator.calls() == {}


def test_not_signed_in_ends_it_at_once_with_one_json_line(cli, root):
    result = cli("watch", str(root), "--json", env={"FLICKR_OAUTH_TOKEN": "", "FLICKR_OAUTH_TOKEN_SECRET": ""})
    assert result.exit_code == 3
    [line] = result.stdout.splitlines()
    assert json.loads(line)["error"]["kind"] == "auth"
