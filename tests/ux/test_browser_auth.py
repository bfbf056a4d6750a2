"""Sign-in in a real browser: `pycsync auth` opens Flickr's authorize page (here the emulator's)
in headless Chromium, which clicks "OK, I'll authorize it" like a person would; the page sends
the browser back to pycsync's loopback address, and `pycsync auth` finishes by itself, signed in."""

from __future__ import annotations

import json
import stat
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from pycsync.cli import Environment, main
from tests.ux.chromium import Chromium, find_chromium, in_ci

CHROMIUM = find_chromium()
pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _chromium_installed() -> None:
    """Skips without Chromium, except in CI, where the sign-in test must never silently stop."""
    if CHROMIUM is None:
        missing = "Chromium is not installed (`.ci/browser` installs Debian's chromium)"
        if in_ci():
            pytest.fail(f"{missing}, and CI=true: the browser sign-in test must run in CI")
        pytest.skip(missing)


class HeadlessBrowser:
    """Stands in for webbrowser.open: starts Chromium on the URL and returns at once; the
    "user" then reads the page and clicks Authorize, as a person at the browser would."""

    def __init__(self) -> None:
        self.seen: dict[str, str] = {}
        self.error: BaseException | None = None
        self.thread: threading.Thread | None = None

    def open(self, url: str) -> bool:
        self.seen["url"] = url
        self.thread = threading.Thread(target=self._use, args=(url,), name="chromium-user", daemon=True)
        self.thread.start()
        return True

    def _use(self, url: str) -> None:
        try:
            with Chromium(CHROMIUM) as browser:
                browser.goto(url)
                self.seen["title"] = browser.title()
                self.seen["consent"] = browser.text()
                browser.click('button[name="authorize"]')
                self.seen["landed"] = browser.url()
                self.seen["final"] = browser.text()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.error = exc

    def join(self, timeout: float) -> None:
        assert self.thread is not None, "pycsync never opened the browser"
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "the browser did not finish"
        if self.error is not None:
            raise self.error


def test_auth_completes_when_the_user_clicks_authorize_in_the_browser(background_cli, emulator, auth_env, tmp_path):
    browser = HeadlessBrowser()
    started = time.monotonic()
    run = background_cli(
        "auth",
        "--api-key",
        emulator.api_key,
        "--api-secret",
        emulator.api_secret,
        "--timeout",
        "60",
        open_browser=browser.open,
        has_display=True,
    )
    result = run.join(timeout=90)
    browser.join(timeout=30)
    output = run.out.getvalue()
    print(f"browser sign-in took {time.monotonic() - started:.1f}s")

    assert browser.seen["url"].startswith(f"{emulator.endpoint}/services/oauth/authorize?oauth_token=")
    assert "perms=write" in browser.seen["url"]
    assert "Authorize application" in browser.seen["title"]
    assert "would like write access" in browser.seen["consent"]
    # Flickr (the emulator) sent the browser back to pycsync's own loopback listener
    assert browser.seen["landed"].startswith("http://127.0.0.1:")
    assert "Authorisation complete" in browser.seen["final"]

    assert result.exit_code == 0, (result.output, output)
    assert "Waiting for you to click" in output
    assert "paste" not in result.output.lower(), "the browser flow must not ask for a code"
    info = emulator.info()
    assert f"as {info['username']} ({info['user_nsid']}) with write permission" in output

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
