"""A hostile server on 127.0.0.1 in front of the emulator, for the security tests.

Every request goes to the emulator unchanged (its Host header too, so the URLs the emulator
hands out point back here) unless ``intercept(handler)`` answers it itself: a download that never
ends, a redirect to a dead host, an answer far too big or too deep. Bounded in time: every
socket has a timeout and the server stops with the test.
"""

from __future__ import annotations

import http.client
import http.server
import socket
import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit

Intercept = Callable[[http.server.BaseHTTPRequestHandler], bool]

SOCKET_TIMEOUT = 30.0


class HostileProxy:
    def __init__(self, upstream: str, intercept: Intercept | None = None):
        self.intercept = intercept
        target = urlsplit(upstream)
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = SOCKET_TIMEOUT

            def log_message(self, *args) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if proxy.intercept is not None and proxy.intercept(self):
                    self.close_connection = True
                    return
                upstream_conn = http.client.HTTPConnection(target.hostname, target.port, timeout=SOCKET_TIMEOUT)
                try:
                    headers = {
                        k: v for k, v in self.headers.items() if k.lower() not in ("connection", "content-length")
                    }
                    upstream_conn.request(self.command, self.path, body=body, headers=headers)
                    answer = upstream_conn.getresponse()
                    data = answer.read()
                finally:
                    upstream_conn.close()
                self.send_response(answer.status)
                for k, v in answer.getheaders():
                    if k.lower() not in ("connection", "content-length", "transfer-encoding"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_HEAD = _handle  # noqa: N815  (http.server's names)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> HostileProxy:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def dead_port() -> int:
    """A loopback port nothing listens on (connections to it are refused)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def stream_forever(
    handler, headers: dict[str, str], *, seconds: float = 20.0, limit: int = 256 << 20, chunk: int = 1 << 16
) -> int:
    """Answer 200 with ``headers`` and send zeros until the client hangs up, ``seconds`` pass or
    ``limit`` bytes are out (what a server announcing a 64 GiB photo does, bounded so that a
    client that never stops cannot fill the disk); returns how many bytes went out."""
    handler.send_response(200)
    for k, v in headers.items():
        handler.send_header(k, v)
    handler.end_headers()
    block = b"\0" * chunk
    sent = 0
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline and sent < limit:
            handler.wfile.write(block)
            sent += len(block)
    except OSError:
        pass  # the client gave up: what it should do
    return sent
