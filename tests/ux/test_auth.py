"""`pycsync auth` without a browser: the oob flow (a pasted code), fallbacks and failures."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from click.testing import CliRunner

from pycsync.cli import Environment, main
from tests.support.browser import approve_in_browser, shown_code


def pytest_fail(message: str):
    raise AssertionError(message)


def sign_in_with_code(run) -> tuple:
    url = run.out.wait_for(r"(http\S+/services/oauth/authorize\S+)").group(1)
    run.type(shown_code(approve_in_browser(url, follow=False).text) + "\n")
    return url, run.join()


def test_no_browser_asks_for_the_code_flickr_shows(background_cli, emulator, auth_env):
    run = background_cli(
        "auth",
        "--no-browser",
        "--api-key",
        emulator.api_key,
        "--api-secret",
        emulator.api_secret,
        open_browser=lambda url: pytest_fail("no browser may be opened with --no-browser"),
        has_display=True,
    )
    _, result = sign_in_with_code(run)
    output = run.out.getvalue()
    assert result.exit_code == 0, (result.output, output)
    assert "Then paste the code Flickr shows you" in result.output
    info = emulator.info()
    assert f"Signed in to Flickr at {emulator.endpoint} as {info['username']} ({info['user_nsid']})" in output

    tokens = Path(auth_env["PYCSYNC_CONFIG_DIR"]) / "tokens.json"
    assert stat.S_IMODE(tokens.stat().st_mode) == 0o600
    assert stat.S_IMODE(tokens.parent.stat().st_mode) == 0o700
    saved = json.loads(tokens.read_text())
    entry = saved["tokens"][f"{emulator.endpoint}|{emulator.api_key}"]
    assert entry["user_nsid"] == info["user_nsid"] and entry["perms"] == "write"
    assert saved["apps"][emulator.endpoint]["api_key"] == emulator.api_key


def test_without_a_display_the_code_flow_is_used(background_cli, emulator):
    run = background_cli(
        "auth",
        "--perms",
        "delete",
        "--api-key",
        emulator.api_key,
        "--api-secret",
        emulator.api_secret,
        open_browser=lambda url: pytest_fail("no display: no browser"),
        has_display=False,
    )
    url, result = sign_in_with_code(run)
    assert "perms=delete" in url
    assert result.exit_code == 0, result.output
    assert "with delete permission" in run.out.getvalue()


def test_a_browser_that_cannot_open_falls_back_to_the_code(background_cli, emulator):
    tried = []
    run = background_cli(
        "auth",
        "--api-key",
        emulator.api_key,
        "--api-secret",
        emulator.api_secret,
        open_browser=lambda url: tried.append(url) or False,
        has_display=True,
    )
    url, result = sign_in_with_code(run)
    assert result.exit_code == 0, result.output
    assert tried and tried[0] != url, "the code flow asks for a new (oob) request token"
    assert "Could not open a browser" in result.output


def test_the_saved_key_is_reused_and_a_wrong_code_fails_with_status_3(background_cli, emulator):
    first = background_cli("auth", "--no-browser", "--api-key", emulator.api_key, "--api-secret", emulator.api_secret)
    assert sign_in_with_code(first)[1].exit_code == 0

    again = background_cli("auth", "--no-browser")  # key and secret come from the saved sign-in
    again.out.wait_for(r"http\S+/services/oauth/authorize")
    again.type("123-456-789\n")
    result = again.join()
    assert result.exit_code == 3
    assert "authentication failed" in result.output


def test_no_code_entered_is_an_authentication_error(background_cli, emulator):
    run = background_cli("auth", "--no-browser", "--api-key", emulator.api_key, "--api-secret", emulator.api_secret)
    run.out.wait_for(r"http\S+/services/oauth/authorize")
    run.close_stdin()
    result = run.join()
    assert result.exit_code == 3
    assert "no code was entered" in result.output


def test_browser_that_never_comes_back_times_out_with_status_3(background_cli, emulator):
    run = background_cli(
        "auth",
        "--timeout",
        "1",
        "--api-key",
        emulator.api_key,
        "--api-secret",
        emulator.api_secret,
        open_browser=lambda url: True,
        has_display=True,
    )
    result = run.join()
    assert result.exit_code == 3
    assert "no answer from the browser" in result.output and "--no-browser" in result.output


def test_missing_api_key_is_a_usage_error(auth_env):
    result = CliRunner().invoke(main, ["auth", "--no-browser"], env=auth_env, obj=Environment(env=auth_env))
    assert result.exit_code == 2
    assert "--api-key" in result.output and "services/apps/create" in result.output


def test_commands_that_need_a_token_exit_3_when_signed_out(auth_env, emulator, tmp_path):
    env = {**auth_env, "FLICKR_API_KEY": emulator.api_key, "FLICKR_API_SECRET": emulator.api_secret}
    result = CliRunner().invoke(main, ["sync", str(tmp_path)], env=env, obj=Environment(env=env))
    assert result.exit_code == 3
    assert "pycsync auth" in result.output


# --------------------------------------------------------------------------- the API secret
# On the command line the secret sits in the process list, readable by every user of the
# machine, for as long as the sign-in takes: pycsync asks for it (hidden), or reads it from
# FLICKR_API_SECRET or a file. --api-secret still works, with a warning.

SECRET_WARNING = "visible to other users"


def test_the_secret_is_asked_for_and_not_shown(background_cli, emulator):
    run = background_cli("auth", "--no-browser", "--api-key", emulator.api_key)
    run.type(emulator.api_secret + "\n")
    _, result = sign_in_with_code(run)
    assert result.exit_code == 0, result.output
    assert "Flickr API secret (typing is hidden): " in result.stderr
    assert emulator.api_secret not in result.output + run.out.getvalue()
    assert SECRET_WARNING not in result.output
    assert "Signed in to Flickr" in run.out.getvalue()


def test_the_secret_can_come_from_a_file(background_cli, emulator, tmp_path):
    secret_file = tmp_path / "flickr-secret"
    secret_file.write_text(emulator.api_secret + "\n")
    run = background_cli("auth", "--no-browser", "--api-key", emulator.api_key, "--api-secret-file", str(secret_file))
    _, result = sign_in_with_code(run)
    assert result.exit_code == 0, result.output
    assert "Flickr API secret" not in result.output and SECRET_WARNING not in result.output


def test_the_secret_can_come_from_standard_input(background_cli, emulator):
    run = background_cli("auth", "--no-browser", "--api-key", emulator.api_key, "--api-secret-file", "-")
    run.type(emulator.api_secret + "\n")
    _, result = sign_in_with_code(run)
    assert result.exit_code == 0, result.output


def test_the_secret_can_come_from_the_environment(background_cli, emulator):
    run = background_cli(
        "auth", "--no-browser", "--api-key", emulator.api_key, env={"FLICKR_API_SECRET": emulator.api_secret}
    )
    _, result = sign_in_with_code(run)
    assert result.exit_code == 0, result.output
    assert "Flickr API secret" not in result.output and SECRET_WARNING not in result.output


def test_a_secret_on_the_command_line_still_works_with_a_warning(background_cli, emulator):
    run = background_cli("auth", "--no-browser", "--api-key", emulator.api_key, "--api-secret", emulator.api_secret)
    _, result = sign_in_with_code(run)
    assert result.exit_code == 0, result.output
    (warning,) = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert "--api-secret" in warning and SECRET_WARNING in warning and "FLICKR_API_SECRET" in warning


def test_no_secret_typed_is_a_usage_error(auth_env, emulator):
    result = CliRunner().invoke(
        main,
        ["auth", "--no-browser", "--api-key", emulator.api_key],
        input="",
        env=auth_env,
        obj=Environment(env=auth_env),
    )
    assert result.exit_code == 2, result.output
    assert "no API secret" in result.stderr and "--api-secret-file" in result.stderr


def test_an_unreadable_secret_file_is_a_usage_error(auth_env, emulator, tmp_path):
    missing = tmp_path / "no-such-file"
    result = CliRunner().invoke(
        main,
        ["auth", "--no-browser", "--api-key", emulator.api_key, "--api-secret-file", str(missing)],
        env=auth_env,
        obj=Environment(env=auth_env),
    )
    assert result.exit_code == 2 and f"cannot read the API secret from {missing}" in result.stderr


def test_on_a_terminal_the_secret_typed_is_not_echoed(auth_env, emulator):
    """A real terminal (a pty): the prompt turns echo off, so the secret never shows."""
    import os
    import pty
    import select
    import subprocess
    import sys
    import time

    master, slave = pty.openpty()
    env = {**os.environ, **auth_env}
    proc = subprocess.Popen(
        [sys.executable, "-m", "pycsync", "auth", "--no-browser", "--api-key", emulator.api_key],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,  # no controlling terminal: getpass uses the pty on stdin
    )
    os.close(slave)
    seen = b""

    def read_until(marker: bytes, timeout: float = 30) -> None:
        nonlocal seen
        deadline = time.monotonic() + timeout
        while marker not in seen:
            assert time.monotonic() < deadline, f"no {marker!r} in {seen!r}"
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    seen += os.read(master, 4096)
                except OSError:  # the other end is gone
                    break
        assert marker in seen, seen

    try:
        read_until(b"(typing is hidden): ")
        os.write(master, emulator.api_secret.encode() + b"\n")
        read_until(b"/services/oauth/authorize")  # the secret was right: Flickr gave a request token
        assert emulator.api_secret.encode() not in seen, seen
    finally:
        proc.kill()
        proc.wait(10)
        os.close(master)
