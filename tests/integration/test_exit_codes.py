"""Exit status (pycsync.errors.ExitStatus): 0 all done, 1 some items failed, 2 usage, 3
authentication, 4 unreachable, 5 locked, 6 local disk or state, 7 safety abort, 130 Ctrl-C.
Usage errors are found before credentials are looked at or anything is contacted."""

from __future__ import annotations

import json

import pytest

from tests.support.calls import write_calls
from tests.support.cli import token_env
from tests.support.convergence import assert_converged
from tests.support.files import sha, tree, write_jpeg
from tests.support.media import jpeg
from tests.support.remote import albums_by_sha


def test_zero_when_everything_is_done(emulator, root, cli):
    write_jpeg(root / "A" / "x.jpg", 1)
    result = cli("sync", str(root))
    assert result.exit_code == 0, result.output
    assert cli("sync", str(root)).exit_code == 0


def test_one_when_flickr_refuses_a_file_and_the_rest_is_still_synced(emulator, root, cli, sync_json):
    write_jpeg(root / "A" / "good.jpg", 1)
    (root / "A" / "broken.jpg").write_bytes(b"this is not a picture, whatever its name says\n" * 20)
    summary = sync_json(root, expect=1)
    assert summary["failed"] == 1 and summary["uploaded"] == 1
    (failure,) = summary["failures"]
    assert failure["path"] == "A/broken.jpg" and failure["permanent"] is True
    assert "code 5" in failure["error"]
    assert albums_by_sha(emulator) == {"A": [sha(jpeg(1))]}
    # the text report names the file too
    (root / "B").mkdir()
    (root / "B" / "also broken.png").write_bytes(b"\x00" * 100)
    result = cli("sync", str(root))
    assert result.exit_code == 1
    assert "B/also broken.png" in result.stderr
    # once the file is fixed, it goes up and the run is clean
    write_jpeg(root / "A" / "broken.jpg", 2)
    (root / "B" / "also broken.png").unlink()
    assert sync_json(root)["uploaded"] == 1
    assert albums_by_sha(emulator) == {"A": sorted([sha(jpeg(1)), sha(jpeg(2))])}
    assert_converged(emulator, sync_json, root)


def test_one_when_a_download_fails_and_a_rerun_finishes_it(emulator, root, sync_json, web):
    web.upload(jpeg(1), "a", "A")
    web.upload(jpeg(2), "b", "A")
    emulator.set_faults([{"match": "static", "max": 1, "action": {"http": 404}}])
    summary = sync_json(root, expect=1)
    assert summary["failed"] == 1 and summary["downloaded"] == 1
    assert len(tree(root)) == 1
    emulator.set_faults([])
    assert sync_json(root)["downloaded"] == 1
    assert tree(root) == {"A/a.jpg": jpeg(1), "A/b.jpg": jpeg(2)}
    assert_converged(emulator, sync_json, root)


@pytest.mark.parametrize(
    "args",
    [
        ["sync", "{missing}"],
        ["sync", "{root}", "--max-delete", "200"],
        ["sync", "{root}", "--jobs", "0"],
        ["sync", "{root}", "--layout", "diagonal"],
        ["sync", "{root}", "--privacy", "everyone"],
        ["sync", "{root}", "--no-such-option"],
        ["no-such-command"],
    ],
    ids=["missing-folder", "max-delete", "jobs", "layout", "privacy", "option", "command"],
)
def test_two_for_usage_errors(emulator, root, tmp_path, cli, args):
    write_jpeg(root / "A" / "x.jpg", 1)
    args = [a.format(root=root, missing=tmp_path / "missing") for a in args]
    emulator.reset_calls()
    result = cli(*args)
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert write_calls(emulator) == {}
    assert not (root / ".pycsync").exists()


SIGNED_OUT = {"FLICKR_OAUTH_TOKEN": "", "FLICKR_OAUTH_TOKEN_SECRET": "", "FLICKR_API_KEY": ""}


@pytest.mark.parametrize(
    "args",
    [["sync", ""], ["sync", "-p", ""], ["-p", ""], ["status", ""], ["config", ""], ["sync", "  "]],
    ids=["sync", "sync-p", "bare-p", "status", "config", "blank"],
)
def test_an_empty_path_is_refused_not_taken_as_the_current_folder(emulator, root, cli, monkeypatch, args):
    """`pycsync sync "$PHOTOS"` with PHOTOS unset (a cron line) must not sync the working directory."""
    write_jpeg(root / "A" / "x.jpg", 1)
    monkeypatch.chdir(root)
    emulator.reset_calls()
    result = cli(*args)
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert "is empty" in result.stderr and "Traceback" not in result.output
    assert emulator.calls() == {}, "nothing contacted"
    assert not (root / ".pycsync").exists()


@pytest.mark.parametrize("command", ["sync", "status"])
@pytest.mark.parametrize("kind", ["missing", "file"])
def test_a_bad_path_is_reported_before_credentials_are_looked_at(emulator, tmp_path, cli, command, kind):
    bad = tmp_path / "Pictures"
    if kind == "file":
        bad.write_bytes(b"not a folder")
    result = cli(command, str(bad), env=SIGNED_OUT)  # signed out too: the path is what is wrong
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert f"{bad} is not a folder" in result.stderr
    assert "pycsync auth" not in result.stderr
    assert emulator.calls() == {}


@pytest.mark.parametrize("command", ["sync", "status"])
def test_push_and_pull_together_is_a_usage_error(emulator, root, cli, web, command):
    write_jpeg(root / "A" / "x.jpg", 1)
    web.upload(jpeg(2), "b", "B")
    emulator.reset_calls()
    result = cli(command, str(root), "--push", "--pull")
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert "--push and --pull" in result.stderr
    assert emulator.calls() == {} and not (root / ".pycsync").exists()
    assert tree(root) == {"A/x.jpg": jpeg(1)}


def test_two_for_a_folder_synced_with_another_account(emulator, root, cli):
    write_jpeg(root / "A" / "x.jpg", 1)
    assert cli("sync", str(root)).exit_code == 0
    other = emulator.add_user("someone-else")  # comes with its own access token
    emulator.reset_calls()
    result = cli("sync", str(root), env=token_env(other))
    assert result.exit_code == 2, result.output
    assert "rebuild-state" in result.stderr
    assert write_calls(emulator) == {}


def test_three_without_credentials(emulator, root, cli):
    write_jpeg(root / "A" / "x.jpg", 1)
    no_token = cli("sync", str(root), env={"FLICKR_OAUTH_TOKEN": "", "FLICKR_OAUTH_TOKEN_SECRET": ""})
    assert no_token.exit_code == 3, no_token.output
    assert "pycsync auth" in no_token.stderr
    no_key = cli("sync", str(root), env={"FLICKR_API_KEY": "", "FLICKR_API_SECRET": ""})
    assert no_key.exit_code == 3, no_key.output
    assert emulator.state()["photos"] == []


def test_three_with_invalid_or_revoked_credentials(emulator, root, cli):
    write_jpeg(root / "A" / "x.jpg", 1)
    bogus = cli("sync", str(root), env={"FLICKR_OAUTH_TOKEN_SECRET": "0123456789abcdef"})
    assert bogus.exit_code == 3, bogus.output
    token = emulator.add_token(perms="delete")
    emulator.revoke_token(token["oauth_token"])
    revoked = cli("sync", str(root), env=token_env(token))
    assert revoked.exit_code == 3, revoked.output
    assert emulator.state()["photos"] == []
    assert "Traceback" not in bogus.output + revoked.output


def test_three_when_the_credentials_are_refused_part_way_through_the_uploads(emulator, root, cli, sync_json):
    """Flickr refuses the token while the uploads run side by side: the run stops there,
    says why, and what was confirmed before stays recorded."""
    for n in range(4):
        write_jpeg(root / "A" / f"{n}.jpg", n)
    emulator.set_faults([{"match": "upload", "after": 1, "action": {"error": 98, "message": "Invalid auth token"}}])
    result = cli("sync", str(root), "--jobs", "2")
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output and "Invalid auth token" in result.stderr
    assert "stopped: 1 uploaded" in result.output, "the run's summary, up to where it stopped"
    emulator.set_faults([])
    assert sync_json(root)["uploaded"] == 3


def test_three_with_a_read_only_token_that_cannot_upload(emulator, root, cli):
    write_jpeg(root / "A" / "x.jpg", 1)
    token = emulator.add_token(perms="read")
    result = cli("sync", str(root), env=token_env(token))
    assert result.exit_code == 3, (result.exit_code, result.output)
    assert "--perms write" in result.stderr
    assert emulator.state()["photos"] == []
    assert not list((root / ".pycsync").glob("trash")) and tree(root) == {"A/x.jpg": jpeg(1)}


def test_delete_without_delete_permission_is_reported_not_done(emulator, root, cli, sync_json):
    for i in range(4):
        write_jpeg(root / "A" / f"{i}.jpg", i)
    sync_json(root)
    (root / "A" / "0.jpg").unlink()
    token = emulator.add_token(perms="write")
    env = token_env(token)
    emulator.reset_calls()
    result = cli("sync", str(root), "--delete", "--json", env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["unsynced"] == 1
    assert "flickr.photos.delete" not in write_calls(emulator)
    assert len(emulator.state()["photos"]) == 4


def test_seven_for_a_safety_abort(emulator, root, cli, sync_json):
    for i in range(4):
        write_jpeg(root / "A" / f"{i}.jpg", i)
    sync_json(root)
    for i in range(3):
        (root / "A" / f"{i}.jpg").unlink()
    result = cli("sync", str(root), "--delete")
    assert result.exit_code == 7, result.output
    assert len(emulator.state()["photos"]) == 4


def test_a_read_only_token_can_still_pull(emulator, root, cli, web):
    web.upload(jpeg(1), "a", "A")
    token = emulator.add_token(perms="read")
    result = cli("sync", str(root), "--pull", env=token_env(token))
    assert result.exit_code == 0, result.output
    assert tree(root) == {"A/a.jpg": jpeg(1)}
    status = cli("status", str(root), env=token_env(token))
    assert status.exit_code == 0, status.output
