"""Small typed results returned by the client, plus JSON coercion helpers.

Flickr's JSON wraps text in ``{"_content": ...}``, types numbers as numbers or strings as it
pleases and leaves out what it has nothing for; the ``from_json`` constructors here read those
shapes once, so nothing outside the client unpacks them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, overload

__all__ = [
    "Album",
    "ListedPhoto",
    "PhotoContexts",
    "PhotoInfo",
    "Size",
    "Tag",
    "Login",
    "AccessToken",
    "UploadResult",
    "DownloadResult",
    "DownloadLimits",
    "PersonInfo",
    "UploadLimits",
    "Sink",
    "as_float",
    "as_int",
    "content",
]


@dataclass(frozen=True)
class Login:
    user_nsid: str
    username: str


@dataclass(frozen=True)
class AccessToken:
    token: str
    token_secret: str
    user_nsid: str
    username: str
    fullname: str = ""

    def __repr__(self) -> str:  # never show the secret
        return (
            f"AccessToken(token='***', token_secret='***', user_nsid={self.user_nsid!r}, "
            f"username={self.username!r}, fullname={self.fullname!r})"
        )


@dataclass(frozen=True)
class UploadResult:
    """Answer of upload/replace. ``secret``/``original_secret`` are ``None`` when Flickr
    answered the documented bare ``<photoid>123</photoid>``. ``ticket_id`` is set (and
    ``photo_id`` is ``""``) only for an asynchronous upload answer (``<ticketid>``)."""

    photo_id: str
    secret: str | None = None
    original_secret: str | None = None
    ticket_id: str | None = None


@dataclass(frozen=True)
class PersonInfo:
    """people.getInfo as the account's owner sees it: whether it is Pro, how many photos and
    videos it holds, and a free account's upload count and limit (only the owner sees those,
    and only on a free account)."""

    nsid: str
    pro: bool
    count: int | None
    upload_count: int | None = None
    upload_limit: int | None = None


@dataclass(frozen=True)
class UploadLimits:
    """people.getLimits: the largest photo and video file and the longest video the account may
    upload (None where the answer leaves it out)."""

    max_photo_bytes: int | None
    max_video_bytes: int | None
    max_video_seconds: int | None


@dataclass(frozen=True)
class DownloadResult:
    bytes_written: int
    content_type: str | None
    content_disposition_filename: str | None


class Sink(Protocol):
    """Where a download's bytes go: a file open for writing, or anything that takes bytes."""

    def write(self, data: bytes, /) -> int: ...


@dataclass(frozen=True)
class DownloadLimits:
    """What one download may take; breaking a limit raises :class:`LimitExceeded` (a stall is a
    :class:`TransientError`).

    ``max_bytes``: the most the file can be (Flickr's upload limit for its kind, ``kind`` names
    it in messages). ``room``: how many bytes may still be written (the free disk space less a
    margin), asked before the first byte and every few MiB. ``stall_seconds``: the longest wait
    for the next byte (None: the client's read timeout). The whole download may take
    ``base_seconds`` plus its size (declared, else ``max_bytes``) at ``min_rate`` bytes/s.
    """

    max_bytes: int | None = None
    kind: str = "file"
    room: Callable[[], int] | None = None
    stall_seconds: float | None = None
    base_seconds: float = 300.0
    min_rate: float = 16 * 1024

    def deadline(self, started: float, size: int | None) -> float | None:
        """When the download must be done (monotonic clock), or None when its size is unknown."""
        size = size if size is not None else self.max_bytes
        return None if size is None else started + self.base_seconds + size / self.min_rate


@dataclass(frozen=True)
class Tag:
    """One tag of a photo as photos.getInfo gives it."""

    tag_id: str  # the full id (``<owner>-<photo>-<tag>``) that photos.removeTag takes
    raw: str  # as it was added (a machine tag's value unquoted)
    clean: str  # Flickr's normalised form
    author: str
    machine: bool

    @classmethod
    def from_json(cls, tag: Mapping[str, Any]) -> Tag:
        machine = tag.get("machine_tag")
        return cls(
            tag_id=str(tag.get("id", "")),
            raw=str(tag.get("raw", "")),
            clean=content(tag.get("_content")),
            author=str(tag.get("author", "")),
            machine=machine if isinstance(machine, bool) else as_int(machine, 0) == 1,
        )


@dataclass(frozen=True)
class PhotoInfo:
    """photos.getInfo: what pycsync reads of one photo. ``original_secret`` is ``""`` when
    Flickr does not tell it (it does to the owner)."""

    photo_id: str
    title: str
    description: str
    media: str  # "photo" | "video"
    original_format: str
    original_secret: str
    secret: str
    last_update: int
    date_taken: str
    owner: str  # the owner's NSID
    tags: tuple[Tag, ...]
    taken_granularity: int = 0  # 0 exact, 4 month, 6 year, 8 circa
    taken_unknown: bool = False  # the date taken is Flickr's guess (the upload time)
    latitude: float | None = None  # (None: no location, or not shown to the caller)
    longitude: float | None = None
    accuracy: int | None = None

    @classmethod
    def from_json(cls, photo: Mapping[str, Any]) -> PhotoInfo:
        dates = photo.get("dates") or {}
        owner = photo.get("owner") or {}
        tags = (photo.get("tags") or {}).get("tag") or []
        where = photo.get("location") or {}
        return cls(
            photo_id=str(photo.get("id", "")),
            title=content(photo.get("title")),
            description=content(photo.get("description")),
            media=str(photo.get("media") or "photo"),
            original_format=str(photo.get("originalformat") or "jpg"),
            original_secret=str(photo.get("originalsecret") or ""),
            secret=str(photo.get("secret") or ""),
            last_update=as_int(dates.get("lastupdate"), 0),
            date_taken=str(dates.get("taken") or ""),
            owner=str(owner.get("nsid", "")) if isinstance(owner, dict) else "",
            tags=tuple(Tag.from_json(t) for t in ([tags] if isinstance(tags, dict) else tags) if isinstance(t, dict)),
            taken_granularity=as_int(dates.get("takengranularity"), 0),
            taken_unknown=as_int(dates.get("takenunknown"), 0) == 1,
            latitude=as_float(where.get("latitude")) if isinstance(where, dict) else None,
            longitude=as_float(where.get("longitude")) if isinstance(where, dict) else None,
            accuracy=as_int(where.get("accuracy")) if isinstance(where, dict) else None,
        )

    @property
    def machine_tags(self) -> str:
        """The raw forms of the photo's machine tags, space separated (as the ``machine_tags``
        extra of a listing gives them)."""
        return " ".join(t.raw for t in self.tags if t.machine)


@dataclass(frozen=True)
class Album:
    """One photoset as photosets.getList gives it."""

    album_id: str
    title: str
    description: str
    primary: str  # the cover photo's id
    count: int  # photos and videos
    date_update: int

    @classmethod
    def from_json(cls, photoset: Mapping[str, Any]) -> Album:
        return cls(
            album_id=str(photoset.get("id", "")),
            title=content(photoset.get("title")),
            description=content(photoset.get("description")),
            primary=str(photoset.get("primary", "")),
            count=as_int(photoset.get("photos"), 0) + as_int(photoset.get("videos"), 0),
            date_update=as_int(photoset.get("date_update"), 0),
        )


@dataclass(frozen=True)
class PhotoContexts:
    """photos.getAllContexts: the albums (sets) and groups (pools) a photo is in."""

    album_ids: tuple[str, ...]
    group_ids: tuple[str, ...]

    @classmethod
    def from_json(cls, answer: Mapping[str, Any]) -> PhotoContexts:
        def ids(key: str) -> tuple[str, ...]:
            found = answer.get(key) or []
            found = [found] if isinstance(found, dict) else found
            return tuple(str(c.get("id", "")) for c in found if isinstance(c, dict))

        return cls(album_ids=ids("set"), group_ids=ids("pool"))


@dataclass(frozen=True)
class Size:
    """One entry of photos.getSizes: where a size (or the original) is served."""

    label: str  # "Square", ..., "Original", "Video Original"
    width: int | None
    height: int | None
    source: str  # the file's URL
    url: str  # its page
    media: str

    @classmethod
    def from_json(cls, size: Mapping[str, Any]) -> Size:
        return cls(
            label=str(size.get("label", "")),
            width=as_int(size.get("width")),
            height=as_int(size.get("height")),
            source=str(size.get("source", "")),
            url=str(size.get("url", "")),
            media=str(size.get("media", "photo")),
        )


@dataclass(frozen=True)
class ListedPhoto:
    """A photo as a search or list method (photos.search, people.getPhotos) names it: enough to
    find an upload. ``original_secret`` needs the ``original_format`` extra, ``date_upload``
    the ``date_upload`` extra (else ``""`` and 0); its metadata the ``description``, ``tags``,
    ``date_taken`` and ``geo`` extras."""

    photo_id: str
    original_secret: str
    date_upload: int
    title: str = ""
    description: str = ""
    tags: str = ""  # clean forms, space separated
    date_taken: str = ""
    taken_granularity: int = 0
    taken_unknown: bool = False
    latitude: float | None = None
    longitude: float | None = None
    accuracy: int | None = None
    url_o: str = ""  # with the ``url_o`` extra (a photo's original; not a video's)

    @classmethod
    def from_json(cls, photo: Mapping[str, Any]) -> ListedPhoto:
        return cls(
            photo_id=str(photo.get("id", "")),
            original_secret=str(photo.get("originalsecret") or ""),
            url_o=str(photo.get("url_o") or ""),
            date_upload=as_int(photo.get("dateupload"), 0),
            title=content(photo.get("title")),
            description=content(photo.get("description")),
            tags=str(photo.get("tags") or ""),
            date_taken=str(photo.get("datetaken") or ""),
            taken_granularity=as_int(photo.get("datetakengranularity"), 0),
            taken_unknown=as_int(photo.get("datetakenunknown"), 0) == 1,
            latitude=as_float(photo.get("latitude")),
            longitude=as_float(photo.get("longitude")),
            accuracy=as_int(photo.get("accuracy")),
        )


@overload
def as_int(value: Any) -> int | None: ...
@overload
def as_int(value: Any, default: int) -> int: ...
@overload
def as_int(value: Any, default: int | None) -> int | None: ...


def as_int(value: Any, default: int | None = None) -> int | None:
    """Coerce a Flickr number that may be an int, a numeric string, ``""`` or missing."""
    if value is None or isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, dict) and "_content" in value:
        return as_int(value["_content"], default)
    try:
        s = str(value).strip()
        return int(float(s)) if s else default
    except (TypeError, ValueError):
        return default


def as_float(value: Any) -> float | None:
    """Coerce a Flickr number (a latitude: ``37.791`` or ``"39.748750"``); None when missing or bad."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, dict) and "_content" in value:
        return as_float(value["_content"])
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) != float("inf") else None


def content(value: Any, default: str = "") -> str:
    """Unwrap Flickr's ``{"_content": "..."}`` wrapper; plain strings pass through."""
    if value is None:
        return default
    if isinstance(value, dict):
        v = value.get("_content", default)
        return default if v is None else str(v)
    return str(value)
