"""The remote listing: every album and photo of the account, in as few calls as possible.

Never one call per photo: albums come from photosets.getList (500 a page), their members from
photosets.getPhotos, unsorted photos from photos.getNotInSet, all with the extras a sync needs
(original URL and format, last update, machine tags) so nothing is fetched per photo.

Incremental listing. The last listing is kept in the state DB (a *snapshot*) together with
``since``: a time on Flickr's clock before which every change is known to be in the snapshot.
The next run then reads only what may have changed:

* photosets.getList (every run; it is 1 call per 500 albums) gives each album's photo count and
  last update; an album is re-read with photosets.getPhotos only when it is new, its count or
  last update differ from the snapshot, or it was last updated at or after ``since`` (Flickr's
  timestamps are whole seconds, so an album changed in the very second of the last listing
  could look unchanged).
* photos.recentlyUpdated(min_date = since - PHOTO_OVERLAP) returns every photo created or
  changed since (replaced: new original secret; retitled, retagged, re-dated), with the same
  extras. The overlap allows for Flickr's index lag.
* Photos in no album cannot be listed by change, so the snapshot's unsorted photos plus those
  that left every album plus new uploads outside albums are *presumed* unsorted, and the
  account's photo count (people.getInfo, one call) checks the presumption: photos in albums +
  presumed unsorted must equal it exactly. A deletion cannot hide behind an addition, because
  every addition since the last listing is in the recentlyUpdated answer and already counted.
  On a mismatch photos.getNotInSet is read in full; if the count still disagrees, or anything
  else looks inconsistent, the whole listing is read again from scratch.

Our own writes. A run that changes albums records what its writes did (``note_own_writes``):
each album's members and count as they must now be, and Flickr's clock at the latest answer to
a write. The next listing takes an album whose count is the one expected and whose last update
lies between the listing before those writes and that time as this run's own doing, and reads
nothing of it; so a quiet run right after uploads, moves or deletions still costs three calls.
What this cannot see: someone else changing the same album while this run wrote to it (between
its listing and its last write there) in a way that leaves exactly the count this run expects;
the album is then read again at its next change, or with ``--full``. An album whose write failed
or whose answer was lost is read again, as is anything the run did not record.

``full=True`` (``sync --full``), a missing snapshot, a change of account or endpoint all list
everything, and every listing replaces or updates the snapshot.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

from pycsync import naming
from pycsync.flickr import Album, FlickrClient, PhotoInfo, as_int, content
from pycsync.flickr.models import PersonInfo, as_float
from pycsync.flickr.writes import ADD, CREATE, REMOVE, SET, WriteLog
from pycsync.model import BaseItem, RemoteAlbum, RemoteListing, RemotePhoto, new_remote_photo

# (description, tags and geo: the metadata, compared with the last synced; date_taken too)
EXTRAS = "original_format,last_update,machine_tags,media,url_o,date_taken,date_upload,description,tags,geo"

#: seconds recentlyUpdated re-reads before ``since`` (Flickr's index lag)
PHOTO_OVERLAP = 60
#: seconds subtracted from Flickr's clock at the first getList answer (its Date header) to get
#: ``since``: allows for the time between Flickr reading the albums and stamping the answer
ALBUM_OVERLAP = 2
#: without Flickr's clock (no Date header) the local clock is used, allowed to be this far ahead
CLOCK_SKEW = 900


class Row(NamedTuple):
    """A photo as the listing reads it (and the snapshot stores it, column for column), before
    the per-run parts (album ids, a cached content hash) are added."""

    photo_id: str
    title: str
    media: str
    original_format: str
    original_secret: str
    url_o: str
    last_update: int
    tag_sha256: str | None
    file_name: str | None
    date_taken: str
    privacy: str  # who may see it ("": the record did not say)
    # its metadata (see pycsync.metadata.meta_from_listing)
    description: str
    tags: str  # the clean forms of its tags, machine tags included, space separated
    granularity: int
    taken_unknown: int  # 1: Flickr's guess (the upload time)
    latitude: float | None
    longitude: float | None
    accuracy: int | None


class CachedAlbum(NamedTuple):
    """An album as the snapshot keeps it."""

    photo_count: int  # (not "count": the name of a tuple's method)
    date_update: int
    members: tuple[str, ...]


#: (ispublic, isfriend, isfamily) of a standard photos response -> who may see the photo
_PRIVACY = {
    (1, 0, 0): "public",
    (1, 1, 0): "public",
    (1, 0, 1): "public",
    (1, 1, 1): "public",
    (0, 1, 0): "friends",
    (0, 0, 1): "family",
    (0, 1, 1): "friends+family",
    (0, 0, 0): "private",
}


def privacy_of(rec: Mapping[str, Any]) -> str:
    """Who may see a photo, from its record's ispublic/isfriend/isfamily (getInfo: its
    ``visibility``); "" when the record does not say."""
    visibility = rec.get("visibility")
    flags: Mapping[str, Any] = visibility if isinstance(visibility, Mapping) else rec
    public, friend, family = (as_int(flags.get(name)) for name in ("ispublic", "isfriend", "isfamily"))
    if public is None or friend is None or family is None:
        return ""
    return _PRIVACY.get((min(1, max(0, public)), min(1, max(0, friend)), min(1, max(0, family))), "")


def video_original_url(web_base: str, nsid: str, photo_id: str, original_secret: str) -> str:
    """Flickr's owner-only URL for a video's original file (url_o is the poster frame)."""
    return f"{web_base}/photos/{nsid}/{photo_id}/play/orig/{original_secret}/"


class HashLookup(Protocol):
    """(photo id, original secret) -> the sha256 of that original, where pycsync hashed it (a
    dict, or the state's remote-hash cache asked one at a time)."""

    def get(self, key: tuple[str, str], /) -> str | None: ...


class ListingCache(Protocol):
    """Where the snapshot lives (pycsync.state.StateDB)."""

    def load_remote_cache(self, build=None) -> tuple[dict[str, str], dict, dict] | None: ...

    def save_remote_cache(
        self,
        info: dict[str, str],
        *,
        albums_put: dict,
        albums_drop=(),
        photos_put=(),
        photos_drop=(),
        replace: bool = False,
    ) -> None: ...


@dataclass
class Snapshot:
    account: str
    web_base: str
    since: int
    albums: dict[str, CachedAlbum]
    photos: dict[str, RemotePhoto]  # as the last listing gave them (album ids, cached hashes)
    # albums the last run wrote to -> Flickr's clock at its latest write (see note_own_writes)
    own: dict[str, int] = field(default_factory=dict)


@dataclass
class ListingStats:
    """How a listing was made (for tests, benchmarks and --debug)."""

    mode: str = ""  # "full" | "incremental"
    reason: str = ""  # why it was full
    albums_read: int = 0  # albums whose members were read
    albums_recognised: int = 0  # albums the last run's own writes left as it noted, not read again
    photos_refreshed: int = 0  # photo records read by recentlyUpdated
    unsorted_read: bool = False  # photos.getNotInSet was read
    checks: list[str] = field(default_factory=list)
    # the owner's people.getInfo when the listing read it (the count check): the account's kind
    # and count, for the limits check, without asking again
    person: PersonInfo | None = None


@dataclass
class _Read:
    """What one listing read: albums in the user's order, members, unsorted ids, fresh rows."""

    albums: list[RemoteAlbum]
    members: dict[str, tuple[str, ...]]
    unsorted: list[str]
    rows: dict[str, Row]  # rows read from Flickr in this run
    since: int


def list_remote(
    client: FlickrClient,
    *,
    web_base: str,
    user_nsid: str,
    known_hashes: HashLookup | None = None,
    cache: ListingCache | None = None,
    full: bool = False,
    stats: ListingStats | None = None,
    base_items: Iterable[BaseItem] = (),
) -> RemoteListing:
    """List the account; with a ``cache``, read only what changed since its snapshot.

    ``base_items`` (the sync's base) only saves memory: the snapshot's photos take the base's
    strings for the same photo id, original secret and content hash instead of copies of them.
    """
    stats = stats if stats is not None else ListingStats()
    lister = _Lister(client, web_base, user_nsid, stats)
    snapshot = None
    if cache is not None and not full:
        snapshot = _load_snapshot(cache, user_nsid, web_base, stats, base_items)
    elif full:
        stats.reason = "asked for a full listing"
    read = lister.incremental(snapshot) if snapshot is not None else None
    if read is None:
        snapshot = None
        read = lister.full()
    rows = snapshot.photos if snapshot is not None else {}
    listing = _assemble(read, rows, known_hashes if known_hashes is not None else {})
    if cache is not None:
        _save_snapshot(cache, user_nsid, web_base, read, snapshot)
    return listing


# --------------------------------------------------------------------------- reading


class _Lister:
    def __init__(self, client: FlickrClient, web_base: str, user_nsid: str, stats: ListingStats):
        self.client = client
        self.web_base = web_base
        self.user_nsid = user_nsid
        self.stats = stats

    def _row(self, rec: dict) -> Row:
        return row_from_record(rec, self.web_base, self.user_nsid)

    def _albums(self) -> tuple[list[RemoteAlbum], int]:
        """Every album in the user's order, and ``since`` for this listing.

        Often the run's first call: a server that cannot be reached is said at once, and a token
        Flickr no longer accepts is refused in its answer."""
        albums: list[RemoteAlbum] = []
        stamp: int | None = None
        pages = self.client.paginate("flickr.photosets.getList", "photosets", "photoset", retry_unreachable=False)
        for raw in pages:
            if stamp is None:
                stamp = self.client.server_time  # Flickr's clock at the first page
            album = Album.from_json(raw)
            albums.append(
                RemoteAlbum(
                    album.album_id, album.title, album.primary, album.count, album.date_update, album.description
                )
            )
        if stamp is None:
            stamp = self.client.server_time
        since = stamp - ALBUM_OVERLAP if stamp is not None else int(time.time()) - CLOCK_SKEW
        return albums, since

    def _members(self, album_id: str, rows: dict[str, Row]) -> tuple[str, ...]:
        ids = []
        for rec in self.client.album_photos(album_id, EXTRAS):
            row = self._row(rec)
            ids.append(row.photo_id)
            _keep_newer(rows, row)
        self.stats.albums_read += 1
        return tuple(ids)

    def _not_in_set(self, rows: dict[str, Row]) -> list[str]:
        ids = []
        for rec in self.client.photos_not_in_set(EXTRAS):
            row = self._row(rec)
            ids.append(row.photo_id)
            _keep_newer(rows, row)
        self.stats.unsorted_read = True
        return ids

    def full(self) -> _Read:
        self.stats.mode = "full"
        self.stats.albums_read = 0
        albums, since = self._albums()
        rows: dict[str, Row] = {}
        members = {a.album_id: self._members(a.album_id, rows) for a in albums}
        unsorted = self._not_in_set(rows)
        return _Read(albums, members, unsorted, rows, since)

    def incremental(self, snap: Snapshot) -> _Read | None:
        """Read what changed since the snapshot; None when in doubt (then list everything)."""
        stats = self.stats
        stats.mode = "incremental"
        albums, since = self._albums()
        rows: dict[str, Row] = {}
        members: dict[str, tuple[str, ...]] = {}
        for a in albums:
            cached = snap.albums.get(a.album_id)
            ours = snap.own.get(a.album_id)
            if cached is None or cached.photo_count != a.count:
                members[a.album_id] = self._members(a.album_id, rows)
            elif (cached.date_update == a.date_update and a.date_update < snap.since) or (
                ours is not None and snap.since <= a.date_update <= ours
            ):
                # unchanged, or as the last run's own writes left it
                members[a.album_id] = cached.members
                stats.albums_recognised += ours is not None
            else:
                members[a.album_id] = self._members(a.album_id, rows)
        for rec in self.client.recently_updated(snap.since - PHOTO_OVERLAP, EXTRAS):
            _keep_newer(rows, self._row(rec))
            stats.photos_refreshed += 1

        in_albums: set[str] = set()
        for ids in members.values():
            in_albums.update(ids)
        # presumed unsorted: what the snapshot knows outside albums now, and new photos
        unsorted = [p for p in snap.photos if p not in in_albums]
        unsorted += [p for p in rows if p not in in_albums and p not in snap.photos]
        stats.person = self.client.person_info(self.user_nsid)
        total = stats.person.count
        if total is None:
            stats.checks.append("no photo count")
        if total != len(in_albums) + len(unsorted):
            stats.checks.append(f"count {total} != {len(in_albums)} in albums + {len(unsorted)} unsorted")
            unsorted = self._not_in_set(rows)
            if total is None or total != len(in_albums | set(unsorted)):
                stats.reason = "the photo count still disagrees after reading the unsorted photos"
                return None
        for pid in in_albums:
            if pid not in rows and pid not in snap.photos:
                stats.reason = f"photo {pid} is in an album but was never read"
                return None
        return _Read(albums, members, unsorted, rows, since)


def _keep_newer(rows: dict[str, Row], row: Row) -> None:
    old = rows.get(row.photo_id)
    if old is None or row.last_update > old.last_update:
        rows[row.photo_id] = row


def _assemble(read: _Read, cached: Mapping[str, RemotePhoto], known_hashes: HashLookup) -> RemoteListing:
    """The RemoteListing: photos in album order, then unsorted ones newest first.

    A photo the snapshot holds unchanged (not read again, same albums) is reused as it is: a
    no-change run of a 100,000-photo account makes no new photo objects.
    """
    where = _album_ids([a.album_id for a in read.albums], read.members)
    unsorted = sorted((p for p in set(read.unsorted) if p not in where), key=_id_order, reverse=True)
    fresh = read.rows
    photos: dict[str, RemotePhoto] = {}
    for pid in (*where, *unsorted):
        album_ids = where.get(pid, ())
        row = fresh.get(pid)
        if row is not None:
            photos[pid] = _photo(row, album_ids, known_hashes)
            continue
        photo = cached[pid]  # its hash is already the remote-hash cache's
        photos[pid] = photo if photo.album_ids == album_ids else dataclasses.replace(photo, album_ids=album_ids)
    return RemoteListing(
        photos=photos,
        albums={a.album_id: a for a in read.albums},
        members=dict(read.members),
    )


def _album_ids(order: Iterable[str], members: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """photo id -> the albums holding it in album order, for photos in any album, in the order
    they are first met (albums in order, members in order). Photos in one album share one tuple."""
    single: dict[str, tuple[str, ...]] = {}
    where: dict[str, tuple[str, ...]] = {}
    for album_id in order:
        one = single.setdefault(album_id, (album_id,))
        for pid in members.get(album_id, ()):
            had = where.get(pid)
            if had is None:
                where[pid] = one
            elif had[-1] != album_id:
                where[pid] = had + one
    return where


def _photo(row: Row, album_ids: tuple[str, ...], known_hashes: HashLookup) -> RemotePhoto:
    pid, title, media, fmt, secret, url, last_update, tag_sha, file_name, taken, privacy, *meta = row
    # a cached hash of the downloaded original beats a tag another tool may have left stale
    return new_remote_photo(
        pid,
        title,
        media,
        fmt,
        secret,
        url,
        last_update,
        known_hashes.get((pid, secret)) or tag_sha,
        file_name,
        album_ids,
        taken,
        privacy,
        *_meta_fields(meta),
    )


def _meta_fields(meta: list) -> tuple:
    """(description, tags, granularity, taken_unknown, latitude, longitude, accuracy) of a row."""
    description, tags, granularity, unknown, lat, lon, accuracy = meta
    return description or "", tags or "", granularity or 0, bool(unknown), lat, lon, accuracy


def _row_of(photo: RemotePhoto) -> Row:
    return Row(
        photo.photo_id,
        photo.title,
        photo.media,
        photo.original_format,
        photo.original_secret,
        photo.url_o,
        photo.last_update,
        photo.sha256,
        photo.file_name,
        photo.date_taken,
        photo.privacy,
        photo.description,
        photo.tags,
        photo.granularity,
        int(photo.taken_unknown),
        photo.latitude,
        photo.longitude,
        photo.accuracy,
    )


def _id_order(photo_id: str) -> tuple[int, str]:
    return (len(photo_id), photo_id)


# --------------------------------------------------------------------------- the snapshot


def _load_snapshot(
    cache: ListingCache, account: str, web_base: str, stats: ListingStats, base_items: Iterable[BaseItem]
) -> Snapshot | None:
    loaded = cache.load_remote_cache(functools.partial(_cached_photos, by_photo={b.photo_id: b for b in base_items}))
    if loaded is None:
        stats.reason = "no earlier listing"
        return None
    info, albums, photos = loaded
    if info.get("account") != account or info.get("web_base") != web_base:
        stats.reason = "the earlier listing is of another account or server"
        return None
    since = as_int(info.get("since"))
    if since is None:
        stats.reason = "the earlier listing has no time"
        return None
    try:
        own = {str(a): int(t) for a, t in json.loads(info.get("own_writes") or "{}").items()}
    except (ValueError, TypeError, AttributeError):
        own = {}  # (then every album they changed is read again)
    return Snapshot(account, web_base, since, {a: CachedAlbum(*v) for a, v in albums.items()}, photos, own)


def _cached_photos(
    info: Mapping[str, str], albums: Mapping[str, tuple], by_photo: Mapping[str, BaseItem]
) -> Callable[[tuple], RemotePhoto]:
    """For the cache loader: each stored row becomes the RemotePhoto the last listing gave."""
    order = [a for a in (info.get("album_order") or "").split(",") if a]
    where = _album_ids(order, {a: v[2] for a, v in albums.items()})

    def make(row: tuple) -> RemotePhoto:  # (a Row's fields: straight from the database)
        pid, title, media, fmt, secret, url, last_update, sha, file_name, taken, privacy, *meta = row
        b = by_photo.get(pid)
        if b is not None:  # share the base's strings
            pid = b.photo_id
            secret = b.original_secret if b.original_secret == secret else secret
            sha = b.sha256 if b.sha256 == sha else sha
            file_name = b.name if b.name == file_name else file_name
        return new_remote_photo(
            pid,
            title,
            media,
            fmt,
            secret,
            url,
            last_update,
            sha,
            file_name,
            where.get(pid, ()),
            taken,
            privacy,
            *_meta_fields(meta),
        )

    return make


def _save_snapshot(cache: ListingCache, account: str, web_base: str, read: _Read, old: Snapshot | None) -> None:
    info = {
        "account": account,
        "web_base": web_base,
        "since": str(read.since),
        "album_order": ",".join(a.album_id for a in read.albums),
        "own_writes": "",  # consumed: this listing saw what they did
    }
    current = {pid for ids in read.members.values() for pid in ids}
    current.update(read.unsorted)
    albums_now = {a.album_id: CachedAlbum(a.count, a.date_update, read.members[a.album_id]) for a in read.albums}
    if old is None:
        cache.save_remote_cache(
            info,
            albums_put=albums_now,
            photos_put=[read.rows[p] for p in current if p in read.rows],
            replace=True,
        )
        return
    cache.save_remote_cache(
        info,
        albums_put={a: v for a, v in albums_now.items() if old.albums.get(a) != v},
        albums_drop=[a for a in old.albums if a not in albums_now],
        photos_put=[
            row
            for pid, row in read.rows.items()
            if pid in current and (pid not in old.photos or _row_of(old.photos[pid]) != row)
        ],
        photos_drop=[p for p in old.photos if p not in current],
    )


def note_own_writes(cache: ListingCache, listing: RemoteListing, log: WriteLog) -> None:
    """Record in the snapshot what this run's own writes did, so the next listing recognises
    the albums they changed instead of reading them again.

    ``listing`` is this run's listing (its albums and members are the snapshot's). Each album
    the log proves the members of gets them, with its count, and Flickr's clock at the latest
    write as the bound its last update must lie under; an album a write left unsure keeps the
    listing's record, so its changed count or last update gets it read again. Deleted photos
    leave the snapshot (they would otherwise be presumed unsorted and miscount).
    """
    if log.empty or log.latest is None:
        return
    members: dict[str, list[str] | None] = {}
    unsure = set(log.unsure)
    for pid in log.unsure_photos:
        unsure.update(a for a, ids in listing.members.items() if pid in ids)

    def current(album_id: str) -> list[str] | None:
        if album_id not in members:
            known = listing.members.get(album_id) if album_id in listing.albums else None
            members[album_id] = list(known) if known is not None else None
        return members[album_id]

    for album_id, op, photo_ids in log.ops:
        if op in (CREATE, SET):
            members[album_id] = list(dict.fromkeys(photo_ids))
            continue
        ids = current(album_id)
        if ids is None:
            continue  # an album we never knew the members of: read it
        if op == ADD:
            ids.extend(p for p in photo_ids if p not in ids)
        elif op == REMOVE:
            ids[:] = [p for p in ids if p not in photo_ids]
    if log.deleted:
        for album_id, member_ids in listing.members.items():
            if any(p in log.deleted for p in member_ids):
                current(album_id)
        for ids in members.values():
            if ids is not None:
                ids[:] = [p for p in ids if p not in log.deleted]
    albums_put: dict[str, CachedAlbum] = {}
    albums_drop: list[str] = []
    own: dict[str, int] = {}
    for album_id, ids in members.items():
        if ids is None or album_id in unsure:
            continue
        if not ids:
            albums_drop.append(album_id)  # Flickr deletes an emptied album
            continue
        before = listing.albums.get(album_id)
        albums_put[album_id] = CachedAlbum(len(ids), before.date_update if before else 0, tuple(ids))
        own[album_id] = log.latest
    cache.save_remote_cache(
        {"own_writes": json.dumps(own, separators=(",", ":"))},
        albums_put=albums_put,
        albums_drop=albums_drop,
        photos_drop=sorted(log.deleted),
    )


# --------------------------------------------------------------------------- records


def row_from_record(rec: dict[str, Any], web_base: str, user_nsid: str) -> Row:
    """The listing's row for one photo record (a standard photos response item with EXTRAS)."""
    photo_id = str(rec["id"])
    secret = str(rec.get("originalsecret", ""))
    media = sys.intern(str(rec.get("media", "photo")))
    sha, file_name = naming.parse_machine_tags(rec.get("machine_tags", "") or "")
    url = rec.get("url_o", "") or ""
    if media == "video":
        url = video_original_url(web_base, rec.get("owner", user_nsid) or user_nsid, photo_id, secret)
    lat, lon = as_float(rec.get("latitude")), as_float(rec.get("longitude"))
    located = lat is not None and lon is not None and (lat or lon or as_int(rec.get("accuracy"), 0))
    return Row(
        photo_id,
        content(rec.get("title")) or "",
        media,
        sys.intern(str(rec.get("originalformat", "jpg"))),
        secret,
        url,
        as_int(rec.get("lastupdate"), 0),
        sha,
        file_name,
        str(rec.get("datetaken", "")),
        sys.intern(privacy_of(rec)),
        content(rec.get("description")),
        str(rec.get("tags") or ""),
        as_int(rec.get("datetakengranularity"), 0) or 0,
        int(as_int(rec.get("datetakenunknown"), 0) == 1),
        lat if located else None,
        lon if located else None,
        as_int(rec.get("accuracy"), None) if located else None,
    )


def photo_from_info(
    info: PhotoInfo, web_base: str, user_nsid: str, original_secret: str = "", url_o: str = ""
) -> RemotePhoto:
    """A listing's photo read with photos.getInfo (one the listing did not show), in no album;
    ``original_secret`` and ``url_o``: what a search told of it (getInfo tells neither always)."""
    secret = info.original_secret or original_secret
    sha, file_name = naming.parse_machine_tags(info.machine_tags)
    url = url_o
    if info.media == "video":
        url = video_original_url(web_base, info.owner or user_nsid, info.photo_id, secret)
    return new_remote_photo(
        info.photo_id,
        info.title,
        info.media,
        info.original_format,
        secret,
        url,
        info.last_update,
        sha,
        file_name,
        (),
        info.date_taken,
        "",  # who may see it: the next listing tells (the limits check counts it as non-public)
        info.description,
        " ".join(t.clean for t in info.tags),
        info.taken_granularity,
        info.taken_unknown,
        info.latitude,
        info.longitude,
        info.accuracy,
    )
