"""Around every counted request: fault injection, latency and call recording.

The faults (``faults.py``) decide per call name: an API error or an HTTP error instead of the
answer, a dropped connection before or after applying the call, a body cut in half, added
latency; ``rate_limit`` rules answer 429. Before them, the key's call budget (``budget.py``)
answers 429 once spent. The control surface never passes through here.
"""

from __future__ import annotations

import logging
import socket
import struct
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from werkzeug.wrappers import Request, Response

from ..backend import Backend
from ..errors import ApiError
from ..faults import Decision
from .responses import html_error, xml_error_response
from .rest import rest_error

__all__ = ["Call", "serve_call", "drop_connection"]

log = logging.getLogger("pycsync.emulator")

_DEFAULT_MESSAGES = {
    0: "Sorry, the Flickr API service is not currently available.",
    105: "Service currently unavailable",
    106: "The requested operation failed due to a temporary issue.",
    201: "Sorry, the Flickr API service is not currently available.",
    3: "General upload failure",
}


@dataclass
class Call:
    """One counted request: its route, the name it is counted under and its answer format."""

    route: str  # "rest", "upload", "replace", "static", "oauth/..."
    name: str  # the REST method, else the route
    fmt: str  # the REST format ("rest" elsewhere)
    request: Request
    environ: dict[str, Any]


def drop_connection(environ: dict[str, Any]) -> None:
    """Close the client connection without sending anything (RST), then abort the request.

    Werkzeug treats ``ConnectionError`` raised by the application as a dropped
    connection and writes no response.
    """
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    raise ConnectionAbortedError("emulator fault: connection dropped")


class _Truncated:
    """Send the first half of a response body, then drop the connection."""

    def __init__(self, inner: Iterable[bytes], limit: int, environ: dict[str, Any]) -> None:
        self._inner = inner
        self._limit = limit
        self._environ = environ

    def __iter__(self) -> Iterator[bytes]:
        sent = 0
        try:
            for chunk in self._inner:
                room = self._limit - sent
                if room <= 0:
                    break
                piece = chunk[:room]
                sent += len(piece)
                yield piece
        finally:
            close = getattr(self._inner, "close", None)
            if close:
                close()
        drop_connection(self._environ)


def _faulted_response(d: Decision, call: Call) -> Response | None:
    """The answer a fault puts in place of the real one (None: the call is handled as usual)."""
    if d.kind not in ("error", "http", "rate_limit"):
        return None
    action = d.action or {}
    if d.kind in ("http", "rate_limit"):
        return html_error(int(action.get("http", 429)), action.get("retry_after"))
    code = int(action.get("error", 105))
    message = str(action.get("message") or _DEFAULT_MESSAGES.get(code, "Service currently unavailable"))
    if call.route == "rest":
        return rest_error(call.request, call.fmt, ApiError(code, message))
    return xml_error_response(code, message)


def _handled(call: Call, handle: Callable[[], Response]) -> Response:
    try:
        return handle()
    except Exception:  # pragma: no cover - a bug; answer like an overloaded Flickr would
        log.exception("emulator error on %s", call.name)
        return html_error(500)


def _record(entry: dict[str, Any], resp: Response) -> None:
    entry["status"] = resp.status_code
    code = getattr(resp, "api_code", None)
    if code is not None:
        entry["code"] = code
    problem = getattr(resp, "oauth_problem", None)
    if problem is not None:
        entry["oauth_problem"] = problem


def _truncate(resp: Response, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    app_iter = resp(environ, start_response)  # sends status + headers (with the full Content-Length)
    length = int(resp.headers.get("Content-Length") or 0)
    if not length:
        data = b"".join(app_iter)
        length = len(data)
        app_iter = [data]
    return _Truncated(app_iter, length // 2, environ)


def serve_call(backend: Backend, call: Call, handle: Callable[[], Response], start_response: Any) -> Iterable[bytes]:
    """Count the call, apply the fault rules' decision for it, and answer it."""
    over_budget = None if call.route == "static" else backend.budget.spend()
    if over_budget is not None:
        entry = backend.recorder.start(call.name, "rate_limit")
        resp = html_error(429, over_budget if backend.config.rate_limit_retry_after else None)
        _record(entry, resp)
        return resp(call.environ, start_response)
    decision = backend.faults.decide(call.name)
    entry = backend.recorder.start(call.name, decision.label)
    delay = float(backend.config.latency_ms or 0) + decision.latency_ms
    if delay > 0:
        time.sleep(delay / 1000.0)
    if decision.kind == "reset":
        entry["status"] = "reset"
        drop_connection(call.environ)
    resp = _faulted_response(decision, call) or _handled(call, handle)
    _record(entry, resp)
    if decision.kind == "apply_then_drop":
        entry["status"] = "dropped"
        close = getattr(resp.response, "close", None)
        if close:
            close()
        drop_connection(call.environ)
    if decision.kind == "truncate":
        entry["status"] = "truncated"
        return _truncate(resp, call.environ, start_response)
    return resp(call.environ, start_response)
