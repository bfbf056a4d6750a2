"""Album titles and descriptions both ways: pure, like the planner, and run on its plan.

Here an album's title and description live in the ``[album]`` table of its folder's
``.pycsync.toml``; on Flickr in the album, which photosets.getList lists with both every run, so
knowing whether either side changed costs no call. Each field is merged three-way against its
value when both sides last agreed (kept in the state) by the photos' merge
(:func:`pycsync.metamerge.merge`): changed on one side, that side wins; differently on both, the
folder wins and the field is reported as a conflict; with no base, a value beats an empty one.
A change here costs one photosets.editMeta; a change on Flickr is written into the file.

The title is special, as a photo's is: an album titled after its folder (its path, or a title
the folder's name was made from) has no title of its own. A folder without ``[album] title`` is
named after its album (an album renamed on Flickr renames it: the planner's business); one with
it keeps its name whatever its album is called (the planner leaves it alone, see
``Policy.album_titles``), and a rename on Flickr is written into its file. So ``title`` is for a
title the folder's name cannot or should not hold.

A folder with no settings file says nothing of its album: it takes the album's title and
description (written into a new file when the album has either), and never empties them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from pycsync import naming
from pycsync.metadata import Meta
from pycsync.metamerge import merge, settled_base
from pycsync.model import Direction, MetaConflict, PlaceInAlbum, Plan, RemoteAlbum, SyncAlbumMeta, join_key

__all__ = ["AlbumInputs", "own_album_title", "plan_albums"]

FIELDS = ("title", "description")


@dataclass(frozen=True)
class AlbumInputs:
    """What the caller read for the albums' metadata, beside the plan's own inputs."""

    # folder -> its own .pycsync.toml's [album] table (folders with a settings file only)
    declared: Mapping[str, Mapping[str, object]]
    bases: Mapping[str, Mapping[str, Any]]  # album id -> its base (albums whose metadata synced)
    folders: frozenset[str]  # the album folders holding files of the selection once the plan has run
    layout: str


def own_album_title(title: str | None, folder: str, layout: str, album_id: str = "") -> str | None:
    """``title`` unless it is only its folder's: the title pycsync gives the folder's album, or
    one the folder's name was made from (alone, or with the album's id)."""
    if title is None or not title.strip():
        return None
    if unicodedata.normalize("NFC", title) == naming.album_title_for_folder(folder, layout):
        return None
    derived = naming.folder_for_album(title, layout).casefold()
    if folder.casefold() in (derived, f"{derived} ({album_id})".casefold()):
        return None
    return title


def _meta(title: str | None, description: str) -> Meta:
    return Meta(title=title, description=description)


def _only_fields(base: Mapping[str, Any]) -> dict[str, Any]:
    return {name: base[name] for name in FIELDS if name in base}


def plan_albums(
    plan: Plan, remote_albums: Mapping[str, RemoteAlbum], inputs: AlbumInputs, direction: Direction
) -> Plan:
    """The plan with its albums' metadata added: a new album's description given at its
    creation, and a :class:`SyncAlbumMeta` for each album whose title or description changed on
    either side (see the module's docstring)."""
    push, pull = direction is not Direction.PULL, direction is not Direction.PUSH
    actions = []
    created: set[str] = set()
    for a in plan.actions:
        if isinstance(a, PlaceInAlbum) and a.album_id is None:
            created.add(a.folder)
            description = inputs.declared.get(a.folder, {}).get("description")
            if description:
                a = replace(a, description=str(description))
        actions.append(a)
    conflicts = list(plan.meta_conflicts)
    records: dict[str, dict[str, Any]] = {}
    for folder, album_id in sorted(plan.albums.items()):
        album = remote_albums.get(album_id)
        if album is None or folder in created or folder not in inputs.folders:
            continue
        default_title = naming.album_title_for_folder(folder, inputs.layout)
        remote = _meta(own_album_title(album.title, folder, inputs.layout, album_id), album.description)
        table = inputs.declared.get(folder)
        base = inputs.bases.get(album_id)
        if table is None:  # no settings file: it says nothing
            local, merge_base = _meta(None, ""), None
        else:
            title = own_album_title(str(table["title"]), folder, inputs.layout, album_id) if "title" in table else None
            local, merge_base = _meta(title, str(table.get("description", ""))), base
        merged = merge(local, remote, merge_base)
        to_remote = tuple(f for f in FIELDS if f in merged.to_remote) if push else ()
        to_local = tuple(f for f in FIELDS if f in merged.to_local) if pull else ()
        settings_file = join_key(folder, naming.SETTINGS_FILE)
        for c in merged.conflicts:
            conflicts.append(MetaConflict(settings_file, c.field, c.local, c.remote))
        here = merged.meta if to_local else local
        there = merged.meta if to_remote else remote
        settled = _only_fields(settled_base(merge_base, here, there))
        if not to_remote and not to_local:
            if settled != base:
                records[album_id] = settled
            continue
        actions.append(
            SyncAlbumMeta(
                folder=folder,
                album_id=album_id,
                title=merged.meta.title,
                description=merged.meta.description,
                default_title=default_title,
                to_remote=to_remote,
                to_local=to_local,
                base=settled,
            )
        )
    return replace(
        plan,
        actions=tuple(actions),
        meta_conflicts=tuple(conflicts),
        album_records={**plan.album_records, **records},
    )
