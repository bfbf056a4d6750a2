"""Serving file bytes: the ``live.staticflickr.com``-style URLs and video play URLs.

* ``/static/{server}/{id}_{originalsecret}_o.{originalformat}`` -- the original, byte for byte.
* ``/static/{server}/{id}_{secret}[_{suffix}].jpg`` -- derived sizes; the emulator serves the
  original bytes for photos (no resizing) and the poster JPEG for videos.
* ``/photos/{nsid}/{id}/play/orig/{originalsecret}/`` -- 302 to
  ``/static/video/{id}/{originalsecret}/orig.{ext}``, which serves the video file with its
  real Content-Type and ``Content-Disposition: attachment; filename={id}.{ext}``.

The same files answer under the path forms of Flickr's static hosts, so a client
that only swaps the host of a ``live.staticflickr.com`` / ``farm{n}.staticflickr.com``
URL for the emulator's still gets the bytes:

* ``/{server}/{id}_{secret}[_{suffix}][_d].{ext}`` (the ``live.staticflickr.com`` path)
* ``/farm{n}/{server}/...`` and ``/static/farm{n}/{server}/...`` (path-based farm aliases)

HEAD and single-range ``Range: bytes=a-b`` / ``bytes=a-`` / ``bytes=-n`` requests are
supported (206 with ``Content-Range``; 416 with ``Content-Range: bytes */size`` when the
range starts past the end); multi-range and malformed ranges get the whole file (200).
``_d`` before the extension adds ``Content-Disposition: attachment; filename=<name
without _d>`` (contract 5.1).  A wrong secret is a 404.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from werkzeug.wrappers import Response

from .media import POSTER_JPEG, mime_for_format

if TYPE_CHECKING:  # pragma: no cover
    from .server import EmulatorApp

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


def _not_found() -> Response:
    return Response("<html><body><h1>404 Not Found</h1></body></html>", status=404, content_type="text/html")


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
    size = len(data) if data is not None else os.path.getsize(path)  # type: ignore[arg-type]
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
    if data is not None:
        body: object = [data[start : start + length]]
    elif environ.get("REQUEST_METHOD") == "HEAD":
        body = []
    else:
        body = _FileIter(path, start, length)  # type: ignore[arg-type]
    resp = Response(body, status=status, headers=headers, content_type=mime, direct_passthrough=True)
    resp.headers["Content-Length"] = str(length)
    return resp


def _photo(app: EmulatorApp, photo_id: str) -> sqlite3.Row | None:
    return app.store.photo(photo_id)


def serve_static(app: EmulatorApp, environ: dict) -> Response:
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return Response("Method Not Allowed", status=405, content_type="text/plain")
    path = environ.get("PATH_INFO", "")
    m = _PLAY.match(path)
    if m:
        nsid, pid, kind, secret = m.groups()
        row = _photo(app, pid)
        if row is None or row["owner"] != nsid or row["media"] != "video":
            return _not_found()
        if secret not in (row["originalsecret"], row["secret"]):
            return _not_found()
        if kind == "orig" and secret != row["originalsecret"]:
            return _not_found()
        label = "orig" if kind == "orig" else kind
        target = f"{app.base_url(environ)}/static/video/{row['id']}/{secret}/{label}.{row['format']}"
        return Response("", status=302, headers={"Location": target}, content_type="text/html")
    m = _VIDEO.match(path)
    if m:
        pid, secret, label, ext = m.groups()
        row = _photo(app, pid)
        if row is None or row["media"] != "video" or ext != row["format"]:
            return _not_found()
        if secret != row["originalsecret"] and not (label != "orig" and secret == row["secret"]):
            return _not_found()
        return file_response(
            environ,
            path=app.store.blob_path(row["sha256"]),
            mime=row["mime"],
            etag=row["sha256"],
            disposition=f'attachment; filename="{row["id"]}.{row["format"]}"',
        )
    m = _STATIC.match(path)
    if not m:
        return _not_found()
    server, pid, secret, suffix, dl, ext = m.groups()
    if suffix == "d" and not dl:  # "{id}_{secret}_d.jpg" = Medium size, as a download
        suffix, dl = None, "_d"
    row = _photo(app, pid)
    if row is None or server != row["server"]:
        return _not_found()
    disposition = None
    if dl:
        disposition = f'attachment; filename="{pid}_{secret}{"_" + suffix if suffix else ""}.{ext}"'
    is_video = row["media"] == "video"
    if suffix == "o":
        reported = "jpg" if is_video and app.config.video_original_format == "jpg" else row["format"]
        if secret != row["originalsecret"] or ext.lower() != reported:
            return _not_found()
        if is_video and reported == "jpg":
            return file_response(
                environ, data=POSTER_JPEG, mime="image/jpeg", etag=f"poster-{row['id']}", disposition=disposition
            )
        return file_response(
            environ,
            path=app.store.blob_path(row["sha256"]),
            mime=mime_for_format(row["format"]),
            etag=row["sha256"],
            disposition=disposition,
        )
    if secret != row["secret"]:
        return _not_found()
    if is_video:
        return file_response(
            environ, data=POSTER_JPEG, mime="image/jpeg", etag=f"poster-{row['id']}", disposition=disposition
        )
    return file_response(
        environ,
        path=app.store.blob_path(row["sha256"]),
        mime=mime_for_format(row["format"]),
        etag=row["sha256"],
        disposition=disposition,
    )
