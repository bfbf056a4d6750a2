"""Which photos' metadata a run syncs, and how: pure, like the planner, and run on its plan.

The planner decides what happens to files and photos; this adds what happens to their metadata:

* a new upload sends what its file and sidecar say (``Upload.meta``); what Flickr cannot take
  from the upload itself follows once the run has read its uploads back (see the executor);
* a file a Download or CopyLocal brings here settles the photo's metadata once it is here
  (``ArrivingMeta``): a file with no sidecar takes Flickr's, written to a new sidecar when the
  file itself says otherwise;
* every other photo synced here, whose metadata changed on either side since it last synced
  (or never synced: a first sync), gets a :class:`~pycsync.model.SyncMeta` with its three-way
  merge (:mod:`pycsync.metamerge`). One changed on neither side costs nothing: the folder's side
  is known unchanged while the file and its sidecar are (the caller reads only the others), and
  Flickr's while its ``lastupdate`` is the one recorded.

The title is special: a photo with no title of its own shows its file name on Flickr, so a title
that is the file's name (with or without its extension) is no title, on either side.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from pycsync import naming
from pycsync.metadata import FIELDS, Meta, clean_tag, field_value, fields_equal, meta_from_listing, tag_set
from pycsync.metamerge import Merged, PhotoMeta, merge, settle
from pycsync.model import (
    Action,
    ArrivingMeta,
    Base,
    CopyLocal,
    DeletePhoto,
    Direction,
    Download,
    Forget,
    Link,
    LocalItem,
    MetaConflict,
    MoveLocal,
    MoveRemote,
    Plan,
    RemoteListing,
    RemotePhoto,
    RemoveFromAlbum,
    Replace,
    SyncMeta,
    TrashLocal,
    Upload,
    folder_of,
    name_of,
)

__all__ = ["LocalMeta", "own_title", "photo_meta", "plan_metadata", "settings_tags_out_of_view"]

OUTSIDE = "metadata changed here not written on Flickr: the photo also shows outside the selection"


@dataclass(frozen=True, slots=True)
class LocalMeta:
    """What a file read in this run says of its photo: the file alone, and with its sidecar."""

    embedded: Meta
    meta: Meta
    sig: str  # its sidecar's signature ("" for none)


@dataclass
class MetaInputs:
    """What the caller read for the metadata, beside the plan's own inputs."""

    local_meta: Mapping[str, LocalMeta]  # files read in this run (new, or changed since they synced)
    photo_meta: Mapping[str, PhotoMeta]  # the bases of the photos that may have changed
    updates: Mapping[str, tuple[int | None, bool]]  # every base: (last update, complete)
    sidecars: Mapping[str, str] = field(default_factory=dict)  # key -> sidecar signature now
    skip: frozenset[str] = frozenset()  # files whose metadata cannot be read this run
    # Flickr's time before which the listing holds every change (remote.py's ``since``). A last
    # update recorded from a photo changed at or after it is not trusted: Flickr's times are
    # whole seconds, and an edit in that very second would leave it as it was
    since: int | None = None
    # the clean tags the folders' settings files add: folder -> those its files add now, photo
    # id -> those they gave the photo before (see settings_tags_out_of_view)
    folder_tags: Mapping[str, frozenset[str]] = field(default_factory=dict)
    given_tags: Mapping[str, frozenset[str]] = field(default_factory=dict)


def own_title(title: str | None, names: Iterable[str], photo: RemotePhoto | None = None) -> str | None:
    """``title`` unless it is only the name of a file of the photo: that name, with or without
    its extension, or (``photo``) the name pycsync gives a photo of that title (``what?.jpg``
    as ``what_.jpg``, a namesake's ``beach (1234).jpg``). Flickr shows the file name when a
    photo has no title of its own, and such a title follows the file when it is renamed."""
    text = (title or "").strip()
    if not text:
        return None
    folded = text.casefold()
    derived: tuple[str, ...] = ()
    if photo is not None:
        safe = naming.title_name(text, photo.media, photo.original_format, photo.photo_id)
        apart = naming.disambiguate(safe, photo.photo_id, {safe.casefold()})
        derived = (naming.title_for_file(safe).strip().casefold(), naming.title_for_file(apart).strip().casefold())
    for name in names:
        if not name:
            continue
        stem = naming.title_for_file(name).strip().casefold()
        if folded in (name.strip().casefold(), stem) or stem in derived:
            return None
    return text


def _titled(meta: Meta, names: Iterable[str], photo: RemotePhoto | None = None) -> Meta:
    title = own_title(meta.title, names, photo)
    return meta if title == meta.title else replace(meta, title=title)


def photo_meta(photo: RemotePhoto, names: Iterable[str], kept: Iterable[str] = ()) -> Meta:
    """A photo's metadata as the listing says it (title: its own, tags: without ``kept``)."""
    meta = meta_from_listing(
        photo.title,
        photo.description,
        photo.tags,
        photo.date_taken,
        photo.granularity,
        photo.taken_unknown,
        photo.latitude,
        photo.longitude,
        photo.accuracy,
    )
    hidden = set(kept)
    if hidden:
        meta = replace(meta, tags=tuple(t for t in meta.tags if clean_tag(t) not in hidden))
    return _titled(meta, (*names, photo.file_name or ""), photo)


def settings_tags_out_of_view(given: Iterable[str], own: Iterable[str]) -> frozenset[str]:
    """The clean tags a photo's folder settings add (``given``) that its metadata does not see:
    pycsync's, like its machine tags, neither written into sidecars nor taken for tags added on
    Flickr; except those the folder's own metadata holds (``own``: a keyword typed in the photo
    is the user's, whether a setting also adds it or not). The same tag on a photo no setting
    tags is an ordinary tag."""
    return frozenset(given) - tag_set(own)


def _same(a: Meta, b: Meta) -> bool:
    return all(fields_equal(f, field_value(a, f), field_value(b, f)) for f in FIELDS)


class _MetaPlanner:
    def __init__(
        self,
        plan: Plan,
        local: Mapping[str, LocalItem],
        remote: RemoteListing,
        base: Base,
        inputs: MetaInputs,
        direction,
    ):
        self.plan = plan
        self.local = local
        self.remote = remote
        self.base = base
        self.inputs = inputs
        self.push = direction is not Direction.PULL
        self.pull = direction is not Direction.PUSH
        self.conflicts: list[MetaConflict] = []
        self.sigs: dict[str, str] = {}
        self.records: dict[str, PhotoMeta] = {}
        self.skipped: list[tuple[str, str]] = []
        self.known_names: dict[str, set[str]] = defaultdict(set)  # photo id -> its names in the base

    def trusted(self, last_update: int) -> int | None:
        """A photo's last update, when it can stand for "unchanged" in the next run."""
        since = self.inputs.since
        return last_update if since is not None and last_update < since else None

    def run(self) -> Plan:
        actions: list[Action] = []
        busy: set[str] = set()  # photos whose metadata an upload or an arriving file settles
        gone: set[str] = set()  # keys that leave the base in this plan
        moved: dict[str, str] = {}  # new key -> the key it was scanned under
        replaced: dict[str, str] = {}  # photo id -> the file replacing it
        linked: dict[str, list[str]] = defaultdict(list)  # photo id -> keys a Link adds
        conflict_copies = {a.key: a.src_key for a in self.plan.actions if isinstance(a, MoveLocal) and not a.photo_id}
        for a in self.plan.actions:
            if isinstance(a, Upload):
                a = replace(a, meta=self._upload_meta(a, conflict_copies))
            elif isinstance(a, (Download, CopyLocal)):
                busy.add(a.photo_id)
                a = replace(a, meta=self._arriving(a.photo_id, a.key, isinstance(a, Download) and a.overwrite))
            elif isinstance(a, (MoveLocal, MoveRemote)) and a.photo_id:
                moved[a.key] = a.src_key
                gone.add(a.src_key)
            elif isinstance(a, TrashLocal | Forget):
                gone.add(a.key)
            elif isinstance(a, (DeletePhoto, RemoveFromAlbum)):
                gone.update(a.forget)
                if isinstance(a, DeletePhoto):
                    busy.add(a.photo_id)
            elif isinstance(a, Replace):
                replaced[a.photo_id] = a.key
            elif isinstance(a, Link):
                linked[a.photo_id].append(a.key)
            actions.append(a)
        for photo_id, keys in sorted(self._synced(gone, moved, linked).items()):
            if photo_id in busy:
                continue
            action = self._sync(photo_id, sorted(keys), moved, replaced.get(photo_id))
            if action is not None:
                actions.append(action)
        return replace(
            self.plan,
            actions=tuple(actions),
            meta_conflicts=tuple(self.conflicts),
            meta_records=self.records,
            meta_sigs=self.sigs,
            skipped=(*self.plan.skipped, *self.skipped),
        )

    def _given_tags(self, photo_id: str, keys: Iterable[str]) -> frozenset[str]:
        """The clean tags the settings of the photo's folders add, or gave it before."""
        tags = set(self.inputs.given_tags.get(photo_id, ()))
        for key in keys:
            tags.update(self.inputs.folder_tags.get(folder_of(key), ()))
        return frozenset(tags)

    # ------------------------------------------------------------------ new photos and files

    def _upload_meta(self, a: Upload, copies: Mapping[str, str]) -> Meta | None:
        for key in a.keys:
            found = self.inputs.local_meta.get(copies.get(key, key))
            if found is not None:
                return _titled(found.meta, [name_of(key), a.file_name])
        return None  # (unreadable: Flickr reads the file itself)

    def _arriving(self, photo_id: str, key: str, replaces: bool) -> ArrivingMeta | None:
        photo = self.remote.photos.get(photo_id)
        if photo is None:
            return None
        base = self.inputs.photo_meta.get(photo_id)
        return ArrivingMeta(
            remote=photo_meta(
                photo, [name_of(key)], (base.kept if base else frozenset()) | self._given_tags(photo_id, [key])
            ),
            base=base,
            default_title=naming.title_for_file(name_of(key)),
            last_update=self.trusted(photo.last_update),
            push=self.push and photo_id not in self.plan.outside_photos,
            replaces=replaces,
        )

    # ------------------------------------------------------------------ photos synced here

    def _synced(self, gone: set[str], moved: Mapping[str, str], linked: Mapping[str, list[str]]) -> dict[str, set[str]]:
        """photo id -> its files here once the plan has run, for the photos that may need a
        merge: a file of it read in this run, Flickr's last update not the recorded one, or no
        complete base."""
        local_meta, updates, skip = self.inputs.local_meta, self.inputs.updates, self.inputs.skip
        # the photos that may need one, found without a set per photo (100,000s of them)
        candidates = {
            pid
            for pid, photo in self.remote.photos.items()
            if (known := updates.get(pid)) is None or not known[1] or known[0] != photo.last_update
        }
        candidates.update(self.base.items[k].photo_id for k in local_meta if k in self.base.items)
        candidates.update(self.base.items[old].photo_id for new, old in moved.items() if old in self.base.items)
        candidates.update(linked)
        keys: dict[str, set[str]] = defaultdict(set)
        for key, b in self.base.items.items():
            if b.photo_id not in candidates:
                continue
            self.known_names[b.photo_id].update(n for n in (b.name, name_of(key)) if n)
            if key in gone or key not in self.local or key in skip:
                continue
            keys[b.photo_id].add(key)
        for new, old in moved.items():
            was = self.base.items.get(old)
            if was is not None and new not in skip:
                keys[was.photo_id].add(new)
        for photo_id, added in linked.items():
            keys[photo_id].update(k for k in added if k not in skip)
        wanted: dict[str, set[str]] = {}
        for photo_id, files in keys.items():
            photo = self.remote.photos.get(photo_id)
            if photo is None or not files:
                continue
            known = updates.get(photo_id)
            if (
                known is None
                or not known[1]
                or known[0] != photo.last_update
                or any(k in local_meta or moved.get(k) in local_meta for k in files)
            ):
                wanted[photo_id] = files
        return wanted

    def _sync(self, photo_id: str, keys: list[str], moved: Mapping[str, str], replacing: str | None) -> SyncMeta | None:
        photo = self.remote.photos[photo_id]
        base = self.inputs.photo_meta.get(photo_id)
        # every name the photo had here when last synced too: a title derived from one of them
        # is pycsync's, even when no file of the photo has that name now (moved, or left the
        # selection, while a copy of another name linked to the photo)
        names = [name_of(k) for k in keys] + [name_of(moved[k]) for k in keys if k in moved]
        names += sorted(self.known_names.get(photo_id, ()))
        read: dict[str, LocalMeta] = {}
        for k in keys:  # (a file moved here was scanned under its new name; one moved by the plan, its old)
            scanned = self.inputs.local_meta.get(k) or self.inputs.local_meta.get(moved.get(k, ""))
            if scanned is not None:
                read[k] = scanned
        if base is not None and "title" in base.base:  # titles compare as the names are now
            base = replace(base, base={**base.base, "title": own_title(base.base["title"], names, photo)})

        def norm(meta: Meta) -> Meta:
            return _titled(meta, names, photo)

        found = norm(read[replacing].meta) if replacing in read else self._local_side(read, base, norm)
        if found is None:
            return None  # (no file read and no complete base: nothing to compare with)
        local = found
        hidden = settings_tags_out_of_view(self._given_tags(photo_id, keys), local.tags)
        remote = photo_meta(photo, names, (base.kept if base else frozenset()) | hidden)
        merged = merge(local, remote, base.base if base is not None else None)
        # every file of the photo whose own metadata differs from the merge gets it in its sidecar
        write = []
        for k in keys:
            mine = norm(read[k].meta) if k in read else (norm(base.as_meta()) if base and base.complete else None)
            if mine is None or not _same(mine, merged.meta):
                write.append(k)
        if not self.pull:
            write = []
        push = self.push
        if push and photo_id in self.plan.outside_photos and merged.changes_remote:
            # one photo on Flickr: writing its metadata would change it outside the selection too
            self.skipped.append((keys[0], OUTSIDE))
            push = False
        if not push:
            merged = replace(merged, to_remote=(), tags_add=(), tags_remove=frozenset())
        for c in merged.conflicts:
            self.conflicts.append(MetaConflict(keys[0], c.field, c.local, c.remote))
        sigs = {k: read[k].sig for k in read}
        if not write and not merged.changes_remote:
            # nothing to write but the state: recorded with the plan, no action
            kept = base.kept if base is not None else frozenset()
            record = settle(base, local, remote, self.trusted(photo.last_update), kept)
            if record != base:
                self.records[photo_id] = record
            self.sigs.update({k: sig for k, sig in sigs.items() if record.says(norm(read[k].meta))})
            return None
        return SyncMeta(
            photo_id=photo_id,
            keys=tuple(keys),
            local=local,
            remote=remote,
            merged=merged,
            base=base,
            write=tuple(write),
            push=push,
            default_title=naming.title_for_file(name_of(keys[0])),
            last_update=self.trusted(photo.last_update),
            sigs=sigs,
        )

    def _local_side(self, read: Mapping[str, LocalMeta], base: PhotoMeta | None, norm) -> Meta | None:
        """What the folder says of a photo: a file read in this run that differs from the base
        (the first, when several do), else any file read, else the base (files unchanged)."""
        known = norm(base.as_meta()) if base is not None and base.complete else None
        for key in sorted(read):
            mine = norm(read[key].meta)
            if known is None or not _same(mine, known):
                return mine
        if read:
            return norm(read[min(read)].meta)
        return known


def plan_metadata(
    plan: Plan,
    local: Mapping[str, LocalItem],
    remote: RemoteListing,
    base: Base,
    inputs: MetaInputs,
    direction: Direction = Direction.BOTH,
) -> Plan:
    """The plan with its metadata added (see the module's docstring)."""
    return _MetaPlanner(plan, local, remote, base, inputs, direction).run()


def merged_fields(merged: Merged) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(fields written on Flickr, fields written here) of a merge, in report order."""
    return merged.remote_fields(), merged.to_local
