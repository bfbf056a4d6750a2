"""Sign-in in a real browser: `pycsync auth` opens Flickr's authorize page (here the emulator's)
in headless Chromium, the test clicks "OK, I'll authorize it" like a person would, the browser
is sent back to pycsync's loopback address, and `pycsync auth` finishes by itself, signed in."""

from __future__ import annotations

import json
import queue
import stat
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from pycsync.cli import Environment, main

from tests.ux.chromium import Chromium, find_chromium

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (`.ci/browser` installs Debian's chromium)"
)


def test_auth_completes_when_the_user_clicks_authorize_in_the_browser(background_cli, emulator, auth_env, tmp_path):
    opened: queue.Queue[str] = queue.Queue()

    def open_browser(url: str) -> bool:  # what webbrowser.open does: start a browser, return at once
        opened.put(url)
        return True

    started = time.monotonic()
    run = background_cli("auth", "--api-key", emulator.api_key, "--api-secret", emulator.api_secret,
                         "--timeout", "60", open_browser=open_browser, has_display=True)
    url = opened.get(timeout=30)
    assert url.startswith(f"{emulator.endpoint}/services/oauth/authorize?oauth_token=")
    assert "perms=write" in url
    run.out.wait_for("Waiting for you to click")

    with Chromium(CHROMIUM) as browser:
        browser.goto(url)
        assert "Authorize application" in browser.title()
        assert "would like write access" in browser.text()
        browser.click('button[name="authorize"]')
        # Flickr (the emulator) sends the browser back to pycsync's own loopback listener
        assert browser.url().startswith("http://127.0.0.1:")
        assert "Authorisation complete" in browser.text()

    result = run.join(timeout=30)
    output = run.out.getvalue()
    assert result.exit_code == 0, (result.output, output)
    assert "paste" not in result.output.lower(), "the browser flow must not ask for a code"
    assert f"as {emulator.info()['username']} ({emulator.info()['user_nsid']}) with write permission" in output
    print(f"browser sign-in took {time.monotonic() - started:.1f}s")

    # the token is kept per endpoint and key, readable only by the user
    tokens = Path(auth_env["PYCSYNC_CONFIG_DIR"]) / "tokens.json"
    assert stat.S_IMODE(tokens.stat().st_mode) == 0o600
    assert stat.S_IMODE(tokens.parent.stat().st_mode) == 0o700
    saved = json.loads(tokens.read_text())
    assert saved["tokens"][f"{emulator.endpoint}|{emulator.api_key}"]["perms"] == "write"

    # and it works: `pycsync status` signs in with the saved token alone
    folder = tmp_path / "photos"
    folder.mkdir()
    status = CliRunner().invoke(main, ["status", str(folder), "--json"], env=auth_env, obj=Environment(env=auth_env))
    assert status.exit_code == 0, status.output
    assert json.loads(status.stdout)["in_sync"] is True
