"""The emulator WSGI application and the threaded server that runs it."""

from __future__ import annotations

import collections
import logging
import socket
import struct
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response
from werkzeug.wsgi import LimitedStream

from . import authflow
from .auth import Authenticator
from .control import handle_control, state_dump
from .errors import ApiError
from .faults import Decision, FaultEngine
from .oauth import OAuthProblem, SignedRequest, base_url_from_environ, parse_authorization_header
from .photos import Ctx
from .render import FORMATS, render
from .rest import dispatch
from .static import is_static_path, serve_static
from .store import Store
from .upload import UploadRequest, first_wins, handle_upload, oauth_problem_response, xml_error_response

__all__ = ["EmulatorServer", "EmulatorApp", "EmulatorConfig"]

log = logging.getLogger("pycsync.emulator")

_FORMATS = FORMATS  # rest (XML), json / JSONP, php_serial; anything else is error 111


@dataclass
class EmulatorConfig:
    default_title: str = "stem"  # "stem" (file name without extension), "name" or "" (empty)
    max_photo_bytes: int = 200 * 2**20
    max_video_bytes: int = 2**30
    video_original_format: str = "jpg"  # "jpg" (the poster, as Flickr reports) or "real" (container ext)
    timestamp_window: float = 600
    latency_ms: float = 0
    async_delay: float = 0.0  # seconds an async upload ticket reports complete=0
    max_sets: int | None = None
    max_set_photos: int | None = None
    search_result_cap: int = 4000  # flickr.photos.search serves at most this many results

    def __post_init__(self) -> None:
        if self.default_title not in ("stem", "name", ""):
            raise ValueError('default_title must be "stem", "name" or ""')
        if self.video_original_format not in ("jpg", "real"):
            raise ValueError('video_original_format must be "jpg" or "real"')


class CallRecorder:
    """Counts every (non-control) request under its method or endpoint name."""

    def __init__(self, keep: int = 200) -> None:
        self._lock = threading.Lock()
        self.counts: collections.Counter[str] = collections.Counter()
        self.recent: collections.deque[dict] = collections.deque(maxlen=keep)

    def start(self, name: str, fault: str | None) -> dict:
        entry = {"name": name, "status": None, "fault": fault, "time": round(time.time(), 3)}
        with self._lock:
            self.counts[name] += 1
            self.recent.append(entry)
        return entry

    def snapshot(self) -> dict:
        with self._lock:
            return {"counts": dict(self.counts), "recent": [dict(e) for e in self.recent]}

    def reset(self) -> None:
        with self._lock:
            self.counts.clear()
            self.recent.clear()


def drop_connection(environ: dict) -> None:
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

    def __init__(self, inner: Iterable[bytes], limit: int, environ: dict) -> None:
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


def _html_error(status: int, retry_after: Any = None) -> Response:
    titles = {
        429: "Too Many Requests",
        500: "Internal Server Error",
        502: "Bad Gateway",
        503: "Service Unavailable",
        504: "Gateway Timeout",
    }
    title = titles.get(status, "Error")
    body = (
        f"<!DOCTYPE html>\n<html><head><title>{status} {title}</title></head>"
        f"<body><center><h1>{status} {title}</h1></center><hr><center>flickr-emulator</center></body></html>\n"
    )
    resp = Response(body, status=status, content_type="text/html; charset=utf-8")
    if retry_after is not None:
        resp.headers["Retry-After"] = str(retry_after)
    return resp


_ROUTES = {
    "/services/rest": "rest",
    "/services/upload": "upload",
    "/services/replace": "replace",
    "/services/oauth/request_token": "oauth/request_token",
    "/services/oauth/authorize": "oauth/authorize",
    "/services/oauth/access_token": "oauth/access_token",
}


class EmulatorApp:
    """The WSGI application (routing, call counting, fault injection)."""

    def __init__(self, store: Store, config: EmulatorConfig, faults: FaultEngine) -> None:
        self.store = store
        self.config = config
        self.faults = faults
        self.auth = Authenticator(store, config.timestamp_window)
        self.recorder = CallRecorder()
        self.public_endpoint: str | None = None

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def base_url(environ: dict) -> str:
        """``scheme://host[:port]`` as the client addressed us (URLs we hand out use it)."""
        scheme = environ.get("wsgi.url_scheme", "http")
        host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME')}:{environ.get('SERVER_PORT')}"
        return f"{scheme}://{host}"

    def server_info(self, environ: dict | None = None) -> dict:
        user = self.store.default_user()
        tok = self.store.default_token()
        endpoint = self.public_endpoint or (self.base_url(environ) if environ else "")
        return {
            "endpoint": endpoint,
            "api_key": self.store.api_key,
            "api_secret": self.store.api_secret,
            "user_nsid": user["nsid"],
            "username": user["username"],
            "oauth_token": tok["token"],
            "oauth_token_secret": tok["secret"],
        }

    # ------------------------------------------------------------------ WSGI
    def __call__(self, environ: dict, start_response: Any) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "") or "/"
        if path == "/__emulator__" or path.startswith("/__emulator__/"):
            return handle_control(self, environ)(environ, start_response)
        route = _ROUTES.get(path.rstrip("/")) if path != "/" else None
        if route is None and is_static_path(path):
            route = "static"
        if route is None:
            resp = Response("<html><body><h1>404 Not Found</h1></body></html>", status=404, content_type="text/html")
            return resp(environ, start_response)

        req: Request
        name = route
        fmt = "rest"
        if route == "rest":
            req = Request(environ)
            req.max_form_memory_size = 16 * 2**20
            values = req.values  # query + urlencoded/multipart body
            name = values.get("method", "") or "rest"
            fmt = values.get("format", "rest") or "rest"
        elif route in ("upload", "replace"):
            req = UploadRequest(
                environ, self.store.tmp_dir, max(self.config.max_photo_bytes, self.config.max_video_bytes)
            )
        else:
            req = Request(environ)

        decision = self.faults.decide(name)
        entry = self.recorder.start(name, decision.label)
        delay = float(self.config.latency_ms or 0) + decision.latency_ms
        if delay > 0:
            time.sleep(delay / 1000.0)

        if decision.kind == "reset":
            entry["status"] = "reset"
            drop_connection(environ)
        resp = (
            self._faulted_response(decision, route, fmt, req)
            if decision.kind in ("error", "http", "rate_limit")
            else None
        )
        if resp is None:
            try:
                resp = self._handle(route, req, environ)
            except Exception:  # pragma: no cover - a bug; answer like an overloaded Flickr would
                log.exception("emulator error on %s", name)
                resp = _html_error(500)
        entry["status"] = resp.status_code
        code = getattr(resp, "api_code", None)
        if code is not None:
            entry["code"] = code
        problem = getattr(resp, "oauth_problem", None)
        if problem is not None:
            entry["oauth_problem"] = problem

        if decision.kind == "apply_then_drop":
            entry["status"] = "dropped"
            close = getattr(resp.response, "close", None)
            if close:
                close()
            drop_connection(environ)
        if decision.kind == "truncate":
            entry["status"] = "truncated"
            return self._truncate(resp, environ, start_response)
        return resp(environ, start_response)

    def _truncate(self, resp: Response, environ: dict, start_response: Any) -> Iterable[bytes]:
        app_iter = resp(environ, start_response)  # sends status + headers (with the full Content-Length)
        length = int(resp.headers.get("Content-Length") or 0)
        if not length:
            data = b"".join(app_iter)
            length = len(data)
            app_iter = [data]
        return _Truncated(app_iter, length // 2, environ)

    def _faulted_response(self, d: Decision, route: str, fmt: str, req: Request) -> Response:
        action = d.action or {}
        if d.kind in ("http", "rate_limit"):
            return _html_error(int(action.get("http", 429)), action.get("retry_after"))
        code = int(action.get("error", 105))
        message = str(action.get("message") or _DEFAULT_MESSAGES.get(code, "Service currently unavailable"))
        if route == "rest":
            return self._rest_error(req, fmt, ApiError(code, message))
        return xml_error_response(code, message)

    def _handle(self, route: str, req: Request, environ: dict) -> Response:
        if route == "rest":
            return self._rest(req)
        if route == "upload":
            return handle_upload(self, req, replace=False)  # type: ignore[arg-type]
        if route == "replace":
            return handle_upload(self, req, replace=True)  # type: ignore[arg-type]
        if route == "static":
            return serve_static(self, environ)
        if route == "oauth/request_token":
            return authflow.request_token(self, req)
        if route == "oauth/access_token":
            return authflow.access_token(self, req)
        return authflow.authorize(self, req)

    # ------------------------------------------------------------------ REST
    def _rest_error(self, req: Request, fmt: str, e: ApiError) -> Response:
        values = req.values
        if fmt not in _FORMATS:
            fmt = "rest"
        body, ctype = render(
            None, fmt, values.get("jsoncallback"), values.get("nojsoncallback") == "1", error=(e.code, e.message)
        )
        resp = Response(body, status=200, content_type=ctype)
        resp.api_code = e.code  # type: ignore[attr-defined]
        return resp

    def _rest(self, req: Request) -> Response:
        values = req.values
        fmt = values.get("format", "rest") or "rest"
        if fmt not in _FORMATS:
            return self._rest_error(req, "rest", ApiError(111, f'Format "{fmt}" not found'))
        params = list(req.args.items(multi=True))
        if req.method == "POST":
            params += list(req.form.items(multi=True))
        header = parse_authorization_header(req.environ.get("HTTP_AUTHORIZATION")) or []
        sreq = SignedRequest(req.method, base_url_from_environ(req.environ), params, header)
        pdict = first_wins(params)
        try:
            caller = self.auth.api_call(sreq, pdict)
        except OAuthProblem as p:
            return oauth_problem_response(p)
        except ApiError as e:
            return self._rest_error(req, fmt, e)
        for k, v in header:
            pdict.setdefault(k, v)
        ctx = Ctx(self, caller, pdict, self.base_url(req.environ))
        try:
            payload = dispatch(ctx, pdict.get("method", ""))
        except ApiError as e:
            return self._rest_error(req, fmt, e)
        body, ctype = render(payload, fmt, pdict.get("jsoncallback"), pdict.get("nojsoncallback") == "1")
        return Response(body, status=200, content_type=ctype)


_DEFAULT_MESSAGES = {
    0: "Sorry, the Flickr API service is not currently available.",
    105: "Service currently unavailable",
    106: "The requested operation failed due to a temporary issue.",
    201: "Sorry, the Flickr API service is not currently available.",
    3: "General upload failure",
}


class _Handler(WSGIRequestHandler):
    """Werkzeug's request handler with quiet logging and HTTP/1.1 keep-alive.

    Werkzeug's own ``run_wsgi`` closes every connection (it cannot tell where a
    half-read request body ends).  Here the body is wrapped in a
    ``LimitedStream`` of ``Content-Length`` bytes, so after each response the
    unread rest can be drained exactly and the connection reused -- which
    roughly doubles the throughput of clients using ``requests.Session``.
    Responses without a ``Content-Length``, chunked requests and anything that
    goes wrong fall back to ``Connection: close``.
    """

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

    def run_wsgi(self) -> None:  # noqa: C901 - mirrors werkzeug's, plus keep-alive
        if self.headers.get("Expect", "").lower().strip(" \t") == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        self.environ = environ = self.make_environ()
        body: LimitedStream | None = None
        if not environ.get("wsgi.input_terminated"):
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = -1
            if length < 0:
                self.close_connection = True
            else:
                body = LimitedStream(environ["wsgi.input"], length)
                environ["wsgi.input"] = body
        else:
            self.close_connection = True  # chunked request body
        status_set: str | None = None
        headers_set: list[tuple[str, str]] = []
        sent = False

        def write(data: bytes) -> None:
            nonlocal sent
            if not sent:
                sent = True
                code_str, _, msg = (status_set or "500 INTERNAL SERVER ERROR").partition(" ")
                code = int(code_str)
                self.send_response(code, msg)
                keys = set()
                for key, value in headers_set:
                    self.send_header(key, value)
                    keys.add(key.lower())
                delimited = (
                    "content-length" in keys
                    or environ["REQUEST_METHOD"] == "HEAD"
                    or 100 <= code < 200
                    or code in (204, 304)
                )
                if not delimited or self.close_connection:
                    self.send_header("Connection", "close")  # also sets self.close_connection
                    self.close_connection = True
                self.end_headers()
            if data:
                self.wfile.write(data)

        def start_response(status, headers, exc_info=None):  # type: ignore[no-untyped-def]
            nonlocal status_set, headers_set
            if exc_info:
                try:
                    if sent:
                        raise exc_info[1].with_traceback(exc_info[2])
                finally:
                    exc_info = None
            status_set, headers_set = status, list(headers)
            return write

        try:
            app_iter = self.server.app(environ, start_response)
            try:
                for data in app_iter:
                    write(data)
                if not sent:
                    write(b"")
            finally:
                close = getattr(app_iter, "close", None)
                if close:
                    close()
        except (TimeoutError, ConnectionError):
            self.close_connection = True
            return
        except Exception:  # pragma: no cover - a bug in the app
            log.exception("unhandled error in the emulator")
            self.close_connection = True
            if not sent:
                try:
                    status_set, headers_set = (
                        "500 INTERNAL SERVER ERROR",
                        [("Content-Type", "text/plain"), ("Content-Length", "21")],
                    )
                    write(b"Internal Server Error")
                except OSError:
                    pass
            return
        if not self.close_connection and body is not None:
            # consume what the application left unread, so the next request starts cleanly
            left = body.limit - body._pos  # noqa: SLF001
            if left > self.max_drain:
                self.close_connection = True
            else:
                try:
                    body.exhaust()
                except (OSError, ValueError):
                    self.close_connection = True


class EmulatorServer:
    """A Flickr-compatible API server on a background thread.

    ``with EmulatorServer() as emu: ...`` or ``emu.start()`` / ``emu.stop()``.
    Without ``data_dir`` all state lives in a temporary directory removed on stop.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        data_dir: Any = None,
        api_key: str | None = None,
        api_secret: str | None = None,
        latency_ms: float = 0,
        faults: Any = None,
        seed: int = 0,
        *,
        timestamp_window: float = 600,
        default_title: str = "stem",
        max_photo_bytes: int = 200 * 2**20,
        max_video_bytes: int = 2**30,
        video_original_format: str = "jpg",
        async_delay: float = 0.0,
        max_sets: int | None = None,
        max_set_photos: int | None = None,
        search_result_cap: int = 4000,
        username: str = "emulator",
    ) -> None:
        self.host = host
        self.port = port
        self.data_dir = data_dir
        self._api_key = api_key
        self._api_secret = api_secret
        self._username = username
        self.config = EmulatorConfig(
            default_title=default_title,
            max_photo_bytes=max_photo_bytes,
            max_video_bytes=max_video_bytes,
            video_original_format=video_original_format,
            timestamp_window=timestamp_window,
            latency_ms=latency_ms,
            async_delay=async_delay,
            max_sets=max_sets,
            max_set_photos=max_set_photos,
            search_result_cap=search_result_cap,
        )
        self.fault_engine = FaultEngine(faults, seed=seed)
        self.store: Store | None = None
        self.app: EmulatorApp | None = None
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> EmulatorServer:
        if self._server is not None:
            return self
        self.store = Store(
            self.data_dir, api_key=self._api_key, api_secret=self._api_secret, default_username=self._username
        )
        self.app = EmulatorApp(self.store, self.config, self.fault_engine)
        try:
            self._server = make_server(self.host, self.port, self.app, threaded=True, request_handler=_Handler)
        except SystemExit as e:  # werkzeug exits when the address is taken
            self.store.close()
            self.store = None
            raise OSError(f"address {self.host}:{self.port} is already in use") from e
        except BaseException:
            self.store.close()
            self.store = None
            raise
        self._server.daemon_threads = True
        self._connections: set[socket.socket] = set()
        conn_lock = threading.Lock()

        def track(sock: socket.socket, add: bool) -> None:
            with conn_lock:
                (self._connections.add if add else self._connections.discard)(sock)

        self._server.track_connection = track  # type: ignore[attr-defined]
        self._conn_lock = conn_lock
        self.port = self._server.server_port
        self.app.public_endpoint = self.endpoint
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name=f"flickr-emulator:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
            with self._conn_lock:  # wake up handler threads parked on idle keep-alive connections
                for sock in list(self._connections):
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self.store is not None:
            self.store.close()
            self.store = None

    def serve_forever(self) -> None:
        """Block until :meth:`stop` is called (from a signal handler or another thread)."""
        self.start()
        assert self._thread is not None
        while self._thread is not None and self._thread.is_alive():
            self._thread.join(0.2)

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # ------------------------------------------------------------------ info
    def _need(self) -> EmulatorApp:
        if self.app is None or self.store is None:
            raise RuntimeError("emulator is not running")
        return self.app

    @property
    def endpoint(self) -> str:
        host = self.host
        if host in ("0.0.0.0", "", "::"):
            host = "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    @property
    def api_key(self) -> str:
        return self._need().store.api_key

    @property
    def api_secret(self) -> str:
        return self._need().store.api_secret

    @property
    def user_nsid(self) -> str:
        return self._need().store.default_user()["nsid"]

    @property
    def username(self) -> str:
        return self._need().store.default_user()["username"]

    @property
    def oauth_token(self) -> str:
        return self._need().store.default_token()["token"]

    @property
    def oauth_token_secret(self) -> str:
        return self._need().store.default_token()["secret"]

    def info(self) -> dict:
        return self._need().server_info()

    def calls(self) -> dict[str, int]:
        return self._need().recorder.snapshot()["counts"]

    def recent_calls(self) -> list[dict]:
        return self._need().recorder.snapshot()["recent"]

    def reset_calls(self) -> None:
        self._need().recorder.reset()

    def set_faults(self, rules: Any) -> None:
        self.fault_engine.set_rules(rules)

    def faults(self) -> list[dict]:
        return self.fault_engine.rules_info()

    def state(self) -> dict:
        return state_dump(self._need())

    def add_user(self, username: str, fullname: str = "", email: str | None = None) -> dict:
        user = self._need().store.create_user(username, fullname=fullname, email=email)
        user.pop("perms", None)
        return user

    def add_token(self, user_nsid: str | None = None, perms: str = "delete") -> dict:
        """An extra access token (e.g. ``perms="read"`` to test permission errors)."""
        store = self._need().store
        nsid = user_nsid or store.default_user()["nsid"]
        if store.user(nsid) is None:
            raise ValueError(f"unknown user {nsid}")
        if perms not in ("read", "write", "delete"):
            raise ValueError("perms must be read, write or delete")
        return {"user_nsid": nsid, **store.create_access_token(nsid, perms)}

    def revoke_token(self, oauth_token: str) -> None:
        self._need().store.update_token(oauth_token, state="revoked")
