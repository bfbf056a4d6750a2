"""Secrets never leak, the token file is private, the emulator checks OAuth like Flickr, and
nothing Flickr returns can make pycsync write outside the sync folder."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
from pathlib import Path

import pytest
import requests
from oauthlib import oauth1

from pycsync.executor import UnsafePathError
from tests.support.browser import approve_in_browser, shown_code
from tests.support.cli import PYCSYNC, process_env
from tests.support.files import sha, tree, write_jpeg
from tests.support.media import jpeg

SIGNATURE = re.compile(r"oauth_signature(?:=|%3D|%253D|\"\s*:\s*\"|=\")\"?([^&\s\",]+)")


def _run(args, env, input: str | None = None) -> str:
    proc = subprocess.run([*PYCSYNC, *args], env=env, input=input, capture_output=True, text=True, timeout=120)
    return proc.stdout + proc.stderr


def _assert_no_secret(output: str, secrets: dict[str, str]) -> None:
    for name, value in secrets.items():
        assert value and value not in output, f"the {name} appears in the output"
    for value in SIGNATURE.findall(output):
        assert value.startswith("REDACTED"), f"an oauth_signature value appears: {value}"


def _secrets(emulator) -> dict[str, str]:
    return {
        "api key": emulator.api_key,
        "api secret": emulator.api_secret,
        "token": emulator.oauth_token,
        "token secret": emulator.oauth_token_secret,
    }


def test_no_secret_in_any_output_even_with_debug(emulator, root, flickr, cli_env, tmp_path):
    write_jpeg(root / "A/a.jpg", 1)
    write_jpeg(root / "A/b.jpg", 2)
    staging = tmp_path / "staging"
    staging.mkdir()
    (staging / "remote.jpg").write_bytes(jpeg(3))
    flickr.upload(staging / "remote.jpg", title="remote")
    env = process_env(cli_env)
    # failures and retries are logged too: a 500, a reset and a truncated answer
    emulator.set_faults(
        [
            {"match": "flickr.photosets.create", "max": 1, "action": {"http": 500}},
            {"match": "upload", "max": 1, "action": {"reset": True}},
            {"match": "flickr.photos.getInfo", "max": 1, "action": {"truncate": True}},
        ]
    )
    out = _run(["sync", str(root)], env)
    out += _run(["--debug", "sync", str(root)], env)
    write_jpeg(root / "A/c.jpg", 4)
    out += _run(["--debug", "sync", str(root), "--json"], env)
    assert "GET" in out or "POST" in out, "--debug logged the HTTP traffic"
    # an authentication failure with --debug shows a traceback: it must be clean too
    emulator.revoke_token(emulator.oauth_token)
    failed = _run(["--debug", "sync", str(root)], env)
    assert "Traceback" in failed or "authentication" in failed.lower()
    out += failed
    _assert_no_secret(out, _secrets(emulator))


def test_auth_token_file_is_private_and_auth_leaks_nothing(emulator, tmp_path):
    config = tmp_path / "config"
    config.mkdir(mode=0o755)
    os.chmod(config, 0o755)  # a loose folder from before is tightened
    env = process_env({"PYCSYNC_ENDPOINT": emulator.endpoint, "PYCSYNC_CONFIG_DIR": str(config)})
    proc = subprocess.Popen(
        [
            *PYCSYNC,
            "--debug",
            "auth",
            "--no-browser",
            "--api-key",
            emulator.api_key,
            "--api-secret",
            emulator.api_secret,
        ],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen = ""
    url = None
    while url is None:
        line = proc.stdout.readline()  # pytest-timeout guards a hang
        assert line, seen + proc.stderr.read()
        seen += line
        match = re.search(r"(http\S+/services/oauth/authorize\S+)", seen)
        url = match.group(1) if match else None
    out, err = proc.communicate(shown_code(approve_in_browser(url, follow=False).text) + "\n", timeout=60)
    assert proc.returncode == 0, out + err
    tokens = config / "tokens.json"
    assert stat.S_IMODE(tokens.stat().st_mode) == 0o600
    assert stat.S_IMODE(config.stat().st_mode) == 0o700
    saved = json.loads(tokens.read_text())
    entry = saved["tokens"][f"{emulator.endpoint}|{emulator.api_key}"]
    secrets = {"api secret": emulator.api_secret, "token": entry["token"], "token secret": entry["token_secret"]}
    # the sign-in URL shows the request token by necessity; nothing else may appear
    _assert_no_secret(seen + out + err, secrets)
    assert not list(config.glob("*.tmp")), "no temporary copy of the tokens is left behind"


def _signed(emulator, nonce: str | None = None, secret: str | None = None) -> tuple[str, dict]:
    client = oauth1.Client(
        emulator.api_key,
        client_secret=secret or emulator.api_secret,
        resource_owner_key=emulator.oauth_token,
        resource_owner_secret=emulator.oauth_token_secret,
        nonce=nonce,
    )
    url = f"{emulator.endpoint}/services/rest?method=flickr.test.login&format=json&nojsoncallback=1"
    uri, headers, _ = client.sign(url, http_method="GET")
    return uri, headers


def test_emulator_rejects_forged_signatures_and_replayed_nonces(emulator):
    uri, headers = _signed(emulator)
    ok = requests.get(uri, headers=headers, timeout=10)
    assert ok.status_code == 200 and ok.json()["stat"] == "ok"
    replay = requests.get(uri, headers=headers, timeout=10)
    assert replay.status_code == 401 or replay.json().get("stat") != "ok"
    assert "nonce" in replay.text.lower()
    forged_headers = dict(headers)
    forged_headers["Authorization"] = re.sub(
        r'oauth_signature="[^"]+"', 'oauth_signature="Zm9yZ2Vk"', headers["Authorization"]
    )
    forged_headers["Authorization"] = re.sub(
        r'oauth_nonce="[^"]+"', 'oauth_nonce="fresh1234"', forged_headers["Authorization"]
    )
    forged = requests.get(uri, headers=forged_headers, timeout=10)
    assert forged.status_code == 401 and "signature_invalid" in forged.text
    uri, headers = _signed(emulator, secret="not-the-secret")
    wrong = requests.get(uri, headers=headers, timeout=10)
    assert wrong.status_code == 401 and "signature_invalid" in wrong.text


def test_no_write_through_a_symlinked_folder(emulator, root, tmp_path, flickr, sync_json, cli):
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "Trip").symlink_to(outside, target_is_directory=True)
    staging = tmp_path / "staging"
    staging.mkdir()
    (staging / "p.jpg").write_bytes(jpeg(7))
    pid = flickr.upload(staging / "p.jpg", title="p").photo_id
    flickr.create_album("Trip", pid)
    summary = sync_json(root, expect=1)
    assert list(outside.iterdir()) == [], "nothing written through the link"
    # the download itself is refused (not only the scan's note that it skips the link)
    assert [(f["path"], "symbolic link" in f["error"]) for f in summary["failures"]] == [("Trip/p.jpg", True)]
    assert (root / "Trip").is_symlink()


def test_no_move_into_a_symlinked_folder_inside_the_root(emulator, root, tmp_path, flickr, sync_json):
    """A photo moved on Flickr into an album whose folder here is a link to another folder of the
    sync root: the file is not moved through the link (the link stays inside the root, so only
    the refusal to pass a link stops it), and nothing is lost."""
    write_jpeg(root / "A/x.jpg", 1)
    write_jpeg(root / "A/keep.jpg", 2)
    sync_json(root)
    (root / "Real").mkdir()
    (root / "B").symlink_to(root / "Real", target_is_directory=True)
    x = next(p for p in emulator.state()["photos"] if p["sha256"] == sha(jpeg(1)))
    flickr.remove_from_album(x["album_ids"][0], [x["id"]])
    flickr.create_album("B", x["id"])
    summary = sync_json(root, expect=1)
    assert [(f["path"], "symbolic link" in f["error"]) for f in summary["failures"]] == [("B/x.jpg", True)]
    assert list((root / "Real").iterdir()) == [], "nothing moved through the link"
    assert {k: sha(v) for k, v in tree(root).items()} == {"A/x.jpg": sha(jpeg(1)), "A/keep.jpg": sha(jpeg(2))}


@pytest.mark.parametrize("key", ["B/x.jpg", "B/C/x.jpg", "Real/L/x.jpg", "Real/link.jpg"])
def test_executor_refuses_paths_through_a_link_inside_the_root(key, root):
    """Executor.path on its own: a key whose folder, or the key itself, is a symbolic link is
    refused even when the link points inside the root (containment alone would let it pass)."""
    from pycsync.executor import Executor, Settings
    from pycsync.model import RemoteListing
    from pycsync.state import StateDB

    (root / "Real").mkdir()
    (root / "B").symlink_to(root / "Real", target_is_directory=True)
    (root / "Real" / "L").symlink_to(root / "Real", target_is_directory=True)
    write_jpeg(root / "Real" / "file.jpg", 1)
    (root / "Real" / "link.jpg").symlink_to(root / "Real" / "file.jpg")
    (root / ".pycsync").mkdir()
    state = StateDB(root / ".pycsync" / "state.db")
    try:
        ex = Executor(root, None, state, {}, RemoteListing({}, {}), Settings())
        assert ex.path("Real/file.jpg") == root / "Real" / "file.jpg"  # the real path is fine
        with pytest.raises(UnsafePathError, match="symbolic link"):
            ex.path(key)
    finally:
        state.close()


@pytest.mark.parametrize("key", ["../escape.jpg", "/etc/x.jpg", "a/../../b.jpg", "A/./b.jpg", ""])
def test_executor_refuses_paths_outside_the_root(key, root, tmp_path):
    from pycsync.executor import Executor, Settings
    from pycsync.model import RemoteListing
    from pycsync.state import StateDB

    (root / ".pycsync").mkdir()
    state = StateDB(root / ".pycsync" / "state.db")
    try:
        ex = Executor(root, None, state, {}, RemoteListing({}, {}), Settings())
        with pytest.raises(UnsafePathError):
            ex.path(key)
    finally:
        state.close()


def test_hostile_names_end_up_inside_the_root(emulator, root, tmp_path, flickr, sync_json):
    staging = tmp_path / "staging"
    staging.mkdir()
    for i, title in enumerate(["../../../pwned", "/tmp/pwned", "..\\..\\pwned"]):
        (staging / f"h{i}.jpg").write_bytes(jpeg(50 + i))
        name_tag = "pycsync:name=" + b"../../pwned.jpg".hex()
        pid = flickr.upload(staging / f"h{i}.jpg", title=title, tags=[name_tag]).photo_id
        flickr.create_album(f"../../../album{i}", pid)
    before = {p for p in tmp_path.rglob("*")}
    sync_json(root)
    after = {p for p in tmp_path.rglob("*")}
    new = {p for p in after - before if not p.resolve().is_relative_to(root.resolve())}
    assert new == set(), f"written outside the root: {new}"
    assert {sha(v) for v in tree(root).values()} == {sha(jpeg(50 + i)) for i in range(3)}
    assert not Path("/tmp/pwned").exists() and not Path("/tmp/pwned.jpg").exists()


@pytest.mark.parametrize("change", ["new file", "edited file"])
def test_a_file_swapped_for_a_link_after_its_check_never_sends_the_link_target(
    change, emulator, root, flickr, tmp_path
):
    """The last moment before the upload starts, the file becomes a link to a private photo
    outside the sync folder: the photo must never reach Flickr."""
    from pycsync.app import SyncOptions, sync
    from pycsync.events import TransferStarted

    private = tmp_path / "private" / "not-for-flickr.jpg"
    private.parent.mkdir()
    private.write_bytes(jpeg(90))
    write_jpeg(root / "A/a.jpg", 1)
    if change == "edited file":
        sync(flickr, SyncOptions(root=root))
        write_jpeg(root / "A/a.jpg", 2)
    swapped = []

    def notify(event):
        if isinstance(event, TransferStarted) and event.direction == "up" and not swapped:
            (root / event.key).unlink()
            (root / event.key).symlink_to(private)
            swapped.append(event.key)

    sync(flickr, SyncOptions(root=root), notify=notify)
    assert swapped == ["A/a.jpg"]
    sent = {p["sha256"] for p in emulator.state()["photos"]}
    assert sha(jpeg(90)) not in sent, "the link's target was uploaded"


def _save_tokens(config: Path) -> None:
    from pycsync.config import TokenStore

    TokenStore(config).save(
        "https://www.flickr.com",
        "the-key",
        "the-api-secret",
        {"token": "the-token", "token_secret": "the-token-secret"},
    )


def test_the_token_file_is_never_written_through_a_planted_link(tmp_path):
    config = tmp_path / "config"
    config.mkdir(mode=0o700)
    stolen = tmp_path / "attacker.txt"
    stolen.write_text("")
    for name in ("tokens.tmp", "tokens.json.tmp", ".tokens.json.tmp"):
        (config / name).symlink_to(stolen)
    _save_tokens(config)
    assert stolen.read_text() == "", "the token secret went through the link"
    saved = json.loads((config / "tokens.json").read_text())
    assert saved["tokens"]["https://www.flickr.com|the-key"]["token_secret"] == "the-token-secret"
    assert stat.S_IMODE((config / "tokens.json").stat().st_mode) == 0o600
    assert sorted(p.name for p in config.iterdir()) == [
        ".tokens.json.tmp",
        "tokens.json",
        "tokens.json.tmp",
        "tokens.tmp",
    ]


def test_the_token_folder_is_made_private(tmp_path):
    config = tmp_path / "config"
    config.mkdir()
    os.chmod(config, 0o777)
    _save_tokens(config)
    assert stat.S_IMODE(config.stat().st_mode) == 0o700


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to hand a folder to another user"
)
def test_the_token_file_is_not_written_in_another_users_folder(tmp_path):
    from pycsync.config import ConfigError

    config = tmp_path / "config"
    config.mkdir(mode=0o700)
    os.chown(config, 65534, 65534)
    with pytest.raises(ConfigError, match="another user"):
        _save_tokens(config)
    assert list(config.iterdir()) == []


@pytest.fixture
def debug_logging_restored():
    """In-process --debug leaves a handler on the root logger: put things back afterwards."""
    import logging

    root_logger = logging.getLogger()
    handlers, level = list(root_logger.handlers), root_logger.level
    yield
    root_logger.handlers[:] = handlers
    root_logger.setLevel(level)


def _photo_secrets(emulator) -> set[str]:
    """Every photo's secret and original secret: whoever has them can fetch the photo."""
    return {p[k] for p in emulator.state()["photos"] for k in ("secret", "originalsecret") if p.get(k)}


def test_no_photo_secret_in_debug_or_failure_output(emulator, root, flickr, cli, tmp_path, debug_logging_restored):
    from tests.reliability.hostile import HostileProxy, dead_port

    staging = tmp_path / "staging"
    staging.mkdir()
    for i in range(3):
        (staging / f"{i}.jpg").write_bytes(jpeg(60 + i))
        flickr.upload(staging / f"{i}.jpg", title=f"private {i}")
    debug = cli("--debug", "sync", str(root))
    assert debug.exit_code == 0 and "GET" in debug.stderr, debug.stderr
    output = debug.output + debug.stderr
    # two more, whose originals cannot be fetched: the static host is down, or says 403
    ids = {}
    for name in ("down", "forbidden"):
        (staging / f"{name}.jpg").write_bytes(jpeg(70 + len(ids)))
        ids[name] = flickr.upload(staging / f"{name}.jpg", title=name).photo_id
    nowhere = dead_port()

    def intercept(handler) -> bool:
        if ids["down"] in handler.path and "/static/" in handler.path:
            handler.send_response(302)
            handler.send_header("Location", f"http://127.0.0.1:{nowhere}{handler.path}")
        elif ids["forbidden"] in handler.path and "/static/" in handler.path:
            handler.send_response(403)
        else:
            return False
        handler.send_header("Content-Length", "0")
        handler.end_headers()
        return True

    with HostileProxy(emulator.endpoint, intercept) as proxy:
        env = {"PYCSYNC_ENDPOINT": proxy.endpoint}
        runs = [
            cli(*args, "sync", str(root), *more, env=env)
            for args, more in (((), ()), ((), ("--json",)), (("--debug",), ("--json",)))
        ]
    for run in runs:
        assert run.exit_code == 1, run.output + run.stderr
        shown = run.output + run.stderr
        for photo_id in ids.values():
            assert photo_id in shown, f"the failure does not say which photo: {shown}"
        output += shown
    leaked = {s for s in _photo_secrets(emulator) if s in output}
    assert not leaked, f"photo secrets in the output: {leaked}"
