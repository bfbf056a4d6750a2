"""Per-folder settings applied to photos already on Flickr (pure).

A ``.pycsync.toml`` describes the photos of its folder (see :mod:`pycsync.folder_settings`). New
uploads get its settings with the upload; this module plans the changes for photos that are
already there: for each synced photo whose folder declares a setting that differs from what
pycsync last gave the photo (the state's record) -- or, for privacy, never given, from what the
listing shows -- one :class:`~pycsync.model.ApplySettings` with what changes. Nothing is planned
when nothing changed, so each changed setting costs one call per photo, once.

What pycsync gave a photo is the reference, not what the photo has now: a photo made public on
the website stays public until its folder's setting changes again. A setting removed from a
file changes nothing on Flickr. A photo that belongs to folders declaring different values of
a setting keeps its value, and is reported.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping

from pycsync.folder_settings import FOLDER_SETTINGS, FolderSettings
from pycsync.model import (
    ApplySettings,
    Base,
    DeletePhoto,
    MoveFolder,
    MoveLocal,
    MoveRemote,
    Plan,
    RemoteListing,
    RemoveFromAlbum,
    TrashLocal,
    folder_of,
)


def plan_settings(
    plan: Plan,
    base: Base,
    remote: RemoteListing,
    folders: FolderSettings,
    applied: Mapping[str, Mapping[str, object]],
    excluded: Callable[[str], bool] | None = None,
) -> tuple[tuple[ApplySettings, ...], tuple[tuple[str, str], ...]]:
    """(the settings changes, (key, why) of photos whose folders disagree on a setting)."""
    if not folders:
        return (), ()
    keys = _keys_after(plan, base, excluded)
    changes: list[ApplySettings] = []
    disagreements: list[tuple[str, str]] = []
    for photo_id, photo_keys in keys.items():
        photo = remote.photos.get(photo_id)
        if photo is None:
            continue
        declared = [(k, folders.resolve(folder_of(k)).declared) for k in sorted(photo_keys)]
        if not any(d for _, d in declared):
            continue
        given = applied.get(photo_id, {})
        todo = []
        for name in FOLDER_SETTINGS:
            wanted = {_comparable(d[name]): k for k, d in declared if name in d}
            if not wanted:
                continue
            if len(wanted) > 1:
                where = ", ".join(f"{folder_of(k) or 'the sync folder'} ({_shown(v)})" for v, k in wanted.items())
                disagreements.append(
                    (photo_keys[0], f"in folders with different {name} settings: {where}; left as it is")
                )
                continue
            (value,) = wanted
            if name in given:
                had = _comparable(given[name])
            elif name == "privacy":
                had = photo.privacy or None
            elif name == "tags":
                had = ()
            else:
                had = None  # never given: set once
            if had != value:
                todo.append((name, had, value))
        if todo:
            changes.append(ApplySettings(photo_id, sorted(photo_keys)[0], tuple(todo)))
    return tuple(changes), tuple(disagreements)


def _comparable(value: object) -> object:
    """Settings as compared: tag lists (JSON gives lists back) as tuples."""
    return tuple(value) if isinstance(value, (list, tuple)) else value


def _shown(value: object) -> str:
    return (
        ", ".join(value) if isinstance(value, tuple) else str(value).lower() if isinstance(value, bool) else str(value)
    )


def _keys_after(plan: Plan, base: Base, excluded: Callable[[str], bool] | None) -> dict[str, list[str]]:
    """photo id -> the keys (files) it will have once the plan ran, for photos the base knows and
    the plan keeps (not deleted, not outside the selection)."""
    where: dict[str, str] = {k: b.photo_id for k, b in base.items.items()}
    gone: set[str] = set()
    for a in plan.actions:
        if isinstance(a, (MoveRemote, MoveLocal)) and a.photo_id:
            where.pop(a.src_key, None)
            where[a.key] = a.photo_id
        elif isinstance(a, MoveFolder):
            for old, new in a.moves:
                if old in where:
                    where[new] = where.pop(old)
        elif isinstance(a, TrashLocal):
            where.pop(a.key, None)
        elif isinstance(a, DeletePhoto):
            gone.add(a.photo_id)
        elif isinstance(a, RemoveFromAlbum):
            for k in a.forget:
                where.pop(k, None)
    keys: dict[str, list[str]] = defaultdict(list)
    for key, photo_id in where.items():
        if photo_id not in gone and (excluded is None or not excluded(key)):
            keys[photo_id].append(key)
    return keys


def privacy_moves(changes: tuple[ApplySettings, ...]) -> tuple[int, int]:
    """(photos made non-public, photos made public) by these changes, for the limits check."""
    made_nonpublic = made_public = 0
    for a in changes:
        for name, old, new in a.changes:
            if name != "privacy":
                continue
            if new == "public" and old not in ("public", None):  # (an unknown one is not counted as freed)
                made_public += 1
            elif new != "public" and (old == "public" or old is None):
                made_nonpublic += 1
    return made_nonpublic, made_public
