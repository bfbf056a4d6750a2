"""What a run tells whoever reports it, as it happens: typed events, never phrases.

The executor (and the run around it) sends these through a ``notify(event)`` callback; the
report (:mod:`pycsync.report`) decides how each is shown. Counters are kept per :class:`Done`
kind, so rewording what the user reads never changes what ``--json`` counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum, unique
from typing import Literal

from pycsync.config import Widening
from pycsync.estimate import Estimate
from pycsync.model import Privacy


@unique
class Done(StrEnum):
    """What one action did to one file. The value is the key of the ``by_album`` counters of
    ``sync --json`` (documented in the README: keep them as they are)."""

    UPLOADED = "uploaded"
    DOWNLOADED = "downloaded"  # (or linked from a file here that holds the same content)
    REPLACED = "replaced"  # on Flickr
    REPLACED_LOCALLY = "replaced locally"
    MOVED = "moved"  # here
    MOVED_ON_FLICKR = "moved on Flickr"
    TRASHED = "trashed"
    DELETED_ON_FLICKR = "deleted on Flickr"
    REMOVED_FROM_ALBUM = "removed from album"
    LINKED = "linked"  # both sides held the same content: recorded
    ADDED_TO_ALBUM = "added to album"
    SETTINGS_CHANGED = "settings changed"  # on Flickr: a photo given its folder's changed settings
    METADATA = "metadata"  # a photo's title, description, tags, date or place written


@dataclass(frozen=True, slots=True)
class ActionDone:
    kind: Done
    key: str
    source: str = ""  # the key it was moved or linked from
    album: str = ""  # the album's title (ADDED_TO_ALBUM)
    kept_at: str = ""  # where the trash keeps it, relative to the root (TRASHED)
    compared: bool = False  # LINKED once Flickr's original was hashed and found the same
    settings: tuple[str, ...] = ()  # SETTINGS_CHANGED: what the photo was given ("privacy public", ...)
    to_flickr: tuple[str, ...] = ()  # METADATA: the fields written on Flickr
    to_folder: tuple[str, ...] = ()  # METADATA: the fields written in the sidecar here


@dataclass(frozen=True, slots=True)
class ActionFailed:
    key: str
    message: str  # why, for the user
    permanent: bool = False  # Flickr refuses the file: not offered again until it changes


@dataclass(frozen=True, slots=True)
class SidecarStayed:
    """A file moved without its XMP sidecar, which could not follow it."""

    key: str  # the file, where it is now
    sidecar: str  # the sidecar, where it stays (relative to the root)
    reason: str


@dataclass(frozen=True, slots=True)
class TransfersPlanned:
    """A plan's transfers are about to run (sent once per executor run that has any)."""

    files: int
    bytes_known: int  # the sizes known up front (uploads and replaces; downloads are not)


@dataclass(frozen=True, slots=True)
class TransferStarted:
    key: str  # (or the URL, for a fetch with no key)
    direction: Literal["up", "down"]
    size: int  # 0: not known


@dataclass(frozen=True, slots=True)
class TransferProgress:
    key: str
    done: int  # bytes so far


@dataclass(frozen=True, slots=True)
class TransferFinished:
    key: str


@dataclass(frozen=True, slots=True)
class UploadsVisible:
    """Before the first upload: this run's new photos, or photos already on Flickr whose folder's
    settings changed, will be visible to more than you."""

    uploads: tuple[tuple[Privacy, int], ...]  # new uploads by who may see them (private left out)
    changes: tuple[tuple[Privacy, int], ...]  # photos already on Flickr a .pycsync.toml makes visible
    widenings: tuple[Widening, ...]  # the settings files that widen it beyond your own settings


@dataclass(frozen=True, slots=True)
class UploadsStopped:
    """Flickr refused an upload for the account (full, its video limit, content it does not
    take): no further upload is sent in this run; everything else goes on."""

    reason: str


@dataclass(frozen=True, slots=True)
class RunCost:
    """Before anything is sent: what the plan will cost."""

    estimate: Estimate


Event = (
    ActionDone
    | ActionFailed
    | SidecarStayed
    | TransfersPlanned
    | TransferStarted
    | TransferProgress
    | TransferFinished
    | UploadsVisible
    | UploadsStopped
    | RunCost
)
Notify = Callable[[Event], None]


def ignore(event: Event) -> None:
    """A ``notify`` for runs nobody watches."""
