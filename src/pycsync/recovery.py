"""Crash recovery: what the journal left open is settled before anything is planned.

The executor journals an upload or a replace before its request leaves and closes the entry
once the base records the result (see :mod:`pycsync.executor`). An entry still open when the
next run starts belongs to a run that ended without knowing whether Flickr applied it (a crash,
a kill, a lost answer). Planning as if it had not would upload a duplicate, or take this file's
own replace for a conflict; so each is settled first:

* An upload whose content tag the listing shows landed. One whose body never fully left cannot
  have. Otherwise its content tag is searched for (allowing for Flickr's search lag): a photo
  found joins the listing, so the plan links the file to it instead of uploading it again.
  A photo found is hashed once: its content tag names what was uploaded, and someone may have
  replaced the photo on Flickr's website since (the tag stays). Replaced, it is still this file's
  photo, changed on Flickr since this upload: the base records it so, and the plan treats it as
  any change made on Flickr (fetched over an unchanged file; an edit here meets it as a conflict).
* A replace is settled by hashing the photo's original once: this file's content means it
  landed (its content tag is then pointed at it), anything else was someone else's.

Entries that cannot be settled yet (Flickr unreachable, a fetch failing) stay open for the next
run.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from pycsync import naming
from pycsync.flickr.errors import FlickrError
from pycsync.model import Base, BaseItem, RemoteListing
from pycsync.remote import photo_from_info
from pycsync.state import StateDB
from pycsync.transfers import Transfers


def reconcile_journal(
    state: StateDB, remote: RemoteListing, base: Base, transfers: Transfers, *, web_base: str, user_nsid: str
) -> tuple[RemoteListing, Base]:
    """The listing and the base as they are once the journal's open uploads and replaces are
    settled."""
    remote, base = _settle_uploads(state, remote, base, transfers, web_base, user_nsid)
    return _settle_replaces(state, remote, base, transfers), base


def with_cached_hashes(remote: RemoteListing, hashes: Mapping[tuple[str, str], str]) -> RemoteListing:
    """The listing with the content hashes known for its originals, (photo id, original secret)
    -> sha256 (a hash of the original beats a content tag another tool may have left stale)."""
    photos = {
        pid: dataclasses.replace(p, sha256=hashes.get((pid, p.original_secret), p.sha256))
        for pid, p in remote.photos.items()
    }
    return RemoteListing(photos=photos, albums=remote.albums, members=remote.members)


def _settle_uploads(
    state: StateDB, remote: RemoteListing, base: Base, transfers: Transfers, web_base: str, user_nsid: str
) -> tuple[RemoteListing, Base]:
    pending = state.unfinished("upload")
    if not pending:
        return remote, base
    listed = {p.sha256: p for p in remote.photos.values() if p.sha256}
    photos, items = dict(remote.photos), dict(base.items)
    for entry_id, key, sha, detail in pending:
        photo = listed.get(sha) if sha is not None else None
        if photo is None or sha is None:
            if sha is None or "body_sent" not in detail:
                # the crash came before the last byte left: Flickr cannot have this upload
                state.journal_end(entry_id, "not found: body never fully sent")
                continue
            found = transfers.find_landed_upload(sha, since=detail["body_sent"])
            if found is None:
                state.journal_end(entry_id, "not found: did not land")
                continue
            # never downloaded: the local file it came from is still here and gets linked to it
            info = transfers.client.photo_info(found.photo_id)
            photo = photo_from_info(info, web_base, user_nsid, original_secret=found.original_secret, url_o=found.url_o)
            photos[photo.photo_id] = photo
        try:
            fetched = transfers.fetch(photo.url_o, media=photo.media)
        except (FlickrError, OSError):
            continue  # still unknown: the next run looks again
        fetched.tmp.unlink(missing_ok=True)
        state.put_remote_hash(photo.photo_id, photo.original_secret, fetched.sha256)
        if fetched.sha256 == sha:
            state.journal_end(entry_id, f"found photo {photo.photo_id}")
            continue
        # (size and mtime unknown: the next scan hashes the file again; the secret matches none)
        name = photo.file_name or naming.title_name(photo.title, photo.media, photo.original_format, photo.photo_id)
        items[key] = BaseItem(key, photo.photo_id, sha, 0, 0, "", placed=False, name=name)
        state.put_item(items[key])
        state.journal_end(entry_id, f"found photo {photo.photo_id}, replaced since by someone else")
    settled = with_cached_hashes(
        RemoteListing(photos=photos, albums=remote.albums, members=remote.members), state.remote_hashes()
    )
    return settled, Base(items=items, albums=base.albums)


def _settle_replaces(state: StateDB, remote: RemoteListing, base: Base, transfers: Transfers) -> RemoteListing:
    pending = state.unfinished("replace")
    if not pending:
        return remote
    known = state.remote_hashes()
    for entry_id, key, sha, detail in pending:
        photo = remote.photos.get(str(detail.get("photo_id", "")))
        if photo is None:
            state.journal_end(entry_id, "photo gone")
            continue
        b = base.items.get(key)
        original = (photo.photo_id, photo.original_secret)
        if original in known or (
            b is not None and b.photo_id == photo.photo_id and b.original_secret == photo.original_secret
        ):
            state.journal_end(entry_id, "did not land" if original not in known else "known")
            continue
        try:
            fetched = transfers.fetch(photo.url_o, media=photo.media)
            fetched.tmp.unlink(missing_ok=True)
            state.put_remote_hash(photo.photo_id, photo.original_secret, fetched.sha256)
            if fetched.sha256 == sha:
                transfers.retag(photo.photo_id, transfers.client.photo_info(photo.photo_id), sha)
        except (FlickrError, OSError):
            continue  # still unknown: the next run looks again
        state.journal_end(entry_id, "landed" if fetched.sha256 == sha else "replaced by someone else")
    return with_cached_hashes(remote, state.remote_hashes())
