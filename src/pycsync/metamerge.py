"""The three-way merge of one photo's metadata, field by field. Pure: no I/O.

Each field is compared on both sides with the *base*, its value when both sides last agreed (kept
in the state; unknown for a photo whose metadata never synced):

* the same on both sides: nothing to do;
* changed on one side only: that side wins;
* changed differently on both sides (or, with no base, set differently on both): **the folder
  wins**, and the field is reported as a conflict with both values. Editors keep their catalogue
  in the files and sidecars, and would write their value back anyway; the Flickr value is in the
  report. A metadata conflict never forks the photo;
* with no base, a value beats an empty field (a first sync loses nothing on either side); a date
  taken is never emptied (Flickr has no photo without one): an empty date takes the other's;
* tags are sets of clean forms: additions and removals from both sides are all applied (with no
  base, both sides' tags are kept), so tags never conflict.

Tags someone else added on Flickr are never removed there: a removal here leaves them on Flickr
and out of view here (``kept``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pycsync.metadata import FIELDS, Location, Meta, clean_tag, field_value, fields_equal, tag_set

__all__ = [
    "Base",
    "FieldConflict",
    "Merged",
    "PhotoMeta",
    "dump_base",
    "load_base",
    "merge",
    "settle",
    "settled_base",
]

#: a photo's base: field -> its value when both sides last agreed (fields not in it: unknown),
#: as :func:`pycsync.metadata.field_value` gives it, tags as their clean forms
Base = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class FieldConflict:
    field: str
    local: Any  # the folder's value (it wins)
    remote: Any  # Flickr's


@dataclass(frozen=True)
class Merged:
    """What one photo's merge decided."""

    meta: Meta  # what both sides hold once it is applied
    to_remote: tuple[str, ...] = ()  # fields to write on Flickr (besides tags)
    to_local: tuple[str, ...] = ()  # fields the folder does not say yet (tags included)
    tags_add: tuple[str, ...] = ()  # raw forms to add on Flickr
    tags_remove: frozenset[str] = frozenset()  # clean forms to remove from Flickr
    conflicts: tuple[FieldConflict, ...] = ()

    @property
    def changes_remote(self) -> bool:
        return bool(self.to_remote or self.tags_add or self.tags_remove)

    @property
    def changes_local(self) -> bool:
        return bool(self.to_local)

    @property
    def noop(self) -> bool:
        return not (self.changes_remote or self.changes_local)

    def remote_fields(self) -> tuple[str, ...]:
        """Every field written on Flickr, tags included, in report order."""
        wanted = set(self.to_remote) | ({"tags"} if self.tags_add or self.tags_remove else set())
        return tuple(f for f in FIELDS if f in wanted)


def _empty(name: str, value: Any) -> bool:
    if name == "tags":
        return not value
    return value is None or value == "" or (name == "title" and not str(value).strip())


def merge(local: Meta, remote: Meta, base: Base | None) -> Merged:
    """Merge the folder's and Flickr's metadata of one photo against its base (None: none)."""
    base = base or {}
    merged = local
    to_remote: list[str] = []
    to_local: list[str] = []
    conflicts: list[FieldConflict] = []
    for name in FIELDS:
        if name == "tags":
            continue
        mine, theirs = field_value(local, name), field_value(remote, name)
        if fields_equal(name, mine, theirs):
            continue
        if name == "taken" and (mine is None or theirs is None):
            # a photo on Flickr always has a date taken: an empty one says nothing, on either side
            winner = "remote" if mine is None else "local"
        elif name in base:
            was = base[name]
            if fields_equal(name, mine, was):
                winner = "remote"
            elif fields_equal(name, theirs, was):
                winner = "local"
            else:
                winner = "conflict"
        elif _empty(name, mine):
            winner = "remote"
        elif _empty(name, theirs):
            winner = "local"
        else:
            winner = "conflict"
        if winner == "remote":
            merged = merged.with_field(name, theirs)
            to_local.append(name)
        else:
            to_remote.append(name)
            if winner == "conflict":
                conflicts.append(FieldConflict(name, mine, theirs))
    tags, add, remove = _merge_tags(local.tags, remote.tags, base.get("tags"))
    merged = merged.with_field("tags", tags)
    if tag_set(tags) != tag_set(local.tags):
        to_local.append("tags")
    return Merged(
        meta=merged,
        to_remote=tuple(to_remote),
        to_local=tuple(f for f in FIELDS if f in to_local),
        tags_add=add,
        tags_remove=remove,
        conflicts=tuple(conflicts),
    )


def _merge_tags(
    local: Iterable[str], remote: Iterable[str], base: Iterable[str] | None
) -> tuple[tuple[str, ...], tuple[str, ...], frozenset[str]]:
    """(merged raw tags, raw tags to add on Flickr, clean tags to remove from Flickr).

    A tag in the base stays only while both sides keep it; a tag not in the base is kept when
    either side has it. The local spelling wins, then Flickr's."""
    raw: dict[str, str] = {}
    for tag in (*local, *remote):
        raw.setdefault(clean_tag(tag), tag)
    mine, theirs = tag_set(local), tag_set(remote)
    was = frozenset(base) if base is not None else frozenset()
    keep = {t for t in mine | theirs if t not in was or (t in mine and t in theirs)}
    ordered = [t for t in raw if t in keep]
    return (
        tuple(raw[t] for t in ordered),
        tuple(raw[t] for t in ordered if t not in theirs),
        frozenset(theirs - keep),
    )


def settled_base(old: Base | None, local: Meta, remote: Meta) -> dict[str, Any]:
    """The base once the two sides hold ``local`` and ``remote``: each field both sides agree on
    takes that value; a field they still disagree on keeps its old base (unknown if it had none),
    so the next run merges it again. Tags per tag, likewise."""
    old = old or {}
    out: dict[str, Any] = {}
    for name in FIELDS:
        if name == "tags":
            continue
        mine, theirs = field_value(local, name), field_value(remote, name)
        if fields_equal(name, mine, theirs):
            out[name] = mine if mine is not None or theirs is None else theirs
        elif name in old:
            out[name] = old[name]
    mine_tags, theirs_tags = tag_set(local.tags), tag_set(remote.tags)
    was = frozenset(old.get("tags", ()))
    out["tags"] = (mine_tags & theirs_tags) | (was & (mine_tags ^ theirs_tags))
    return out


# --------------------------------------------------------------------------- kept in the state


@dataclass(frozen=True)
class PhotoMeta:
    """One photo's metadata as the state keeps it."""

    base: dict[str, Any] = field(default_factory=dict)
    last_update: int | None = None  # Flickr's lastupdate when it was recorded (None: not known)
    kept: frozenset[str] = frozenset()  # clean tags others added on Flickr, removed here only

    @property
    def complete(self) -> bool:
        return all(name in self.base for name in FIELDS)

    def says(self, meta: Meta) -> bool:
        """Whether this base is complete and holds exactly ``meta`` (as fields compare)."""
        if not self.complete:
            return False
        for name in FIELDS:
            if name == "tags":
                if tag_set(meta.tags) != frozenset(self.base["tags"]):
                    return False
            elif not fields_equal(name, field_value(meta, name), self.base[name]):
                return False
        return True

    def as_meta(self) -> Meta:
        """The base as metadata (a complete base: what the folder says while it is unchanged)."""
        meta = Meta()
        for name, value in self.base.items():
            meta = meta.with_field(name, tuple(sorted(value)) if name == "tags" else value)
        return meta


def settle(
    old: PhotoMeta | None, local: Meta, remote: Meta, last_update: int | None, kept: frozenset[str] = frozenset()
) -> PhotoMeta:
    """A photo's record once the folder holds ``local`` and Flickr ``remote`` (see
    :func:`settled_base`). Flickr's ``last_update`` is kept only when Flickr says what the base
    says: until then the next run compares the photo again."""
    record = PhotoMeta(settled_base(old.base if old else None, local, remote), None, kept)
    if last_update is not None and record.says(remote):
        record = PhotoMeta(record.base, last_update, kept)
    return record


def dump_base(base: Base) -> str:
    out: dict[str, Any] = {}
    for name, value in base.items():
        if name == "location" and value is not None:
            value = [value.latitude, value.longitude, value.accuracy]
        elif name == "taken" and value is not None:
            value = list(value)
        elif name == "tags":
            value = sorted(value)
        out[name] = value
    return json.dumps(out, ensure_ascii=False, sort_keys=True)


def load_base(text: str) -> dict[str, Any]:
    """The base :func:`dump_base` wrote (fields it cannot make sense of are unknown)."""
    try:
        raw = json.loads(text)
    except ValueError:
        return {}
    out: dict[str, Any] = {}
    if not isinstance(raw, dict):
        return out
    for name, value in raw.items():
        if name not in FIELDS:
            continue
        try:
            if name == "location" and value is not None:
                value = Location(float(value[0]), float(value[1]), None if value[2] is None else int(value[2]))
            elif name == "taken" and value is not None:
                value = (str(value[0]), int(value[1]))
            elif name == "tags":
                value = frozenset(str(v) for v in value)
            elif value is not None:
                value = str(value)
        except (TypeError, ValueError, IndexError):
            continue
        out[name] = value
    return out
