"""Typed Flickr API client used by the sync engine."""

from __future__ import annotations

import os
import random as _random
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, BinaryIO

import requests

from .endpoints import Endpoints
from .errors import ApiError
from .models import (
    Album,
    DownloadLimits,
    DownloadResult,
    ListedPhoto,
    Login,
    PersonInfo,
    PhotoContexts,
    PhotoInfo,
    Sink,
    Size,
    UploadLimits,
    UploadResult,
    as_int,
    content,
)
from .oauth import Credentials
from .ratelimit import RateLimiter
from .transport import DEFAULT_TIMEOUT, DEFAULT_UPLOAD_TIMEOUT, Transport, TransportStats
from .writes import ADD, CREATE, META, REMOVE, SET, WriteLog

__all__ = ["FlickrClient", "format_tags"]

MAX_PER_PAGE = 500


def format_tags(tags: Iterable[str]) -> str:
    """Join tags Flickr-style: space separated, multi-word tags in double quotes."""
    out = []
    for t in tags:
        t = str(t).replace('"', "").strip()
        if not t:
            continue
        out.append(f'"{t}"' if any(c.isspace() for c in t) else t)
    return " ".join(out)


def _items(container: Any, item_key: str) -> list[dict[str, Any]]:
    if not isinstance(container, dict):
        return []
    items = container.get(item_key)
    if items is None:
        return []
    if isinstance(items, dict):
        return [items]
    return [i for i in items if isinstance(i, dict)]


class FlickrClient:
    """Flickr REST/upload client.

    Thread-safe: one instance can be shared by a pool of worker threads (requests'
    session pool is sized for that, stats and the rate limiter are locked).
    """

    def __init__(
        self,
        endpoints: Endpoints,
        credentials: Credentials,
        *,
        calls_per_hour: int | None = 3000,
        timeout: tuple[float, float] | float = DEFAULT_TIMEOUT,
        upload_timeout: tuple[float, float] | float = DEFAULT_UPLOAD_TIMEOUT,
        max_retries: int = 5,
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.monotonic,
        random: Callable[[], float] = _random.random,
        limiter: RateLimiter | None = None,
        backoff_base: float = 1.0,
        backoff_cap: float = 60.0,
        user_nsid: str | None = None,
    ) -> None:
        self.endpoints = endpoints
        self.credentials = credentials
        if limiter is None and calls_per_hour:
            limiter = RateLimiter(calls_per_hour, clock=clock, sleep=sleep)
        self.limiter = limiter
        self._transport = Transport(
            credentials,
            session=session,
            limiter=limiter,
            timeout=timeout,
            upload_timeout=upload_timeout,
            max_retries=max_retries,
            backoff_base=backoff_base,
            backoff_cap=backoff_cap,
            sleep=sleep,
            random=random,
            sign_origins=endpoints.origins(),
        )
        self._nsid = user_nsid
        self._lock = threading.Lock()
        #: where album and photo writes are recorded (see :meth:`record_writes`)
        self.writes: WriteLog | None = None

    # ------------------------------------------------------------------ plumbing

    @property
    def transport(self) -> Transport:
        return self._transport

    @property
    def stats(self) -> TransportStats:
        return self._transport.stats

    @property
    def user_nsid(self) -> str | None:
        """The logged-in user's NSID once known (after :meth:`test_login`)."""
        return self._nsid

    def assume_user(self, nsid: str) -> None:
        """The signed-in user's NSID, known from an earlier run with this same token (no
        flickr.test.login needed)."""
        self._nsid = nsid

    def record_writes(self) -> WriteLog:
        """From now on, record what album writes and photo deletions did (a fresh log)."""
        self.writes = WriteLog()
        return self.writes

    def _wrote_album(self, album_id: str, op: str, photo_ids: tuple[str, ...]) -> None:
        if self.writes is not None:
            self.writes.album(album_id, op, photo_ids, self._transport.own_answer_time)

    def _photo_unsure(self, photo_id: str) -> None:
        if self.writes is not None:
            self.writes.photo_unsure(photo_id)

    def _album_unsure(self, album_id: str) -> None:
        if self.writes is not None:
            self.writes.album_unsure(album_id)

    @property
    def server_time(self) -> int | None:
        """Flickr's clock (unix seconds) at the last API answer, from its Date header."""
        return self._transport.server_time

    def seconds_to_reach(self, total_calls: int) -> float:
        """How long until this client has made ``total_calls`` calls, at its budget's pace (0
        without a budget): the least a run that still has them to make can take."""
        if self.limiter is None:
            return 0.0
        return self.limiter.seconds_for(total_calls - self.stats.total_calls)

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> FlickrClient:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def call(
        self,
        method: str,
        *,
        write: bool = False,
        idempotent: bool = True,
        retry_unreachable: bool = True,
        **params: Any,
    ) -> dict[str, Any]:
        """Raw REST call; returns the decoded JSON (``stat == "ok"``). Writes use POST.
        ``retry_unreachable=False``: a server that cannot be reached is reported at once."""
        return self._transport.rest(
            self.endpoints.rest, method, params, write=write, idempotent=idempotent, retry_unreachable=retry_unreachable
        )

    def paginate(
        self,
        method: str,
        list_key: str,
        item_key: str,
        per_page: int = MAX_PER_PAGE,
        *,
        retry_unreachable: bool = True,
        **params: Any,
    ) -> Iterator[dict[str, Any]]:
        """Yield every item of a paged list method, looping while ``page < pages``.
        ``retry_unreachable=False`` applies to the first page (a run's first call)."""
        page = as_int(params.pop("page", None), 1) or 1
        per_page = max(1, min(MAX_PER_PAGE, int(per_page)))
        once = {} if retry_unreachable else {"retry_unreachable": False}  # (the first page only)
        while True:
            data = self.call(method, page=page, per_page=per_page, **once, **params)
            once = {}
            container = data.get(list_key)
            items = _items(container, item_key)
            yield from items
            if not isinstance(container, dict):
                return
            pages = as_int(container.get("pages"))
            if pages is None:
                total = as_int(container.get("total"))
                if total is not None:
                    pages = (total + per_page - 1) // per_page
            if pages is None:
                if len(items) < per_page:
                    return
            elif page >= pages:
                return
            if not items:
                return  # defensive: never loop on empty pages
            page += 1

    # ------------------------------------------------------------------ identity

    def test_login(self, *, retry_unreachable: bool = True) -> Login:
        """Who the access token belongs to. As a run's first call, ``retry_unreachable=False``
        says at once that the server cannot be reached instead of retrying for a minute."""
        data = self.call("flickr.test.login", retry_unreachable=retry_unreachable)
        user = data.get("user") or {}
        nsid = str(user.get("id") or user.get("nsid") or "")
        login = Login(user_nsid=nsid, username=content(user.get("username")))
        if nsid:
            self._nsid = nsid
        return login

    def check_token(self) -> str:
        """Permission level of the access token: ``read``, ``write`` or ``delete``."""
        data = self.call("flickr.auth.oauth.checkToken", oauth_token=self.credentials.token)
        oauth = data.get("oauth") or {}
        user = oauth.get("user") or {}
        if user.get("nsid") and not self._nsid:
            self._nsid = str(user["nsid"])
        return content(oauth.get("perms"))

    # ------------------------------------------------------------------ listing

    def list_albums(self) -> list[Album]:
        return [
            Album.from_json(a)
            for a in self.paginate("flickr.photosets.getList", "photosets", "photoset", per_page=MAX_PER_PAGE)
        ]

    def album_photos(self, album_id: str, extras: str = "", per_page: int = MAX_PER_PAGE) -> Iterator[dict[str, Any]]:
        params: dict[str, Any] = {"photoset_id": album_id, "media": "all"}
        if extras:
            params["extras"] = extras
        if self._nsid:
            params["user_id"] = self._nsid
        return self.paginate("flickr.photosets.getPhotos", "photoset", "photo", per_page=per_page, **params)

    def photos_not_in_set(self, extras: str = "", per_page: int = MAX_PER_PAGE) -> Iterator[dict[str, Any]]:
        params: dict[str, Any] = {"media": "all"}
        if extras:
            params["extras"] = extras
        return self.paginate("flickr.photos.getNotInSet", "photos", "photo", per_page=per_page, **params)

    def recently_updated(
        self, min_date: int, extras: str = "", per_page: int = MAX_PER_PAGE
    ) -> Iterator[dict[str, Any]]:
        params: dict[str, Any] = {"min_date": int(min_date)}
        if extras:
            params["extras"] = extras
        return self.paginate("flickr.photos.recentlyUpdated", "photos", "photo", per_page=per_page, **params)

    def photos_uploaded_since(
        self, min_upload_date: int, extras: str = "", per_page: int = MAX_PER_PAGE
    ) -> Iterator[ListedPhoto]:
        """The account's photos uploaded at or after ``min_upload_date`` (Flickr's clock), newest
        first (people.getPhotos, 500 a page). Needs the user's NSID (:meth:`test_login`)."""
        params: dict[str, Any] = {"user_id": self._nsid or "me", "min_upload_date": int(min_upload_date)}
        if extras:
            params["extras"] = extras
        for photo in self.paginate("flickr.people.getPhotos", "photos", "photo", per_page=per_page, **params):
            yield ListedPhoto.from_json(photo)

    def search(self, **params: Any) -> Iterator[dict[str, Any]]:
        """photos.search with ``user_id=me`` and ``per_page=500`` unless overridden."""
        params.setdefault("user_id", "me")
        per_page = params.pop("per_page", MAX_PER_PAGE)
        return self.paginate("flickr.photos.search", "photos", "photo", per_page=per_page, **params)

    def find_by_machine_tag(self, tag: str, extras: str = "") -> list[ListedPhoto]:
        """The account's photos carrying the machine tag ``tag`` (photos.search)."""
        params: dict[str, Any] = {"machine_tags": tag}
        if extras:
            params["extras"] = extras
        return [ListedPhoto.from_json(p) for p in self.search(**params)]

    def photo_count(self, user_id: str | None = None) -> int | None:
        """How many photos and videos the account holds (people.getInfo), or None if not told.

        Asked as the owner, the count includes private photos.
        """
        uid = user_id or self._nsid
        if not uid:
            return None
        return self.person_info(uid).count

    def person_info(self, user_id: str | None = None) -> PersonInfo:
        """people.getInfo of a user (the signed-in one by default): asked as the owner, the count
        includes private photos, and a free account shows its upload count and limit."""
        uid = user_id or self._nsid or ""
        person = self.call("flickr.people.getInfo", user_id=uid).get("person") or {}
        return PersonInfo(
            nsid=str(person.get("nsid") or person.get("id") or uid),
            pro=as_int(person.get("ispro"), 0) == 1,
            count=as_int(content((person.get("photos") or {}).get("count")), None),
            upload_count=as_int(person.get("upload_count"), None),
            upload_limit=as_int(person.get("upload_limit"), None) or None,
        )

    def upload_limits(self) -> UploadLimits:
        """people.getLimits: the largest photo and video file, the longest video (seconds)."""
        person = self.call("flickr.people.getLimits").get("person") or {}
        photos, videos = person.get("photos") or {}, person.get("videos") or {}
        return UploadLimits(
            max_photo_bytes=as_int(photos.get("maxupload"), None) or None,
            max_video_bytes=as_int(videos.get("maxupload"), None) or None,
            max_video_seconds=as_int(videos.get("maxduration"), None) or None,
        )

    def photo_info(self, photo_id: str) -> PhotoInfo:
        return PhotoInfo.from_json(self.call("flickr.photos.getInfo", photo_id=photo_id).get("photo") or {})

    def all_contexts(self, photo_id: str) -> PhotoContexts:
        return PhotoContexts.from_json(self.call("flickr.photos.getAllContexts", photo_id=photo_id))

    def photo_sizes(self, photo_id: str) -> list[Size]:
        data = self.call("flickr.photos.getSizes", photo_id=photo_id)
        return [Size.from_json(s) for s in _items(data.get("sizes"), "size")]

    # ------------------------------------------------------------------ upload

    def upload(
        self,
        path: str | os.PathLike | BinaryIO,
        *,
        title: str,
        description: str | None = None,
        tags: Iterable[str] = (),
        is_public: int = 0,
        is_friend: int = 0,
        is_family: int = 0,
        hidden: int | None = None,
        safety_level: int | None = None,
        content_type: int | None = None,
        progress: Callable[[int], None] | None = None,
        name: str | None = None,
    ) -> UploadResult:
        """Upload the file at ``path``, or a file open for reading (``name`` names it then).
        ``hidden`` (1 shown in public searches, 2 hidden), ``safety_level`` (1-3) and
        ``content_type`` (1-3) left as None take the account's defaults.
        Flickr reads what the request leaves out from the file itself (a ``description`` of
        None: the file's caption; no ``tags``: its keywords)."""
        fields: list[tuple[str, Any]] = [("title", title)]
        if description is not None:
            fields.append(("description", description))
        tag_text = format_tags(tags)
        if tag_text:
            fields.append(("tags", tag_text))
        fields += [("is_public", int(is_public)), ("is_friend", int(is_friend)), ("is_family", int(is_family))]
        if hidden is not None:
            fields.append(("hidden", int(hidden)))
        if safety_level is not None:
            fields.append(("safety_level", int(safety_level)))
        if content_type is not None:
            fields.append(("content_type", int(content_type)))
        return self._transport.upload(self.endpoints.upload, fields, path, kind="upload", progress=progress, name=name)

    def replace(
        self,
        path: str | os.PathLike | BinaryIO,
        photo_id: str,
        progress: Callable[[int], None] | None = None,
        name: str | None = None,
    ) -> UploadResult:
        return self._transport.upload(
            self.endpoints.replace, [("photo_id", photo_id)], path, kind="replace", progress=progress, name=name
        )

    # ------------------------------------------------------------------ albums

    def create_album(self, title: str, primary_photo_id: str, description: str = "") -> str:
        params: dict[str, Any] = {"title": title, "primary_photo_id": primary_photo_id}
        if description:
            params["description"] = description
        data = self.call("flickr.photosets.create", write=True, idempotent=False, **params)
        album_id = str((data.get("photoset") or {}).get("id") or "")
        if album_id:
            self._wrote_album(album_id, CREATE, (primary_photo_id,))
        return album_id

    def edit_album_photos(self, album_id: str, primary_photo_id: str, photo_ids: list[str]) -> None:
        try:
            self.call(
                "flickr.photosets.editPhotos",
                write=True,
                photoset_id=album_id,
                primary_photo_id=primary_photo_id,
                photo_ids=",".join(photo_ids),
            )
        except BaseException:
            self._album_unsure(album_id)
            raise
        self._wrote_album(album_id, SET, tuple(photo_ids))

    def edit_album_meta(self, album_id: str, title: str, description: str | None = None) -> None:
        try:
            self.call(
                "flickr.photosets.editMeta", write=True, photoset_id=album_id, title=title, description=description
            )
        except BaseException:
            self._album_unsure(album_id)
            raise
        self._wrote_album(album_id, META, ())

    def add_to_album(self, album_id: str, photo_id: str) -> None:
        """Append a photo; "already in set" (code 3) counts as success."""
        try:
            self.call("flickr.photosets.addPhoto", write=True, photoset_id=album_id, photo_id=photo_id)
        except ApiError as exc:
            if exc.code != 3:
                self._album_unsure(album_id)
                raise
        except BaseException:
            self._album_unsure(album_id)
            raise
        self._wrote_album(album_id, ADD, (photo_id,))

    def remove_from_album(self, album_id: str, photo_ids: list[str]) -> None:
        """photosets.removePhotos; photos already out of the set (code 3) and a set that
        already vanished (code 1, Flickr deletes emptied sets) count as success."""
        if not photo_ids:
            return
        try:
            self.call("flickr.photosets.removePhotos", write=True, photoset_id=album_id, photo_ids=",".join(photo_ids))
        except ApiError as exc:
            if exc.code not in (1, 3):
                self._album_unsure(album_id)
                raise
        except BaseException:
            self._album_unsure(album_id)
            raise
        self._wrote_album(album_id, REMOVE, tuple(photo_ids))

    def delete_album(self, album_id: str) -> None:
        """Delete a set; an already-gone set (code 1) counts as success."""
        try:
            self.call("flickr.photosets.delete", write=True, photoset_id=album_id)
        except ApiError as exc:
            if exc.code != 1:
                self._album_unsure(album_id)
                raise
        except BaseException:
            self._album_unsure(album_id)
            raise
        self._wrote_album(album_id, SET, ())

    # ------------------------------------------------------------------ photos

    def set_meta(self, photo_id: str, title: str | None = None, description: str | None = None) -> None:
        if title is None and description is None:
            return
        self.call("flickr.photos.setMeta", write=True, photo_id=photo_id, title=title, description=description)

    def add_tags(self, photo_id: str, tags: list[str]) -> None:
        text = format_tags(tags)
        if text:
            self.call("flickr.photos.addTags", write=True, photo_id=photo_id, tags=text)

    def remove_tag(self, tag_id: str) -> None:
        """Remove one tag by its full id; an already-removed tag (code 1) is success."""
        try:
            self.call("flickr.photos.removeTag", write=True, tag_id=tag_id)
        except ApiError as exc:
            if exc.code != 1:
                raise

    def set_dates(
        self,
        photo_id: str,
        *,
        date_taken: str | None = None,
        date_taken_granularity: int | None = None,
        date_posted: int | None = None,
    ) -> None:
        self.call(
            "flickr.photos.setDates",
            write=True,
            photo_id=photo_id,
            date_taken=date_taken,
            date_taken_granularity=date_taken_granularity,
            date_posted=date_posted,
        )

    def set_location(self, photo_id: str, latitude: float, longitude: float, accuracy: int | None = None) -> None:
        """photos.geo.setLocation (six decimals: Flickr cuts what is more)."""
        self.call(
            "flickr.photos.geo.setLocation",
            write=True,
            photo_id=photo_id,
            lat=f"{latitude:.6f}",
            lon=f"{longitude:.6f}",
            accuracy=accuracy,
        )

    def remove_location(self, photo_id: str) -> None:
        """photos.geo.removeLocation; a photo with no location (code 2) counts as success."""
        try:
            self.call("flickr.photos.geo.removeLocation", write=True, photo_id=photo_id)
        except ApiError as exc:
            if exc.code != 2:
                raise

    def raw_tags(self) -> dict[str, str]:
        """clean form -> the first raw form of every tag of the signed-in user
        (tags.getListUserRaw, one call): listings only give the clean forms."""
        who = self.call("flickr.tags.getListUserRaw").get("who") or {}
        out: dict[str, str] = {}
        for tag in _items(who.get("tags"), "tag"):
            raws = tag.get("raw")
            raws = raws if isinstance(raws, list) else [raws]
            first = next((content(r) for r in raws if content(r)), "")
            clean = str(tag.get("clean", ""))
            if clean and first:
                out.setdefault(clean, first)
        return out

    def set_perms(self, photo_id: str, *, is_public: int, is_friend: int, is_family: int) -> None:
        self.call(
            "flickr.photos.setPerms",
            write=True,
            photo_id=photo_id,
            is_public=int(is_public),
            is_friend=int(is_friend),
            is_family=int(is_family),
        )

    def set_safety_level(self, photo_id: str, *, safety_level: int | None = None, hidden: bool | None = None) -> None:
        """photos.setSafetyLevel: 1 safe, 2 moderate, 3 restricted; ``hidden`` from public searches."""
        self.call(
            "flickr.photos.setSafetyLevel",
            write=True,
            photo_id=photo_id,
            safety_level=safety_level,
            hidden=None if hidden is None else int(hidden),
        )

    def set_content_type(self, photo_id: str, content_type: int) -> None:
        """photos.setContentType: 1 photo, 2 screenshot, 3 other."""
        self.call("flickr.photos.setContentType", write=True, photo_id=photo_id, content_type=int(content_type))

    def set_license(self, photo_id: str, license_id: int) -> None:
        """photos.licenses.setLicense (ids as flickr.photos.licenses.getInfo lists them)."""
        self.call("flickr.photos.licenses.setLicense", write=True, photo_id=photo_id, license_id=int(license_id))

    def delete_photo(self, photo_id: str) -> None:
        """Delete a photo; "not found" (code 1) means it is already gone: success."""
        try:
            self.call("flickr.photos.delete", write=True, photo_id=photo_id)
        except ApiError as exc:
            if exc.code != 1:
                self._photo_unsure(photo_id)
                raise
        except BaseException:
            self._photo_unsure(photo_id)
            raise
        if self.writes is not None:
            self.writes.photo_deleted(photo_id, self._transport.own_answer_time)

    # ------------------------------------------------------------------ download

    def download(
        self,
        url: str,
        dest: Sink,
        progress: Callable[[int], None] | None = None,
        chunk: int = 1 << 20,
        limits: DownloadLimits | None = None,
    ) -> DownloadResult:
        """Stream ``url`` (following redirects, never from https to plain http) into ``dest`` in
        constant memory, within ``limits`` (size, free space, stalls, overall time).

        Requests to Flickr's own hosts (and the configured endpoint hosts, e.g. the
        emulator) are OAuth-signed so owner-only video originals work; static CDN URLs are
        fetched unsigned. The body length is checked against Content-Length. Transient
        failures are retried only while nothing has been written; otherwise
        :class:`TransientError` is raised and the caller restarts into a fresh file.
        Downloads do not consume API rate-limit slots.
        """
        return self._transport.download(url, dest, progress=progress, chunk=chunk, limits=limits)
