"""Werkzeug's request handler with quiet logging and HTTP/1.1 keep-alive.

Werkzeug's own ``run_wsgi`` closes every connection (it cannot tell where a half-read request
body ends). Here the body is wrapped in a ``LimitedStream`` of ``Content-Length`` bytes, so
after each response the unread rest can be drained exactly and the connection reused -- which
roughly doubles the throughput of clients using ``requests.Session``. Responses without a
``Content-Length``, chunked requests and anything that goes wrong fall back to
``Connection: close``.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from typing import Any

from werkzeug.serving import WSGIRequestHandler
from werkzeug.wsgi import LimitedStream

__all__ = ["KeepAliveHandler"]

log = logging.getLogger("pycsync.emulator")

_ERROR_STATUS = "500 INTERNAL SERVER ERROR"


class _Responder:
    """``start_response`` and ``write`` for one request: headers go out with the first write."""

    def __init__(self, handler: KeepAliveHandler, environ: dict[str, Any]) -> None:
        self.handler = handler
        self.environ = environ
        self.status: str | None = None
        self.headers: list[tuple[str, str]] = []
        self.sent = False

    def start_response(self, status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable:
        if exc_info:
            try:
                if self.sent:
                    raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None
        self.status, self.headers = status, list(headers)
        return self.write

    def _send_headers(self) -> None:
        h = self.handler
        code_str, _, msg = (self.status or _ERROR_STATUS).partition(" ")
        code = int(code_str)
        h.send_response(code, msg)
        keys = set()
        for key, value in self.headers:
            h.send_header(key, value)
            keys.add(key.lower())
        delimited = (
            "content-length" in keys
            or self.environ["REQUEST_METHOD"] == "HEAD"
            or 100 <= code < 200
            or code in (204, 304)
        )
        if not delimited or h.close_connection:
            h.send_header("Connection", "close")  # also sets close_connection
            h.close_connection = True
        h.end_headers()

    def write(self, data: bytes) -> None:
        if not self.sent:
            self.sent = True
            self._send_headers()
        if data:
            self.handler.wfile.write(data)


class KeepAliveHandler(WSGIRequestHandler):
    timeout = 120  # idle keep-alive connections are closed after this many seconds
    max_drain = 16 * 2**20  # bigger unread bodies are not drained: the connection is closed instead

    def setup(self) -> None:
        super().setup()
        try:  # small header + body writes must not wait for delayed ACKs (Nagle)
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        track = getattr(self.server, "track_connection", None)
        if track:
            track(self.connection, True)

    def finish(self) -> None:
        track = getattr(self.server, "track_connection", None)
        if track:
            track(self.connection, False)
        try:
            super().finish()
        except OSError:
            pass

    def log(self, type: str, message: str, *args: Any) -> None:  # noqa: A002
        if type == "error":
            log.debug(message, *args)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass

    def handle_expect_100(self) -> bool:
        """Send nothing yet: :meth:`run_wsgi` sends the one ``100 Continue``.

        (``http.server`` would send one from ``parse_request`` and werkzeug's
        ``run_wsgi`` a second; clients such as curl then see two interim
        responses.)
        """
        return True

    def _limit_body(self, environ: dict[str, Any]) -> LimitedStream | None:
        """Wrap the body in a stream of exactly Content-Length bytes (None: the connection closes
        after this request instead)."""
        if environ.get("wsgi.input_terminated"):
            self.close_connection = True  # chunked request body
            return None
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True
            return None
        body = LimitedStream(environ["wsgi.input"], length)
        environ["wsgi.input"] = body
        return body

    def _run_app(self, environ: dict[str, Any], out: _Responder) -> bool:
        """Run the application; False when the connection is unusable afterwards."""
        try:
            app_iter = self.server.app(environ, out.start_response)
            try:
                for data in app_iter:
                    out.write(data)
                if not out.sent:
                    out.write(b"")
            finally:
                close = getattr(app_iter, "close", None)
                if close:
                    close()
        except (TimeoutError, ConnectionError):
            return False
        except Exception:  # pragma: no cover - a bug in the app
            log.exception("unhandled error in the emulator")
            if not out.sent:
                try:
                    out.status = _ERROR_STATUS
                    out.headers = [("Content-Type", "text/plain"), ("Content-Length", "21")]
                    out.write(b"Internal Server Error")
                except OSError:
                    pass
            return False
        return True

    def _drain(self, body: LimitedStream) -> None:
        """Consume what the application left unread, so the next request starts cleanly."""
        left = body.limit - body._pos  # noqa: SLF001
        if left > self.max_drain:
            self.close_connection = True
            return
        try:
            body.exhaust()
        except (OSError, ValueError):
            self.close_connection = True

    def run_wsgi(self) -> None:
        if self.headers.get("Expect", "").lower().strip(" \t") == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        self.environ = environ = self.make_environ()
        body = self._limit_body(environ)
        if not self._run_app(environ, _Responder(self, environ)):
            self.close_connection = True
            return
        if not self.close_connection and body is not None:
            self._drain(body)
