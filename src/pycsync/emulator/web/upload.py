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

import secrets
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request, Response

from ..api import Ctx
from ..backend import Backend
from ..errors import ApiError
from ..media import MediaType, exif_datetime_original, image_dimensions, sniff
from ..oauth_signing import OAuthProblem, SignedRequest, base_url_from_environ, parse_authorization_header
from ..render import Node
from ..store import HashingSpool, new_secret
from ..tags import MAX_TAGS_PER_PHOTO, parse_tag_string
from .responses import first_wins, oauth_problem_response, request_base_url, xml_error_response, xml_response

__all__ = ["UploadRequest", "handle_upload"]


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
    store.x(
        "INSERT INTO tickets(id, owner, photo_id, status, created, ready_at, imported) VALUES (?,?,?,?,?,?,?)",
        (tid, ctx.caller.nsid, photo_id, status, now, ready, int(ready)),
    )
    return xml_response([Node("ticketid", text=tid)])


def _is_async(params: dict[str, str]) -> bool:
    return (params.get("async") or "").strip() == "1"


class _FailedTicket(Exception):
    """An async upload of a file Flickr refuses: answered with a ticket that completes as failed."""

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


def _new_photo(ctx: Ctx, file: Any, params: dict[str, str], spool: HashingSpool, mt: MediaType) -> dict[str, Any]:
    """The columns of a new photo that come from the request and the file."""
    wh = image_dimensions(spool.head, mt.format) if mt.media == "photo" else None
    if "title" in params:
        title = params["title"]
    else:
        title = default_title(ctx.config.default_title, getattr(file, "filename", None))
    return {
        "owner": ctx.caller.nsid,
        "title": title,
        "description": params.get("description", ""),
        "is_public": _flag(params.get("is_public"), 0),
        "is_friend": _flag(params.get("is_friend"), 0),
        "is_family": _flag(params.get("is_family"), 0),
        "secret": new_secret(10),
        "originalsecret": new_secret(10),
        "server": "65535",
        "farm": 66,
        "format": mt.format,
        "mime": mt.mime,
        "media": mt.media,
        "width": wh[0] if wh else None,
        "height": wh[1] if wh else None,
        "takengranularity": 0,
        "safety_level": _int_in(params.get("safety_level"), (1, 2, 3), 1) - 1,
        "content_type": _int_in(params.get("content_type"), (1, 2, 3), 1),
        "hidden": _int_in(params.get("hidden"), (1, 2), 1),
        "filename": getattr(file, "filename", "") or "",
        "visible_at": ctx.backend.clock() + ctx.backend.faults.search_lag_seconds,
    }


def _upload(ctx: Ctx, file: Any, params: dict[str, str]) -> Response:
    spool, mt = _accept_file(ctx, file, params)
    _check_duplicate(ctx, params, spool.sha256)
    fields = _new_photo(ctx, file, params, spool, mt)
    taken = exif_datetime_original(spool.head, mt.format) if mt.media == "photo" else None
    store = ctx.store
    with store.tx():
        sha, size = store.adopt_spool(spool)
        pid = store.insert_photo(taken=taken, sha256=sha, size=size, **fields)
        store.insert_tags(pid, ctx.caller.nsid, parse_tag_string(params.get("tags"))[:MAX_TAGS_PER_PHOTO])
    if _is_async(params):
        return _ticket(ctx, pid, 1)
    return xml_response(
        [Node("photoid", {"secret": fields["secret"], "originalsecret": fields["originalsecret"]}, text=str(pid))]
    )


def _int_in(value: str | None, allowed: tuple[int, ...], default: int) -> int:
    try:
        v = int(value) if value is not None else default
    except ValueError:
        return default
    return v if v in allowed else default


def _replace(ctx: Ctx, file: Any, params: dict[str, str]) -> Response:
    pid = (params.get("photo_id") or "").strip()
    store = ctx.store
    row = store.photo(pid) if pid else None
    if row is None or row["owner"] != ctx.caller.nsid:
        raise ApiError(1, f'Photo "{pid}" not found (invalid ID)')
    spool, mt = _accept_file(ctx, file, params)
    is_async = _is_async(params)
    wh = image_dimensions(spool.head, mt.format) if mt.media == "photo" else None
    with store.tx():
        row = store.photo(pid)
        if row is None:
            raise ApiError(1, f'Photo "{pid}" not found (invalid ID)')
        old_sha = row["sha256"]
        sha, size = store.adopt_spool(spool)
        store.update_photo(
            row["id"],
            format=mt.format,
            mime=mt.mime,
            media=mt.media,
            sha256=sha,
            size=size,
            width=wh[0] if wh else None,
            height=wh[1] if wh else None,
            secret=new_secret(10),
            originalsecret=new_secret(10),
            filename=getattr(file, "filename", "") or row["filename"],
        )
        if old_sha != sha:
            store.gc_blob(old_sha)
        row = store.photo(row["id"]) or row
    if is_async:
        return _ticket(ctx, row["id"], 1)
    return xml_response(
        [Node("photoid", {"secret": row["secret"], "originalsecret": row["originalsecret"]}, text=str(row["id"]))]
    )
