"""Plain HTTP is refused for an endpoint that is not this computer: a man in the middle would
read the access token and could change what is synced. `--allow-plain-http` lets it through,
with a warning. Loopback (127.0.0.1, ::1, localhost: the bundled emulator) needs neither.

The "man in the middle" is an HTTP proxy on 127.0.0.1 (HTTP_PROXY), which records every
request it is sent and answers 503: it proves whether anything left pycsync in clear text.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from pycsync.cli import Environment, main
from tests.support.files import write_jpeg

REMOTE = "http://flickr.example.net"


class Eavesdropper:
    def __init__(self) -> None:
        self.seen: list[str] = []
        seen = self.seen

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                seen.append(self.requestline)
                self.send_response(503)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_POST = do_GET  # noqa: N815

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def eavesdropper(monkeypatch) -> Iterator[Eavesdropper]:
    proxy = Eavesdropper()
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    for name in ("HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, proxy.url)
    yield proxy
    proxy.close()


@pytest.fixture
def signed_in(tmp_path) -> dict[str, str]:
    """Credentials for the remote endpoint (they must never cross the network in clear text)."""
    return {
        "FLICKR_API_KEY": "k" * 32,
        "FLICKR_API_SECRET": "s" * 16,
        "FLICKR_OAUTH_TOKEN": "72157-token",
        "FLICKR_OAUTH_TOKEN_SECRET": "t" * 16,
        "PYCSYNC_CONFIG_DIR": str(tmp_path / "config"),
    }


def run(env: dict, *args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), env=env, input=input, obj=Environment(env=env))


@pytest.mark.parametrize("how", ["option", "environment"])
def test_plain_http_to_another_host_is_refused_before_anything_is_sent(eavesdropper, signed_in, root, how):
    write_jpeg(root / "A/a.jpg", 1)
    if how == "option":
        result = run(signed_in, "--endpoint", REMOTE, "sync", str(root))
    else:
        result = run({**signed_in, "PYCSYNC_ENDPOINT": REMOTE}, "sync", str(root))
    assert result.exit_code == 2, result.output
    assert f"refusing plain HTTP to {REMOTE}" in result.stderr and "--allow-plain-http" in result.stderr
    assert eavesdropper.seen == [], "nothing crossed the network"
    assert not (root / ".pycsync").exists()


def test_signing_in_over_plain_http_is_refused_too(eavesdropper, signed_in):
    result = run(signed_in, "--endpoint", REMOTE, "auth", "--no-browser", input="")
    assert result.exit_code == 2, result.output
    assert f"refusing plain HTTP to {REMOTE}" in result.stderr
    assert eavesdropper.seen == []


def test_allow_plain_http_goes_ahead_with_a_warning(eavesdropper, signed_in, root):
    write_jpeg(root / "A/a.jpg", 1)
    result = run(signed_in, "--endpoint", REMOTE, "--allow-plain-http", "sync", str(root))
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == [
        f"warning: talking to {REMOTE} over plain HTTP (--allow-plain-http): anyone on the network can read "
        "the access token and change what is synced"
    ]
    assert eavesdropper.seen and eavesdropper.seen[0].startswith(
        f"GET {REMOTE}/services/rest/?method=flickr.test.login"
    )
    assert result.exit_code == 4, result.output  # (the eavesdropper answers 503: Flickr is unavailable)


@pytest.mark.parametrize("endpoint", ["http://127.0.0.1:{port}", "http://localhost:{port}", "http://127.1.2.3:{port}"])
def test_plain_http_to_this_computer_needs_no_option(signed_in, root, endpoint):
    """Loopback never leaves the machine: the emulator's own endpoint (nothing listens here)."""
    write_jpeg(root / "A/a.jpg", 1)
    result = run(signed_in, "--endpoint", endpoint.format(port=1), "sync", str(root))
    assert result.exit_code == 4, result.output  # refused connection, not refused plain HTTP
    assert "plain HTTP" not in result.output and "warning" not in result.output
