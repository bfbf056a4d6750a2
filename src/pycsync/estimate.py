"""What a plan will cost before it runs: Flickr API calls, bytes each way, and the time the calls
take at the hourly budget (``rate_limit``, 3000 calls an hour by default).

Pure: the plan (and how many calls the run has made so far) in, an :class:`Estimate` out. The
calls per action are the executor's (see the README's call costs): one per upload plus one
``people.getPhotos`` per 500 uploads to learn their secrets, four per replace (the replace, the
photo's tags, the new content tag, the old one removed), album edits, one per changed photo
setting. Downloads cost no API call and their sizes are only known once fetched; uploads' sizes
are known exactly. A run that needs more calls than the budget allows in an hour says so up front
and keeps going: the rate limiter waits for the budget instead of failing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pycsync.model import (
    Action,
    ApplySettings,
    Confirm,
    DeletePhoto,
    Download,
    MoveRemote,
    PlaceInAlbum,
    Plan,
    RemoveFromAlbum,
    Replace,
    TrashLocal,
    Upload,
)

#: people.getPhotos reads back this many uploads' original secrets per call
SECRETS_PER_CALL = 500
#: a replace: the replace, photos.getInfo (the tags), addTags (the new content tag), removeTag
REPLACE_CALLS = 4
UNDER_A_MINUTE = "under a minute"
#: a rename of a photo's name tag: photos.getInfo, addTags, removeTag
RENAME_TAG_CALLS = 3


@dataclass(frozen=True)
class Estimate:
    calls: int  # API calls the plan makes (uploads and replaces included)
    bytes_up: int  # exact: the files to send
    downloads: int  # files to fetch (originals, and the ones hashed to compare)
    rate_limit: int | None  # calls an hour at most (None: no limit)
    calls_so_far: int = 0  # calls this run made before the plan (they count in the same hour)

    @property
    def hours(self) -> float | None:
        """How long the calls take at the budget (None without a budget)."""
        return None if not self.rate_limit else self.calls / self.rate_limit

    @property
    def beyond_the_hour(self) -> bool:
        """Whether the run needs more calls than one hour's budget: it then waits for the budget."""
        return bool(self.rate_limit) and self.calls + self.calls_so_far > (self.rate_limit or 0)

    def describe(self) -> str:
        """One line: "≈ 12,400 calls: about 4 h 8 min at 3000/h; 2.3 GB up, 40 files down"."""
        parts = [f"≈ {self.calls:,} API call" + ("" if self.calls == 1 else "s")]
        if self.rate_limit and self.calls:
            took = duration(self.hours or 0)
            parts[0] += f": {'' if took == UNDER_A_MINUTE else 'about '}{took} at {self.rate_limit}/h"
        transfers = []
        if self.bytes_up:
            transfers.append(f"{human_bytes(self.bytes_up)} up")
        if self.downloads:
            transfers.append(f"{self.downloads:,} file{'' if self.downloads == 1 else 's'} down")
        text = "; ".join(parts + ([", ".join(transfers)] if transfers else []))
        if self.beyond_the_hour:
            text += (
                f". More calls than one hour's budget ({self.rate_limit}/h): the sync keeps going, "
                "waiting for the budget as it needs"
            )
        return text

    def as_json(self) -> dict:
        return {
            "calls": self.calls,
            "bytes_up": self.bytes_up,
            "downloads": self.downloads,
            "rate_limit": self.rate_limit,
            "seconds_at_rate_limit": None if self.hours is None else round(self.hours * 3600),
            "beyond_the_hour": self.beyond_the_hour,
            "calls_so_far": self.calls_so_far,
        }


def estimate(plan: Plan, *, rate_limit: int | None, calls_so_far: int = 0, license_uploads: int = 0) -> Estimate:
    """The cost of running ``plan``; ``license_uploads``: uploads whose folder sets a license
    (one photos.licenses.setLicense each: an upload cannot carry it)."""
    calls = license_uploads
    uploads = up = down = 0
    for action in plan.actions:
        calls += action_calls(action)
        if isinstance(action, Upload):
            uploads += 1
            up += action.size
        elif isinstance(action, Replace):
            up += action.size
        elif isinstance(action, (Download, Confirm)):
            down += 1
    calls += math.ceil(uploads / SECRETS_PER_CALL)
    return Estimate(calls, up, down, rate_limit or None, calls_so_far)


def action_calls(action: Action) -> int:
    """The API calls one action makes when all goes well (no retries)."""
    if isinstance(action, Upload):
        return 1
    if isinstance(action, Replace):
        return REPLACE_CALLS
    if isinstance(action, PlaceInAlbum):
        photos = len(action.keys)
        if action.album_id is None:  # photosets.create, then addPhoto (2) or editPhotos (more)
            return 1 + (photos > 1)
        return photos  # one photosets.addPhoto each
    if isinstance(action, MoveRemote):
        return (
            (action.new_title is not None)
            + RENAME_TAG_CALLS * (action.new_name is not None)
            + bool(action.remove_from_album)
        )
    if isinstance(action, (RemoveFromAlbum, DeletePhoto)):
        return 1
    if isinstance(action, TrashLocal):
        return int(bool(action.photo_id or action.album_id))  # Flickr is asked once more first
    if isinstance(action, ApplySettings):
        return settings_calls(action)
    return 0  # local actions, and transfers by URL


def settings_calls(action: ApplySettings) -> int:
    """setPerms, setSafetyLevel (safety level and hidden together), setContentType, setLicense;
    tags: one addTags for the tags added, photos.getInfo plus one removeTag per tag removed."""
    names = {name for name, _, _ in action.changes}
    calls = ("privacy" in names) + bool(names & {"safety_level", "hidden"})
    calls += ("content_type" in names) + ("license" in names)
    for name, old, new in action.changes:
        if name == "tags":
            before, after = set(old or ()), set(new or ())  # type: ignore[call-overload]
            removed = len(before - after)
            calls += bool(after - before) + (1 + removed if removed else 0)
    return calls


def duration(hours: float) -> str:
    """2.0667 -> "2 h 4 min"; under a minute: "under a minute"."""
    minutes = round(hours * 60)
    if minutes < 1:
        return UNDER_A_MINUTE
    h, m = divmod(minutes, 60)
    return f"{h} h {m} min" if h else f"{m} min"


def human_bytes(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if abs(n) < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"  # pragma: no cover
