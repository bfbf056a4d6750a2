"""Bad input on either side: each gets a clear message, nothing else is disturbed, nothing is lost.

Bad local files: empty, corrupt, not media, too big, unreadable (file and folder), a FIFO, a file
gone mid-scan, awkward names, symlink loops, a file changed while it uploads, a full disk while
downloading. Bad remote input: album titles that try to leave the root or are not valid names.
"""

from __future__ import annotations

import errno
import os
import threading
import unicodedata

import pytest

import pycsync.local as local_module
import pycsync.transfers as transfers_module
from pycsync.emulator import EmulatorServer
from pycsync.events import TransferProgress
from pycsync.executor import CHANGED_WHILE_SENDING
from tests.support.calls import wait_for_calls, write_calls
from tests.support.cli import runner_for
from tests.support.convergence import assert_converged, assert_same_both_sides
from tests.support.faults import fast_env
from tests.support.files import sha, tree, write_jpeg
from tests.support.media import jpeg


def _uploads(emulator) -> int:
    return emulator.calls().get("upload", 0)


# --------------------------------------------------------------------------- local files


def test_zero_byte_file_is_skipped_with_a_reason(emulator, root, cli):
    (root / "empty.jpg").write_bytes(b"")
    write_jpeg(root / "ok.jpg", 1)
    result = cli("sync", str(root))
    assert result.exit_code == 0, result.output
    assert "empty.jpg" in result.output and "empty file" in result.output
    assert [p["sha256"] for p in emulator.state()["photos"]] == [sha(jpeg(1))]
    again = cli("sync", str(root))
    assert "empty.jpg" in again.output and "1 not synced" in again.output, "reported by every run until it syncs"
    assert (root / "empty.jpg").exists()


def test_refused_file_is_reported_every_run_and_not_retried_until_it_changes(tmp_path, root):
    """(A file larger than the account's limit is not even sent: see
    tests/integration/test_account_limits.py.)"""
    with EmulatorServer(host="127.0.0.1", port=0) as emu:
        cli = runner_for(fast_env(emu, tmp_path))
        write_jpeg(root / "A/good.jpg", 1)
        bad = root / "A/bad.jpg"
        bad.write_bytes(b"this is not a jpeg at all\n" * 20)
        expect = "code 5"
        first = cli("sync", str(root))
        assert first.exit_code == 1
        assert "bad.jpg" in first.stderr and expect in first.stderr and "refuses" in first.stderr
        assert "good.jpg" in first.output, "the good file is not disturbed"
        emu.reset_calls()
        second = cli("sync", str(root))
        assert second.exit_code == 0, second.output + second.stderr
        assert emu.calls().get("upload", 0) == 0, "not retried while the file is unchanged"
        assert "bad.jpg" in second.output and "not retried until the file changes" in second.output
        third = cli("sync", str(root))
        assert third.exit_code == 0 and "A/bad.jpg" in third.output, "reported by every run until it syncs"
        assert "1 not synced" in third.output and "nothing to do" not in third.output
        assert emu.calls().get("upload", 0) == 0
        # fixed: the next run offers it again
        write_jpeg(bad, 2)
        fixed = cli("sync", str(root))
        assert fixed.exit_code == 0, fixed.stderr
        assert sorted(p["sha256"] for p in emu.state()["photos"]) == sorted([sha(jpeg(1)), sha(jpeg(2))])


def test_refused_edit_keeps_the_synced_photo(emulator, root, sync_json, cli):
    write_jpeg(root / "a.jpg", 1)
    sync_json(root)
    (root / "a.jpg").write_bytes(b"garbage, not an image" * 10)
    first = cli("sync", str(root))
    assert first.exit_code == 1 and "code 5" in first.stderr
    again = cli("sync", str(root), "--delete")
    assert again.exit_code == 0, again.stderr
    assert [p["sha256"] for p in emulator.state()["photos"]] == [sha(jpeg(1))], "the photo stays"
    assert (root / "a.jpg").read_bytes().startswith(b"garbage"), "the local edit stays too"


def test_non_media_files_are_skipped(emulator, root, cli):
    (root / "notes.txt").write_text("hello")
    (root / "A").mkdir()
    (root / "A" / "photo.jpg.xmp").write_text("<x/>")
    write_jpeg(root / "A/p.jpg", 1)
    result = cli("sync", str(root))
    assert result.exit_code == 0
    assert "notes.txt" in result.output and "not a photo or video" in result.output
    assert len(emulator.state()["photos"]) == 1
    assert (root / "notes.txt").read_text() == "hello"


def test_unreadable_file_is_skipped_and_not_taken_for_a_deletion(emulator, root, sync_json, cli, monkeypatch):
    write_jpeg(root / "A/a.jpg", 1)
    write_jpeg(root / "A/b.jpg", 2)
    sync_json(root)
    os.utime(root / "A/a.jpg", ns=(1, 10**18))  # forces a re-hash, which is refused below
    real = local_module._hash_stable

    def deny(path):
        if path.endswith("a.jpg"):
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return real(path)

    monkeypatch.setattr(local_module, "_hash_stable", deny)
    result = cli("sync", str(root), "--delete")
    assert result.exit_code == 0, result.stderr
    assert "a.jpg" in result.output and "permission denied" in result.output
    assert len(emulator.state()["photos"]) == 2, "an unreadable file is not a deleted one"


def test_unreadable_folder_is_skipped_and_not_taken_for_a_deletion(emulator, root, sync_json, cli, monkeypatch):
    write_jpeg(root / "A/a.jpg", 1)
    write_jpeg(root / "B/b.jpg", 2)
    sync_json(root)
    real = os.scandir

    def scandir(path="."):
        where = os.readlink(f"/proc/self/fd/{path}") if isinstance(path, int) else str(path)
        if where.endswith("/A"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(local_module.os, "scandir", scandir)
    result = cli("sync", str(root), "--delete")
    assert result.exit_code == 0, result.stderr
    assert "A" in result.output and "permission denied" in result.output
    assert len(emulator.state()["photos"]) == 2


def test_fifo_does_not_hang_the_scan(emulator, root, cli):
    os.mkfifo(root / "pipe.jpg")
    write_jpeg(root / "p.jpg", 1)
    result = cli("sync", str(root))
    assert result.exit_code == 0
    assert len(emulator.state()["photos"]) == 1


def test_file_removed_mid_scan(emulator, root, cli, monkeypatch):
    write_jpeg(root / "a.jpg", 1)
    write_jpeg(root / "b.jpg", 2)
    real = local_module._hash_stable

    def vanish(path):
        if path.endswith("a.jpg"):
            os.unlink(path)
        return real(path)

    monkeypatch.setattr(local_module, "_hash_stable", vanish)
    result = cli("sync", str(root))
    assert result.exit_code == 0, result.stderr
    assert [p["sha256"] for p in emulator.state()["photos"]] == [sha(jpeg(2))]


AWKWARD = [
    unicodedata.normalize("NFD", "été.jpg"),  # NFD on disk (as macOS writes it)
    "émoji 📷🎉.jpg",
    "colon: and back\\slash.jpg",
    "what?.jpg",
    "trailing dots...jpg",
    'star*pipe|quote".jpg',
    "x" * 240 + ".jpg",
    "tab\tin name.jpg",
    " leading space.jpg",
]


def test_awkward_names_round_trip(emulator, root, tmp_path, cli, sync_json):
    for i, name in enumerate(AWKWARD):
        write_jpeg(root / "Odd" / name, 100 + i)
    write_jpeg(root / "Case" / "photo.jpg", 200)
    write_jpeg(root / "Case" / "PHOTO.jpg", 201)  # differs only in case: one is reported, not lost
    first = cli("sync", str(root))
    assert first.exit_code == 0, first.stderr
    assert "Case/photo.jpg" in first.output and "differs only in letter case" in first.output
    other = tmp_path / "other"
    other.mkdir()
    pulled = sync_json(other)
    assert pulled["failed"] == 0
    up = {sha(v) for v in tree(root).values()} - {sha(jpeg(200))}  # photo.jpg: reported
    down = {sha(v) for v in tree(other).values()}
    assert down == up, "every awkward name came down (of the case twins, the one uploaded)"
    for path in tree(other):
        assert (other / path).resolve().is_relative_to(other.resolve())
    assert_converged(emulator, sync_json, root)
    assert_converged(emulator, sync_json, other)
    # both case twins are still on disk
    assert (root / "Case" / "photo.jpg").exists() and (root / "Case" / "PHOTO.jpg").exists()


def test_symlink_loops_and_links_are_not_followed(emulator, root, tmp_path, cli):
    write_jpeg(root / "A/a.jpg", 1)
    (root / "A" / "loop").symlink_to(root)
    (root / "self").symlink_to(root / "self")  # a link to itself
    outside = tmp_path / "outside"
    outside.mkdir()
    write_jpeg(outside / "secret.jpg", 2)
    (root / "out").symlink_to(outside)
    (root / "file-link.jpg").symlink_to(outside / "secret.jpg")
    result = cli("sync", str(root))
    assert result.exit_code == 0, result.stderr
    assert "symbolic link" in result.output
    assert [p["sha256"] for p in emulator.state()["photos"]] == [sha(jpeg(1))]


def _save_as_an_editor_does(path, seed: int) -> None:
    """A new version written beside the file and renamed over it: the file being sent keeps its
    old bytes (an in-place write would tear the bytes in flight, which Flickr then refuses)."""
    new = path.with_name(path.name + ".new")
    write_jpeg(new, seed)
    os.replace(new, path)


def test_file_changed_while_uploading_is_not_recorded_as_synced(emulator, root, sync_json, flickr):
    path = root / "A/a.jpg"
    write_jpeg(path, 1)
    emulator.set_faults([{"match": "upload", "max": 1, "action": {"latency_ms": 600}}])

    def edit():  # once the upload is in flight (the emulator holds it for 600 ms)
        wait_for_calls(emulator, "upload")
        _save_as_an_editor_does(path, 2)

    t = threading.Thread(target=edit)
    t.start()
    first = sync_json(root, expect=1)
    t.join()
    assert [f["error"] for f in first["failures"]] == ["changed while uploading; will be retried"], first
    # whatever arrived, the new content is not marked synced: the next run sends it
    summary = sync_json(root)
    assert (summary["replaced"], summary["uploaded"]) == (1, 0), summary
    assert [p["sha256"] for p in emulator.state()["photos"]] == [sha(jpeg(2))]
    assert_converged(emulator, sync_json, root)


def test_file_changed_while_replacing_is_not_recorded_as_synced(emulator, root, sync_json):
    path = root / "a.jpg"
    write_jpeg(path, 1)
    sync_json(root)
    write_jpeg(path, 2)
    emulator.set_faults([{"match": "replace", "max": 1, "action": {"latency_ms": 600}}])

    def edit():
        wait_for_calls(emulator, "replace")
        _save_as_an_editor_does(path, 3)

    t = threading.Thread(target=edit)
    t.start()
    first = sync_json(root, expect=1)
    t.join()
    assert [f["error"] for f in first["failures"]] == ["changed while uploading; will be retried"], first
    summary = sync_json(root)
    assert (summary["replaced"], summary["uploaded"]) == (1, 0), summary
    assert [p["sha256"] for p in emulator.state()["photos"]] == [sha(jpeg(3))]
    assert_converged(emulator, sync_json, root)


@pytest.mark.parametrize("transfer", ["upload", "replace"])
def test_a_run_that_sent_a_file_as_it_changed_does_not_vouch_for_it(transfer, emulator, root, flickr):
    """The same rule one level down, at the exact moment: the file is saved anew just as its last
    bytes leave (the run's own progress event). The run sends the old version and says the file
    changed; the next run sees the new one as a change, whatever its size and time, and sends it."""
    from pycsync.app import SyncOptions, sync

    path = root / "A/a.jpg"
    write_jpeg(path, 1)
    if transfer == "replace":
        sync(flickr, SyncOptions(root=root))
        write_jpeg(path, 2)
    sent = path.read_bytes()
    edited = []

    def notify(event):
        if isinstance(event, TransferProgress) and event.done == len(sent) and not edited:
            _save_as_an_editor_does(path, 3)
            edited.append(event.key)

    first = sync(flickr, SyncOptions(root=root), notify=notify)
    assert edited == ["A/a.jpg"] and first.outcome is not None
    assert first.outcome.failed == [("A/a.jpg", CHANGED_WHILE_SENDING)]
    assert [p["sha256"] for p in emulator.state()["photos"]] == [sha(sent)], "the version read was sent"
    second = sync(flickr, SyncOptions(root=root))
    assert [type(a).__name__ for a in second.plan.actions] == ["Replace"]
    assert [p["sha256"] for p in emulator.state()["photos"]] == [sha(jpeg(3))]
    assert sync(flickr, SyncOptions(root=root)).plan.is_empty()


def test_full_disk_while_downloading(emulator, root, sync_json, flickr, tmp_path, monkeypatch):
    write_jpeg(root / "keep.jpg", 1)
    sync_json(root)
    staging = tmp_path / "staging"
    staging.mkdir()
    for i in (2, 3):
        (staging / f"new{i}.jpg").write_bytes(jpeg(i))
        flickr.upload(staging / f"new{i}.jpg", title=f"new{i}")
    real_write = transfers_module._HashingWriter.write

    def full(self, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(transfers_module._HashingWriter, "write", full)
    summary = sync_json(root, expect=6)  # the run stops at the first full write
    assert "is full" in summary["stderr"] and summary["error"]["kind"] == "local"
    assert set(tree(root)) == {"keep.jpg"}, "no partial file, nothing else disturbed"
    assert list((root / ".pycsync" / "tmp").glob("*")) == [], "temp files cleaned up"
    monkeypatch.setattr(transfers_module._HashingWriter, "write", real_write)
    sync_json(root)
    assert_same_both_sides(root, emulator, {"keep.jpg": sha(jpeg(1)), **{f"new{i}.jpg": sha(jpeg(i)) for i in (2, 3)}})


# --------------------------------------------------------------------------- remote input

BAD_TITLES = ["../../x", "/etc", "CON", "a/../../b", "..", ".hidden", "nul.txt", "tab\there"]


def test_hostile_album_titles_stay_inside_the_root(emulator, root, tmp_path, flickr, sync_json):
    staging = tmp_path / "staging"
    staging.mkdir()
    titles = BAD_TITLES + ["", "   "]
    for i, title in enumerate(titles):
        (staging / f"p{i}.jpg").write_bytes(jpeg(300 + i))
        pid = flickr.upload(staging / f"p{i}.jpg", title=f"p{i}").photo_id
        album = flickr.create_album(title if title.strip() else "placeholder", pid)
        if not title.strip():  # Flickr's website can leave a title empty; the API cannot
            emulator.store.x("UPDATE sets SET title=? WHERE id=?", (title, int(album)))
    before = sorted(p.name for p in tmp_path.iterdir())
    summary = sync_json(root)
    assert summary["downloaded"] == len(titles) and summary["failed"] == 0, summary
    assert sorted(p.name for p in tmp_path.iterdir()) == before, "nothing written outside the root"
    files = tree(root)
    assert {sha(v) for v in files.values()} == {sha(jpeg(300 + i)) for i in range(len(titles))}
    for path in files:
        parts = path.split("/")
        assert ".." not in parts and not any(p.startswith(".") for p in parts), path
        assert not any(p.split(".")[0].upper() in ("CON", "NUL") for p in parts), path
        assert (root / path).resolve().is_relative_to(root.resolve())
    assert_converged(emulator, sync_json, root)
    assert write_calls(emulator) == {}


def test_hostile_photo_titles_and_name_tags_stay_inside_the_root(emulator, root, tmp_path, flickr, sync_json):
    staging = tmp_path / "staging"
    staging.mkdir()
    names = ["../../evil", "/etc/passwd", "a/../../b", "..", "CON", "."]
    for i, title in enumerate(names):
        (staging / f"q{i}.jpg").write_bytes(jpeg(400 + i))
        tags = ["pycsync:name=" + f"../../../q{i}.jpg".encode().hex()]
        flickr.upload(staging / f"q{i}.jpg", title=title, tags=tags)
    before = sorted(p.name for p in tmp_path.iterdir())
    summary = sync_json(root)
    assert summary["downloaded"] == len(names), summary
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    for path in tree(root):
        assert "/" not in path, f"photos in no album land directly in the root: {path}"
        assert not path.startswith("."), path
    assert_converged(emulator, sync_json, root)
