"""A model of both sides for planner tests: plans are applied to dictionaries, not to Flickr.

Contents are short strings standing in for sha256 digests. The model follows Flickr's rules that
matter to the planner: a new album needs a primary photo, an album with no photos vanishes,
replacing a photo rotates its original secret.
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass, field

from pycsync import naming
from pycsync.app import _unverified_conflicts
from pycsync.model import (
    Base,
    BaseItem,
    Confirm,
    CopyLocal,
    DeletePhoto,
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
)
from pycsync.planner import plan as make_plan

_ids = itertools.count(50_000_000_000)


@dataclass
class Photo:
    sha: str
    secret: str
    title: str
    file_name: str | None  # set when pycsync uploaded it (its machine tags)
    tag: str | None  # the content its pycsync:sha256 tag names (stale after a website replace)
    media: str = "photo"  # or "video" (whose original_format is its poster's, jpg)


@dataclass
class World:
    local: dict[str, str] = field(default_factory=dict)  # key -> content
    mtimes: dict[str, int] = field(default_factory=dict)
    trash: list[str] = field(default_factory=list)
    photos: dict[str, Photo] = field(default_factory=dict)
    albums: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # id -> (title, members)
    base: dict[str, BaseItem] = field(default_factory=dict)
    base_albums: dict[str, str] = field(default_factory=dict)
    hash_cache: dict[tuple[str, str], str] = field(default_factory=dict)
    clock: int = 1
    renaming: dict[str, str] = field(default_factory=dict)  # photo id -> its new name, while a plan runs

    # ------------------------------------------------------------------ edits

    def touch(self, key: str, content: str) -> None:
        self.clock += 1
        self.local[key] = content
        self.mtimes[key] = self.clock

    def new_photo(self, content: str, title: str, tagged: bool = False, file_name=None) -> str:
        pid = str(next(_ids))
        self.photos[pid] = Photo(content, f"s{next(_ids)}", title, file_name, content if tagged else None)
        return pid

    def new_album(self, title: str, members: list[str]) -> str:
        aid = f"7215{next(_ids)}"
        rest = list(self.albums.items())
        self.albums.clear()  # (in place: another computer's World may share this account)
        self.albums.update([(aid, (title, list(members))), *rest])  # new albums list first
        return aid

    def share_account_with(self, other: World) -> None:
        """Make this World another computer syncing ``other``'s Flickr account."""
        self.photos, self.albums = other.photos, other.albums

    def rename_photo(self, pid: str, file_name: str) -> None:
        """Another computer renamed the file named after this photo: the name tag follows, and the
        title if it was the old file name's."""
        p = self.photos[pid]
        old = p.file_name or f"{p.title}.jpg"
        if p.title == naming.title_for_file(old):
            p.title = naming.title_for_file(file_name)
        p.file_name = file_name

    def remove_from_album(self, aid: str, pid: str) -> None:
        title, members = self.albums[aid]
        if pid in members:
            members.remove(pid)
        if not members:
            del self.albums[aid]

    def delete_photo(self, pid: str) -> None:
        for aid in list(self.albums):
            self.remove_from_album(aid, pid)
        del self.photos[pid]

    def replace_photo(self, pid: str, content: str) -> None:
        p = self.photos[pid]
        p.sha, p.secret = content, f"s{next(_ids)}"

    # ------------------------------------------------------------------ listings

    def local_items(self) -> dict[str, LocalItem]:
        return {k: LocalItem(k, k, len(v), self.mtimes[k], v) for k, v in self.local.items()}

    def listing(self) -> RemoteListing:
        album_of: dict[str, list[str]] = {}
        for aid, (_, members) in self.albums.items():
            for pid in members:
                album_of.setdefault(pid, []).append(aid)
        photos = {}
        for pid, p in self.photos.items():
            known = self.hash_cache.get((pid, p.secret))
            photos[pid] = RemotePhoto(
                photo_id=pid,
                title=p.title,
                media=p.media,
                original_format="jpg",
                original_secret=p.secret,
                url_o=f"url/{pid}",
                last_update=0,
                sha256=known or p.tag,
                file_name=p.file_name,
                album_ids=tuple(album_of.get(pid, ())),
            )
        albums = {
            aid: RemoteAlbum(aid, title, members[0], len(members), 0) for aid, (title, members) in self.albums.items()
        }
        members = {aid: tuple(m) for aid, (_, m) in self.albums.items()}
        return RemoteListing(photos, albums, members)

    def base_state(self) -> Base:
        return Base(dict(self.base), dict(self.base_albums))

    def plan(self, policy: Policy) -> Plan:
        return make_plan(self.local_items(), self.listing(), self.base_state(), policy)

    # ------------------------------------------------------------------ applying a plan

    def photo_name(self, pid: str) -> str:
        """As the executor records it: a name this plan gives the photo, else its tag's or title's."""
        if pid in self.renaming:
            return self.renaming[pid]
        p = self.photos[pid]
        return p.file_name or naming.title_name(p.title, p.media, "jpg", pid)

    def _put(self, key: str, pid: str, sha: str, placed: bool = True, name: str | None = None) -> None:
        self.base[key] = BaseItem(
            key,
            pid,
            sha,
            len(self.local[key]),
            self.mtimes[key],
            self.photos[pid].secret,
            placed,
            name or self.photo_name(pid),
        )

    def apply(self, plan: Plan, layout: str = "nested") -> None:
        assert plan.abort is None, plan.abort
        self.pending = {a.key: a.photo_id for a in plan.actions if isinstance(a, MoveRemote)}
        self.renaming = {a.photo_id: a.new_name for a in plan.actions if isinstance(a, MoveRemote) and a.new_name}
        self.renamed = {}
        for a in plan.actions:
            getattr(self, f"_{type(a).__name__}")(a, layout)
        for key, name in plan.names.items():
            if key in self.base:
                self.base[key] = dataclasses.replace(self.base[key], name=name)
        for folder, aid in plan.albums.items():
            if aid in self.albums:
                self.base_albums[folder] = aid

    def _Upload(self, a: Upload, layout):
        pid = self.new_photo(self.local[a.keys[0]], a.title, tagged=True, file_name=a.file_name)
        for k in a.keys:
            self._put(k, pid, a.sha256, placed=not naming.album_folder_for_key(k, layout), name=a.file_name)

    def _Replace(self, a: Replace, layout):
        self.replace_photo(a.photo_id, self.local[a.key])
        self.photos[a.photo_id].tag = self.local[a.key]  # pycsync re-tags what it replaces
        for k in (a.key, *a.also_keys):
            placed = self.base[k].placed if k in self.base else True
            self._put(k, a.photo_id, a.sha256, placed, self.base[k].name if k in self.base else None)
        for k in a.deleted_keys:
            b = self.base[k]
            self.base[k] = dataclasses.replace(b, sha256=a.sha256, original_secret=self.photos[a.photo_id].secret)

    def _Download(self, a: Download, layout):
        self.touch(a.key, self.photos[a.photo_id].sha)
        self.hash_cache[(a.photo_id, a.original_secret)] = self.local[a.key]
        self._put(a.key, a.photo_id, self.local[a.key], a.placed)  # (placed later by a PlaceInAlbum)

    def _CopyLocal(self, a: CopyLocal, layout):
        self.touch(a.key, self.local[self.renamed.get(a.src_key, a.src_key)])
        if a.original_secret:
            self._put(a.key, a.photo_id, self.local[a.key])

    def _MoveLocal(self, a: MoveLocal, layout):
        content = self.local.pop(a.src_key)
        self.mtimes.pop(a.src_key)
        self.renamed[a.src_key] = a.key
        self.touch(a.key, content)
        if a.photo_id:
            old = self.base.pop(a.src_key)
            self.base[a.key] = dataclasses.replace(old, key=a.key, placed=True, name=a.name or old.name)

    def _MoveFolder(self, a: MoveFolder, layout):
        for old, new in a.moves:
            if old in self.local:
                self.local[new] = self.local.pop(old)
                self.mtimes[new] = self.mtimes.pop(old)
            if old in self.base:
                self.base[new] = dataclasses.replace(self.base.pop(old), key=new)
        self.base_albums = {f: aid for f, aid in self.base_albums.items() if f != a.folder and aid != a.album_id}
        self.base_albums[a.new_folder] = a.album_id

    def _TrashLocal(self, a: TrashLocal, layout):
        self.trash.append(self.local.pop(a.key))
        self.base.pop(a.key, None)

    def _Link(self, a: Link, layout):
        self._put(a.key, a.photo_id, a.sha256, a.placed)
        # as the executor records it: the version of the photo the plan saw, as the action says
        self.base[a.key] = dataclasses.replace(self.base[a.key], original_secret=a.original_secret)
        self.hash_cache[(a.photo_id, a.original_secret)] = a.sha256

    def _Confirm(self, a: Confirm, layout):
        sha = self.photos[a.photo_id].sha
        self.hash_cache[(a.photo_id, a.original_secret)] = sha
        if sha == a.local_sha256:
            self._put(a.key, a.photo_id, sha)

    def _PlaceInAlbum(self, a: PlaceInAlbum, layout):
        ids = {k: self.base[k].photo_id for k in a.keys if k in self.base}
        ids.update({k: self.pending[k] for k in a.keys if k in self.pending})
        pids = list(dict.fromkeys(ids[k] for k in a.keys if k in ids))
        if not pids:
            return
        aid = a.album_id
        if aid is None or aid not in self.albums:
            aid = self.new_album(a.title, [pids[0]])
        members = self.albums[aid][1]
        for pid in pids:
            if pid not in members:
                members.append(pid)
        self.base_albums[a.folder] = aid
        for k in a.keys:
            if k in self.base:
                self.base[k] = dataclasses.replace(self.base[k], placed=True)

    def _MoveRemote(self, a: MoveRemote, layout):
        if a.new_title:
            self.photos[a.photo_id].title = a.new_title
        if a.new_name:
            self.photos[a.photo_id].file_name = a.new_name
        if a.remove_from_album and a.remove_from_album in self.albums:
            self.remove_from_album(a.remove_from_album, a.photo_id)
        old = self.base.pop(a.src_key)
        self._put(a.key, a.photo_id, old.sha256, name=a.new_name)

    def _RemoveFromAlbum(self, a: RemoveFromAlbum, layout):
        for pid in a.photo_ids:
            if a.album_id in self.albums:
                self.remove_from_album(a.album_id, pid)
        for k in a.forget:
            self.base.pop(k, None)

    def _DeletePhoto(self, a: DeletePhoto, layout):
        self.delete_photo(a.photo_id)
        for k in a.forget:
            self.base.pop(k, None)

    def _Forget(self, a: Forget, layout):
        self.base.pop(a.key, None)

    def sync(self, policy: Policy) -> Plan:
        """Plan, run the first-sync confirmations and re-plan (as the app does), then apply."""
        first = self.plan(policy)
        confirms = tuple(a for a in first.actions if isinstance(a, Confirm)) + tuple(
            _unverified_conflicts(first, self.listing(), self.hash_cache, self.local_items())
        )
        if confirms:
            self.apply(Plan(actions=confirms), policy.layout.value)
            first = self.plan(policy)
        self.apply(first, policy.layout.value)
        return first

    def remote_contents(self) -> set[str]:
        return {p.sha for p in self.photos.values()}
