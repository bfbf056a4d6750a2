"""Errors that end a run say what happened and what to do, once, with their own exit status:
a token revoked mid-run, a clock an hour off, a file still growing while it uploads, an endpoint
that cannot be reached, a bug. With --json the one document on stdout carries the error.

The real CLI runs against the emulator over HTTP; where the client's own clock must be off, it
runs as a subprocess whose clock is shifted (a sitecustomize module moves time.time()).
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
from pathlib import Path

import pytest

import pycsync.app
from pycsync.emulator import EmulatorServer
from tests.support.calls import wait_for_calls
from tests.support.cli import PYCSYNC, process_env, runner_for, sync_json_for, token_env
from tests.support.convergence import assert_converged, assert_same_both_sides
from tests.support.faults import fast_env
from tests.support.files import sha, tree, write_jpeg
from tests.support.media import jpeg, make_jpeg_bytes
from tests.support.net import free_port
from tests.support.remote import duplicates

CLASS_NAMES = ("TransientError", "HTTPConnectionPool", "ConnectionError", "NewConnectionError", "Traceback")


def pycsync_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith(("pycsync:", "warning:"))]


# --------------------------------------------------------------------------- a token revoked mid-run


@pytest.mark.parametrize("jobs", ["1", "4"])
def test_a_token_revoked_mid_run_stops_at_the_first_refusal(emulator, root, cli, sync_json, jobs):
    for i in range(20):
        write_jpeg(root / f"A/{i:02d}.jpg", i)
    token = emulator.add_token(perms="delete")
    # the fourth upload is held for a moment, and the token is revoked (on the website) meanwhile
    emulator.set_faults([{"match": "upload", "after": 3, "max": 1, "action": {"latency_ms": 800}}])
    revoker = threading.Thread(
        target=lambda: (wait_for_calls(emulator, "upload", 4), emulator.revoke_token(token["oauth_token"]))
    )
    revoker.start()
    result = cli("sync", str(root), "--jobs", jobs, "--json", env=token_env(token))
    revoker.join()
    assert result.exit_code == 3, (result.exit_code, result.output)
    summary = json.loads(result.stdout)  # one document: what was done, and why it stopped
    assert summary["error"]["kind"] == "auth" and summary["error"]["exit_status"] == 3
    assert "revoked" in summary["error"]["message"] and "pycsync auth" in summary["error"]["message"]
    assert summary["failed"] == 0, "the items not begun are not failures"
    # one message, not one per file
    assert pycsync_lines(result.stderr) == [f"pycsync: {summary['error']['message']}"], result.stderr
    refused = [c for c in emulator.recent_calls() if c["status"] == 401 or c.get("code") == 98]
    uploads = [c for c in emulator.recent_calls() if c["name"] == "upload"]
    photos = emulator.state()["photos"]
    assert summary["uploaded"] == len(photos), "what was reported done is what Flickr has"
    if jobs == "1":
        assert len(refused) == 1 and len(uploads) == 4, "nothing was tried after the first refusal"
        assert len(photos) == 3
    else:  # each worker meets at most one refusal: its call in flight when the token went
        assert 1 <= len(refused) <= int(jobs), refused
    # signed in again, the next run finishes the job: nothing lost, nothing twice
    assert sync_json(root)["uploaded"] == 20 - len(photos)
    assert duplicates(emulator.state()) == {}
    assert_converged(emulator, sync_json, root)


def test_a_revoked_token_in_text_mode_prints_one_line_and_the_partial_summary(emulator, root, cli):
    for i in range(6):
        write_jpeg(root / f"A/{i}.jpg", i)
    token = emulator.add_token(perms="delete")
    emulator.set_faults([{"match": "upload", "after": 2, "max": 1, "action": {"latency_ms": 800}}])
    revoker = threading.Thread(
        target=lambda: (wait_for_calls(emulator, "upload", 3), emulator.revoke_token(token["oauth_token"]))
    )
    revoker.start()
    result = cli("sync", str(root), "--jobs", "1", env=token_env(token))
    revoker.join()
    assert result.exit_code == 3
    (line,) = pycsync_lines(result.stderr)
    assert line.startswith("pycsync: authentication failed: Flickr refused the access token")
    assert "stopped: 2 uploaded" in result.stdout


# --------------------------------------------------------------------------- a clock that is off


def run_with_clock_off(offset: float, args: list[str], env: dict, tmp_path: Path) -> subprocess.CompletedProcess:
    """The real CLI in a process whose clock is ``offset`` seconds off (the rest of the machine,
    the emulator included, keeps the right time)."""
    shim = tmp_path / "clock-off"
    shim.mkdir(exist_ok=True)
    (shim / "sitecustomize.py").write_text(
        f"import time\n_real = time.time\ntime.time = lambda: _real() + {offset!r}\n"
    )
    paths = [str(shim), *filter(None, [os.environ.get("PYTHONPATH")])]
    return subprocess.run(
        [*PYCSYNC, *args],
        env=process_env(env, PYTHONPATH=os.pathsep.join(paths)),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("offset", "said"), [(3600, "1 hour ahead of"), (-5400, "1 hour 30 minutes behind")], ids=["ahead", "behind"]
)
def test_a_clock_an_hour_off_is_reported_as_a_clock_problem_with_the_offset(
    emulator, root, cli_env, tmp_path, offset, said
):
    write_jpeg(root / "A/a.jpg", 1)
    result = run_with_clock_off(offset, ["sync", str(root), "--json"], cli_env, tmp_path)
    assert result.returncode == 3, result.stderr
    (line,) = pycsync_lines(result.stderr)
    assert f"this computer's clock is {said} Flickr's" in line, line
    assert "Set the clock right" in line and "Traceback" not in result.stderr
    assert json.loads(result.stdout)["error"]["kind"] == "auth"
    assert emulator.state()["photos"] == []


# --------------------------------------------------------------------------- a file still growing


def test_a_file_growing_while_it_uploads_is_retried_not_refused(emulator, root, cli, sync_json):
    """A video still being copied in: the upload sends the size the scan saw (a body longer
    than announced broke the request, and Flickr answered signature_invalid), the run says the
    file changed, and the next run sends the whole file."""
    path = root / "A" / "clip.jpg"
    path.parent.mkdir(parents=True)
    start = make_jpeg_bytes(seed=1, size=(64, 48))
    path.write_bytes(start + b"\0" * (12 << 20))  # large enough to be mid-upload when it grows
    emulator.set_faults([{"match": "upload", "max": 1, "action": {"latency_ms": 1500}}])

    def grow() -> None:  # while the emulator holds the upload, more of the file arrives
        wait_for_calls(emulator, "upload", 1)
        with open(path, "ab") as f:
            f.write(b"\1" * (1 << 20))

    grower = threading.Thread(target=grow)
    grower.start()
    first = cli("sync", str(root), "--json")
    grower.join()
    summary = json.loads(first.stdout)
    assert first.exit_code == 1, first.output
    assert summary["failures"] == [
        {"path": "A/clip.jpg", "error": "changed while uploading; will be retried", "permanent": False}
    ]
    assert "signature_invalid" not in first.output
    assert [c["status"] for c in emulator.recent_calls() if c["name"] == "upload"] == [200]
    # the next run sends the file as it is now, in place of what the first one sent
    again = sync_json(root)
    assert again["replaced"] == 1 and again["failed"] == 0, again
    assert [p["sha256"] for p in emulator.state()["photos"]] == [sha(path.read_bytes())]
    assert_converged(emulator, sync_json, root)


# --------------------------------------------------------------------------- unreachable endpoints


@pytest.mark.parametrize("kind", ["refused", "name", "tls"])
def test_an_endpoint_that_cannot_be_reached_is_named_with_what_to_check(emulator, root, cli, kind):
    write_jpeg(root / "A/a.jpg", 1)
    endpoint, said, check = {
        "refused": (f"http://127.0.0.1:{free_port()}", "connection refused", "the server runs there"),
        "name": ("https://no-such-host.invalid", "name not found", "DNS"),
        # the emulator speaks plain HTTP: a TLS client gets no handshake from it
        "tls": (emulator.endpoint.replace("http://", "https://"), "TLS handshake failed", "https"),
    }[kind]
    result = cli("--endpoint", endpoint, "sync", str(root), "--json")
    assert result.exit_code == 4, (result.exit_code, result.output)
    (line,) = pycsync_lines(result.stderr)
    assert line.startswith(f"pycsync: cannot reach {endpoint}: {said}"), line
    assert check in line
    for name in CLASS_NAMES:
        assert name not in result.output, result.output
    assert json.loads(result.stdout)["error"] == {"kind": "unreachable", "message": line[9:], "exit_status": 4}
    assert not list((root / ".pycsync").glob("tmp/*"))


def test_an_endpoint_that_goes_away_mid_run_stops_the_run_once(tmp_path, root):
    """The emulator stops while files upload: the run ends with one "cannot reach" line (after
    the usual retries), not a failure per file; restarted, the next run finishes the job."""
    data = tmp_path / "emulator-data"
    port = free_port()
    for i in range(8):
        write_jpeg(root / f"A/{i}.jpg", i)
    with EmulatorServer(port=port, data_dir=data) as emulator:
        cli = runner_for(fast_env(emulator, tmp_path))
        emulator.set_faults([{"match": "upload", "after": 2, "max": 1, "action": {"latency_ms": 500}}])
        stopper = threading.Thread(target=lambda: (wait_for_calls(emulator, "upload", 3), emulator.stop()))
        stopper.start()
        result = cli("sync", str(root), "--jobs", "1")
        stopper.join()
    assert result.exit_code == 4, (result.exit_code, result.output)
    (line,) = pycsync_lines(result.stderr)
    assert line.startswith(f"pycsync: cannot reach http://127.0.0.1:{port}: connection refused"), line
    with EmulatorServer(port=port, data_dir=data) as emulator:
        sync_json = sync_json_for(runner_for(fast_env(emulator, tmp_path)))
        sync_json(root)
        assert_same_both_sides(root, emulator, {f"A/{i}.jpg": sha(jpeg(i)) for i in range(8)})
        assert_converged(emulator, sync_json, root)


# --------------------------------------------------------------------------- one JSON document


def _signed_out(emulator, root, tmp_path):
    return {"FLICKR_OAUTH_TOKEN": "", "FLICKR_OAUTH_TOKEN_SECRET": ""}, ["sync", str(root)]


def _bad_option(emulator, root, tmp_path):
    return {}, ["sync", str(root), "--jobs", "0"]


def _missing_folder(emulator, root, tmp_path):
    return {}, ["sync", str(tmp_path / "missing")]


def _bad_config(emulator, root, tmp_path):
    (root / ".pycsync").mkdir()
    (root / ".pycsync" / "config.toml").write_text("jobs = 'many'\n")
    return {}, ["sync", str(root)]


def _status_signed_out(emulator, root, tmp_path):
    return {"FLICKR_OAUTH_TOKEN": "", "FLICKR_OAUTH_TOKEN_SECRET": ""}, ["status", str(root)]


def _config_bad_file(emulator, root, tmp_path):
    (root / ".pycsync").mkdir()
    (root / ".pycsync" / "config.toml").write_text("not toml [\n")
    return {}, ["config", str(root)]


@pytest.mark.parametrize(
    ("setup", "status", "kind"),
    [
        (_signed_out, 3, "auth"),
        (_bad_option, 2, "usage"),
        (_missing_folder, 2, "usage"),
        (_bad_config, 2, "usage"),
        (_status_signed_out, 3, "auth"),
        (_config_bad_file, 2, "usage"),
    ],
    ids=lambda v: getattr(v, "__name__", str(v)).strip("_"),
)
def test_json_always_prints_one_document_with_the_error(emulator, root, tmp_path, cli, setup, status, kind):
    write_jpeg(root / "A/a.jpg", 1)
    env, args = setup(emulator, root, tmp_path)
    result = cli(*args, "--json", env=env)
    assert result.exit_code == status, (result.exit_code, result.output)
    document = json.loads(result.stdout)  # exactly one document: json.loads refuses trailing data
    assert document["error"]["kind"] == kind and document["error"]["exit_status"] == status
    assert document["error"]["message"] and "Traceback" not in result.output


def test_a_safety_abort_prints_its_json_document(emulator, root, cli, sync_json):
    for i in range(4):
        write_jpeg(root / f"A/{i}.jpg", i)
    sync_json(root)
    for i in range(3):
        (root / f"A/{i}.jpg").unlink()
    result = cli("sync", str(root), "--delete", "--json")
    assert result.exit_code == 7
    assert json.loads(result.stdout)["error"]["kind"] == "safety_abort"


def test_a_successful_run_has_a_null_error(root, sync_json):
    write_jpeg(root / "A/a.jpg", 1)
    assert sync_json(root)["error"] is None


# --------------------------------------------------------------------------- library bugs


def test_a_bug_in_the_library_is_not_passed_off_as_a_usage_error(emulator, root, cli, monkeypatch):
    """A ValueError from deep inside is a bug to report (exit 1), not "usage error, exit 2"."""

    def broken(*args, **kwargs):
        raise ValueError("an invariant broke")

    monkeypatch.setattr(pycsync.app, "make_plan", broken)
    write_jpeg(root / "A/a.jpg", 1)
    result = cli("sync", str(root), "--json")
    assert result.exit_code == 1, result.output
    (line,) = pycsync_lines(result.stderr)
    assert "unexpected error: ValueError: an invariant broke" in line and "bug" in line and "--debug" in line
    assert json.loads(result.stdout)["error"]["kind"] == "error"
    debug = cli("--debug", "sync", str(root))
    assert debug.exit_code == 1 and "Traceback" in debug.stderr, "--debug shows where"
    assert tree(root) == {"A/a.jpg": jpeg(1)}
