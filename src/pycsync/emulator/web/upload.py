"""``/services/upload/`` and ``/services/replace/`` (always answered in XML).

The multipart body is parsed by werkzeug with a stream factory that spools the
file part to ``data_dir/tmp`` while hashing it (:class:`HashingSpool`), so an
upload is never held in memory; the spool is then renamed into the blob store.
Every field except the file part is covered by the OAuth signature.

Transfer: bodies with a ``Content-Length`` and HTTP/1.1 ``Transfer-Encoding:
chunked`` bodies are both accepted -- Flickr's own Go client (masci/flickr)
streams uploads chunked over HTTP/1.1; only HTTP/2 chunked uploads were seen
answered 411, and the emulator speaks HTTP/1.1 only.  ``Expect: 100-continue``
is honoured by the server.  A body larger than the biggest allowed media file
plus 1 MiB of form overhead is cut off and answered with code 8 "Filesize was
too large" instead of being spooled without bound (a big unread rest of the
body makes the server close the connection after answering).
"""

from __future__ import annotations

import dataclasses
import secrets
import time
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request, Response

from ..accounts import GEO_FLAGS, Account, geo_fields
from ..api import Ctx
from ..backend import Backend
from ..errors import ApiError, photo_not_found
from ..media import MediaType, sniff
from ..metadata import Embedded, read_embedded, video_seconds
from ..oauth_signing import OAuthProblem, SignedRequest, base_url_from_environ, parse_authorization_header
from ..render import Node
from ..store import HashingSpool, new_secret
from ..tags import MAX_TAGS_PER_PHOTO, parse_tag_string
from .responses import first_wins, oauth_problem_response, request_base_url, xml_error_response, xml_response

__all__ = ["UploadRequest", "handle_upload", "UPLOAD_LIMIT_MESSAGE"]

UPLOAD_LIMIT_MESSAGE = "Upload limit reached. For more info, visit flickr.com/pro"


class UploadRequest(Request):
    """A request whose file parts are spooled (and hashed) into the store's tmp dir."""

    max_form_memory_size = 16 * 2**20
    max_form_parts = 1000
    spool_dir: Path

    def __init__(self, environ: dict, spool_dir: Path, max_bytes: int | None = None) -> None:
        super().__init__(environ)
        self.spool_dir = spool_dir
        self.spools: list[HashingSpool] = []
        if max_bytes is not None:
            self.max_content_length = max_bytes + 2**20

    def _get_file_stream(  # type: ignore[override]  # a file-like spool, not a real IO[bytes]
        self, total_content_length: Any, content_type: Any, filename: Any = None, content_length: Any = None
    ) -> HashingSpool:
        spool = HashingSpool(self.spool_dir)
        self.spools.append(spool)
        return spool

    def discard_spools(self) -> None:
        for s in self.spools:
            s.discard()


def _flag(value: str | None, default: int) -> int:
    if value is None or value.strip() == "":
        return default
    try:
        v = int(value)
    except ValueError:
        return default
    return default if v not in (0, 1) else v


def default_title(mode: str, filename: str | None) -> str:
    if mode == "" or not filename:
        return ""
    name = PureWindowsPath(PurePosixPath(filename).name).name
    if mode == "name":
        return name
    stem = name.rsplit(".", 1)[0] if "." in name[1:] else name
    return stem


def handle_upload(backend: Backend, req: UploadRequest, *, replace: bool) -> Response:
    try:
        try:
            form = req.form
            files = req.files
        except RequestEntityTooLarge:
            return xml_error_response(8, "Filesize was too large")
        except Exception:  # malformed multipart body
            return xml_error_response(3, "General upload failure")
        params = list(req.args.items(multi=True)) + list(form.items(multi=True))
        header = parse_authorization_header(req.environ.get("HTTP_AUTHORIZATION")) or []
        sreq = SignedRequest(req.method, base_url_from_environ(req.environ), params, header)
        pdict = first_wins(params)
        try:
            caller = backend.auth.api_call(sreq, pdict, upload=True)
        except OAuthProblem as p:
            return oauth_problem_response(p)
        except ApiError as e:
            return xml_error_response(e.code, e.message)
        if caller.level < 2:
            return xml_error_response(
                99, f"Insufficient permissions. Method requires write privileges; {caller.perms} granted."
            )
        ctx = Ctx(backend, caller, pdict, request_base_url(req.environ))
        try:
            if replace:
                return _replace(ctx, files.get("photo"), pdict)
            return _upload(ctx, files.get("photo"), pdict)
        except _FailedTicket as failed:
            return failed.response
        except ApiError as e:
            return xml_error_response(e.code, e.message, e.extra)
    finally:
        req.discard_spools()


def _validate(ctx: Ctx, spool: HashingSpool | None) -> MediaType:
    if spool is None:
        raise ApiError(2, "No photo specified")
    if spool.size == 0:
        raise ApiError(4, "Filesize was zero")
    mt = sniff(spool.head)
    if mt is None:
        raise ApiError(5, "Filetype was not recognised")
    if mt.media == "video" and not ctx.config.video_uploads:
        raise ApiError(0, "Video uploads are temporarily disabled")
    limit = ctx.config.max_video_bytes if mt.media == "video" else ctx.config.max_photo_bytes
    if spool.size > limit:
        raise ApiError(8, "Filesize was too large")
    return mt


def _get_spool(file: Any) -> HashingSpool | None:
    if file is None:
        return None
    stream = getattr(file, "stream", None)
    if isinstance(stream, HashingSpool):
        stream.flush()
        return stream
    return None


def _ticket(ctx: Ctx, photo_id: int | None, status: int) -> Response:
    store = ctx.store
    tid = f"{store.next_id('next_ticket', step_max=7)}-72157{secrets.randbelow(10**12):012d}"
    now = ctx.backend.clock()
    ready = now + float(ctx.config.async_delay or 0)
    if status == 1:  # an accepted file is processed after the ticket is answered
        ready += float(ctx.config.upload_processing_ms or 0) / 1000
    store.x(
        "INSERT INTO tickets(id, owner, photo_id, status, created, ready_at, imported) VALUES (?,?,?,?,?,?,?)",
        (tid, ctx.caller.nsid, photo_id, status, now, ready, int(ready)),
    )
    return xml_response([Node("ticketid", text=tid)])


def _is_async(params: dict[str, str]) -> bool:
    return (params.get("async") or "").strip() == "1"


class _FailedTicket(Exception):
    """An async upload Flickr refuses: answered with a ticket that completes as failed."""

    def __init__(self, response: Response) -> None:
        super().__init__("async upload refused")
        self.response = response


def _accept_file(ctx: Ctx, file: Any, params: dict[str, str]) -> tuple[HashingSpool, MediaType]:
    """The spooled file and its media type; an async upload of a bad file is not an error answer
    but a ticket that completes as failed (complete=2), as Flickr does."""
    spool = _get_spool(file)
    try:
        mt = _validate(ctx, spool)
    except ApiError:
        if _is_async(params) and spool is not None:
            raise _FailedTicket(_ticket(ctx, None, 2)) from None
        raise
    assert spool is not None
    return spool, mt


def _check_duplicate(ctx: Ctx, params: dict[str, str], sha256: str) -> None:
    """``dedup_check=1|2``: error 9 with the earlier photo's id when the caller has this content."""
    if (params.get("dedup_check") or "").strip() not in ("1", "2"):
        return
    dup = ctx.store.q1("SELECT id FROM photos WHERE owner=? AND sha256=? LIMIT 1", (ctx.caller.nsid, sha256))
    if dup is not None:
        raise ApiError(9, "Duplicate photo/video detected", [Node("duplicate_photo_id", text=str(dup["id"]))])


def _check_limits(ctx: Ctx, account: Account, media: str, flags: tuple[int, int, int], safety: int) -> None:
    """A free account's limits: error 6 past its item (or non-public item) limit, 7 past its video
    limit, 15 for anything but safe content (docs/flickr-behaviour.md, "Account kinds")."""
    if account.safe_only and safety > 1:
        raise ApiError(15, "Non-safe content not allowed")
    counts = ctx.store.one(
        "SELECT COUNT(*) AS items, COALESCE(SUM(is_public=0), 0) AS nonpublic, "
        "COALESCE(SUM(media='video'), 0) AS videos FROM photos WHERE owner=?",
        (ctx.caller.nsid,),
    )
    if account.max_items is not None and counts["items"] >= account.max_items:
        raise ApiError(6, UPLOAD_LIMIT_MESSAGE)
    if account.max_nonpublic is not None and not flags[0] and counts["nonpublic"] >= account.max_nonpublic:
        raise ApiError(6, UPLOAD_LIMIT_MESSAGE)
    if media == "video" and account.max_videos is not None and counts["videos"] >= account.max_videos:
        raise ApiError(7, "User exceeded video upload limit")


def _played_seconds(ctx: Ctx, spool: HashingSpool, mt: MediaType, account: Account) -> int | None:
    """How long a video plays on Flickr: its length, cut to the account's limit (``video_too_long``
    "truncate", as Flickr did with longer videos); with "refuse" a longer video is error 3. None for
    a photo or a video whose length the emulator cannot read."""
    if mt.media != "video":
        return None
    seconds = video_seconds(spool.path)
    if seconds is None:
        return None
    if seconds > account.max_video_seconds and ctx.config.video_too_long == "refuse":
        raise ApiError(3, "General upload failure")
    return min(round(seconds), account.max_video_seconds)


def _privacy(params: dict[str, str], account: Account) -> tuple[int, int, int]:
    """is_public / is_friend / is_family; each one the request leaves out takes the owner's default."""
    defaults = account.privacy_flags
    return (
        _flag(params.get("is_public"), defaults[0]),
        _flag(params.get("is_friend"), defaults[1]),
        _flag(params.get("is_family"), defaults[2]),
    )


def _new_photo(
    ctx: Ctx, file: Any, params: dict[str, str], mt: MediaType, embedded: Embedded, account: Account
) -> dict[str, Any]:
    """The columns of a new photo that come from the request, else from the file's own metadata,
    else from the owner's defaults (privacy, safety level, content type, hidden, geo privacy)."""
    flags = _privacy(params, account)
    if "title" in params:
        title = params["title"]
    else:
        title = embedded.title or default_title(ctx.config.default_title, getattr(file, "filename", None))
    description = params.get("description", embedded.description or "")
    fields: dict[str, Any] = {
        "owner": ctx.caller.nsid,
        "title": title,
        "description": description,
        "is_public": flags[0],
        "is_friend": flags[1],
        "is_family": flags[2],
        "secret": new_secret(10),
        "originalsecret": new_secret(10),
        "server": "65535",
        "farm": 66,
        "format": mt.format,
        "mime": mt.mime,
        "media": mt.media,
        "width": embedded.size[0] if embedded.size else None,
        "height": embedded.size[1] if embedded.size else None,
        "takengranularity": 0,
        "safety_level": _int_in(params.get("safety_level"), (1, 2, 3), account.safety_level) - 1,
        "content_type": _int_in(params.get("content_type"), (1, 2, 3), account.content_type),
        "hidden": _int_in(params.get("hidden"), (1, 2), account.hidden),
        "filename": getattr(file, "filename", "") or "",
        "visible_at": ctx.backend.clock() + ctx.backend.faults.search_lag_seconds,
    }
    if embedded.position is not None and account.geo_perms in GEO_FLAGS:
        fields.update(latitude=embedded.position[0], longitude=embedded.position[1], accuracy=16)
        fields.update(geo_fields(account.geo_perms))
    return fields


def _embedded(ctx: Ctx, spool: HashingSpool, mt: MediaType, account: Account) -> Embedded:
    """What the upload takes from the file itself: always its date taken and size; title,
    description and keywords when so configured; the position when the owner imports it."""
    if mt.media != "photo":
        return Embedded()
    found = read_embedded(spool.path)
    if not ctx.config.read_metadata:
        found = Embedded(taken=found.taken, size=found.size)
    if not (ctx.config.read_metadata and account.geo_import):
        found = dataclasses.replace(found, position=None)
    return found


def _upload(ctx: Ctx, file: Any, params: dict[str, str]) -> Response:
    spool, mt = _accept_file(ctx, file, params)
    account = ctx.backend.account(ctx.caller.nsid)
    flags = _privacy(params, account)
    try:
        _check_limits(
            ctx, account, mt.media, flags, _int_in(params.get("safety_level"), (1, 2, 3), account.safety_level)
        )
        _check_duplicate(ctx, params, spool.sha256)
        duration = _played_seconds(ctx, spool, mt, account)
    except ApiError:
        if _is_async(params):  # refused after the answer: the ticket completes as failed
            raise _FailedTicket(_ticket(ctx, None, 2)) from None
        raise
    embedded = _embedded(ctx, spool, mt, account)
    fields = _new_photo(ctx, file, params, mt, embedded, account)
    fields["duration"] = duration
    tags = parse_tag_string(params["tags"] if "tags" in params else format_keywords(embedded.keywords))
    store = ctx.store
    with store.tx():
        sha, size = store.adopt_spool(spool)
        pid = store.insert_photo(taken=embedded.taken, sha256=sha, size=size, **fields)
        store.insert_tags(pid, ctx.caller.nsid, tags[:MAX_TAGS_PER_PHOTO])
    if _is_async(params):
        return _ticket(ctx, pid, 1)
    _process(ctx)
    return xml_response([Node("photoid", text=str(pid))])  # (only a replace answers with the secrets)


def _process(ctx: Ctx) -> None:
    """The server's time to process an accepted upload or replace before it answers
    (``upload_processing_ms``; an asynchronous one answers at once and its ticket waits instead)."""
    seconds = float(ctx.config.upload_processing_ms or 0) / 1000
    if seconds > 0:
        time.sleep(seconds)


def format_keywords(keywords: tuple[str, ...]) -> str:
    """Keywords as a tags argument: multi-word ones in double quotes."""
    return " ".join(f'"{k}"' if any(c.isspace() for c in k) else k for k in keywords if '"' not in k)


def _int_in(value: str | None, allowed: tuple[int, ...], default: int) -> int:
    try:
        v = int(value) if value is not None else default
    except ValueError:
        return default
    return v if v in allowed else default


def _replace(ctx: Ctx, file: Any, params: dict[str, str]) -> Response:
    """Replace a photo's file: new secrets (answered), same id, title, tags and albums."""
    spool, mt = _accept_file(ctx, file, params)
    if not ctx.backend.account(ctx.caller.nsid).is_pro:
        raise ApiError(1, "Not a pro account")
    pid = (params.get("photo_id") or "").strip()
    store = ctx.store
    row = store.photo(pid) if pid else None
    if row is None or row["owner"] != ctx.caller.nsid:
        raise photo_not_found()
    size_px = read_embedded(spool.path).size if mt.media == "photo" else None
    duration = _played_seconds(ctx, spool, mt, ctx.backend.account(ctx.caller.nsid))
    with store.tx():
        old_sha = row["sha256"]
        sha, size = store.adopt_spool(spool)
        store.update_photo(
            row["id"],
            format=mt.format,
            mime=mt.mime,
            media=mt.media,
            sha256=sha,
            size=size,
            width=size_px[0] if size_px else None,
            height=size_px[1] if size_px else None,
            duration=duration,
            secret=new_secret(10),
            originalsecret=new_secret(10),
            filename=getattr(file, "filename", "") or row["filename"],
        )
        if old_sha != sha:
            store.gc_blob(old_sha)
        row = store.photo(row["id"]) or row
    if _is_async(params):
        return _ticket(ctx, row["id"], 1)
    _process(ctx)
    return xml_response(
        [Node("photoid", {"secret": row["secret"], "originalsecret": row["originalsecret"]}, text=str(row["id"]))]
    )
