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
import time
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request, Response

from .errors import ApiError
from .media import MediaType, exif_datetime_original, image_dimensions, sniff
from .oauth import OAuthProblem, SignedRequest, base_url_from_environ, parse_authorization_header
from .photos import Ctx, now_local_string
from .render import XML_CONTENT_TYPE, Node, render_xml, render_xml_error
from .rest import set_tags_from_upload
from .store import HashingSpool, new_secret

if TYPE_CHECKING:  # pragma: no cover
    from .server import EmulatorApp

__all__ = [
    "UploadRequest",
    "handle_upload",
    "xml_error_response",
    "xml_response",
    "oauth_problem_response",
    "first_wins",
]


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

    def _get_file_stream(
        self, total_content_length: Any, content_type: Any, filename: Any = None, content_length: Any = None
    ) -> HashingSpool:
        spool = HashingSpool(self.spool_dir)
        self.spools.append(spool)
        return spool

    def discard_spools(self) -> None:
        for s in self.spools:
            s.discard()


def xml_response(nodes: list[Node], status: int = 200) -> Response:
    return Response(render_xml(nodes), status=status, content_type=XML_CONTENT_TYPE)


def xml_error_response(code: int, message: str, extra: list[Node] | None = None) -> Response:
    resp = Response(render_xml_error(code, message, extra or []), status=200, content_type=XML_CONTENT_TYPE)
    resp.api_code = code  # type: ignore[attr-defined]
    return resp


def oauth_problem_response(p: OAuthProblem) -> Response:
    resp = Response(p.body(), status=401, content_type="text/plain;charset=UTF-8")
    resp.oauth_problem = p.problem  # type: ignore[attr-defined]
    return resp


def first_wins(pairs: list[tuple[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in pairs:
        out.setdefault(k, v)
    return out


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


def handle_upload(app: EmulatorApp, req: UploadRequest, *, replace: bool) -> Response:
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
            caller = app.auth.api_call(sreq, pdict, upload=True)
        except OAuthProblem as p:
            return oauth_problem_response(p)
        except ApiError as e:
            return xml_error_response(e.code, e.message)
        if caller.level < 2:
            return xml_error_response(
                99, f"Insufficient permissions. Method requires write privileges; {caller.perms} granted."
            )
        ctx = Ctx(app, caller, pdict, app.base_url(req.environ))
        try:
            if replace:
                return _replace(ctx, files.get("photo"), pdict)
            return _upload(ctx, files.get("photo"), pdict)
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
    now = time.time()
    ready = now + float(ctx.config.async_delay or 0)
    store.x(
        "INSERT INTO tickets(id, owner, photo_id, status, created, ready_at, imported) VALUES (?,?,?,?,?,?,?)",
        (tid, ctx.caller.nsid, photo_id, status, now, ready, int(ready)),
    )
    return xml_response([Node("ticketid", text=tid)])


def _is_async(params: dict[str, str]) -> bool:
    return (params.get("async") or "").strip() == "1"


def _accept_file(ctx: Ctx, file: Any, params: dict[str, str]):
    """(spool, media type, None) for an acceptable file; an async upload of a bad file is not an
    error answer but a ticket that completes as failed (complete=2), as Flickr does."""
    spool = _get_spool(file)
    try:
        mt = _validate(ctx, spool)
    except ApiError:
        if _is_async(params) and spool is not None:
            return None, None, _ticket(ctx, None, 2)
        raise
    assert spool is not None
    return spool, mt, None


def _upload(ctx: Ctx, file: Any, params: dict[str, str]) -> Response:
    spool, mt, failed = _accept_file(ctx, file, params)
    if failed is not None:
        return failed
    is_async = _is_async(params)
    store = ctx.store
    head = spool.head
    dedup = (params.get("dedup_check") or "").strip()
    if dedup in ("1", "2"):
        dup = store.q1("SELECT id FROM photos WHERE owner=? AND sha256=? LIMIT 1", (ctx.caller.nsid, spool.sha256))
        if dup is not None:
            raise ApiError(9, "Duplicate photo/video detected", [Node("duplicate_photo_id", text=str(dup["id"]))])
    wh = image_dimensions(head, mt.format) if mt.media == "photo" else None
    exif_taken = exif_datetime_original(head, mt.format) if mt.media == "photo" else None
    if "title" in params:
        title = params["title"]
    else:
        title = default_title(ctx.config.default_title, getattr(file, "filename", None))
    with store.tx():
        sha, size = store.adopt_spool(spool)
        pid = store.next_id("next_photo_id", step_max=50)
        now = store.now()
        store.x(
            "INSERT INTO photos(id, owner, title, description, is_public, is_friend, is_family, secret, "
            "originalsecret, server, farm, format, mime, media, sha256, size, width, height, dateupload, datetaken, "
            "takengranularity, takenunknown, lastupdate, safety_level, content_type, hidden, filename, visible_at) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                pid,
                ctx.caller.nsid,
                title,
                params.get("description", ""),
                _flag(params.get("is_public"), 0),
                _flag(params.get("is_friend"), 0),
                _flag(params.get("is_family"), 0),
                new_secret(10),
                new_secret(10),
                "65535",
                66,
                mt.format,
                mt.mime,
                mt.media,
                sha,
                size,
                wh[0] if wh else None,
                wh[1] if wh else None,
                now,
                exif_taken or now_local_string(now),
                0,
                0 if exif_taken else 1,
                now,
                _int_in(params.get("safety_level"), (1, 2, 3), 1) - 1,
                _int_in(params.get("content_type"), (1, 2, 3), 1),
                _int_in(params.get("hidden"), (1, 2), 1),
                getattr(file, "filename", "") or "",
                time.time() + ctx.app.faults.search_lag_seconds,
            ),
        )
        set_tags_from_upload(ctx, pid, params.get("tags"))
        row = store.photo(pid)
    if is_async:
        return _ticket(ctx, pid, 1)
    return xml_response(
        [Node("photoid", {"secret": row["secret"], "originalsecret": row["originalsecret"]}, text=str(pid))]
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
    spool, mt, failed = _accept_file(ctx, file, params)
    if failed is not None:
        return failed
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
        row = store.photo(row["id"])
    if is_async:
        return _ticket(ctx, row["id"], 1)
    return xml_response(
        [Node("photoid", {"secret": row["secret"], "originalsecret": row["originalsecret"]}, text=str(row["id"]))]
    )
