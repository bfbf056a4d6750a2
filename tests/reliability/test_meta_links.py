"""Nothing pycsync creates, cleans, moves or deletes in .pycsync/ is ever reached through a link.

A symbolic link at .pycsync/ or anywhere in it (tmp, trash, the state files, the lock) arrives
with an unpacked archive, a NAS, another sync tool or a co-user. Every one of them is refused
with a clear message before anything changes, and nothing outside the root is touched.
"""

from __future__ import annotations

import os
import stat
import time

import pytest

from pycsync.state import RootLock
from tests.support.files import sha, write_jpeg
from tests.support.media import jpeg

SAFETY_ABORT = 7


@pytest.fixture
def outside(tmp_path):
    """Files of the user's outside the sync folder (their home, say) that must survive."""
    home = tmp_path / "home"
    (home / "docs").mkdir(parents=True)
    (home / "docs" / "thesis.txt").write_text("four years of work")
    (home / "notes.part").write_text("a file that looks like a partial download")
    return home


def _untouched(home) -> None:
    assert (home / "docs" / "thesis.txt").read_text() == "four years of work"
    assert (home / "notes.part").read_text() == "a file that looks like a partial download"


def _refused(result, what: str) -> None:
    assert result.exit_code == SAFETY_ABORT, (result.exit_code, result.output, result.stderr)
    assert what in result.stderr and "link" in result.stderr, result.stderr


@pytest.mark.parametrize("name", ["tmp", "trash", "state.db", "lock"])
def test_a_link_inside_pycsync_is_refused_and_its_target_untouched(name, emulator, root, outside, cli):
    write_jpeg(root / "A/a.jpg", 1)
    meta = root / ".pycsync"
    meta.mkdir()
    target = outside if name in ("tmp", "trash") else outside / "notes.part"
    (meta / name).symlink_to(target)
    result = cli("sync", str(root))
    _untouched(outside)
    assert set(os.listdir(outside)) == {"docs", "notes.part"}
    _refused(result, name)
    assert emulator.calls().get("upload", 0) == 0, "refused before anything changed"


def test_pycsync_itself_a_link_is_refused(emulator, root, outside, cli):
    write_jpeg(root / "a.jpg", 1)
    (outside / "tmp").mkdir()
    (outside / "tmp" / "leftover.part").write_text("not pycsync's")
    (root / ".pycsync").symlink_to(outside)
    for args in (("sync", str(root)), ("sync", str(root), "--dry-run"), ("status", str(root))):
        result = cli(*args)
        _refused(result, ".pycsync")
    _untouched(outside)
    assert (outside / "tmp" / "leftover.part").read_text() == "not pycsync's"
    assert sorted(os.listdir(outside)) == ["docs", "notes.part", "tmp"], "no state or lock written there"


def test_an_empty_file_linked_as_the_state_is_not_turned_into_a_database(emulator, root, tmp_path, cli):
    victim = tmp_path / "victim.sqlite"
    victim.write_bytes(b"")
    write_jpeg(root / "a.jpg", 1)
    (root / ".pycsync").mkdir()
    (root / ".pycsync" / "state.db-wal").symlink_to(victim)
    _refused(cli("sync", str(root)), "state.db-wal")
    assert victim.read_bytes() == b""


def _plant_trash(root, make) -> None:
    """Something at every name the next 90 seconds' trash folders would get."""
    trash = root / ".pycsync" / "trash"
    trash.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for second in range(90):
        make(trash / time.strftime("%Y%m%d-%H%M%S", time.localtime(now + second)))


def _synced_then_deleted_on_flickr(root, flickr, sync_json) -> None:
    write_jpeg(root / "A/keep.jpg", 1)
    write_jpeg(root / "A/gone.jpg", 2)
    sync_json(root)
    gone = next(p for p in flickr.search() if p["title"] == "gone")
    flickr.delete_photo(gone["id"])


def _trashed_inside(root) -> None:
    trash = root / ".pycsync" / "trash"
    kept = [p for p in trash.rglob("gone.jpg") if not any(q.is_symlink() for q in (p, *p.parents))]
    assert len(kept) == 1 and sha(kept[0].read_bytes()) == sha(jpeg(2))
    assert not (root / "A/gone.jpg").exists()


def test_trash_date_folders_planted_as_links_are_never_used(emulator, root, outside, flickr, sync_json):
    _synced_then_deleted_on_flickr(root, flickr, sync_json)
    _plant_trash(root, lambda path: path.symlink_to(outside))
    assert sync_json(root, "--delete")["deleted"] == 1
    _untouched(outside)
    assert set(os.listdir(outside)) == {"docs", "notes.part"}, "nothing moved out of the root"
    _trashed_inside(root)


def test_links_inside_planted_trash_date_folders_are_never_used(emulator, root, outside, flickr, sync_json):
    _synced_then_deleted_on_flickr(root, flickr, sync_json)

    def folder_with_a_link(path):
        path.mkdir()
        (path / "A").symlink_to(outside)

    _plant_trash(root, folder_with_a_link)
    assert sync_json(root, "--delete")["deleted"] == 1
    _untouched(outside)
    assert set(os.listdir(outside)) == {"docs", "notes.part"}, "nothing moved out of the root"
    _trashed_inside(root)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to hand files to another user")
@pytest.mark.parametrize("where", [".pycsync", ".pycsync/tmp", ".pycsync/trash"])
def test_a_pycsync_folder_of_another_user_is_refused(where, emulator, root, cli):
    write_jpeg(root / "a.jpg", 1)
    (root / ".pycsync" / "tmp").mkdir(parents=True)
    (root / ".pycsync" / "trash").mkdir()
    os.chown(root / where, 65534, 65534)
    result = cli("sync", str(root))
    assert result.exit_code == SAFETY_ABORT, result.stderr
    assert "another user" in result.stderr and where.rsplit("/", 1)[-1] in result.stderr


def test_a_pycsync_folder_others_may_write_to_is_tightened(emulator, root, sync_json):
    write_jpeg(root / "a.jpg", 1)
    (root / ".pycsync").mkdir()
    os.chmod(root / ".pycsync", 0o777)
    sync_json(root)
    assert stat.S_IMODE((root / ".pycsync").stat().st_mode) == 0o700


def test_a_link_planted_as_the_lock_is_refused_by_the_lock_itself(root, outside):
    (root / ".pycsync").mkdir()
    (root / ".pycsync" / "lock").symlink_to(outside / "notes.part")
    with pytest.raises(Exception, match="symbolic link") as refused, RootLock(root / ".pycsync" / "lock"):
        pass
    assert refused.typename == "UnsafeFolderError"
    _untouched(outside)
