"""The pure decision step: (local, remote, base, policy) -> Plan. No I/O happens here.

Each key (a file path under the root) is classified on each side against the base, the state
both sides agreed on after the last run:

    local (:class:`Local`):   new | same | changed | deleted | absent
    remote (:class:`Remote`): new | same | changed | deleted | unplaced | absent

and the pair picks the action from :data:`DECISIONS`, the README's table as data (a test checks
that the two name the same rows). Before the per-key table runs, three passes match content
across keys so that nothing is transferred twice: local moves (a deleted key
whose content reappears under a new key) become album moves on Flickr, remote moves (a photo that
left one album and joined another) become local moves, and new local content that Flickr already
holds is linked to that photo instead of uploaded again.

The selection (``policy.excluded``) makes keys outside it invisible on both sides: a base entry
outside it is kept as it is and never decided on, a photo whose would-be path is outside it is
neither fetched nor named a deletion, a photo that also shows outside the selection is never
replaced or deleted, only taken out of the albums inside it, and no rename or move leads into
or out of it.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import cast

from pycsync import naming
from pycsync.model import (
    NO_ALBUM,
    Action,
    Base,
    Confirm,
    ConflictNote,
    CopyLocal,
    DeletePhoto,
    Direction,
    Download,
    Forget,
    Link,
    LocalItem,
    MoveFolder,
    MoveLocal,
    MoveRemote,
    PlaceInAlbum,
    Plan,
    Policy,
    RemoteAlbum,
    RemoteListing,
    RemotePhoto,
    RemoveFromAlbum,
    Replace,
    TrashLocal,
    Upload,
    folder_of,
    join_key,
    name_of,
    phase,
)

UP, DOWN = "up", "down"  # which side an action changes
_Uploads = dict[str, list[str]]  # content (sha256) -> the keys to upload it from


class Local(StrEnum):
    """A key in the folder, against the base."""

    NEW = "new"  # not in the base
    SAME = "same"
    CHANGED = "changed"
    DELETED = "deleted"  # in the base, not in the folder
    ABSENT = "absent"  # in neither (the key comes from Flickr)


class Remote(StrEnum):
    """A key on Flickr, against the base."""

    NEW = "new"  # a photo in the key's album the base does not know
    SAME = "same"
    CHANGED = "changed"  # replaced (a new original)
    DELETED = "deleted"  # gone, or gone from the album the base placed it in
    UNPLACED = "unplaced"  # there, but not yet placed in its album (an interrupted run)
    ABSENT = "absent"  # in neither (the key comes from the folder)


@dataclass(slots=True)
class _RemoteSide:
    """The remote side of one key."""

    status: Remote
    photo: RemotePhoto | None


@dataclass
class _Builder:
    """Collects actions with the side they change, so push/pull can filter them."""

    actions: list[tuple[str, Action]] = field(default_factory=list)
    placements: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    conflicts: list[ConflictNote] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def add(self, side: str, action: Action) -> None:
        self.actions.append((side, action))

    def place(self, key: str, album_folder: str) -> None:
        if album_folder:
            self.placements[album_folder].append(key)


def plan(local: Mapping[str, LocalItem], remote: RemoteListing, base: Base, policy: Policy) -> Plan:
    return _Planner(local, remote, base, policy).run()


class _Planner:
    def __init__(self, local, remote: RemoteListing, base: Base, policy: Policy):
        excluded = policy.excluded
        if excluded is not None and any(excluded(k) for k in local):  # (the scan leaves them out)
            local = {k: item for k, item in local.items() if not excluded(k)}
        self.local = local
        self.remote = remote
        self.base = base
        self.policy = policy
        self.layout = policy.layout.value
        self.excluded = excluded
        self.out = _Builder()
        self.folder_album, self.album_folder = self._map_albums()
        # albums renamed on Flickr: their folders are renamed first, and so are files another
        # computer renamed; the rest of the plan is made on the renamed tree (its keys, the
        # base's and the local listing's, rewritten)
        self.first_moves: list[MoveFolder | MoveLocal] = [*self._plan_folder_renames()]
        self._following: set[str] = set()  # new files renamed after the photo they moved with
        self.first_moves += self._follow_renames()
        self._keys_of: dict[str, list[str]] = defaultdict(list)  # photo id -> base keys
        for b in self.base.items.values():
            self._keys_of[b.photo_id].append(b.key)
        # base keys outside the selection: kept as they are, never decided on
        self._outside: frozenset[str] = frozenset(k for k in self.base.items if self._is_outside(k))
        # photo id -> base keys outside the selection where Flickr still shows it (so it is never
        # replaced or deleted, and stays in their albums)
        self._outside_shown: dict[str, list[str]] = defaultdict(list)
        for k in sorted(self._outside):
            if self.remote_side(k).status not in (Remote.DELETED, Remote.ABSENT):
                self._outside_shown[self.base.items[k].photo_id].append(k)
        # photo id -> would-be keys outside the selection of its placements the base does not know
        self._outside_new: dict[str, list[str]] = defaultdict(list)
        self.remote_new = self._new_placements()
        # filled while deciding
        self._moved_away: set[str] = set()  # keys a move empties in this plan
        self._remote_moves: list[tuple[str, str, RemotePhoto]] = []  # (file, its new key, the photo)
        self._trashed: set[str] = set()
        self._linked: dict[str, list[str]] = defaultdict(list)  # photo id -> keys that now show it
        self._replacing: set[str] = set()  # keys whose new content replaces their photo
        self._removals: dict[str, list[str]] = defaultdict(list)  # photo id -> keys deleted
        self._edit: dict[str, tuple] = {}
        self._replaced: set[str] = set()
        self._local_moves: list[tuple[str, str, str, str]] = []
        self._forks: list[tuple[str, RemotePhoto]] = []  # (key, the photo its edit leaves)

    @property
    def _local_by_sha(self) -> dict[str, list[str]]:
        """sha256 -> local keys holding it; built on first use (only downloads ask)."""
        index = self.__dict__.get("_local_by_sha_index")
        if index is None:
            index = defaultdict(list)
            for item in self.local.values():
                index[item.sha256].append(item.key)
            self._local_by_sha_index = index
        return index

    @property
    def _move_sources(self) -> set[str]:
        # rebuilt only when moves were added: it is asked once per kept file
        cached = self.__dict__.get("_move_sources_cache")
        if cached is None or cached[0] != len(self._local_moves):
            cached = (len(self._local_moves), {m[0] for m in self._local_moves})
            self._move_sources_cache = cached
        return cached[1]

    # ------------------------------------------------------------------ albums and placements

    def afolder(self, key: str) -> str:
        return naming.album_folder_for_key(key, self.layout)

    def _is_outside(self, key: str) -> bool:
        """Whether a file key is outside the selection (a key found locally is inside: the
        local listing was filtered, so only the others are matched against the rules)."""
        return self.excluded is not None and key not in self.local and self.excluded(key)

    def _outside_selection(self, key: str, photo: RemotePhoto) -> bool:
        """Whether the would-be file of ``photo`` at ``key`` is outside the selection. A video's
        file type is only known once it is fetched (the executor then names it by what Flickr
        serves), so a video is outside when any video name it could get is."""
        excluded = self.excluded
        if excluded is None:
            return False
        if excluded(key):
            return True
        if photo.media != "video" or photo.file_name == name_of(key):
            return False
        stem = key.rpartition(".")[0] or key
        return any(excluded(stem + ext) for ext in naming.VIDEO_EXTENSIONS)

    def _shows_outside(self, photo_id: str) -> bool:
        """Whether the photo also shows outside the selection (where this run must not touch it)."""
        return bool(self._outside_new.get(photo_id) or self._outside_shown.get(photo_id))

    def _crosses_selection(self, folder: str, target: str) -> bool:
        """Whether renaming ``folder`` to ``target`` would move a file into or out of the selection."""
        if self.excluded is None:
            return False
        for key in (*self.local, *self.base.items):
            if self.afolder(key) == folder and (self._is_outside(key) or self.excluded(target + key[len(folder) :])):
                return True
        return False

    def _map_albums(self) -> tuple[dict[str, str], dict[str, str]]:
        """folder <-> album id: remembered pairs first; then albums the base does not pin, each to
        an existing folder that holds its photos or carries its exact title (so a rebuilt state
        finds the folders it had, whatever their names); then the rest, in the user's album
        order, to a folder named after the title."""
        folder_album: dict[str, str] = {}
        album_folder: dict[str, str] = {}
        for folder, album_id in sorted(self.base.albums.items()):
            if album_id in self.remote.albums and album_id not in album_folder:
                folder_album[folder] = album_id
                album_folder[album_id] = folder
        # a folder (or parent folder) already spelled one way is reused with that spelling, so
        # titles differing only in letter case never make two folders that a case-insensitive
        # filesystem (macOS, Windows) would merge
        spelled: dict[str, str] = {}
        for folder in [*folder_album, *sorted({folder_of(k) for k in self.local})]:
            _add_spellings(spelled, folder)
        self._spelled = spelled
        for album_id, folder in self._match_existing_folders(folder_album, album_folder).items():
            folder_album[folder] = album_id
            album_folder[album_id] = folder
        mapped = {f.casefold() for f in folder_album}
        for album_id, album in self.remote.albums.items():
            if album_id in album_folder:
                continue
            folder = self._derived_folder(album)
            if folder.casefold() in mapped:
                folder = f"{folder} ({album_id})"
            folder_album[folder] = album_id
            album_folder[album_id] = folder
            mapped.add(folder.casefold())
            _add_spellings(spelled, folder)
        return folder_album, album_folder

    def _derived_folder(self, album: RemoteAlbum) -> str:
        """The folder an album's title gives, spelled like an existing folder that differs in case."""
        return _respell(naming.folder_for_album(album.title, self.layout), self._spelled)

    def _title_relation(self, album: RemoteAlbum, folder: str) -> tuple[bool, bool]:
        """(exact, derived): the folder gives exactly the album's title (its name, or the title
        its .pycsync.toml gives its album); or the album's title gives this folder (a safe name
        made from it, alone or with the album id)."""
        title = unicodedata.normalize("NFC", album.title)
        own = self.policy.album_titles.get(folder)
        exact = naming.album_title_for_folder(folder, self.layout) == title or (
            own is not None and unicodedata.normalize("NFC", own) == title
        )
        derived = self._derived_folder(album).casefold()
        return exact, folder.casefold() in (derived, f"{derived} ({album.album_id})".casefold())

    def _fits(self, folder: str, album: RemoteAlbum) -> bool:
        return any(self._title_relation(album, folder))

    def _match_existing_folders(self, folder_album: dict[str, str], album_folder: dict[str, str]) -> dict[str, str]:
        """album id -> an existing local folder, for albums no remembered pair maps.

        Evidence, strongest first: a folder named after the title with the album's id (it names
        that album alone, when another has the same title), files in the folder that the album
        holds (by content, or by name for photos whose content no tag tells), then the folder's
        exact title, then a folder named after the title. While the state is rebuilt, a folder
        whose name has nothing to do with the album's title (the album was renamed on Flickr and
        the state lost before the rename reached the folder) is taken when most of its new files
        are photos of the album that pycsync uploaded from files of exactly that name and
        content; never otherwise (a first sync keeps a folder of the same pictures as an album of
        its own).
        """
        unmapped = [a for a in self.remote.albums if a not in album_folder]
        if not unmapped or not self.local:
            return {}
        candidates, new_files = self._candidate_folders(folder_album)
        if not candidates:
            return {}
        evidence, uploaded_from = self._folder_evidence(unmapped, candidates, new_files)
        by_cf = {f.casefold(): f for f in candidates}
        pairs: dict[tuple[str, str], tuple[int, bool, bool]] = {}
        for album_id in unmapped:
            album = self.remote.albums[album_id]
            derived_name = self._derived_folder(album)
            for name in (unicodedata.normalize("NFC", album.title), derived_name, f"{derived_name} ({album_id})"):
                match = by_cf.get(name.casefold())
                if match is not None:
                    pairs[(album_id, match)] = (0, *self._title_relation(album, match))
        for (album_id, folder), found in evidence.items():
            exact, derived = self._title_relation(self.remote.albums[album_id], folder)
            strong = len(uploaded_from.get((album_id, folder), ()))
            if exact or derived:
                pairs[(album_id, folder)] = (len(found), exact, derived)
            elif self.policy.rebuilding and 2 * strong >= len(new_files[folder]) and strong:
                pairs[(album_id, folder)] = (strong, exact, derived)
        return self._pick_folders(pairs)

    def _candidate_folders(self, folder_album: dict[str, str]) -> tuple[set[str], dict[str, list[str]]]:
        """The local folders no remembered pair maps (with, under the nested layout, their
        parents), and each one's files not in the base."""
        mapped = {f.casefold() for f in folder_album}
        new_files: dict[str, list[str]] = defaultdict(list)  # candidate folder -> its files not in the base
        candidates: set[str] = set()
        for key in self.local:
            folder = self.afolder(key)
            if folder and folder.casefold() not in mapped:
                candidates.add(folder)
                if key not in self.base.items:
                    new_files[folder].append(key)
        if self.layout == "nested":  # a parent folder may be an album of its own
            for folder in list(candidates):
                while "/" in folder:
                    folder = folder_of(folder)
                    if folder.casefold() not in mapped:
                        candidates.add(folder)
        return candidates, new_files

    def _folder_evidence(
        self, unmapped: list[str], candidates: set[str], new_files: dict[str, list[str]]
    ) -> tuple[dict[tuple[str, str], set[str]], dict[tuple[str, str], set[str]]]:
        """(album id, folder) -> the folder's files the album holds: files synced as its photos
        (a pair is remembered once a run completes: not yet after a first sync's confirmed
        twins, or a run that stopped), new files by content, or by name for photos whose
        content no tag tells; and the strong kind of that evidence: photos pycsync uploaded from
        files of exactly that name and content."""
        by_sha: dict[str, list[str]] = defaultdict(list)
        by_name: dict[str, list[str]] = defaultdict(list)
        for keys in new_files.values():
            for k in keys:
                by_sha[self.local[k].sha256].append(k)
                by_name[name_of(k).casefold()].append(k)
        wanted = set(unmapped)
        synced = {b.photo_id for b in self.base.items.values()} if by_sha else set()
        evidence: dict[tuple[str, str], set[str]] = defaultdict(set)
        for key, b in self.base.items.items():
            photo, folder = self.remote.photos.get(b.photo_id), self.afolder(key)
            if photo is not None and key in self.local and folder in candidates:
                for album_id in photo.album_ids:
                    if album_id in wanted:
                        evidence[(album_id, folder)].add(key)
        uploaded_from: dict[tuple[str, str], set[str]] = defaultdict(set)  # the strong kind
        for photo in self.remote.photos.values() if by_sha else ():
            albums = [a for a in photo.album_ids if a in wanted]
            if not albums:
                continue
            if photo.sha256:
                hits = by_sha.get(photo.sha256, ())
            else:
                hits = by_name.get(naming.local_name(photo).casefold(), ())
            for k in hits:
                for album_id in albums:
                    evidence[(album_id, self.afolder(k))].add(k)
                    if photo.sha256 and name_of(k) == photo.file_name and photo.photo_id not in synced:
                        uploaded_from[(album_id, self.afolder(k))].add(k)
        return evidence, uploaded_from

    def _pick_folders(self, pairs: dict[tuple[str, str], tuple[int, bool, bool]]) -> dict[str, str]:
        """album id -> folder, from the scored (album, folder) pairs: each album and each folder
        once, the strongest pair first."""
        order = {a: i for i, a in enumerate(self.remote.albums)}

        def rank(pair: tuple[tuple[str, str], tuple[int, bool, bool]]) -> tuple:
            # a folder named after the title with the album's id (set apart from a namesake: it
            # names one album only) first; then the most files, the exact title, the derived name
            (album_id, folder), (score, exact, derived) = pair
            pinned = (
                folder.casefold() == f"{self._derived_folder(self.remote.albums[album_id])} ({album_id})".casefold()
            )
            return (not pinned, -score, not exact, not derived, order[album_id], folder)

        chosen: dict[str, str] = {}
        used: set[str] = set()
        for (album_id, folder), (score, exact, derived) in sorted(pairs.items(), key=rank):
            if (score or exact or derived) and album_id not in chosen and folder.casefold() not in used:
                chosen[album_id] = folder
                used.add(folder.casefold())
        return chosen

    def _titles_itself(self, folder: str, album_id: str) -> bool:
        """Whether the folder gives its album a title of its own (its .pycsync.toml does, or did
        when they last synced): then it is not named after its album."""
        return folder in self.policy.album_titles or album_id in self.policy.titled_albums

    def _plan_folder_renames(self) -> list[MoveFolder]:
        """Folders whose album was renamed on Flickr move to the folder the new title gives (as a
        folder renamed here moves its photos to a new album). Not in a push: it changes only
        Flickr. Rewrites the planner's view of both listings to the renamed tree.

        A rename that would move files into or out of the selection moves nothing: the album
        goes with the folder its new title gives all the same, so what it holds now is in the
        selection or not as that folder is, and the files here stay where they are (those inside
        the selection then read as moved on Flickr out of it, and are reported)."""
        taken = {f.casefold() for f in self.folder_album}
        renames: dict[str, tuple[str, str]] = {}
        regrouped: dict[str, tuple[str, str]] = {}  # only the album goes (across the selection)
        for folder, album_id in sorted(self.folder_album.items()):
            album = self.remote.albums[album_id]
            if not folder or self._fits(folder, album) or self._titles_itself(folder, album_id):
                continue
            target = self._derived_folder(album)
            if target.casefold() in taken:
                target = f"{target} ({album_id})"
            if target.casefold() in taken:
                continue
            if self._crosses_selection(folder, target):
                regrouped[folder] = (target, album_id)
            elif self.policy.direction is not Direction.PUSH:
                renames[folder] = (target, album_id)
            else:
                continue
            taken.add(target.casefold())
        for folder, (target, album_id) in (*renames.items(), *regrouped.items()):
            del self.folder_album[folder]
            self.folder_album[target] = album_id
            self.album_folder[album_id] = target
        return self._rewrite_keys(renames) if renames else []

    def _rewrite_keys(self, renames: dict[str, tuple[str, str]]) -> list[MoveFolder]:
        moving = sorted(k for k in {*self.local, *self.base.items} if self.afolder(k) in renames)
        gone = set(moving)
        taken: dict[str, set[str]] = defaultdict(set)  # folder -> casefolded names staying in it
        for key in (*self.local, *self.base.items):
            if key not in gone:
                taken[folder_of(key)].add(name_of(key).casefold())
        pairs: dict[str, list[tuple[str, str]]] = defaultdict(list)
        new_of: dict[str, str] = {}
        for key in moving:
            old_folder = self.afolder(key)
            new = renames[old_folder][0] + key[len(old_folder) :]
            folder, name = folder_of(new), name_of(new)
            if name.casefold() in taken[folder]:  # the target folder has a file of that name
                b = self.base.items.get(key)
                name = naming.disambiguate(name, b.photo_id if b else self.local[key].sha256[:8], taken[folder])
                new = join_key(folder, name)
            taken[folder].add(name.casefold())
            new_of[key] = new
            pairs[old_folder].append((key, new))
        self._rekey(new_of)
        return [MoveFolder(f, renames[f][0], renames[f][1], tuple(moves)) for f, moves in sorted(pairs.items())]

    def _rekey(self, new_of: dict[str, str], names: Mapping[str, str] = {}) -> None:
        """The planner's view of both listings with these keys renamed (as a move will rename them
        before anything else runs); ``names``: photo names the moved base entries take."""
        local = dict(self.local)
        for old, new in new_of.items():
            item = local.pop(old, None)
            if item is not None:
                local[new] = dataclasses.replace(item, key=new, path=new)
        items = dict(self.base.items)
        for old, new in new_of.items():
            b = items.pop(old, None)
            if b is not None:
                items[new] = dataclasses.replace(b, key=new, name=names.get(old, b.name))
        self.local, self._local_copied = local, True
        self.base = Base(items, self.base.albums)

    def _photo_folders(self, photo: RemotePhoto) -> list[str]:
        folders = [self.album_folder[a] for a in photo.album_ids if a in self.album_folder]
        return folders if photo.album_ids else [""]

    def _new_placements(self) -> dict[str, RemotePhoto]:
        """key -> photo for every (photo, album folder) pair the base does not know yet.

        A new placement takes the name of a local file not in the base when the names match
        case-insensitively, so that the two are compared instead of both transferred.
        """
        # an upload whose album placement did not finish waits unsorted: that is no root file
        unplaced = {b.photo_id for b in self.base.items.values() if not b.placed}

        def known(photo_id: str, folder: str) -> bool:
            # (not a set of every base item's (photo, folder): 100,000s of tuples for a lookup)
            keys = self._keys_of.get(photo_id)
            if not keys:
                return False
            return (not folder and photo_id in unplaced) or any(self.afolder(k) == folder for k in keys)

        built: list[_NameIndexes] = []

        def name_indexes() -> _NameIndexes:  # (only built for new placements)
            if not built:
                built.append(self._name_indexes())
            return built[0]

        claimed: set[str] = set()

        def first(keys: Iterable[str], *preferred: str | None) -> str | None:
            free = [k for k in keys if k not in claimed]
            for name in preferred:
                hit = next((k for k in free if name_of(k) == name), None)
                if hit is not None:
                    return hit
            return free[0] if free else None

        placements: dict[str, RemotePhoto] = {}
        for photo_id in sorted(self.remote.photos, key=_id_order):
            photo = self.remote.photos[photo_id]
            for folder in self._photo_folders(photo):
                if known(photo_id, folder):
                    continue
                indexes = name_indexes()
                taken = indexes[0]
                name = naming.local_name(photo)
                twin = None
                # only a photo the base does not know can be the twin of a new local file; a known
                # photo showing up in another folder was moved or copied there on Flickr
                if photo_id not in self._keys_of:
                    twin = _twin(photo, folder, name, indexes, first)
                if twin is not None:
                    claimed.add(twin)
                else:
                    # (the name is taken even outside the selection: names never depend on it)
                    name = naming.disambiguate(name, photo_id, taken[folder])
                    twin = join_key(folder, name)
                    taken[folder].add(name.casefold())
                    if self._outside_selection(twin, photo):
                        self._outside_new[photo_id].append(twin)
                        continue
                placements[twin] = photo
        return placements

    def _name_indexes(self) -> _NameIndexes:
        """Names taken per folder, and local files not in the base by album folder (in the flat
        layout a twin may be deeper) and name, loose name and content."""
        taken: dict[str, set[str]] = defaultdict(set)
        by_name: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        loose: dict[str, dict[tuple[str, str], list[str]]] = defaultdict(lambda: defaultdict(list))
        by_sha: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for key in self.base.items:
            taken[folder_of(key)].add(name_of(key).casefold())
        unbased = []
        for key in self.local:
            taken[folder_of(key)].add(name_of(key).casefold())
            if key not in self.base.items:
                unbased.append(key)
        for key in sorted(unbased):
            if key in self._following:
                continue
            folder, name = self.afolder(key), name_of(key)
            by_name[folder][name.casefold()].append(key)
            loose[folder][_loose_name(name)].append(key)
            by_sha[folder][self.local[key].sha256].append(key)
        return taken, by_name, loose, by_sha

    # ------------------------------------------------------------------ classification

    def local_status(self, key: str) -> Local:
        item, b = self.local.get(key), self.base.items.get(key)
        if b is None:
            return Local.NEW if item else Local.ABSENT
        if item is None:
            return Local.DELETED
        return Local.SAME if item.sha256 == b.sha256 else Local.CHANGED

    def remote_side(self, key: str) -> _RemoteSide:
        b = self.base.items.get(key)
        if b is None:
            photo = self.remote_new.get(key)
            return _RemoteSide(Remote.NEW if photo else Remote.ABSENT, photo)
        photo = self.remote.photos.get(b.photo_id)
        if photo is None:
            return _RemoteSide(Remote.DELETED, None)
        folder = self.afolder(key)
        if folder:
            present = self.folder_album.get(folder) in photo.album_ids
        else:
            # a root file is "in no album"; but when the same content also lives in an album
            # folder (one photo for both files) the photo's existence is all the root can ask
            present = not photo.album_ids or len(self._keys_of[b.photo_id]) > 1
        same = photo.original_secret == b.original_secret
        if not present and b.placed:
            return _RemoteSide(Remote.DELETED, photo)
        if not present and same:
            return _RemoteSide(Remote.UNPLACED, photo)
        # (not yet in its album, and replaced since: changed, and placed by _place_changed_unplaced)
        return _RemoteSide(Remote.SAME if same else Remote.CHANGED, photo)

    # ------------------------------------------------------------------ the run

    def run(self) -> Plan:
        for move in self.first_moves:
            self.out.add(DOWN, move)
        keys = sorted(set(self.local) | (set(self.base.items) - self._outside) | set(self.remote_new))
        local_st = {k: self.local_status(k) for k in keys}
        remote_st = {k: self.remote_side(k) for k in keys}
        done: set[str] = set()

        self._match_remote_moves(keys, local_st, remote_st, done)
        self._plan_edits(local_st, remote_st)
        self._match_local_moves(keys, local_st, remote_st, done)
        self._follow_local_renames(keys, local_st, remote_st, done)
        self._emit_remote_moves()
        self._match_known_content(keys, local_st, remote_st, done)
        uploads: dict[str, list[str]] = defaultdict(list)

        for key in keys:
            if key in done:
                continue
            self._decide(key, local_st[key], remote_st[key], uploads)
        self._place_changed_unplaced(keys, remote_st)

        # what is uploaded or linked is known before any album is asked whether it keeps a photo:
        # a file linked to a photo here shows it here
        landed = self._content_index(remote_st) if uploads else {}
        busy = self._replaced | set(self._removals)
        adopted: set[str] = set()
        for sha, group in uploads.items():
            photo = landed.get(sha)
            if photo is not None and photo.photo_id not in busy:
                # Flickr already holds this exact content (an upload whose answer a crash lost, or
                # the same edit made on both sides): link to it, never a second photo
                self._link_existing(group, photo, sha)
                adopted.add(photo.photo_id)
                continue
            first = self.local[group[0]]
            self.out.add(
                UP,
                Upload(
                    keys=tuple(group),
                    sha256=sha,
                    size=first.size,
                    title=naming.title_for_file(name_of(first.key)),
                    file_name=name_of(first.key),
                ),
            )
            for key in group:
                self.out.place(key, self.afolder(key))
        self._unfetch_linked_placements(adopted)
        self._emit_fork_removals()
        self._emit_local_moves()
        self._plan_removals()
        return self._finish()

    def _place_changed_unplaced(self, keys: list[str], remote_st: Mapping[str, _RemoteSide]) -> None:
        """A photo not yet in its album (a run that uploaded it could not place it) and replaced
        on Flickr since is decided as changed; where the file keeps it (fetched over it, replaced,
        kept beside a conflict copy), it still goes into the folder's album."""
        for key in keys:
            b, r = self.base.items.get(key), remote_st[key]
            if b is None or b.placed or r.status != Remote.CHANGED or r.photo is None:
                continue
            folder = self.afolder(key)
            if not folder or self.folder_album.get(folder) in r.photo.album_ids:
                continue
            keeps = False
            for i, (side, a) in enumerate(self.out.actions):
                if getattr(a, "key", None) != key or getattr(a, "photo_id", None) != b.photo_id:
                    continue
                keeps = True
                if isinstance(a, Download):  # (placed once the PlaceInAlbum says so)
                    self.out.actions[i] = (side, dataclasses.replace(a, placed=False))
            if keeps:
                self.out.place(key, folder)

    def _unfetch_linked_placements(self, adopted: set[str]) -> None:
        """Photos just linked to the files they were uploaded from are shown by those files: their
        placements beside those files, and their root placement when they wait in no album (the
        files' albums take them in), are not fetched as well (a second copy of each file)."""
        fetches: set[str] = set()
        for k, photo in self.remote_new.items():
            if photo.photo_id in adopted and k not in self.local:
                folder = self.afolder(k)  # ('' only for a photo in no album)
                if not folder or folder in map(self.afolder, self._linked[photo.photo_id]):
                    fetches.add(k)
        self.out.actions = [(side, a) for side, a in self.out.actions if getattr(a, "key", None) not in fetches]
        for k in fetches:
            del self.remote_new[k]

    def _link_existing(self, keys: list[str], photo: RemotePhoto, sha: str) -> None:
        for key in keys:
            folder = self.afolder(key)
            placed = not folder or self.folder_album.get(folder) in photo.album_ids
            self.out.add(UP, Link(key, photo.photo_id, sha, photo.original_secret, placed))
            self._linked[photo.photo_id].append(key)
            if not placed:
                self.out.place(key, folder)

    def _match_local_moves(self, keys, local_st, remote_st, done) -> None:
        """A deleted key whose exact content shows up under a new key was moved or renamed."""
        arrivals: dict[str, list[str]] = defaultdict(list)
        for k in keys:
            if local_st[k] == Local.NEW and remote_st[k].status == Remote.ABSENT:
                arrivals[self.local[k].sha256].append(k)
        for k in keys:
            r = remote_st[k]
            if local_st[k] != Local.DELETED or r.status not in (Remote.SAME, Remote.UNPLACED):
                continue
            b = self.base.items[k]
            candidates = arrivals.get(b.sha256)
            if not candidates or any(local_st.get(o) == Local.CHANGED for o in self._keys_of[b.photo_id]):
                continue
            dst = candidates.pop(0)
            if self.afolder(dst) != self.afolder(k) or r.status == Remote.UNPLACED:
                self.out.place(dst, self.afolder(dst))
            self._local_moves.append((k, dst, b.photo_id, r.status))
            self._linked[b.photo_id].append(dst)
            done.update((k, dst))

    def _emit_local_moves(self) -> None:
        """MoveRemote actions, once every decision is known: the old album keeps the photo
        while anything else in its folder still shows it."""
        for k, dst, photo_id, status in self._local_moves:
            old_folder, new_folder = self.afolder(k), self.afolder(dst)
            remove_from = None
            if old_folder != new_folder and old_folder and status == Remote.SAME:
                stays = any(
                    o != k and self.afolder(o) == old_folder and self._still_shows(o) for o in self._keys_of[photo_id]
                ) or any(self.afolder(o) == old_folder for o in self._linked[photo_id])
                remove_from = None if stays else self.folder_album.get(old_folder)
            new_title = new_name = None
            if self._renaming.get(photo_id) == dst:  # the file named after the photo: it is renamed
                photo = self.remote.photos[photo_id]
                if name_of(dst) != photo.file_name:
                    new_name = name_of(dst)
                title = naming.title_for_file(name_of(dst))
                if title != photo.title and self._title_follows(photo, name_of(k)):
                    new_title = title
            self.out.add(UP, MoveRemote(k, dst, photo_id, remove_from, new_title, new_name))

    # ------------------------------------------------------------------ photo names

    @staticmethod
    def _photo_name(photo: RemotePhoto) -> str:
        """A photo's name, as the base remembers it: its name tag, else the name its title gives."""
        return photo.file_name or naming.title_name(photo.title, photo.media, photo.original_format, photo.photo_id)

    @staticmethod
    def _named_after(file_name: str, name: str | None, photo_id: str) -> bool:
        """Whether a file is named after the photo name ``name`` as pycsync names files: that name
        or its safe form, alone or with the photo id that sets it apart from a namesake, in any
        letter case or spelling of its extension."""
        if not name:
            return False
        safe = naming.name_from_tag(name, photo_id) or name
        apart = naming.disambiguate(safe, photo_id, {safe.casefold()})
        return file_name.casefold() in (name.casefold(), safe.casefold(), apart.casefold()) or _loose_name(
            file_name
        ) == _loose_name(safe)

    def _title_follows(self, photo: RemotePhoto, old_name: str) -> bool:
        """Did pycsync derive the photo's title from its file name (the old one, or the one its
        name tag holds)? Only then does a rename retitle it: a title the user gave is theirs."""
        for name in (old_name, photo.file_name):
            if name and (
                photo.title in (naming.title_for_file(name), name)
                or self._named_after(
                    name,
                    naming.title_name(photo.title, photo.media, photo.original_format, photo.photo_id),
                    photo.photo_id,
                )
            ):
                return True
        return False

    def _kept_after_leaving(self, photo: RemotePhoto) -> bool:
        """For a file whose photo left its album on Flickr: whether the file stays as it is, still
        named after the photo (so it follows the photo's renames like the files that show it).

        Not when the photo went to a place the last sync did not know (it was moved on Flickr:
        the move takes the new name along), nor with --delete (the file goes to the trash)."""
        if self.policy.delete:
            return False
        folders = self.__dict__.get("_base_folders")
        if folders is None:  # photo id -> the album folders of its base keys (the same after any rekey)
            folders = defaultdict(set)
            for b in self.base.items.values():
                folders[b.photo_id].add(self.afolder(b.key))
            self._base_folders = folders
        return all(f in folders[photo.photo_id] for f in self._photo_folders(photo))

    def _follow_renames(self) -> list[MoveLocal]:
        """Files named after a photo that another computer renamed (its name tag changed since the
        file last synced) are renamed first, edited or not; the rest of the plan is made on the
        new names. Not in a push: it changes only Flickr."""
        if self.policy.direction is Direction.PUSH:
            return []
        found = self._renamed_elsewhere()
        if not found:
            return []
        photos = self.remote.photos
        # a file moved here (deleted, its content new elsewhere under the same name) is renamed
        # where it went
        arrivals: dict[tuple[str, str], list[str]] = defaultdict(list)
        if any(k not in self.local for k in found):
            for key, item in self.local.items():
                if key not in self.base.items:
                    arrivals[(item.sha256, name_of(key))].append(key)
        renames: dict[str, tuple[str, str]] = {}
        taken: dict[str, set[str]] = defaultdict(set)
        for k in sorted(found):
            b = self.base.items[k]
            if k not in self.local:
                moved = arrivals.get((b.sha256, name_of(k)))
                if not moved:
                    continue
                k = moved.pop(0)
            new = photos[b.photo_id].file_name or ""
            target = naming.name_from_tag(new, b.photo_id)
            if target is None or not self._named_after(name_of(k), b.name, b.photo_id):
                continue
            if self._named_after(name_of(k), new, b.photo_id):
                continue  # renamed alike here already
            if not taken:
                for key in (*self.local, *self.base.items):
                    taken[folder_of(key)].add(name_of(key).casefold())
            folder = folder_of(k)
            target = naming.disambiguate(target, b.photo_id, taken[folder])
            if self.excluded is not None and self.excluded(join_key(folder, target)):
                self.out.skipped.append(
                    (k, f"renamed elsewhere to {target!r}, outside the selection; not renamed here")
                )
                continue
            taken[folder].add(target.casefold())
            renames[k] = (join_key(folder, target), new)
        if not renames:
            return []
        self._rekey({k: dst for k, (dst, _) in renames.items()}, {k: name for k, (_, name) in renames.items()})
        # a moved file renamed after its photo is that photo's file (the local move is matched by
        # content later): never a new photo's namesake (see _new_placements)
        self._following = {dst for k, (dst, _) in renames.items() if k not in self.base.items}
        return [
            MoveLocal(k, dst, self.base.items[dst].photo_id if dst in self.base.items else None, name)
            for k, (dst, name) in sorted(renames.items())
        ]

    def _renamed_elsewhere(self) -> list[str]:
        """Base keys whose photo's name tag changed since the file last synced, and that the
        rename is for (the file still shows the photo, or left with it)."""
        photos, found = self.remote.photos, []
        for k, b in self.base.items.items():  # (cheap tests first: this runs over every file)
            photo = photos.get(b.photo_id)
            if b.name is None or photo is None or not photo.file_name or photo.file_name == b.name:
                continue  # (an unknown old name, a state from before names were kept: learnt, not acted on)
            if self._is_outside(k):
                continue  # (outside the selection: followed once it is inside)
            folder = self.afolder(k)
            # (a photo that left the file's album: see _kept_after_leaving)
            shows = self.folder_album.get(folder) in photo.album_ids if folder else True
            if k not in self.local or shows or self._kept_after_leaving(photo):
                found.append(k)
        if not found:
            return []
        shown = Counter(b.photo_id for b in self.base.items.values())
        # a file in the root shows a photo in no album, or one that also has a file in an album
        return [
            k
            for k in found
            if self.afolder(k)
            or not photos[self.base.items[k].photo_id].album_ids
            or shown[self.base.items[k].photo_id] > 1
        ]

    def _follow_local_renames(self, keys, local_st, remote_st, done) -> None:
        """A photo renamed here through one of its files (the one named after it) is renamed on
        Flickr; its other files named after it follow it at once, as they will elsewhere."""
        self._renaming: dict[str, str] = {}  # photo id -> the local move (its new key) that renames it
        for k, dst, photo_id, _ in sorted(self._local_moves, key=lambda m: m[1]):
            b = self.base.items[k]
            old = b.name if b.name is not None else self._photo_name(self.remote.photos[photo_id])
            if (
                photo_id not in self._renaming
                and name_of(k) != name_of(dst)
                and self._named_after(name_of(k), old, photo_id)
            ):
                self._renaming[photo_id] = dst
        if not self._renaming or self.policy.direction is Direction.PUSH:
            return
        taken: dict[str, set[str]] = {}
        for k in keys:
            if k in done or local_st[k] != Local.SAME:
                continue
            b, photo = self.base.items[k], remote_st[k].photo
            shows = remote_st[k].status in (Remote.SAME, Remote.CHANGED)
            if not shows and not (remote_st[k].status == Remote.DELETED and photo and self._kept_after_leaving(photo)):
                continue
            renaming = self._renaming.get(b.photo_id)
            if renaming is None or b.name is None:
                continue
            new = name_of(renaming)
            if not self._named_after(name_of(k), b.name, b.photo_id) or self._named_after(name_of(k), new, b.photo_id):
                continue
            target = naming.name_from_tag(new, b.photo_id)
            if target is None:
                continue
            if not taken:
                for key in (*self.local, *self.base.items, *self.remote_new):
                    taken.setdefault(folder_of(key), set()).add(name_of(key).casefold())
            folder = folder_of(k)
            target = naming.disambiguate(target, b.photo_id, taken.setdefault(folder, set()))
            dst = join_key(folder, target)
            if self.excluded is not None and self.excluded(dst):
                continue  # (its new name is outside the selection: it keeps its name)
            taken[folder].add(target.casefold())
            self.out.add(DOWN, MoveLocal(k, dst, b.photo_id, new))
            if remote_st[k].status == Remote.CHANGED:
                self.out.add(DOWN, _download(dst, photo, overwrite=True))
            self._moved_away.add(k)
            if shows:
                self._linked[b.photo_id].append(dst)
            done.update((k, dst))

    def _names_to_remember(self, touched: set[str], renamed: Mapping[str, str]) -> dict[str, str]:
        """Photo names for files no action records: a name not known yet (a state from before
        names were kept), or a photo renamed to the name its file already has.

        The name is the photo's once the plan ran: where the plan itself renames the photo
        (``renamed``: photo id -> new name), the listing's name is already gone, and a file that
        will not follow the rename (it is not named after the photo) takes the new name too, so
        that no later run reads the rename as one made elsewhere."""
        names: dict[str, str] = {}
        photos = self.remote.photos
        left_behind = {photo.photo_id for _, _, photo in self._remote_moves}
        for key, b in self.base.items.items():
            photo = photos.get(b.photo_id)
            if photo is None or key in touched or key in self._outside:
                continue
            new = renamed.get(b.photo_id)
            name = new or photo.file_name
            if not name or b.name == name:
                continue
            if b.name is None or self._named_after(name_of(key), name, b.photo_id):
                names[key] = name  # (not known yet: the photo's name tag, as new names are)
            elif new and not self._named_after(name_of(key), b.name, b.photo_id):
                names[key] = new
            elif b.photo_id in left_behind:
                # a file its photo left when it moved on Flickr (another file took the new name
                # along): it stays as it is, and no later run reads the rename as news
                names[key] = name
        return names

    def _match_remote_moves(self, keys, local_st, remote_st, done) -> None:
        """A photo that left a key's album and appeared at a new key was moved on Flickr."""
        departed: dict[str, list[str]] = defaultdict(list)
        for k in keys:
            if k in done:
                continue
            if local_st[k] == Local.SAME and remote_st[k].status == Remote.DELETED and remote_st[k].photo:
                departed[remote_st[k].photo.photo_id].append(k)
        for k in keys:
            if k in done or local_st[k] != Local.ABSENT or remote_st[k].status != Remote.NEW:
                continue
            sources = departed.get(remote_st[k].photo.photo_id)
            if not sources:
                continue
            src = sources.pop(0)
            self._remote_moves.append((src, k, remote_st[k].photo))
            self._moved_away.add(src)
            done.update((src, k))

    def _emit_remote_moves(self) -> None:
        """The files of photos moved on Flickr follow them, once the photos this plan renames are
        known: a file moved to where it is named after a photo that a file here renames takes
        the new name in the same move (as the files it already had do, see
        _follow_local_renames), else the next run would read the rename as one made elsewhere."""
        taken: dict[str, set[str]] = {}
        for src, k, photo in self._remote_moves:
            dst, name = k, photo.file_name  # (named after the photo as it is now)
            renaming = self._renaming.get(photo.photo_id)
            if (
                renaming is not None
                and self.policy.direction is not Direction.PUSH
                and self._named_after(name_of(k), self._photo_name(photo), photo.photo_id)
            ):
                new = name_of(renaming)
                target = naming.name_from_tag(new, photo.photo_id)
                if target is not None:
                    if not taken:
                        for key in (*self.local, *self.base.items, *self.remote_new):
                            taken.setdefault(folder_of(key), set()).add(name_of(key).casefold())
                    folder = folder_of(k)
                    target = naming.disambiguate(target, photo.photo_id, taken.setdefault(folder, set()))
                    candidate = join_key(folder, target)
                    if self.excluded is None or not self.excluded(candidate):
                        taken[folder].add(target.casefold())
                        dst, name = candidate, new
            self.out.add(DOWN, MoveLocal(src, dst, photo.photo_id, name))
            if photo.original_secret != self.base.items[src].original_secret:
                self.out.add(DOWN, _download(dst, photo, overwrite=True))

    def _content_index(self, remote_st) -> dict[str, RemotePhoto]:
        """sha256 -> a live remote photo holding exactly that content."""
        index: dict[str, RemotePhoto] = {}
        for photo in self.remote.photos.values():
            sha = self._known_sha(photo)
            if sha:
                index.setdefault(sha, photo)
        for key, b in self.base.items.items():
            r = remote_st.get(key)  # (none outside the selection)
            if r is not None and r.photo is not None and r.photo.original_secret == b.original_secret:
                index[b.sha256] = r.photo
        return index

    def _match_known_content(self, keys, local_st, remote_st, done) -> None:
        """New local content that Flickr already holds is linked to that photo, not uploaded.

        This covers a file copied into a second folder (one photo, two albums) and an upload
        whose album placement was interrupted (the photo waits unsorted; it is adopted and its
        root placement is not downloaded).
        """
        if self.policy.direction is Direction.PULL and self.policy.delete:
            return
        if not any(k not in done and local_st[k] == Local.NEW and remote_st[k].status == Remote.ABSENT for k in keys):
            return  # (the index below is one entry per photo: not built for nothing)
        content = {sha: p for sha, p in self._content_index(remote_st).items() if p.photo_id not in self._replaced}
        adopted_unsorted: set[str] = set()
        arrivals = [
            k for k in keys if k not in done and local_st[k] == Local.NEW and remote_st[k].status == Remote.ABSENT
        ]
        # where Flickr holds one content twice: the one already where the file is, uploaded from
        # a file of this name; else an upload from a file of this name that waits unsorted (its
        # album placement was interrupted: nothing else shows it); else the one already where the
        # file is (linking it changes nothing on Flickr: a rebuilt state finds the same album
        # members); else one pycsync uploaded (it uploads a content once for all its files)
        wanted = {self.local[k].sha256 for k in arrivals}
        holders: dict[str, list[RemotePhoto]] = defaultdict(list)
        for p in self.remote.photos.values():
            sha = self._known_sha(p)
            if sha is not None and sha in wanted and p.photo_id not in self._replaced:
                holders[sha].append(p)
        shown_here = {photo.photo_id for key, photo in self.remote_new.items() if key in self.local}

        def waiting(photo: RemotePhoto) -> bool:
            return not photo.album_ids and photo.photo_id not in self._keys_of and photo.photo_id not in shown_here

        for k in arrivals:
            item = self.local[k]
            folder = self.afolder(k)

            def placed_in(photo: RemotePhoto, folder=folder) -> bool:
                return self.folder_album.get(folder) in photo.album_ids if folder else not photo.album_ids

            def rank(p: RemotePhoto, k=k) -> tuple[bool, ...]:
                named = p.file_name == name_of(k)
                placed = placed_in(p)
                return (not (named and (placed or waiting(p))), not placed, not named, not p.file_name)

            ranked = sorted(holders.get(item.sha256, ()), key=rank)
            photo = ranked[0] if ranked else content.get(item.sha256)
            if photo is None:
                continue
            placed = placed_in(photo)
            self.out.add(UP, Link(k, photo.photo_id, item.sha256, photo.original_secret, placed))
            self._linked[photo.photo_id].append(k)
            if not placed:
                self.out.place(k, folder)
                if not photo.album_ids:
                    adopted_unsorted.add(photo.photo_id)
            done.add(k)
        for k, photo in self.remote_new.items():
            if photo.photo_id in adopted_unsorted and not self.afolder(k) and k not in self.local:
                done.add(k)

    def _known_sha(self, photo: RemotePhoto) -> str | None:
        """The photo's content hash, unless it may be stale: a photo replaced since the base last
        saw it (on Flickr's website, say) keeps the content tag pycsync last wrote, which is the
        base's hash. A hash that differs from the base's came from hashing the new original."""
        keys = self._keys_of.get(photo.photo_id)
        if (
            keys
            and all(self.base.items[k].original_secret != photo.original_secret for k in keys)
            and any(self.base.items[k].sha256 == photo.sha256 for k in keys)
        ):
            return None
        return photo.sha256

    def _local_source(self, photo: RemotePhoto) -> str | None:
        """A local key that already holds this photo's current content, if any."""
        for key in self._keys_of.get(photo.photo_id, ()):
            b, item = self.base.items[key], self.local.get(key)
            if key in self._moved_away:
                continue
            if b.original_secret == photo.original_secret and item is not None and item.sha256 == b.sha256:
                return key
        if photo.photo_id not in self._keys_of:
            return None  # a photo never synced: only its tag speaks for its content; download it
        sha = self._known_sha(photo)
        if sha:
            for key in self._local_by_sha.get(sha, ()):
                if key not in self._moved_away:
                    return key
        return None

    # ------------------------------------------------------------------ the decision table

    def _decide(self, key: str, ls: Local, r: _RemoteSide, uploads: _Uploads) -> None:
        """Act on one key as the decision table says for its pair of statuses (:data:`DECISIONS`,
        the README's table); a pair the table leaves out needs nothing."""
        decision = DECISIONS.get((ls, r.status))
        if decision is not None:
            # (no photo only for Remote.DELETED and Remote.ABSENT, whose rows take None)
            decision.decide(self, key, cast(RemotePhoto, r.photo), uploads)

    @property
    def _mirror_push(self) -> bool:
        """Flickr mirrors the folder (``--push --delete``)."""
        return self.policy.delete and self.policy.direction is Direction.PUSH

    @property
    def _mirror_pull(self) -> bool:
        """The folder mirrors Flickr (``--pull --delete``)."""
        return self.policy.delete and self.policy.direction is Direction.PULL

    def _new_here(self, key: str, photo: RemotePhoto | None, uploads: _Uploads) -> None:
        if self._mirror_pull:
            self._trash(key)
            return
        uploads[self.local[key].sha256].append(key)

    def _new_on_flickr(self, key: str, photo: RemotePhoto, uploads: _Uploads) -> None:
        if self._mirror_push:
            self._removals[photo.photo_id].append(key)
            return
        src = self._local_source(photo)
        if src is not None:
            self.out.add(DOWN, CopyLocal(src, key, photo.photo_id, photo.original_secret))
        else:
            self.out.add(DOWN, _download(key, photo))

    def _new_on_both_sides(self, key: str, photo: RemotePhoto, uploads: _Uploads) -> None:
        item = self.local[key]
        if photo.sha256 == item.sha256:
            self.out.add(UP, Link(key, photo.photo_id, item.sha256, photo.original_secret, True))
        elif photo.sha256 is None:
            self.out.add(DOWN, Confirm(key, photo.photo_id, photo.url_o, photo.original_secret, item.sha256))
        else:
            self._conflict(key, item, photo, "new on both sides with different content", uploads)

    def _unplaced(self, key: str, photo: RemotePhoto | None, uploads: _Uploads) -> None:
        self.out.place(key, self.afolder(key))

    def _changed_here_unplaced(self, key: str, photo: RemotePhoto, uploads: _Uploads) -> None:
        item = self.local[key]
        self.out.place(key, self.afolder(key))
        if self._shows_outside(photo.photo_id):
            uploads[item.sha256].append(key)  # replacing would change it outside the selection
        else:
            self.out.add(UP, Replace(key, photo.photo_id, item.sha256, item.size))

    def _changed_here(self, key: str, photo: RemotePhoto, uploads: _Uploads) -> None:
        if self.policy.direction is Direction.PULL and not self._mirror_pull:
            self.out.skipped.append((key, "changed locally; a push or two-way sync uploads it"))
        elif self._mirror_pull:
            self.out.add(DOWN, _download(key, photo, overwrite=True, trash_old=True))
        else:
            self._replace_or_fork(key, self.local[key], photo, uploads)

    def _changed_on_flickr(self, key: str, photo: RemotePhoto, uploads: _Uploads) -> None:
        item = self.local[key]
        if self._mirror_push and self._shows_outside(photo.photo_id):
            self._fork(key, photo, item.sha256, uploads)  # never replaced outside the selection
        elif self._mirror_push:
            self.out.add(UP, Replace(key, photo.photo_id, item.sha256, item.size))
        else:
            self.out.add(DOWN, _download(key, photo, overwrite=True))

    def _changed_on_both_sides(self, key: str, photo: RemotePhoto, uploads: _Uploads) -> None:
        item = self.local[key]
        if self._known_sha(photo) == item.sha256:
            self.out.add(UP, Link(key, photo.photo_id, item.sha256, photo.original_secret, True))
        else:
            self._conflict(key, item, photo, "changed on both sides", uploads)

    def _deleted_here(self, key: str, photo: RemotePhoto, uploads: _Uploads) -> None:
        if self._mirror_pull:  # the folder mirrors Flickr: what it lost comes back
            src = self._local_source(photo)
            self.out.add(
                DOWN, CopyLocal(src, key, photo.photo_id, photo.original_secret) if src else _download(key, photo)
            )
        elif self.policy.delete and self.policy.direction is not Direction.PULL:
            self._removals[photo.photo_id].append(key)

    def _deleted_here_changed_on_flickr(self, key: str, photo: RemotePhoto, uploads: _Uploads) -> None:
        if self._mirror_push:
            self._removals[photo.photo_id].append(key)
        else:
            self.out.add(DOWN, _download(key, photo))

    def _deleted_on_flickr(self, key: str, photo: RemotePhoto | None, uploads: _Uploads) -> None:
        if self._mirror_push:  # Flickr mirrors the folder: what it lost is uploaded again
            uploads[self.local[key].sha256].append(key)
        elif photo is not None and self._outside_new.get(photo.photo_id):
            # it left this album on Flickr for one outside the selection: not a deletion, and
            # the file cannot follow it there
            where = {naming.album_folder_for_key(k, self.layout) or NO_ALBUM for k in self._outside_new[photo.photo_id]}
            why = f"moved on Flickr to {', '.join(sorted(where))}, outside the selection; kept here, not synced"
            self.out.skipped.append((key, why))
        elif self.policy.delete and self.policy.direction is not Direction.PUSH:
            folder, photo_id = self.afolder(key), self.base.items[key].photo_id
            album_id = self.folder_album.get(folder, "") if folder else ""
            if photo is None:
                self._trash(key, photo_id)
            elif album_id:
                self._trash(key, photo_id, album_id)
            else:
                self._trash(key)

    def _changed_here_deleted_on_flickr(self, key: str, photo: RemotePhoto | None, uploads: _Uploads) -> None:
        if self._mirror_pull:
            self._trash(key)
        else:
            # the edit wins: it comes back as a photo of its own (the old photo, if it only
            # left this album, stays wherever it went)
            uploads[self.local[key].sha256].append(key)

    def _deleted_on_both_sides(self, key: str, photo: RemotePhoto | None, uploads: _Uploads) -> None:
        self.out.add(UP, Forget(key))

    def _plan_edits(self, local_st, remote_st) -> None:
        """Decide, per photo, how local edits reach it (files that share one photo need care).

        With no unchanged file left on the photo, the first edited file replaces it in place and
        files holding that same new content ride along; any file edited differently becomes a
        photo of its own ("fork"). While an unchanged file still shows the photo, every edited
        file forks, so the unchanged one keeps matching Flickr.
        """
        for photo_id, keys in self._keys_of.items():
            changed = sorted(
                k
                for k in keys
                if local_st.get(k) == Local.CHANGED and remote_st[k].status in (Remote.SAME, Remote.UNPLACED)
            )
            if not changed:
                continue
            if self._shows_outside(photo_id) or any(
                local_st.get(k) == Local.SAME
                and (remote_st[k].status in (Remote.SAME, Remote.UNPLACED) or k in self._moved_away)
                for k in keys
            ):
                for k in changed:
                    self._edit[k] = ("fork",)
                continue
            leader = changed[0]
            sha = self.local[leader].sha256
            riders = tuple(k for k in changed[1:] if self.local[k].sha256 == sha)
            deleted = tuple(sorted(k for k in keys if local_st.get(k) == Local.DELETED))
            self._edit[leader] = ("replace", riders, deleted)
            self._replaced.add(photo_id)
            for k in changed[1:]:
                self._edit[k] = ("ride",) if k in riders else ("fork",)

    def _still_shows(self, key: str) -> bool:
        """Does this base key keep its photo after the plan? A file deleted without --delete
        does: the deletion is not propagated, so its album keeps the photo. So does a key outside
        the selection while Flickr still shows the photo there (nothing happens to it)."""
        if key in self._outside:
            return key in self._outside_shown.get(self.base.items[key].photo_id, ())
        item = self.local.get(key)
        if item is None:
            return not self.policy.delete and key not in self._move_sources
        return item.sha256 == self.base.items[key].sha256 or self._edit.get(key, ("",))[0] in ("replace", "ride")

    def _replace_or_fork(self, key: str, item: LocalItem, photo: RemotePhoto, uploads) -> None:
        decision = self._edit[key]  # (_plan_edits decides every key of this row)
        if decision[0] == "replace":
            self.out.add(UP, Replace(key, photo.photo_id, item.sha256, item.size, decision[1], decision[2]))
            self._replacing.update((key, *decision[1]))
        elif decision[0] == "fork":
            self._fork(key, photo, item.sha256, uploads)

    def _fork(self, key: str, photo: RemotePhoto, sha: str, uploads) -> None:
        """The file's content becomes a photo of its own; the old photo leaves this album unless
        another file here still shows it (decided once every link is known)."""
        uploads[sha].append(key)
        self._forks.append((key, photo))

    def _emit_fork_removals(self) -> None:
        """The albums that edited files leave (see _fork), once every link is known."""
        for key, photo in self._forks:
            folder = self.afolder(key)
            stays = any(
                k != key and self.afolder(k) == folder and self._still_shows(k) for k in self._keys_of[photo.photo_id]
            ) or any(self.afolder(k) == folder for k in self._linked[photo.photo_id])
            album_id = self.folder_album.get(folder)
            if folder and not stays and album_id in photo.album_ids:
                self.out.add(UP, RemoveFromAlbum(album_id, (photo.photo_id,)))

    def _trash(self, key: str, photo_id: str = "", album_id: str = "") -> None:
        self.out.add(DOWN, TrashLocal(key, photo_id, album_id))
        self._trashed.add(key)

    def _plan_removals(self) -> None:
        """Turn files deleted on one side into Flickr removals, photo by photo.

        A photo is deleted only when no file anywhere still shows it (kept files, and new
        placements being fetched in this plan); otherwise it only leaves the albums whose
        folders no longer hold it.
        """
        fetching = defaultdict(list)
        for key, photo in self.remote_new.items():
            fetching[photo.photo_id].append(key)
        for photo_id, gone in self._removals.items():
            photo = self.remote.photos[photo_id]
            remaining = [
                k
                for k in self._keys_of.get(photo_id, ())
                if k not in self._trashed
                and k not in gone
                and k not in self._moved_away
                and (k in self._replacing or (k in self.local and self.local[k].sha256 == self.base.items[k].sha256))
            ]
            remaining += self._linked[photo_id]
            # where it shows outside the selection it stays: never deleted, only taken out of albums
            remaining += self._outside_shown.get(photo_id, [])
            remaining += self._outside_new.get(photo_id, [])
            if self.policy.direction is not Direction.PUSH:
                remaining += [k for k in fetching.get(photo_id, ()) if k not in gone]
            forget = tuple(k for k in gone if k in self.base.items)
            if not remaining:
                if self.policy.can_delete_photos:
                    self.out.add(UP, DeletePhoto(photo_id, forget))
                else:
                    for k in gone:
                        self.out.skipped.append(
                            (k, "deleting the photo on Flickr needs 'delete' permission (pycsync auth --perms delete)")
                        )
                continue
            kept_folders = {self.afolder(k) for k in remaining}
            for k in gone:
                folder = self.afolder(k)
                album_id = self.folder_album.get(folder) if folder else None
                forget_k = (k,) if k in self.base.items else ()
                if album_id in photo.album_ids and folder not in kept_folders:
                    self.out.add(UP, RemoveFromAlbum(album_id, (photo_id,), forget_k))
                elif forget_k:
                    self.out.add(UP, Forget(k))

    def _conflict(self, key, item: LocalItem, photo: RemotePhoto, reason: str, uploads) -> None:
        """Keep both: the local version moves to a conflict name (and is uploaded as a new photo),
        the Flickr version takes the original name."""
        if self.policy.direction is not Direction.BOTH:
            self.out.skipped.append((key, f"conflict ({reason}); run a two-way sync to keep both"))
            return
        kept = naming.conflict_name(key, item.sha256)
        if self.excluded is not None and self.excluded(kept):
            self.out.skipped.append((key, f"conflict ({reason}); your copy's name {kept!r} is outside the selection"))
            return
        self.out.conflicts.append(ConflictNote(key, reason, kept))
        self.out.add(DOWN, MoveLocal(key, kept, None))
        self.out.add(DOWN, _download(key, photo))
        if not self.__dict__.get("_local_copied"):  # copied once (never the caller's), not per conflict
            self.local, self._local_copied = dict(self.local), True
        self.local[kept] = LocalItem(kept, kept, item.size, item.mtime_ns, item.sha256)
        uploads[item.sha256].append(kept)

    # ------------------------------------------------------------------ assembling the plan

    def _copy_replaced_content(self) -> None:
        """A photo replaced in this plan and fetched into a new folder in the same plan: the new
        folder gets the replacing file's content (it is what the photo will hold), not the old."""
        replacing = {a.photo_id: (i, a) for i, (_, a) in enumerate(self.out.actions) if isinstance(a, Replace)}
        if not replacing:
            return
        extra: dict[int, list[str]] = defaultdict(list)
        for i, (side, a) in enumerate(self.out.actions):
            if isinstance(a, (Download, CopyLocal)) and a.photo_id in replacing:
                r, replace = replacing[a.photo_id]
                self.out.actions[i] = (side, CopyLocal(replace.key, a.key, a.photo_id, ""))
                extra[r].append(a.key)
        replaces = dict(replacing.values())  # index -> the Replace there
        for r, keys in extra.items():
            replace = replaces[r]
            self.out.actions[r] = (
                self.out.actions[r][0],
                dataclasses.replace(replace, also_keys=replace.also_keys + tuple(keys)),
            )

    def _finish(self) -> Plan:
        policy = self.policy
        self._copy_replaced_content()
        wanted = {Direction.BOTH: (UP, DOWN), Direction.PUSH: (UP,), Direction.PULL: (DOWN,)}[policy.direction]
        actions = [a for side, a in self.out.actions if side in wanted]
        skipped = list(self.out.skipped)
        for side, a in self.out.actions:
            if side not in wanted and not isinstance(a, Forget):
                # (the file it is for: a push leaves only downloads, each for a file, and renames
                # no folder; a pull leaves uploads, replacements and links, and removes nothing)
                skipped.append(
                    (_action_keys(a)[0], f"{'upload' if side == UP else 'download'} left for a two-way sync")
                )
        if UP in wanted:
            for folder in sorted(self.out.placements):
                keys = tuple(dict.fromkeys(self.out.placements[folder]))
                actions.append(
                    PlaceInAlbum(
                        folder,
                        self.folder_album.get(folder),
                        policy.album_titles.get(folder) or naming.album_title_for_folder(folder, self.layout),
                        keys,
                    )
                )
        actions = sorted(_merge_removals(actions), key=phase)
        used = {f: a for f, a in self.folder_album.items()}
        abort = self._guard(actions)
        # a replace records its files under the names they had: the plan names them as it names
        # files no action records, so a rename made elsewhere in this run reaches them too
        touched = {k for _, a in self.out.actions if not isinstance(a, Replace) for k in _action_keys(a)}
        outside = [k for keys in (*self._outside_shown.values(), *self._outside_new.values()) for k in keys]
        return Plan(
            actions=tuple(actions),
            conflicts=tuple(self.out.conflicts),
            skipped=tuple(skipped),
            abort=abort,
            albums=used,
            names=self._names_to_remember(
                touched, {a.photo_id: a.new_name for a in actions if isinstance(a, MoveRemote) and a.new_name}
            ),
            outside=tuple(outside),
            outside_photos=frozenset(
                p for p, keys in (*self._outside_shown.items(), *self._outside_new.items()) if keys
            ),
        )

    def _guard(self, actions: list[Action]) -> str | None:
        """Refuse mass deletion: more than max_delete_pct of a side, or an empty side (counting
        only what is in the selection)."""
        if not self.policy.delete:
            return None
        synced = len(self.base.items) - len(self._outside)
        n = max(synced, 1)
        local_del = sum(1 for a in actions if isinstance(a, TrashLocal))
        remote_del = sum(1 for a in actions if isinstance(a, DeletePhoto)) + sum(
            len(a.photo_ids) for a in actions if isinstance(a, RemoveFromAlbum)
        )
        if synced and not self.local and local_del + remote_del:
            return "the local folder is empty but the last sync had files; refusing to delete anything"
        if synced and not self.remote.photos and local_del + remote_del:
            return "the Flickr account lists no photos but the last sync had some; refusing to delete anything"
        limit = self.policy.max_delete_pct
        for side, count in (("local", local_del), ("Flickr", remote_del)):
            if count and count * 100.0 / n > limit:
                return (
                    f"{count} deletions on the {side} side are {count * 100.0 / n:.0f}% of "
                    f"{n} synced files, over --max-delete {limit:g}%; nothing was changed"
                )
        return None


# --------------------------------------------------------------------------- the decision table


@dataclass(frozen=True)
class Decision:
    """One row of the decision table: the two sides as the README's table names them (its first
    two columns), and the planner's method that acts on a key in that state."""

    on_disk: str
    on_flickr: str
    decide: Callable[[_Planner, str, RemotePhoto, _Uploads], None]


_UNPLACED = "not in its album yet (an interrupted run)"

#: What the per-key pass does for each pair of statuses (the README's table "what pycsync does";
#: ``tests/unit/test_decision_table.py`` checks that the two name the same rows).
DECISIONS: dict[tuple[Local, Remote], Decision] = {
    (Local.NEW, Remote.ABSENT): Decision("new", "absent", _Planner._new_here),
    (Local.ABSENT, Remote.NEW): Decision("absent", "new", _Planner._new_on_flickr),
    (Local.NEW, Remote.NEW): Decision("new", "new", _Planner._new_on_both_sides),
    (Local.CHANGED, Remote.SAME): Decision("changed", "unchanged", _Planner._changed_here),
    (Local.SAME, Remote.CHANGED): Decision("unchanged", "replaced", _Planner._changed_on_flickr),
    (Local.CHANGED, Remote.CHANGED): Decision("changed", "changed", _Planner._changed_on_both_sides),
    (Local.SAME, Remote.UNPLACED): Decision("unchanged (or changed)", _UNPLACED, _Planner._unplaced),
    (Local.CHANGED, Remote.UNPLACED): Decision("unchanged (or changed)", _UNPLACED, _Planner._changed_here_unplaced),
    (Local.DELETED, Remote.SAME): Decision("deleted", "unchanged", _Planner._deleted_here),
    (Local.DELETED, Remote.UNPLACED): Decision("deleted", "unchanged", _Planner._deleted_here),
    (Local.SAME, Remote.DELETED): Decision("unchanged", "deleted", _Planner._deleted_on_flickr),
    (Local.CHANGED, Remote.DELETED): Decision(
        "changed", "deleted (or the reverse)", _Planner._changed_here_deleted_on_flickr
    ),
    (Local.DELETED, Remote.CHANGED): Decision(
        "changed", "deleted (or the reverse)", _Planner._deleted_here_changed_on_flickr
    ),
    (Local.DELETED, Remote.DELETED): Decision("deleted", "deleted", _Planner._deleted_on_both_sides),
}

#: Pairs that need nothing: in sync.
NOTHING_TO_DO = frozenset({(Local.SAME, Remote.SAME)})

#: The README's rows that passes before the per-key table decide, matching content or names
#: across keys (so that nothing is transferred twice).
EARLIER_PASSES: dict[tuple[str, str], Callable[..., object]] = {
    ("moved or renamed", "unchanged"): _Planner._match_local_moves,
    ("unchanged", "moved to another album"): _Planner._match_remote_moves,
    ("unchanged (or changed)", "renamed on another computer (name tag changed)"): _Planner._follow_renames,
    ("folder", "album renamed"): _Planner._plan_folder_renames,
}


# names taken per folder; new local files per album folder by name, by loose name, by content
_NameIndexes = tuple[
    dict[str, set[str]],
    dict[str, dict[str, list[str]]],
    dict[str, dict[tuple[str, str], list[str]]],
    dict[str, dict[str, list[str]]],
]


def _twin(
    photo: RemotePhoto,
    folder: str,
    name: str,
    indexes: _NameIndexes,
    first: Callable[..., str | None],
) -> str | None:
    """The new local file in ``folder`` that a photo the base does not know is the twin of: the
    same content under any name (the name it was uploaded from first), the exact name it was
    uploaded from (one not valid everywhere, kept here), its name in any case (or with the photo
    id that sets it apart from a namesake), or the same picture saved as .jpeg, .JPG, .tif, or
    titled with its extension. ``first`` picks the first unclaimed key, preferring names."""
    _, by_name, loose, by_sha = indexes
    here = by_name[folder]
    apart = naming.disambiguate(name, photo.photo_id, {name.casefold()})
    tagged = photo.file_name or ""
    return (
        (first(by_sha[folder].get(photo.sha256, ()), tagged, name, apart) if photo.sha256 else None)
        or (first(here.get(tagged.casefold(), ()), tagged) if tagged else None)
        or first(here.get(name.casefold(), ()))
        or first(here.get(apart.casefold(), ()))
        or first(loose[folder].get(_loose_name(name), ()))
    )


def _download(key: str, photo: RemotePhoto, overwrite: bool = False, trash_old: bool = False) -> Download:
    return Download(
        key, photo.photo_id, photo.url_o, photo.original_secret, photo.media, overwrite, trash_old, photo.date_taken
    )


_SAME_FORMAT = {"jpeg": "jpg", "jpe": "jpg", "tif": "tiff"}


def _loose_name(name: str) -> tuple[str, str]:
    """A file name compared loosely: stem in any case (without a media extension of its own)
    and format, with every video extension alike (Flickr does not tell a video's container)."""
    stem, _, ext = name.rpartition(".")  # (every name here has its extension)
    if naming.is_media(stem):
        stem = stem.rpartition(".")[0]
    ext = ext.lower()
    return stem.casefold(), "video" if naming.is_video(name) else _SAME_FORMAT.get(ext, ext)


def _add_spellings(spelled: dict[str, str], folder: str) -> None:
    """Remember how ``folder`` and each of its parents are spelled (keyed casefolded)."""
    parts = folder.split("/") if folder else []
    for i in range(1, len(parts) + 1):
        prefix = "/".join(parts[:i])
        spelled.setdefault(prefix.casefold(), prefix)


def _respell(folder: str, spelled: dict[str, str]) -> str:
    """``folder`` with every leading part that matches a known folder in case spelled like it."""
    out = ""
    for part in folder.split("/"):
        candidate = join_key(out, part)
        out = spelled.get(candidate.casefold(), candidate)
    return out


def _merge_removals(actions: list[Action]) -> list[Action]:
    """One photosets.removePhotos call per album instead of one per photo."""
    merged: dict[str, RemoveFromAlbum] = {}
    rest: list[Action] = []
    for a in actions:
        if isinstance(a, RemoveFromAlbum):
            prev = merged.get(a.album_id)
            merged[a.album_id] = (
                a
                if prev is None
                else RemoveFromAlbum(
                    a.album_id, tuple(dict.fromkeys(prev.photo_ids + a.photo_ids)), prev.forget + a.forget
                )
            )
        else:
            rest.append(a)
    return rest + list(merged.values())


def _action_keys(action: Action) -> tuple[str, ...]:
    """The keys an action records in the base (or drops from it), the file it is for first.
    (A replace's other files are not among them: see ``_finish``.)"""
    if isinstance(action, MoveFolder):
        return tuple(k for pair in action.moves for k in pair)
    out: list[str] = []
    for attr in ("key", "src_key"):
        value = getattr(action, attr, None)
        if value:
            out.append(value)
    for attr in ("keys", "forget"):
        out.extend(getattr(action, attr, ()))
    return tuple(out)


def _id_order(photo_id: str) -> tuple[int, str]:
    return (len(photo_id), photo_id)
