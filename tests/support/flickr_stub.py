"""Test helpers for tests/flickr: fake clock and a scriptable local HTTP stub server."""

from __future__ import annotations

import http.server
import json
import socket
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pycsync.flickr import Credentials, Endpoints, FlickrClient

#: what the client tests sign with (a stub checks no signature)
CREDS = Credentials("ck-123", "cs-456", "72157-tok", "ts-789")


class FakeClock:
    """Monotonic fake clock whose sleep() advances time instantly (records the sleeps)."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Reply:
    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    #: "drop" = close the socket without answering (after reading the request);
    #: "truncate" = announce Content-Length but send only half the body
    action: str | None = None


Responder = Callable[[Recorded], Reply] | Reply


class StubServer:
    """Answers requests from a script (FIFO); once the script is empty uses ``default``."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.script: deque[Responder] = deque()
        self.default: Responder = Reply(404, b"no script")
        self.routes: dict[str, Responder] = {}
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a: Any) -> None:
                pass

            def _hang_up(self) -> None:
                """Close the connection with no (further) answer, as a dropped link does."""
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                rec = Recorded(self.command, self.path, dict(self.headers.items()), body)
                stub.requests.append(rec)
                path_only = self.path.split("?", 1)[0]
                if path_only in stub.routes:
                    r = stub.routes[path_only]
                elif stub.script:
                    r = stub.script.popleft()
                else:
                    r = stub.default
                reply = r(rec) if callable(r) else r
                data = reply.body.encode() if isinstance(reply.body, str) else reply.body
                if reply.action == "drop":
                    self._hang_up()
                    return
                self.send_response(reply.status)
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                if reply.action == "truncate":
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(data[: len(data) // 2])
                    self.wfile.flush()
                    self._hang_up()
                    return
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_POST = do_HEAD = _handle  # noqa: N815  (http.server's names)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def push(self, *responders: Responder) -> None:
        self.script.extend(responders)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def json_ok(payload: dict | None = None) -> Reply:
    data = {**(payload or {}), "stat": "ok"}
    return Reply(200, json.dumps(data), {"Content-Type": "application/json"})


def json_fail(code: int, message: str) -> Reply:
    return Reply(
        200, json.dumps({"stat": "fail", "code": code, "message": message}), {"Content-Type": "application/json"}
    )


def xml_reply(inner: str, stat: str = "ok") -> Reply:
    return Reply(
        200,
        f'<?xml version="1.0" encoding="utf-8" ?>\n<rsp stat="{stat}">\n{inner}\n</rsp>\n',
        {"Content-Type": "text/xml; charset=utf-8"},
    )


class Hostile:
    """A hostile server: answers every request with ``serve(handler)`` (which decides what to
    send, how fast and how much) and counts the bytes it managed to send."""

    def __init__(self) -> None:
        self.serve: Callable[[http.server.BaseHTTPRequestHandler], None] = lambda h: None
        self.sent = 0
        hostile = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = 10

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802  (http.server's names)
                hostile.serve(self)
                self.close_connection = True

            do_POST = do_GET  # noqa: N815

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def send(self, handler, data: bytes) -> bool:
        try:
            handler.wfile.write(data)
            handler.wfile.flush()
        except OSError:
            return False  # the client hung up
        self.sent += len(data)
        return True

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def send_headers(handler, headers: dict[str, str], status: int = 200) -> None:
    handler.send_response(status)
    for k, v in headers.items():
        handler.send_header(k, v)
    handler.end_headers()


def client_of(server: Hostile, **kwargs) -> FlickrClient:
    """A client of ``server`` that tries each call once unless told otherwise (a hostile answer is
    the thing under test, not something to retry)."""
    kwargs.setdefault("max_retries", 0)
    return FlickrClient(Endpoints.for_base(server.base), CREDS, calls_per_hour=None, **kwargs)
