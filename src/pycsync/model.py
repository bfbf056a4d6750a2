"""The values the sync engine passes around: listings of both sides, the base, and the plan.

Everything here is a frozen dataclass so the planner can stay pure: it reads these and returns a
Plan, and only the executor turns a Plan into I/O.

Keys: a local file is identified by its *key*, the NFC-normalised path relative to the sync root
with '/' separators (``"2019/Paris/IMG_0001.JPG"``). Its folder part (``"2019/Paris"``; ``""`` for
the root) is what maps to an album.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pycsync.metadata import Meta
    from pycsync.metamerge import Merged, PhotoMeta


def folder_of(key: str) -> str:
    """The folder part of a key ('' for files directly in the root)."""
    return key.rpartition("/")[0]


def name_of(key: str) -> str:
    return key.rpartition("/")[2]


def join_key(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


#: the name results are grouped under, per album, for files in no album (directly in the root)
NO_ALBUM = "(no album)"


# --------------------------------------------------------------------------- listings


@dataclass(frozen=True, slots=True)
class LocalItem:
    """One media file found under the root."""

    key: str
    path: str  # the path relative to the root as spelled on disk (may be NFD)
    size: int
    mtime_ns: int
    sha256: str
    hashed: bool = False  # True when the content was read in this scan (not taken from the base)


@dataclass(frozen=True, slots=True)
class RemotePhoto:
    """One photo or video in the Flickr account, as far as a listing tells."""

    photo_id: str
    title: str
    media: str  # "photo" | "video"
    original_format: str
    original_secret: str
    url_o: str
    last_update: int
    sha256: str | None = None  # from pycsync's machine tag, or the remote-hash cache
    file_name: str | None = None  # the exact local name pycsync uploaded it from (machine tag)
    album_ids: tuple[str, ...] = ()
    date_taken: str = ""
    # who may see it: public, friends, family, friends+family or private ("": not told)
    privacy: str = ""
    # its metadata as the listing says it (see pycsync.metadata.meta_from_listing)
    description: str = ""
    tags: str = ""  # the clean forms of its tags, machine tags included, space separated
    granularity: int = 0
    taken_unknown: bool = False
    latitude: float | None = None
    longitude: float | None = None
    accuracy: int | None = None


@dataclass(frozen=True, slots=True)
class RemoteAlbum:
    album_id: str
    title: str
    primary: str
    count: int
    date_update: int
    description: str = ""


@dataclass(frozen=True)
class RemoteListing:
    photos: Mapping[str, RemotePhoto]
    albums: Mapping[str, RemoteAlbum]
    # album id -> member photo ids in album order (only albums that were listed)
    members: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BaseItem:
    """What a key was when both sides last agreed about it."""

    key: str
    photo_id: str
    sha256: str
    size: int
    mtime_ns: int
    original_secret: str
    placed: bool = True  # False: uploaded, but not yet confirmed in its album
    # the photo's name when both sides last agreed: its name tag, or the name its title gives when
    # it has none (None: not known, a state from before names were kept). A file named after it
    # follows when another computer renames the photo (the name tag changes).
    name: str | None = None
    # the file's XMP sidecar when the photo's metadata last synced: "NAME|SIZE|MTIME_NS", "" for
    # none, None when not known. While it and the file are unchanged, so is the file's metadata
    # (it is not read again).
    meta_sig: str | None = None


@dataclass(frozen=True)
class Base:
    items: Mapping[str, BaseItem] = field(default_factory=dict)
    albums: Mapping[str, str] = field(default_factory=dict)  # folder -> album id

    def is_empty(self) -> bool:
        return not self.items


def _bulk_constructor(cls):
    """A positional constructor for a frozen slotted dataclass, for making 100,000s of them.

    The generated ``__init__`` of a frozen dataclass sets each field through
    ``object.__setattr__`` by name; this sets the slots directly, about twice as fast. It makes
    exactly the object ``cls(*args)`` would (no defaults: every field is given).
    """
    names = [f.name for f in dataclasses.fields(cls)]
    scope = {"new": object.__new__, "cls": cls, **{f"set_{n}": getattr(cls, n).__set__ for n in names}}
    body = "".join(f"    set_{n}(o, {n})\n" for n in names)
    exec(f"def make({', '.join(names)}):\n    o = new(cls)\n{body}    return o\n", scope)
    make = scope["make"]
    make.__doc__ = f"{cls.__name__}(...) with every field given, built fast."
    return make


# for the scan, the base and the listing: one of these per photo of a library
new_local_item = _bulk_constructor(LocalItem)
new_base_item = _bulk_constructor(BaseItem)
new_remote_photo = _bulk_constructor(RemotePhoto)


# --------------------------------------------------------------------------- policy


class Direction(StrEnum):
    BOTH = "both"
    PUSH = "push"
    PULL = "pull"


class Layout(StrEnum):
    NESTED = "nested"
    FLAT = "flat"


class Privacy(StrEnum):
    """Who may see a new upload (the ``privacy`` setting)."""

    PRIVATE = "private"
    FRIENDS = "friends"
    FAMILY = "family"
    FRIENDS_FAMILY = "friends+family"
    PUBLIC = "public"

    @property
    def visibility(self) -> tuple[int, int, int]:
        """The upload API's ``is_public``, ``is_friend`` and ``is_family`` for this setting."""
        audience = self.audience
        public = "anyone" in audience
        return int(public), int(not public and "friends" in audience), int(not public and "family" in audience)

    @property
    def audience(self) -> frozenset[str]:
        """Who may see the photo besides you: some of friends, family, anyone."""
        return _AUDIENCE[self]


_AUDIENCE = {
    Privacy.PRIVATE: frozenset(),
    Privacy.FRIENDS: frozenset({"friends"}),
    Privacy.FAMILY: frozenset({"family"}),
    Privacy.FRIENDS_FAMILY: frozenset({"friends", "family"}),
    Privacy.PUBLIC: frozenset({"friends", "family", "anyone"}),
}


@dataclass(frozen=True)
class Policy:
    direction: Direction = Direction.BOTH
    delete: bool = False
    max_delete_pct: float = 50.0
    can_delete_photos: bool = False  # the token has 'delete' permission
    layout: Layout = Layout.NESTED
    rebuilding: bool = False  # the base was lost and is being rebuilt from Flickr
    # the selection rules: whether a file's key is outside the selection (None: nothing is).
    # What is outside is invisible to the plan, on both sides.
    excluded: Callable[[str], bool] | None = None
    # folder -> the title its .pycsync.toml gives its album ([album] title): such a folder is
    # not named after its album, so an album renamed on Flickr does not rename it (the metadata
    # sync writes the new title into the file instead)
    album_titles: Mapping[str, str] = field(default_factory=dict)
    # albums whose title was their own (not their folder's) when their metadata last synced: their
    # folder is not renamed after them either (a title taken out of the file is pushed instead)
    titled_albums: frozenset[str] = frozenset()


# --------------------------------------------------------------------------- actions


@dataclass(frozen=True, slots=True)
class Upload:
    """Upload one local file as a new photo; every key in ``keys`` shares its content."""

    keys: tuple[str, ...]
    sha256: str
    size: int
    title: str
    file_name: str
    meta: Meta | None = None  # what the file and its sidecar say (None: metadata is not synced)


@dataclass(frozen=True, slots=True)
class Replace:
    key: str
    photo_id: str
    sha256: str
    size: int
    also_keys: tuple[str, ...] = ()  # other files of this photo that hold the same new content
    deleted_keys: tuple[str, ...] = ()  # files of this photo deleted here: their base follows along


@dataclass(frozen=True, slots=True)
class Download:
    """Fetch a photo's original into ``key`` (over an unchanged old version when ``overwrite``)."""

    key: str
    photo_id: str
    url: str
    original_secret: str
    media: str
    overwrite: bool = False
    trash_old: bool = False  # the local file there holds an edit: keep it in the trash first
    date_taken: str = ""  # "YYYY-MM-DD HH:MM:SS", local time: becomes the file's mtime
    meta: ArrivingMeta | None = None  # the photo's metadata, settled once the file is here
    placed: bool = True  # False: not yet in its album; a PlaceInAlbum in the same plan adds it


@dataclass(frozen=True, slots=True)
class CopyLocal:
    """The content is already here under ``src_key``: link or copy it to ``key``.

    An empty ``original_secret`` means a Replace in the same plan records the base for ``key``.
    """

    src_key: str
    key: str
    photo_id: str
    original_secret: str
    meta: ArrivingMeta | None = None  # the photo's metadata, settled once the file is here


@dataclass(frozen=True, slots=True)
class MoveLocal:
    src_key: str
    key: str
    photo_id: str | None  # None: a local-only rename (conflict copy), base not carried over
    name: str | None = None  # the photo's name to remember (a rename from another computer)


@dataclass(frozen=True, slots=True)
class MoveFolder:
    """The album for ``folder`` was renamed on Flickr: its files move to ``new_folder``.

    ``moves`` pairs every key of the folder (files here, and base entries of files deleted here)
    with its key in the new folder; the rest of the plan already uses the new keys. The folder
    itself is renamed when it holds nothing that belongs elsewhere (a subfolder with its own
    album), so files that are no photos move along.
    """

    folder: str
    new_folder: str
    album_id: str
    moves: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class TrashLocal:
    """Move a file to .pycsync/trash/. When Flickr's listing said its photo was deleted
    (``photo_id``) or left its album (``album_id``), the executor asks Flickr once more first:
    a listing that lags behind a fresh upload must not cost the file its place."""

    key: str
    photo_id: str = ""
    album_id: str = ""


@dataclass(frozen=True, slots=True)
class Link:
    """Both sides already hold the same content: only record it in the base."""

    key: str
    photo_id: str
    sha256: str
    original_secret: str
    placed: bool = True  # False: a PlaceInAlbum in the same plan still has to add it


@dataclass(frozen=True, slots=True)
class Confirm:
    """A first-sync match by name without a content tag: hash the remote original to decide."""

    key: str
    photo_id: str
    url: str
    original_secret: str
    local_sha256: str


@dataclass(frozen=True, slots=True)
class MoveRemote:
    """A local move or rename of unchanged content, mirrored on Flickr without re-uploading.

    The new album membership comes from a PlaceInAlbum in the same plan; this action then
    renames the photo (its name tag, and its title when pycsync derived it from the old name) if
    the file was named after it, takes it out of the old album and re-keys the base.
    """

    src_key: str
    key: str
    photo_id: str
    remove_from_album: str | None
    new_title: str | None
    new_name: str | None = None  # the photo's new name tag


@dataclass(frozen=True, slots=True)
class PlaceInAlbum:
    """Make the photos of these keys members of the album for ``folder`` (creating it if needed).

    A key's photo id may not exist yet (an upload in the same plan); the executor resolves it.
    """

    folder: str
    album_id: str | None
    title: str
    keys: tuple[str, ...]
    description: str = ""  # a new album's (from its folder's .pycsync.toml, with metadata)


@dataclass(frozen=True, slots=True)
class RemoveFromAlbum:
    album_id: str
    photo_ids: tuple[str, ...]
    forget: tuple[str, ...] = ()  # base keys to drop once Flickr confirms


@dataclass(frozen=True, slots=True)
class DeletePhoto:
    photo_id: str
    forget: tuple[str, ...] = ()  # base keys to drop once Flickr confirms


@dataclass(frozen=True, slots=True)
class ApplySettings:
    """Give a photo already on Flickr the settings its folder's .pycsync.toml now declares:
    ``changes`` holds (setting, what it had, what it gets), in the order the settings are listed
    (privacy, safety_level, content_type, hidden, license, tags). One call per changed setting
    (safety level and hidden share one); removing tags also reads the photo's tag ids."""

    photo_id: str
    key: str  # the file it is synced with
    changes: tuple[tuple[str, object, object], ...]


@dataclass(frozen=True, slots=True)
class Forget:
    """Both sides dropped the key: drop it from the base."""

    key: str


@dataclass(frozen=True, slots=True)
class ArrivingMeta:
    """The metadata of a photo whose file a Download or CopyLocal brings here: merged with what
    the file says once it is here (a file with no sidecar of its own takes Flickr's)."""

    remote: Meta  # what Flickr says
    base: PhotoMeta | None  # the photo's metadata base, if it has one
    default_title: str  # what Flickr shows for "no title of its own" (the file's name)
    last_update: int | None  # Flickr's, as listed (None: too recent to stand for "unchanged")
    push: bool = True  # a sidecar's fields that win may be written on Flickr (not in a pull)
    # the file replaces this photo's earlier version here (Flickr's was replaced): merged with
    # the base like any change; otherwise a file with no sidecar takes Flickr's metadata
    replaces: bool = False


@dataclass(frozen=True, slots=True)
class SyncMeta:
    """Bring one photo's metadata to what its three-way merge decided: the sidecars of ``write``
    here, the changed fields on Flickr (``push``), then its base in the state."""

    photo_id: str
    keys: tuple[str, ...]  # the photo's files here once the plan has run
    local: Meta  # what the folder says
    remote: Meta  # what Flickr says (tags others added there and removed here left out)
    merged: Merged
    base: PhotoMeta | None
    write: tuple[str, ...]  # the files whose sidecar is written (none in a push)
    push: bool  # Flickr's fields are written (not in a pull)
    default_title: str  # what Flickr shows for "no title of its own"
    last_update: int | None  # Flickr's, as listed (None: too recent to stand for "unchanged")
    sigs: Mapping[str, str] = field(default_factory=dict)  # key -> its sidecar as scanned (files read)


@dataclass(frozen=True, slots=True)
class SyncAlbumMeta:
    """Bring an album's title and description to what their three-way merge decided: the
    ``[album]`` table of its folder's ``.pycsync.toml`` here (``to_local``), the album on Flickr
    (``to_remote``: one photosets.editMeta), then its base in the state."""

    folder: str
    album_id: str
    title: str | None  # its own title once merged (None: its folder's name stands for it)
    description: str
    default_title: str  # what the album is titled when it has no title of its own
    to_remote: tuple[str, ...]  # fields written on Flickr
    to_local: tuple[str, ...]  # fields written in the folder's .pycsync.toml
    base: Mapping[str, object]  # the album's base once both sides hold the merge


@dataclass(frozen=True, slots=True)
class MetaConflict:
    """A field changed differently on both sides: the folder's value won."""

    key: str
    field: str
    local: object
    remote: object


Action = (
    Upload
    | Replace
    | Download
    | CopyLocal
    | MoveLocal
    | MoveFolder
    | TrashLocal
    | Link
    | Confirm
    | MoveRemote
    | PlaceInAlbum
    | RemoveFromAlbum
    | DeletePhoto
    | ApplySettings
    | Forget
    | SyncMeta
    | SyncAlbumMeta
)


class Phase(IntEnum):
    """The order a plan runs in, one phase after the other. A phase whose actions are
    independent of each other (``parallel``) runs them on the executor's thread pool."""

    MOVES = 0  # folders renamed after their albums (listed first), then files moved here
    COPIES = 1  # links and copies of content already here, hashes of originals, base records
    TRANSFERS = 2  # uploads, replaces, downloads; trashing (after the copies, which may read the file)
    ALBUMS = 3  # album placements (one album each)
    REMOTE_MOVES = 4
    METADATA = 5  # (after the moves: a moved file's sidecar has moved with it)
    REMOVALS = 6  # out of albums
    DELETIONS = 7  # of photos
    FORGET = 8

    @property
    def parallel(self) -> bool:
        return self in (Phase.COPIES, Phase.TRANSFERS, Phase.ALBUMS, Phase.METADATA)


PHASES: dict[type, Phase] = {
    MoveFolder: Phase.MOVES,
    MoveLocal: Phase.MOVES,
    CopyLocal: Phase.COPIES,
    Confirm: Phase.COPIES,
    Link: Phase.COPIES,
    ApplySettings: Phase.COPIES,  # (planned after the planner) before uploads: photos made public free room
    TrashLocal: Phase.TRANSFERS,
    Upload: Phase.TRANSFERS,
    Replace: Phase.TRANSFERS,
    Download: Phase.TRANSFERS,
    PlaceInAlbum: Phase.ALBUMS,
    MoveRemote: Phase.REMOTE_MOVES,
    SyncMeta: Phase.METADATA,
    SyncAlbumMeta: Phase.METADATA,
    RemoveFromAlbum: Phase.REMOVALS,
    DeletePhoto: Phase.DELETIONS,
    Forget: Phase.FORGET,
}


def phase(action: Action) -> Phase:
    return PHASES[type(action)]


def subject(action: Action) -> str:
    """What an action is reported under: its file's key (the first, for several), else its
    folder, photo or album."""
    for attr in ("key", "keys", "folder", "photo_id", "album_id"):
        value = getattr(action, attr, None)
        if value:
            return value[0] if isinstance(value, tuple) else value
    return ""


@dataclass(frozen=True, slots=True)
class ConflictNote:
    key: str
    reason: str
    kept_as: str


@dataclass(frozen=True)
class Plan:
    actions: tuple[Action, ...] = ()
    conflicts: tuple[ConflictNote, ...] = ()
    skipped: tuple[tuple[str, str], ...] = ()  # (key, why)
    abort: str | None = None  # a safety guard refused the plan; nothing may run
    albums: Mapping[str, str] = field(default_factory=dict)  # folder -> existing album id used
    # key -> the photo name to remember for files nothing else touches (see BaseItem.name)
    names: Mapping[str, str] = field(default_factory=dict)
    outside: tuple[str, ...] = ()  # keys of what Flickr holds outside the selection
    outside_photos: frozenset[str] = frozenset()  # photo ids that also show outside the selection
    # metadata: fields changed differently on both sides (the folder's value won); an album's
    # are reported under its folder's .pycsync.toml
    meta_conflicts: tuple[MetaConflict, ...] = ()
    # what a run records without writing anywhere but the state: photos whose metadata agrees
    # on both sides (their base, Flickr's last update) and the sidecars of files that say it
    meta_records: Mapping[str, PhotoMeta] = field(default_factory=dict)
    meta_sigs: Mapping[str, str] = field(default_factory=dict)  # key -> sidecar signature
    # album id -> its title and description base, where both sides agree and none was recorded
    album_records: Mapping[str, Mapping[str, object]] = field(default_factory=dict)

    def is_empty(self) -> bool:
        return not self.actions

    def count(self, kind: type) -> int:
        return sum(1 for a in self.actions if isinstance(a, kind))
