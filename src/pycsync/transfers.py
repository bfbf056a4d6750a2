"""Moving files to and from Flickr, for the executor and for crash recovery alike.

A fetch streams an original into `.pycsync/tmp/`, hashing it as it arrives and bounded by what
Flickr accepts for its kind of media, the free disk space and its progress; nothing is kept of
one that breaks a limit. Every transfer reports its progress (``TransferStarted``,
``TransferProgress``, ``TransferFinished``) and is abandoned at its next chunk once the run is
stopping. The content and name tags that make a photo findable are pointed at a file's new
content or name here, and an upload whose answer was lost is looked up by its content tag.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import BinaryIO, Literal, NamedTuple

from pycsync import naming
from pycsync.concurrency import Gate
from pycsync.events import Notify, TransferFinished, TransferProgress, TransferStarted, ignore
from pycsync.flickr import DownloadLimits, FlickrClient, ListedPhoto, PhotoInfo, TransientError
from pycsync.safefs import SafeDir, TempFile

# Flickr accepts photos up to 200 MB and videos up to 1 GB: no original can be bigger
MAX_PHOTO_BYTES = 200 << 20
MAX_VIDEO_BYTES = 1 << 30
#: free disk space downloads never eat into (the system, SQLite's journal and other programs
#: need room too)
MIN_FREE_SPACE = 256 << 20


class Fetched(NamedTuple):
    """An original fetched into a temporary file (the caller moves it into place or unlinks it)."""

    tmp: TempFile
    sha256: str
    size: int
    served_name: str | None  # the file name the server gave it (a video's real type)


class Abandoned(BaseException):
    """Raised inside a transfer the stopping run abandons (a BaseException, so that no library's
    ``except Exception`` holds on to it)."""


class Transfers:
    """Transfers and tag edits against one account.

    ``tmp``: the folder fetched files go to (opened when first needed). ``stopping``: set when
    the run stops, so transfers in flight are abandoned (:class:`Abandoned`). ``sleep`` paces
    the look for a lost upload, for at most ``unknown_upload_wait`` seconds after it was sent.
    """

    def __init__(
        self,
        client: FlickrClient,
        tmp: Callable[[], SafeDir],
        *,
        notify: Notify = ignore,
        stopping: threading.Event | None = None,
        sleep: Callable[[float], None] = time.sleep,
        unknown_upload_wait: float = 60.0,
        min_free_space: int = MIN_FREE_SPACE,
        gate: Gate | None = None,
    ):
        self.client = client
        self._tmp = tmp
        self._notify = notify
        self._stopping = stopping if stopping is not None else threading.Event()
        self._sleep = sleep
        self.unknown_upload_wait = unknown_upload_wait
        self.min_free_space = min_free_space
        self._gate = gate  # --jobs auto: it measures every transfer

    @contextmanager
    def progress(self, key: str, direction: Literal["up", "down"], size: int) -> Iterator[Callable[[int], None]]:
        """Progress events around one transfer (size 0: not known); yields the client's progress
        callback, which abandons the transfer when the run stops."""
        self._notify(TransferStarted(key, direction, size))
        with contextlib.ExitStack() as stack:
            measure = stack.enter_context(self._gate.transfer(direction, size)) if self._gate is not None else None

            def progress(done: int) -> None:
                if measure is not None:
                    measure(done)
                if direction == "down" or done < size:  # an upload whose body has left is let finish
                    self.check_stop()
                self._notify(TransferProgress(key, done))

            try:
                yield progress
            finally:
                self._notify(TransferFinished(key))

    def check_stop(self) -> None:
        if self._stopping.is_set():
            raise Abandoned

    def temp_name(self) -> str:
        """A name for a new file in the temporary folder, unique to this process and thread."""
        return f"{os.getpid()}-{threading.get_ident()}-{time.monotonic_ns()}.part"

    # ------------------------------------------------------------------ downloads

    def fetch(self, url: str, key: str = "", media: str = "") -> Fetched:
        """Download ``url`` into a temp file, hashing it on the way. The download is bounded by
        what Flickr accepts for its kind of media (a video when not known), the free disk space
        and its progress; nothing is kept of one that breaks a limit."""
        folder = self._tmp()
        tmp = TempFile(folder, self.temp_name())
        digest = hashlib.sha256()
        try:
            with open(folder.create(tmp.name), "wb") as raw, self.progress(key or url, "down", 0) as progress:
                result = self.client.download(
                    url, _HashingWriter(raw, digest), progress=progress, limits=self._limits(media)
                )
                raw.flush()
                os.fsync(raw.fileno())
            if _error_page(result.content_type):
                # a 200 answer holding an error page (a proxy, or an API error on a static host)
                # must never be saved as the photo
                raise TransientError(
                    f"got {result.content_type} instead of the original; will retry", method="download"
                )
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return Fetched(tmp, digest.hexdigest(), result.bytes_written, result.content_disposition_filename)

    def _limits(self, media: str) -> DownloadLimits:
        photo = media == "photo"
        return DownloadLimits(
            max_bytes=MAX_PHOTO_BYTES if photo else MAX_VIDEO_BYTES, kind="photo" if photo else "video", room=self._room
        )

    def _room(self) -> int:
        """Bytes a download may still write: the free disk space less the margin kept free."""
        return shutil.disk_usage(self._tmp().path).free - self.min_free_space

    # ------------------------------------------------------------------ tags

    def retag(self, photo_id: str, info: PhotoInfo, sha256: str) -> None:
        """Point the content tag at the new content (the old one would mislead a state rebuild)."""
        new_tag = naming.hash_tag(sha256)
        stale = [t.tag_id for t in info.tags if t.raw.startswith(naming.HASH_TAG_PREFIX) and t.raw != new_tag]
        self.client.add_tags(photo_id, [new_tag])
        for tag_id in stale:
            self.client.remove_tag(tag_id)

    def retag_name(self, photo_id: str, name: str) -> None:
        """Point the exact-name tag at the file's new name, so the other computers rename theirs
        (and a state rebuild finds it): add the new tag, then remove the old ones (their ids are
        only in photos.getInfo)."""
        new_tag = naming.name_tag(name)
        raws = {t.raw.lower(): t.tag_id for t in self.client.photo_info(photo_id).tags}
        if new_tag not in raws:
            self.client.add_tags(photo_id, [new_tag])
        for raw, tag_id in raws.items():
            if raw.startswith(naming.NAME_TAG_PREFIX) and raw != new_tag:
                self.client.remove_tag(tag_id)

    # ------------------------------------------------------------------ lost answers

    def find_landed_upload(self, sha256: str, since: float | None = None) -> ListedPhoto | None:
        """Look for an upload of this content by its content tag, allowing for search lag: the
        earliest such photo (the one a retry would duplicate), its secret if Flickr tells it.

        Searches until ``unknown_upload_wait`` seconds after ``since`` (the wall-clock time the
        upload was sent; default now) have passed, and always at least once.
        """
        started = time.time() if since is None else since
        deadline = time.monotonic() + max(0.0, started + self.unknown_upload_wait - time.time())
        delay = 0.5
        while True:
            hits = self.client.find_by_machine_tag(naming.hash_tag(sha256), "original_format,date_upload,url_o")
            if hits:
                return min(hits, key=lambda p: (p.date_upload, len(p.photo_id), p.photo_id))
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self._sleep(min(delay, left))
            delay = min(delay * 2, 8.0)


class _HashingWriter:
    """A write-only file wrapper that hashes what passes through (no second read of the file)."""

    def __init__(self, raw: BinaryIO, digest: hashlib._Hash):
        self._raw, self._digest = raw, digest

    def write(self, data: bytes) -> int:
        self._digest.update(data)
        return self._raw.write(data)

    def flush(self) -> None:
        self._raw.flush()


def _error_page(content_type: str | None) -> bool:
    """Whether a download's Content-Type says it is text (an error page), not a photo or video."""
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    return kind.startswith("text/") or kind in ("application/xml", "application/json")
