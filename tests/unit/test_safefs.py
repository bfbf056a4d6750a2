"""SafeDir in both of its modes: by descriptor (POSIX) and by path (Windows, checked here by
switching the descriptor calls off)."""

from __future__ import annotations

import os
import stat

import pytest

from pycsync import safefs
from pycsync.safefs import SafeDir, TempFile, UnsafeFolderError, open_meta


@pytest.fixture(params=["descriptors", "paths"])
def mode(request, monkeypatch):
    if request.param == "paths":
        monkeypatch.setattr(safefs, "_AT", False)
    return request.param


@pytest.fixture
def outside(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "keep.txt").write_text("keep")
    return home


def test_links_are_refused_where_a_folder_or_file_is_expected(mode, tmp_path, outside):
    root = tmp_path / "root"
    (root / ".pycsync").mkdir(parents=True)
    (root / ".pycsync" / "tmp").symlink_to(outside)
    (root / ".pycsync" / "lock").symlink_to(outside / "keep.txt")
    with open_meta(root, create=False) as meta:
        assert (meta.fd is None) == (mode == "paths")
        with pytest.raises(UnsafeFolderError, match="symbolic link"):
            meta.subdir("tmp")
        with pytest.raises(UnsafeFolderError, match="symbolic link"):
            meta.open_file("lock")
        with pytest.raises(UnsafeFolderError, match="symbolic link"):
            meta.check_file("lock")
        with pytest.raises(FileExistsError):
            meta.create("lock")  # exclusive: never through the link
        (root / ".pycsync" / "state.db").mkdir()
        with pytest.raises(UnsafeFolderError, match="it is a folder"):
            meta.open_file("state.db", os.O_RDWR)
        meta.unlink("lock")  # the link itself goes, not what it points to
    assert (outside / "keep.txt").read_text() == "keep"
    assert not (root / ".pycsync" / "lock").is_symlink()


def test_files_are_made_moved_and_removed_inside_the_folder(mode, tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    with open_meta(root, create=True) as meta, meta.subdir("tmp", create=True) as tmp:
        assert stat.S_IMODE((root / ".pycsync").stat().st_mode) == 0o700
        with open(tmp.create("a.part"), "wb") as f:
            f.write(b"data")
        part = TempFile(tmp, "a.part")
        part.set_times(1_000_000_000)
        with SafeDir.open(root) as top, top.walk(["A", "B"], create=True) as folder:
            part.move_to(folder, "a.jpg")
        assert (root / "A" / "B" / "a.jpg").read_bytes() == b"data"
        assert (root / "A" / "B" / "a.jpg").stat().st_mtime == 1_000_000_000
        assert tmp.names() == []
        with meta.subdir("trash", create=True) as trash:
            first, second = trash.fresh_subdir("day"), trash.fresh_subdir("day")
            assert (first.path.name, second.path.name) == ("day", "day-2")
            first.close()
            second.close()


def test_a_folder_walk_refuses_a_link_on_the_way(mode, tmp_path, outside):
    root = tmp_path / "root"
    (root / "A").mkdir(parents=True)
    (root / "A" / "B").symlink_to(outside)
    with SafeDir.open(root) as top, pytest.raises(UnsafeFolderError, match="symbolic link"):
        top.walk(["A", "B"], create=True)
    assert sorted(os.listdir(outside)) == ["keep.txt"]


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX owners")
def test_a_hard_linked_state_file_is_refused(mode, tmp_path, outside):
    root = tmp_path / "root"
    (root / ".pycsync").mkdir(parents=True)
    os.link(outside / "keep.txt", root / ".pycsync" / "state.db")
    with open_meta(root, create=False) as meta, pytest.raises(UnsafeFolderError, match="hard links"):
        meta.check_file("state.db")
