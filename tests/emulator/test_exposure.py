"""The emulator exposed (issue 16, finding 10): its unsigned control surface hands out the API secret
and the access tokens, so it stays local -- a warning on a non-loopback bind, no answer to a
foreign host name (DNS rebinding), no cross-site request to the control surface, and no state
change through a "simple" cross-site POST. Everything here runs on 127.0.0.1 only."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest
import requests

from pycsync.emulator import EmulatorServer
from pycsync.emulator.web.guard import is_loopback
from tests.support.api import Api, control

UNREACHABLE = "192.0.2.1"  # TEST-NET-1: never assigned to this machine, so binding it fails


def _get(emu, path: str, **headers: str) -> requests.Response:
    return requests.get(f"{emu.endpoint}{path}", headers=headers, timeout=10)


@pytest.mark.parametrize(
    "host,loopback",
    [
        ("127.0.0.1", True),
        ("127.3.4.5", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.10", False),
        ("example.org", False),
    ],
)
def test_what_counts_as_loopback(host, loopback):
    assert is_loopback(host) is loopback


def test_a_non_loopback_bind_warns(caplog):
    """The command warns before it even tries to bind (here it then fails: the address is not ours)."""
    proc = subprocess.run(
        [sys.executable, "-m", "pycsync.emulator", "--host", UNREACHABLE, "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0 and "cannot listen" in proc.stderr
    assert f"listens on {UNREACHABLE}, not a loopback address" in proc.stderr
    assert "/__emulator__/" in proc.stderr and "API key" in proc.stderr
    with caplog.at_level(logging.WARNING, logger="pycsync.emulator"), pytest.raises(OSError):
        EmulatorServer(host=UNREACHABLE).start()
    assert "not a loopback address" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="pycsync.emulator"), EmulatorServer(host="127.0.0.1"):
        pass
    assert "loopback" not in caplog.text


def test_a_foreign_host_name_is_refused_everywhere(emulator):
    """DNS rebinding: a page on attacker.example rebinds its name to 127.0.0.1; its requests then
    carry ``Host: attacker.example`` and must get nothing -- least of all the keys."""
    port = emulator.port
    for path in ("/__emulator__/info", "/__emulator__/state", "/services/rest/?method=flickr.test.echo"):
        r = _get(emulator, path, Host=f"attacker.example:{port}")
        assert r.status_code == 403, (path, r.status_code)
        assert emulator.api_secret not in r.text and emulator.oauth_token_secret not in r.text
    # the emulator's own addresses, and any IP address (which cannot be rebound), are answered
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}", f"10.1.2.3:{port}"):
        assert _get(emulator, "/__emulator__/info", Host=host).status_code == 200, host
    with EmulatorServer(allowed_hosts=("emu.test",)) as emu:
        assert _get(emu, "/__emulator__/info", Host=f"emu.test:{emu.port}").status_code == 200
        assert _get(emu, "/__emulator__/info", Host=f"other.test:{emu.port}").status_code == 403


def test_cross_site_requests_to_the_control_surface_are_refused(emulator):
    same = f"http://127.0.0.1:{emulator.port}"
    for headers in (
        {"Origin": "http://attacker.example"},
        {"Origin": "null"},
        {"Origin": f"http://localhost:{emulator.port + 1}"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ):
        r = _get(emulator, "/__emulator__/info", **headers)
        assert r.status_code == 403, headers
        assert emulator.api_secret not in r.text
    assert _get(emulator, "/__emulator__/info", Origin=same).status_code == 200
    assert _get(emulator, "/__emulator__/info", **{"Sec-Fetch-Site": "same-origin"}).status_code == 200
    assert _get(emulator, "/__emulator__/info", **{"Sec-Fetch-Site": "none"}).status_code == 200  # typed URL
    # the API itself is not the control surface: it answers as Flickr's does
    assert Api(emulator).raw("flickr.test.login", http="GET").status_code == 200


def test_simple_cross_site_posts_change_nothing(emulator):
    """A form or a text/plain fetch needs no CORS preflight, so it could reach the control surface
    from any web page: such bodies are refused and change nothing."""
    url = f"{emulator.endpoint}/__emulator__"
    Api(emulator).ok("flickr.test.login")
    rules = '{"rules": [{"match": "*", "error": 105}]}'
    attempts = [
        requests.post(f"{url}/faults", data=rules, headers={"Content-Type": "text/plain"}, timeout=10),
        requests.post(f"{url}/faults", data={"rules": "[]"}, timeout=10),  # an HTML form
        requests.post(f"{url}/users", data={"username": "mallory"}, timeout=10),
        requests.post(f"{url}/tokens", files={"perms": (None, "delete")}, timeout=10),  # multipart form
        requests.post(f"{url}/reset", timeout=10),  # no body at all
        requests.post(f"{url}/revoke", data=f'{{"oauth_token": "{emulator.oauth_token}"}}', timeout=10),
    ]
    assert [r.status_code for r in attempts] == [415] * len(attempts)
    assert emulator.faults() == [] and [u["username"] for u in emulator.state()["users"]] == [emulator.username]
    assert emulator.calls() == {"flickr.test.login": 1}
    assert Api(emulator).ok("flickr.test.login")  # the token was not revoked
    # declared JSON, the same changes go through
    assert control(emulator, "faults", "POST", {"rules": []}).status_code == 200
    assert control(emulator, "users", "POST", {"username": "alice"}).status_code == 200
    assert control(emulator, "reset", "POST").status_code == 200
    r = requests.post(f"{url}/users", data="{not json", headers={"Content-Type": "application/json"}, timeout=10)
    assert r.status_code == 400
