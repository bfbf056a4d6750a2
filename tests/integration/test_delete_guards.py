"""--delete refuses mass deletion (exit 7, nothing changed on either side)."""

from __future__ import annotations

import shutil

from pycsync.state import StateDB
from tests.support.calls import static_calls, write_calls
from tests.support.convergence import assert_converged
from tests.support.files import sha, tree, write_jpeg
from tests.support.media import jpeg
from tests.support.remote import photo_with_sha


def synced_ten(root, sync_json) -> None:
    for i in range(10):
        write_jpeg(root / "A" / f"{i}.jpg", i)
    sync_json(root)


def sides_and_base(root, emulator):
    """Both sides, and what pycsync remembers of them (its base; caches may be refreshed)."""
    state = StateDB(root / ".pycsync" / "state.db")
    try:
        base = state.load_base()
    finally:
        state.close()
    return tree(root), dict(base.items), dict(base.albums), emulator.state()


def assert_refused(cli, emulator, root, *args: str) -> str:
    before = sides_and_base(root, emulator)
    emulator.reset_calls()
    result = cli("sync", str(root), "--delete", *args)
    assert result.exit_code == 7, (result.exit_code, result.output)
    assert "safety abort" in result.stderr
    assert write_calls(emulator) == {} and static_calls(emulator) == 0
    assert sides_and_base(root, emulator) == before, "a safety abort changes nothing"
    return result.stderr


def test_local_deletions_over_max_delete_are_refused(emulator, root, cli, sync_json):
    synced_ten(root, sync_json)
    for i in range(6):
        (root / "A" / f"{i}.jpg").unlink()
    message = assert_refused(cli, emulator, root)  # 60% > the default 50%
    assert "max-delete" in message
    assert_refused(cli, emulator, root, "--max-delete", "30")
    # without --delete nothing is deleted anyway, and the run goes ahead
    emulator.reset_calls()
    sync_json(root)
    assert write_calls(emulator) == {} and len(emulator.state()["photos"]) == 10
    # raising the limit lets it through
    summary = sync_json(root, "--delete", "--max-delete", "60")
    assert summary["deleted"] == 6
    assert sorted(p["sha256"] for p in emulator.state()["photos"]) == sorted(sha(jpeg(i)) for i in range(6, 10))
    assert_converged(emulator, sync_json, root, "--delete")


def test_a_few_deletions_under_the_limit_go_ahead(emulator, root, cli, sync_json):
    synced_ten(root, sync_json)
    for i in range(2):
        (root / "A" / f"{i}.jpg").unlink()
    result = cli("sync", str(root), "--delete", "--max-delete", "20")
    assert result.exit_code == 0, result.output
    assert len(emulator.state()["photos"]) == 8
    # a limit of 0 refuses any deletion
    (root / "A" / "2.jpg").unlink()
    assert_refused(cli, emulator, root, "--max-delete", "0")


def test_flickr_deletions_over_max_delete_are_refused(emulator, root, cli, sync_json, web):
    synced_ten(root, sync_json)
    for i in range(7):
        web.delete(photo_with_sha(emulator, sha(jpeg(i)))["id"])
    assert_refused(cli, emulator, root)
    assert len(tree(root)) == 10 and not (root / ".pycsync" / "trash").exists()


def test_an_emptied_local_folder_is_refused_whatever_the_limit(emulator, root, cli, sync_json):
    synced_ten(root, sync_json)
    shutil.rmtree(root / "A")
    message = assert_refused(cli, emulator, root, "--max-delete", "100")
    assert "empty" in message
    assert len(emulator.state()["photos"]) == 10
    # a plain sync neither deletes on Flickr nor downloads again
    emulator.reset_calls()
    sync_json(root)
    assert write_calls(emulator) == {} and static_calls(emulator) == 0 and tree(root) == {}


def test_an_emptied_flickr_account_is_refused_whatever_the_limit(emulator, root, cli, sync_json, web):
    synced_ten(root, sync_json)
    for p in emulator.state()["photos"]:
        web.delete(p["id"])
    assert_refused(cli, emulator, root, "--max-delete", "100")
    assert len(tree(root)) == 10


def test_a_push_mirror_over_the_limit_is_refused(emulator, root, cli, sync_json):
    synced_ten(root, sync_json)
    for i in range(6):
        (root / "A" / f"{i}.jpg").unlink()
    assert_refused(cli, emulator, root, "--push")


def test_the_dry_run_of_a_refused_plan_also_exits_7(emulator, root, cli, sync_json):
    synced_ten(root, sync_json)
    for i in range(6):
        (root / "A" / f"{i}.jpg").unlink()
    assert_refused(cli, emulator, root, "--dry-run")
