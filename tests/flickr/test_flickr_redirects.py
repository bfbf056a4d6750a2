"""Where a download's redirects may lead: never from https down to plain http, and a signed
request never goes out in the clear.

The server here speaks TLS and plain HTTP on one loopback port (it looks at the first byte), as
a host answering on both 443 and 80 does, so a redirect can keep the host and lose the TLS.
"""

from __future__ import annotations

import http.server
import io
import socket
import ssl
import threading
from pathlib import Path

import pytest

from pycsync.flickr import Endpoints, FlickrClient, HttpError
from pycsync.flickr.redact import REDACTED
from tests.support.flickr_stub import CREDS

TLS = Path(__file__).resolve().parents[1] / "data" / "tls"
PHOTO = b"\xff\xd8\xff" + bytes(range(256)) * 64


class TlsOrPlainServer(http.server.ThreadingHTTPServer):
    """One port, both protocols: a TLS handshake starts with byte 0x16."""

    daemon_threads = True

    def __init__(self, handler):
        super().__init__(("127.0.0.1", 0), handler)
        self.tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.tls.load_cert_chain(TLS / "loopback.crt", TLS / "loopback.key")
        self.seen: list[tuple[str, str, bool]] = []  # (scheme, path, signed)

    def get_request(self):
        sock, addr = super().get_request()
        sock.settimeout(10)
        if sock.recv(1, socket.MSG_PEEK) == b"\x16":
            sock = self.tls.wrap_socket(sock, server_side=True)
        return sock, addr


@pytest.fixture
def server():
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802  (http.server's name)
            scheme = "https" if isinstance(self.connection, ssl.SSLSocket) else "http"
            self.server.seen.append((scheme, self.path, "Authorization" in self.headers))
            port = self.server.server_address[1]
            if self.path.startswith(("/photos/", "/hop/")):
                self.send_response(302)
                scheme = "https" if self.path.startswith("/hop/") else "http"
                self.send_header("Location", f"{scheme}://127.0.0.1:{port}/video/1/s/orig.mp4?k={CREDS.token_secret}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "video/mp4")
            self.send_header("Content-Length", str(len(PHOTO)))
            self.end_headers()
            self.wfile.write(PHOTO)

    srv = TlsOrPlainServer(Handler)
    thread = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def _client(server) -> FlickrClient:
    import requests

    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE and proxies from the environment would win
    session.verify = str(TLS / "loopback.crt")
    base = f"https://127.0.0.1:{server.server_address[1]}"
    return FlickrClient(Endpoints.for_base(base), CREDS, calls_per_hour=None, session=session, max_retries=0)


def test_a_redirect_from_https_to_plain_http_is_refused_and_never_signed(server):
    client = _client(server)
    out = io.BytesIO()
    port = server.server_address[1]
    with pytest.raises(HttpError) as refused:
        client.download(f"https://127.0.0.1:{port}/photos/u/1/play/orig/s/?k={CREDS.api_secret}", out)
    assert [s for s in server.seen if s[0] == "http"] == [], "the photo came over plain http"
    assert server.seen == [("https", f"/photos/u/1/play/orig/s/?k={CREDS.api_secret}", True)]
    assert out.getvalue() == b""
    # what the user is told names both ends, and never a secret
    video = f"http://127.0.0.1:{port}/video/1/s/orig.mp4?k={REDACTED}"
    assert (refused.value.status, refused.value.url) == (302, video)
    photos = f"https://127.0.0.1:{port}/photos/u/1/play/orig/s/?k={REDACTED}"
    assert refused.value.message == f"refusing the redirect from {photos} to plain http ({video})"


def test_a_redirect_that_stays_on_https_is_followed_and_signed(server):
    client = _client(server)
    out = io.BytesIO()
    client.download(f"https://127.0.0.1:{server.server_address[1]}/hop/", out)
    assert out.getvalue() == PHOTO
    video = f"/video/1/s/orig.mp4?k={CREDS.token_secret}"
    assert server.seen == [("https", "/hop/", True), ("https", video, True)]


def test_an_https_download_is_signed_over_tls(server):
    client = _client(server)
    out = io.BytesIO()
    client.download(f"https://127.0.0.1:{server.server_address[1]}/video/1/s/orig.mp4", out)
    assert out.getvalue() == PHOTO
    assert server.seen == [("https", "/video/1/s/orig.mp4", True)]


def test_sixteen_workers_over_https_keep_every_connection(monkeypatch, caplog):
    """Flickr is https only: a client's own session pools as many https connections as its
    workers use (the server answers only once all 16 calls are in, so 16 are open at once)."""
    import json
    from concurrent.futures import ThreadPoolExecutor

    workers = 16
    together = threading.Barrier(workers, timeout=10)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802  (http.server's name)
            together.wait()
            body = json.dumps({"stat": "ok", "photo": {"id": "1"}}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    srv = TlsOrPlainServer(Handler)
    threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True).start()
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(TLS / "loopback.crt"))  # (the client's own session)
    client = FlickrClient(
        Endpoints.for_base(f"https://127.0.0.1:{srv.server_address[1]}"), CREDS, calls_per_hour=None, max_retries=0
    )
    try:
        with caplog.at_level("WARNING"), ThreadPoolExecutor(workers) as pool:
            assert len(list(pool.map(lambda i: client.photo_info(str(i)), range(workers)))) == workers
        assert "pool is full" not in caplog.text
    finally:
        client.close()
        srv.shutdown()
        srv.server_close()
