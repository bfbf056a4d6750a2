"""Serving file bytes: the ``live.staticflickr.com``-style URLs and video play URLs.

* ``/static/{server}/{id}_{originalsecret}_o.{originalformat}`` -- the original, byte for byte
  (a video's is its poster frame: ``_o.jpg``).
* ``/static/{server}/{id}_{secret}[_{suffix}].jpg`` -- derived sizes (the big ones, ``_h``,
  ``_k``, ``_3k`` ... ``_6k``, with secrets of their own); the emulator serves the original bytes
  for photos (no resizing) and the poster JPEG for videos.
* ``/photos/{user}/{id}/play/{rendition}/{secret}/`` -- 302 to
  ``/static/video/{id}/{secret}/{rendition}.{ext}``, which serves the video file with its real
  Content-Type and ``Content-Disposition: attachment; filename={id}.{ext}``. ``orig`` (with
  the original secret) is the original video, for requests signed by its owner only.

The same files answer under the path forms of Flickr's static hosts, so a client
that only swaps the host of a ``live.staticflickr.com`` / ``farm{n}.staticflickr.com``
URL for the emulator's still gets the bytes:

* ``/{server}/{id}_{secret}[_{suffix}][_d].{ext}`` (the ``live.staticflickr.com`` path)
* ``/farm{n}/{server}/...`` and ``/static/farm{n}/{server}/...`` (path-based farm aliases)

HEAD and single-range ``Range: bytes=a-b`` / ``bytes=a-`` / ``bytes=-n`` requests are
supported (206 with ``Content-Range``; 416 with ``Content-Range: bytes */size`` when the
range starts past the end); multi-range and malformed ranges get the whole file (200).
``_d`` before the extension adds ``Content-Disposition: attachment; filename=<name
without _d>``.  A wrong secret is a 404.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

from werkzeug.wrappers import Request, Response

from ..backend import Backend
from ..errors import ApiError
from ..media import POSTER_JPEG, mime_for_format
from ..oauth_signing import OAuthProblem, SignedRequest, base_url_from_environ, parse_authorization_header
from ..sizes import size_secret
from .responses import first_wins, not_found, request_base_url

__all__ = ["serve_static", "is_static_path"]

_STATIC = re.compile(
    r"^(?:/static)?(?:/farm\d+)?"  # /static/..., /..., /farm66/..., /static/farm66/...
    r"/(\d+)/(\d+)_([0-9a-f]+)(?:_([a-z0-9]+?))?(_d)?\.([A-Za-z0-9]+)$"
)
_VIDEO = re.compile(r"^/static/video/(\d+)/([0-9a-f]+)/([A-Za-z0-9_]+)\.([A-Za-z0-9]+)$")
_PLAY = re.compile(r"^/photos/([^/]+)/(\d+)/play/([A-Za-z0-9_]+)/([0-9a-f]+)/?$")
CHUNK = 1 << 20


def is_static_path(path: str) -> bool:
    return path.startswith("/static/") or bool(_PLAY.match(path)) or bool(_STATIC.match(path))


class _FileIter:
    def __init__(self, path: Path, start: int, length: int) -> None:
        self._f = open(path, "rb")  # noqa: SIM115 - closed by close()
        self._f.seek(start)
        self._left = length

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        if self._left <= 0:
            raise StopIteration
        data = self._f.read(min(CHUNK, self._left))
        if not data:
            raise StopIteration
        self._left -= len(data)
        return data

    def close(self) -> None:
        self._f.close()


def _parse_range(header: str | None, size: int) -> tuple[int, int] | None | str:
    """(start, end_inclusive), None (no/ignored range) or "invalid"."""
    if not header or not header.startswith("bytes=") or "," in header:
        return None
    spec = header[6:].strip()
    first, _, last = spec.partition("-")
    try:
        if first == "":
            n = int(last)
            if n <= 0:
                return "invalid"
            return max(0, size - n), size - 1
        start = int(first)
        end = int(last) if last else size - 1
    except ValueError:
        return None
    if last and end < start:  # syntactically invalid (RFC 9110 14.1.1): ignore the header
        return None
    if start >= size:
        return "invalid"
    return start, min(end, size - 1)


def file_response(
    environ: dict,
    *,
    path: Path | None = None,
    data: bytes | None = None,
    mime: str,
    etag: str,
    disposition: str | None = None,
) -> Response:
    if data is None and path is None:
        raise ValueError("file_response needs a path or data")
    size = len(data) if data is not None else os.path.getsize(path)  # type: ignore[arg-type]  # (checked above)
    rng = _parse_range(environ.get("HTTP_RANGE"), size)
    headers = {"Accept-Ranges": "bytes", "ETag": f'"{etag}"', "Cache-Control": "max-age=315360000"}
    if disposition:
        headers["Content-Disposition"] = disposition
    if rng == "invalid":
        headers["Content-Range"] = f"bytes */{size}"
        return Response(b"", status=416, headers=headers, content_type=mime)
    status = 200
    start, length = 0, size
    if isinstance(rng, tuple):
        start, end = rng
        length = end - start + 1
        status = 206
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    body: Iterable[bytes]
    if data is not None:
        body = [data[start : start + length]]
    elif environ.get("REQUEST_METHOD") == "HEAD" or path is None:
        body = []
    else:
        body = _FileIter(path, start, length)
    resp = Response(body, status=status, headers=headers, content_type=mime, direct_passthrough=True)
    resp.headers["Content-Length"] = str(length)
    return resp


def _names_owner(backend: Backend, row: sqlite3.Row, who: str) -> bool:
    """Whether ``who`` (from a ``/photos/<who>/...`` URL) is the photo's owner: NSID or path alias."""
    if who == row["owner"]:
        return True
    owner = backend.store.user(row["owner"])
    return owner is not None and bool(owner["path_alias"]) and owner["path_alias"] == who


def _signed_by_owner(backend: Backend, environ: dict, row: sqlite3.Row) -> bool:
    """Whether the request is OAuth-signed with one of the photo owner's tokens."""
    req = Request(environ)
    params = list(req.args.items(multi=True))
    header = parse_authorization_header(environ.get("HTTP_AUTHORIZATION")) or []
    signed = SignedRequest(req.method, base_url_from_environ(environ), params, header)
    if not signed.is_oauth:
        return False
    try:
        caller = backend.auth.api_call(signed, first_wins(params))
    except (OAuthProblem, ApiError):
        return False
    return caller.nsid == row["owner"]


def _play(backend: Backend, environ: dict, m: re.Match[str]) -> Response:
    """``/photos/{user}/{id}/play/{kind}/{secret}/``: 302 to the video file. The original video
    (``orig``, with the original secret) is for its owner only: the request must be signed by
    them (docs/flickr-behaviour.md, "Videos")."""
    who, pid, kind, secret = m.groups()
    row = backend.store.photo(pid)
    if row is None or row["media"] != "video" or not _names_owner(backend, row, who):
        return not_found()
    if secret not in (row["originalsecret"], row["secret"]):
        return not_found()
    if kind == "orig" and (secret != row["originalsecret"] or not _signed_by_owner(backend, environ, row)):
        return not_found()
    label = "orig" if kind == "orig" else kind
    target = f"{request_base_url(environ)}/static/video/{row['id']}/{secret}/{label}.{row['format']}"
    return Response("", status=302, headers={"Location": target}, content_type="text/html")


def _video(backend: Backend, environ: dict, m: re.Match[str]) -> Response:
    """``/static/video/{id}/{secret}/{label}.{ext}``: the video file itself."""
    pid, secret, label, ext = m.groups()
    row = backend.store.photo(pid)
    if row is None or row["media"] != "video" or ext != row["format"]:
        return not_found()
    if secret != row["originalsecret"] and not (label != "orig" and secret == row["secret"]):
        return not_found()
    return file_response(
        environ,
        path=backend.store.blob_path(row["sha256"]),
        mime=row["mime"],
        etag=row["sha256"],
        disposition=f'attachment; filename="{row["id"]}.{row["format"]}"',
    )


def _original_bytes(backend: Backend, environ: dict, row: sqlite3.Row, disposition: str | None) -> Response:
    return file_response(
        environ,
        path=backend.store.blob_path(row["sha256"]),
        mime=mime_for_format(row["format"]),
        etag=row["sha256"],
        disposition=disposition,
    )


def _poster(environ: dict, row: sqlite3.Row, disposition: str | None) -> Response:
    return file_response(
        environ, data=POSTER_JPEG, mime="image/jpeg", etag=f"poster-{row['id']}", disposition=disposition
    )


def _static_file(backend: Backend, environ: dict, m: re.Match[str]) -> Response:
    """A static photo URL: the original (``_o``) or a derived size."""
    server, pid, secret, suffix, dl, ext = m.groups()
    if suffix == "d" and not dl:  # "{id}_{secret}_d.jpg" = Medium size, as a download
        suffix, dl = None, "_d"
    row = backend.store.photo(pid)
    if row is None or server != row["server"]:
        return not_found()
    disposition = None
    if dl:
        disposition = f'attachment; filename="{pid}_{secret}{"_" + suffix if suffix else ""}.{ext}"'
    is_video = row["media"] == "video"
    if suffix == "o":  # a video's original here is its poster frame, a JPEG
        reported = "jpg" if is_video else row["format"]
        if secret != row["originalsecret"] or ext.lower() != reported:
            return not_found()
        if is_video:
            return _poster(environ, row, disposition)
        return _original_bytes(backend, environ, row, disposition)
    if secret != size_secret(row["secret"], suffix or ""):
        return not_found()
    if is_video:
        return _poster(environ, row, disposition)
    return _original_bytes(backend, environ, row, disposition)


def serve_static(backend: Backend, environ: dict) -> Response:
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return Response("Method Not Allowed", status=405, content_type="text/plain")
    path = environ.get("PATH_INFO", "")
    for pattern, serve in ((_PLAY, _play), (_VIDEO, _video), (_STATIC, _static_file)):
        m = pattern.match(path)
        if m:
            return serve(backend, environ, m)
    return not_found()
