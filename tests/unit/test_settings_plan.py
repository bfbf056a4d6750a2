"""Per-folder settings applied to photos already on Flickr (pure): one change per photo and
changed setting, nothing when nothing changed, what pycsync gave a photo as the reference."""

from __future__ import annotations

from pathlib import Path

from pycsync.config import SOURCE_DEFAULT, Value
from pycsync.folder_settings import FolderFile, FolderSettings
from pycsync.model import (
    ApplySettings,
    Base,
    BaseItem,
    DeletePhoto,
    MoveRemote,
    Plan,
    RemoteListing,
    RemotePhoto,
    TrashLocal,
)
from pycsync.settings_plan import plan_settings, privacy_moves


def _folders(**files: dict) -> FolderSettings:
    return FolderSettings(
        [FolderFile(folder, Path(folder) / ".pycsync.toml", settings) for folder, settings in files.items()],
        Value("private", SOURCE_DEFAULT),
    )


def _world(keys: dict[str, str], privacy: str = "private"):
    base = Base(items={k: BaseItem(k, pid, "h" + pid, 1, 1, "s") for k, pid in keys.items()})
    photos = {pid: RemotePhoto(pid, pid, "photo", "jpg", "s", "u", 1, privacy=privacy) for pid in set(keys.values())}
    return base, RemoteListing(photos=photos, albums={})


def test_a_new_declaration_changes_the_photos_of_its_folder_and_below_only():
    base, remote = _world({"P/a.jpg": "1", "P/sub/b.jpg": "2", "Q/c.jpg": "3", "top.jpg": "4"})
    folders = _folders(P={"privacy": "public", "license": "cc0"})
    changes, notes = plan_settings(Plan(), base, remote, folders, {})
    assert notes == ()
    assert changes == (
        ApplySettings("1", "P/a.jpg", (("privacy", "private", "public"), ("license", None, "cc0"))),
        ApplySettings("2", "P/sub/b.jpg", (("privacy", "private", "public"), ("license", None, "cc0"))),
    )
    assert privacy_moves(changes) == (0, 2)


def test_nothing_is_planned_when_nothing_changed():
    base, remote = _world({"P/a.jpg": "1"}, privacy="public")
    folders = _folders(P={"privacy": "public", "hidden": True, "tags": ("x",)})
    given = {"1": {"hidden": True, "tags": ["x"]}}  # (as JSON gives it back)
    assert plan_settings(Plan(), base, remote, folders, given) == ((), ())
    assert plan_settings(Plan(), base, remote, _folders(), {}) == ((), ())


def test_what_pycsync_gave_is_the_reference_not_what_the_photo_has_now():
    base, remote = _world({"P/a.jpg": "1"}, privacy="public")  # made public on the website
    folders = _folders(P={"privacy": "friends"})
    assert plan_settings(Plan(), base, remote, folders, {"1": {"privacy": "friends"}}) == ((), ())
    changes, _ = plan_settings(Plan(), base, remote, _folders(P={"privacy": "family"}), {"1": {"privacy": "friends"}})
    assert changes == (ApplySettings("1", "P/a.jpg", (("privacy", "friends", "family"),)),)


def test_tags_change_against_the_tags_given():
    base, remote = _world({"P/a.jpg": "1"})
    folders = _folders(P={"tags": ("b", "c")})
    changes, _ = plan_settings(Plan(), base, remote, folders, {"1": {"tags": ["a", "b"]}})
    assert changes == (ApplySettings("1", "P/a.jpg", (("tags", ("a", "b"), ("b", "c")),)),)
    fresh, _ = plan_settings(Plan(), base, remote, folders, {})
    assert fresh == (ApplySettings("1", "P/a.jpg", (("tags", (), ("b", "c")),)),)


def test_a_photo_in_folders_that_disagree_keeps_its_value_and_is_reported():
    base, remote = _world({"P/a.jpg": "1", "Q/a.jpg": "1"})
    folders = _folders(P={"privacy": "public", "license": "cc0"}, Q={"privacy": "friends", "license": "cc0"})
    changes, notes = plan_settings(Plan(), base, remote, folders, {})
    assert changes == (ApplySettings("1", "P/a.jpg", (("license", None, "cc0"),)),)
    assert notes == (("P/a.jpg", "in folders with different privacy settings: P (public), Q (friends); left as it is"),)


def test_the_plan_moves_and_removes_photos_first():
    base, remote = _world({"P/a.jpg": "1", "P/b.jpg": "2", "P/c.jpg": "3", "X/d.jpg": "4"})
    plan = Plan(
        actions=(
            MoveRemote("X/d.jpg", "P/d.jpg", "4", None, None),  # moved here into P
            TrashLocal("P/b.jpg", photo_id="2"),
            DeletePhoto("3", ("P/c.jpg",)),
        )
    )
    changes, _ = plan_settings(plan, base, remote, _folders(P={"hidden": True}), {})
    assert [(a.photo_id, a.key) for a in changes] == [("1", "P/a.jpg"), ("4", "P/d.jpg")]
    excluded, _ = plan_settings(Plan(), base, remote, _folders(P={"hidden": True}), {}, excluded=lambda k: "a" in k)
    assert [a.photo_id for a in excluded] == ["2", "3"]


def test_privacy_moves_count_for_the_non_public_limit():
    changes = (
        ApplySettings("1", "a", (("privacy", "public", "friends"),)),
        ApplySettings("2", "b", (("privacy", None, "private"),)),
        ApplySettings("3", "c", (("privacy", "family", "public"),)),
        ApplySettings("4", "d", (("privacy", None, "public"), ("license", None, "cc0"))),
    )
    assert privacy_moves(changes) == (2, 1)
