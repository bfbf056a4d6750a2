"""The remote listing: every album and photo of the account in a few paginated calls.

Never one call per photo: albums come from photosets.getList (500 a page), their members from
photosets.getPhotos, unsorted photos from photos.getNotInSet, all with the extras a sync needs
(original URL and format, last update, machine tags) so nothing is fetched per photo.
"""

from __future__ import annotations

from typing import Iterable, Mapping

from pycsync import naming
from pycsync.flickr import FlickrClient, as_int, content
from pycsync.model import RemoteAlbum, RemoteListing, RemotePhoto

EXTRAS = "original_format,last_update,machine_tags,media,url_o,date_taken,date_upload"


def video_original_url(web_base: str, nsid: str, photo_id: str, original_secret: str) -> str:
    """Flickr's owner-only URL for a video's original file (url_o is the poster frame)."""
    return f"{web_base}/photos/{nsid}/{photo_id}/play/orig/{original_secret}/"


def list_remote(
    client: FlickrClient,
    *,
    web_base: str,
    user_nsid: str,
    known_hashes: Mapping[tuple[str, str], str] = {},
) -> RemoteListing:
    albums: dict[str, RemoteAlbum] = {}
    members: dict[str, tuple[str, ...]] = {}
    records: dict[str, dict] = {}
    photo_albums: dict[str, list[str]] = {}
    for raw in client.list_albums():
        album = RemoteAlbum(
            album_id=str(raw["id"]),
            title=content(raw.get("title")) or "",
            primary=str(raw.get("primary", "")),
            count=as_int(raw.get("photos"), 0) + as_int(raw.get("videos"), 0),
            date_update=as_int(raw.get("date_update"), 0),
        )
        albums[album.album_id] = album
    for album_id in albums:
        ids = []
        for rec in client.album_photos(album_id, EXTRAS):
            pid = str(rec["id"])
            ids.append(pid)
            records.setdefault(pid, rec)
            photo_albums.setdefault(pid, []).append(album_id)
        members[album_id] = tuple(ids)
    for rec in client.photos_not_in_set(EXTRAS):
        records.setdefault(str(rec["id"]), rec)
    photos = {
        pid: to_remote_photo(rec, tuple(photo_albums.get(pid, ())), web_base, user_nsid, known_hashes)
        for pid, rec in records.items()
    }
    return RemoteListing(photos=photos, albums=albums, members=members)


def to_remote_photo(
    rec: dict,
    album_ids: Iterable[str],
    web_base: str,
    user_nsid: str,
    known_hashes: Mapping[tuple[str, str], str],
) -> RemotePhoto:
    photo_id = str(rec["id"])
    secret = str(rec.get("originalsecret", ""))
    media = rec.get("media", "photo")
    sha, file_name = naming.parse_machine_tags(rec.get("machine_tags", "") or "")
    cached = known_hashes.get((photo_id, secret))
    url = rec.get("url_o", "")
    if media == "video":
        url = video_original_url(web_base, rec.get("owner", user_nsid) or user_nsid, photo_id, secret)
    return RemotePhoto(
        photo_id=photo_id,
        title=content(rec.get("title")) or "",
        media=media,
        original_format=str(rec.get("originalformat", "jpg")),
        original_secret=secret,
        url_o=url,
        last_update=as_int(rec.get("lastupdate"), 0),
        # a cached hash of the downloaded original beats a tag another tool may have left stale
        sha256=cached or sha,
        file_name=file_name,
        album_ids=tuple(album_ids),
        date_taken=str(rec.get("datetaken", "")),
    )
