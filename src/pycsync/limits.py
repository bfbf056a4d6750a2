"""The account's limits, and the check of a plan against them before anything is sent.

Since 2022-05 a free Flickr account holds at most 1,000 photos and videos, at most 50 of them
non-public, and safe content only; content over the limits "is at risk of deletion" (Flickr's
published policy; docs/flickr-behaviour.md, "Account kinds"). Flickr's API reports none of the
three: ``people.getInfo`` tells the owner whether the account is Pro (and a free account's upload
count and limit), ``people.getLimits`` the largest photo and video file and the longest video.
So pycsync knows the policy itself and reads the rest once per run (:func:`read_account`).

:func:`check` is pure: the plan, the account and the facts about the files to send in, a
:class:`Verdict` out. A plan that would pass the item or non-public limit (or send content a free
account refuses) uploads nothing; files over the size or length limits are skipped before they
are sent; a free account's photos cannot be replaced (``replace`` is Pro only), so an edit of one
waits. ``sync``, ``sync --dry-run`` and ``status`` run the same check and give the same verdict.
"""

from __future__ import annotations

import dataclasses
import json
import os
import stat
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pycsync import naming
from pycsync.errors import SafetyAbort
from pycsync.flickr import FlickrClient
from pycsync.flickr.models import PersonInfo, UploadLimits
from pycsync.model import Plan, Replace, Upload

#: Flickr's free-account policy since 2022-05 (reported by no API call)
FREE_MAX_ITEMS = 1000
FREE_MAX_NONPUBLIC = 50
#: what Flickr accepts when people.getLimits does not say (its documented limits)
DEFAULT_MAX_PHOTO_BYTES = 200 * 2**20
DEFAULT_MAX_VIDEO_BYTES = 2**30
#: how long people.getLimits' answer is kept in the state (it changes with the account's kind,
#: which every run reads afresh)
LIMITS_CACHE_SECONDS = 7 * 86400

SAFE = "safe"


@dataclass(frozen=True)
class Account:
    """The account as one run sees it."""

    pro: bool
    items: int  # photos and videos it holds
    nonpublic: int  # ... of which not public
    max_items: int | None  # None: no limit
    max_nonpublic: int | None
    max_photo_bytes: int = DEFAULT_MAX_PHOTO_BYTES
    max_video_bytes: int = DEFAULT_MAX_VIDEO_BYTES
    max_video_seconds: int | None = None  # None: not known

    @property
    def kind(self) -> str:
        return "pro" if self.pro else "free"

    def as_json(self) -> dict:
        return dataclasses.asdict(self) | {"kind": self.kind}


@dataclass(frozen=True)
class Outgoing:
    """One file a plan sends (an upload or a replace) and where it goes."""

    size: int
    video: bool
    seconds: float | None = None  # a video's length, when it could be read
    privacy: str = "private"  # who may see it once uploaded
    safety_level: str | None = None  # None: the account's default (safe on a free account)
    safety_source: str = ""  # the settings file that asks for it


@dataclass(frozen=True)
class Excess:
    """One limit the plan would pass."""

    limit: str  # "items" | "non-public items" | "safe content only"
    have: int  # what the account holds now
    adding: int  # what the plan adds
    allowed: int

    @property
    def over(self) -> int:
        return self.have + self.adding - self.allowed


@dataclass(frozen=True)
class Verdict:
    account: Account
    excess: tuple[Excess, ...] = ()
    # files skipped before sending: (key, reason), remembered as refused until they change (the
    # reason says the limit; "not sent" is said where it is reported)
    too_big: tuple[tuple[str, str], ...] = ()
    # edits a free account cannot send (replace is Pro only): (key, reason), left for later
    waiting: tuple[tuple[str, str], ...] = ()
    # details for the message: non-public uploads, photos made non-public, uploads not safe
    nonpublic_uploads: int = 0
    made_nonpublic: int = 0
    made_public: int = 0
    unsafe: tuple[tuple[str, str], ...] = ()  # (key, source) of uploads set to moderate/restricted

    @property
    def ok(self) -> bool:
        return not self.excess

    def message(self) -> str:
        """What would exceed, by how much, and the ways out (exit 7)."""
        lines = [f"this sync would pass your {self.account.kind} Flickr account's limits, so nothing was uploaded:"]
        ways = []
        for e in self.excess:
            if e.limit == "items":
                lines.append(
                    f"- photos and videos: the account holds {e.have:,} of the {e.allowed:,} a free account may "
                    f"have; this sync would upload {e.adding:,} more ({e.have + e.adding:,}, {e.over:,} over)"
                )
                ways.append(f"narrow the selection to at most {max(0, e.allowed - e.have):,} new files")
            elif e.limit == "non-public items":
                parts = []
                if self.nonpublic_uploads:
                    parts.append(f"{self.nonpublic_uploads:,} new uploads that are not public")
                if self.made_nonpublic:
                    parts.append(f"{self.made_nonpublic:,} photos made non-public by a .pycsync.toml")
                freed = f", {self.made_public:,} made public" if self.made_public else ""
                lines.append(
                    f"- non-public photos and videos: the account holds {e.have:,} of the {e.allowed:,} a free "
                    f"account may have; this sync would add {' and '.join(parts)}{freed} "
                    f"({e.have + e.adding:,}, {e.over:,} over)"
                )
                ways.append(
                    'make the uploads public: --privacy public, or privacy = "public" in a .pycsync.toml of '
                    "their folders"
                )
                ways.append("narrow the selection (.pycsyncignore or --exclude)")
            else:
                where = sorted({source for _, source in self.unsafe if source})
                lines.append(
                    f"- safe content only: {e.adding:,} uploads or photos are set to a safety level other than "
                    f"safe ({', '.join(where) or 'a .pycsync.toml'}), which a free account does not accept"
                )
                ways.append('set safety_level = "safe" in those files, or remove it')
        ways.append("or upgrade to Flickr Pro, which has none of these limits")
        lines.append("Ways out: " + "; ".join(dict.fromkeys(ways)) + ".")
        lines.append("(Flickr says content over a free account's limits is at risk of deletion.)")
        return "\n".join(lines)

    def as_json(self) -> dict:
        return {
            "account": self.account.as_json(),
            "ok": self.ok,
            "exceeds": [dataclasses.asdict(e) | {"over": e.over} for e in self.excess],
            "too_big": [{"path": k, "reason": r} for k, r in self.too_big],
            "waiting": [{"path": k, "reason": r} for k, r in self.waiting],
        }


class LimitsAbort(SafetyAbort):
    """The plan would pass the account's item or non-public limits: nothing is uploaded (exit 7)."""

    def __init__(self, verdict: Verdict) -> None:
        self.verdict = verdict
        super().__init__(verdict.message())


def _size(n: int) -> str:
    """Sizes as Flickr states its limits (200 MB, 1 GB: binary units)."""
    for unit, size in (("GB", 2**30), ("MB", 2**20), ("kB", 2**10)):
        if n >= size:
            return f"{n / size:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n} B"


def _length(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def check(
    plan: Plan,
    account: Account,
    outgoing: Mapping[str, Outgoing],
    *,
    made_nonpublic: int = 0,
    made_public: int = 0,
    unsafe_changes: tuple[tuple[str, str], ...] = (),
) -> Verdict:
    """The plan against the account. ``outgoing``: the first key of each upload and the key of
    each replace -> the file to send. ``made_nonpublic`` / ``made_public``: photos already on
    Flickr whose privacy a settings change makes non-public / public; ``unsafe_changes``: (key,
    source) of photos a settings change makes moderate or restricted."""
    too_big: list[tuple[str, str]] = []
    waiting: list[tuple[str, str]] = []
    uploads = nonpublic_uploads = 0
    unsafe: list[tuple[str, str]] = list(unsafe_changes)
    for action in plan.actions:
        if not isinstance(action, (Upload, Replace)):
            continue
        key = action.keys[0] if isinstance(action, Upload) else action.key
        file = outgoing.get(key) or Outgoing(action.size, naming.is_video(key))
        refusal = _refusal(file, account)
        if refusal is not None:
            keys = action.keys if isinstance(action, Upload) else (action.key,)
            too_big.extend((k, refusal) for k in keys)
            continue
        if isinstance(action, Replace):
            if not account.pro:
                waiting.append(
                    (
                        key,
                        "edited here, but Flickr replaces a photo's file only on a Pro account: the photo on "
                        "Flickr keeps its earlier version until the account is Pro",
                    )
                )
            continue
        uploads += 1
        if file.privacy != "public":
            nonpublic_uploads += 1
        if not account.pro and file.safety_level not in (None, SAFE):
            unsafe.append((key, file.safety_source))
    excess = []
    if account.max_items is not None and uploads and account.items + uploads > account.max_items:
        excess.append(Excess("items", account.items, uploads, account.max_items))
    adding = nonpublic_uploads + made_nonpublic - made_public
    if (
        account.max_nonpublic is not None
        and (nonpublic_uploads or made_nonpublic)
        and account.nonpublic + adding > account.max_nonpublic
    ):
        excess.append(Excess("non-public items", account.nonpublic, adding, account.max_nonpublic))
    if unsafe and not account.pro:
        excess.append(Excess("safe content only", 0, len(unsafe), 0))
    return Verdict(
        account,
        tuple(excess),
        tuple(too_big),
        tuple(waiting),
        nonpublic_uploads,
        made_nonpublic,
        made_public,
        tuple(unsafe),
    )


def _refusal(file: Outgoing, account: Account) -> str | None:
    """Why Flickr would refuse (or cut) this file for this account, or None."""
    limit = account.max_video_bytes if file.video else account.max_photo_bytes
    kind = "video" if file.video else "photo"
    if file.size > limit:
        return f"too large for Flickr: {_size(file.size)}, and a {kind} may be at most {_size(limit)}"
    seconds = account.max_video_seconds
    if file.video and file.seconds is not None and seconds and file.seconds > seconds:
        return (
            f"too long for your {account.kind} Flickr account: {_length(file.seconds)}, and a video may play "
            f"at most {_length(seconds)} (Flickr would cut the rest)"
        )
    return None


def without_refused(plan: Plan, verdict: Verdict) -> Plan:
    """The plan less what the verdict keeps from being sent (uploads and replaces of files too
    large or too long, edits a free account cannot send): those files are reported instead."""
    held = {k for k, _ in verdict.too_big} | {k for k, _ in verdict.waiting}
    if not held:
        return plan
    actions = []
    for a in plan.actions:
        if isinstance(a, Upload) and a.keys[0] in held:
            continue
        if isinstance(a, Replace) and a.key in held:
            continue
        actions.append(a)
    return dataclasses.replace(plan, actions=tuple(actions))


# ---------------------------------------------------------------------- reading the account


def account_from(person: PersonInfo, files: UploadLimits, items: int, nonpublic: int) -> Account:
    """The run's account: its kind from people.getInfo, Flickr's free policy when it is not Pro
    (with the item limit Flickr shows, when it shows one), the file limits of people.getLimits,
    and what it holds (the listing counts it, unless people.getInfo counts more)."""
    free = not person.pro
    return Account(
        pro=person.pro,
        items=max(items, person.count or 0, person.upload_count or 0),
        nonpublic=nonpublic,
        max_items=(person.upload_limit or FREE_MAX_ITEMS) if free else None,
        max_nonpublic=FREE_MAX_NONPUBLIC if free else None,
        max_photo_bytes=files.max_photo_bytes or DEFAULT_MAX_PHOTO_BYTES,
        max_video_bytes=files.max_video_bytes or DEFAULT_MAX_VIDEO_BYTES,
        max_video_seconds=files.max_video_seconds,
    )


#: the state's meta entry holding the last people.getLimits answer
LIMITS_META = "account.limits"


def read_account(
    client: FlickrClient,
    nsid: str,
    *,
    items: int,
    nonpublic: int,
    person: PersonInfo | None = None,
    meta: tuple[Callable[[str], str | None], Callable[[str, str], None]] | None = None,
    now: float | None = None,
) -> Account:
    """The account, for at most two calls: people.getInfo (none when the listing just read it:
    ``person``) and people.getLimits (none while the state's copy of its answer, for the same
    account and kind, is younger than a week: ``meta`` is the state's (get, set) of meta values)."""
    if person is None:
        person = client.person_info(nsid)
    now = time.time() if now is None else now
    files = None
    if meta is not None:
        files = _cached_limits(meta[0](LIMITS_META), nsid, person.pro, now)
    if files is None:
        files = client.upload_limits()
        if meta is not None:
            meta[1](LIMITS_META, json.dumps(dataclasses.asdict(files) | {"nsid": nsid, "pro": person.pro, "read": now}))
    return account_from(person, files, items, nonpublic)


def _cached_limits(text: str | None, nsid: str, pro: bool, now: float) -> UploadLimits | None:
    try:
        data = json.loads(text or "")
        if data.get("nsid") != nsid or data.get("pro") is not pro:
            return None
        if not 0 <= now - float(data["read"]) < LIMITS_CACHE_SECONDS:
            return None
        return UploadLimits(data["max_photo_bytes"], data["max_video_bytes"], data["max_video_seconds"])
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def video_seconds(path: str | os.PathLike[str]) -> float | None:
    """A local video's length in seconds, from its container's header (mutagen: the MP4 and
    QuickTime family, ASF/WMV, Ogg ...); None when it cannot be read. Opened without blocking
    and only when it is a regular file."""
    import math

    import mutagen

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    with open(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        try:
            found = mutagen.File(f)
            length = float(found.info.length) if found is not None and found.info is not None else math.nan
        except Exception:  # noqa: BLE001 - any file mutagen cannot read is one of unknown length
            return None
    return length if math.isfinite(length) and length >= 0 else None
