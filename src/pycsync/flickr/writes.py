"""What a client's own writes did to albums and photos, as far as their answers prove it.

The next listing uses it to recognise the albums this run changed (their photo count and last
update moved because of us) instead of reading their members again: see
:func:`pycsync.remote.note_own_writes`. Only writes Flickr answered with success are recorded;
an album whose write failed or whose outcome is unknown is *unsure*, and is read again.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

#: album operations, in the order Flickr applied them
CREATE = "create"  # photosets.create: the album starts with its primary photo
ADD = "add"  # photosets.addPhoto: appended
REMOVE = "remove"  # photosets.removePhotos
SET = "set"  # photosets.editPhotos: the member list replaced (photosets.delete: by nothing)
META = "meta"  # title, description or primary changed: the members are as they were


@dataclass
class WriteLog:
    """Thread-safe: the executor's workers share one client."""

    ops: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)  # (album, op, photos)
    deleted: set[str] = field(default_factory=set)  # photos deleted
    unsure: set[str] = field(default_factory=set)  # albums a write may or may not have changed
    unsure_photos: set[str] = field(default_factory=set)  # deletions whose outcome is unknown
    #: Flickr's clock (Date header) at the latest answer to a write: nothing we wrote is later
    latest: int | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def album(self, album_id: str, op: str, photo_ids: tuple[str, ...], stamp: int | None) -> None:
        with self._lock:
            self.ops.append((album_id, op, photo_ids))
            self._stamp(stamp)

    def photo_deleted(self, photo_id: str, stamp: int | None) -> None:
        with self._lock:
            self.deleted.add(photo_id)
            self._stamp(stamp)

    def album_unsure(self, album_id: str) -> None:
        with self._lock:
            self.unsure.add(album_id)

    def photo_unsure(self, photo_id: str) -> None:
        """A deletion whose outcome is unknown: no album the photo was in can be trusted."""
        with self._lock:
            self.unsure_photos.add(photo_id)

    def _stamp(self, stamp: int | None) -> None:
        if stamp is not None and (self.latest is None or stamp > self.latest):
            self.latest = stamp

    @property
    def empty(self) -> bool:
        return not (self.ops or self.deleted or self.unsure or self.unsure_photos)
