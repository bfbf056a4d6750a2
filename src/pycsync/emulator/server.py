"""The emulator's lifecycle: a threaded HTTP server running the WSGI app on a background thread."""

from __future__ import annotations

import dataclasses
import logging
import socket
import threading
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

from .api import REGISTRY
from .backend import Backend
from .config import EmulatorConfig
from .faults import FaultEngine
from .store import Store
from .web.app import EmulatorApp
from .web.control import account_settings, network_settings, network_state, state_dump
from .web.guard import is_loopback
from .web.handler import KeepAliveHandler

__all__ = ["EmulatorServer", "exposure_warning"]

log = logging.getLogger("pycsync.emulator")


def exposure_warning(host: str) -> str | None:
    """What to tell someone who makes the emulator listen beyond this machine (None: loopback)."""
    if is_loopback(host):
        return None
    return (
        f"warning: the emulator listens on {host}, not a loopback address: anyone who can reach this "
        "port can use its unsigned control surface (/__emulator__/), which hands out the API key and "
        "secret and the access tokens, changes fault rules and creates users. Use --host 127.0.0.1 "
        "unless this machine's network is yours alone."
    )


class EmulatorServer:
    """A Flickr-compatible API server on a background thread.

    ``with EmulatorServer() as emu: ...`` or ``emu.start()`` / ``emu.stop()``. Settings are an
    :class:`EmulatorConfig`, given whole or field by field: ``EmulatorServer(max_sets=1)``.
    Without ``data_dir`` all state lives in a temporary directory removed on stop.
    """

    def __init__(self, config: EmulatorConfig | None = None, **changes: Any) -> None:
        self.config = dataclasses.replace(config or EmulatorConfig(), **changes)
        self.port = self.config.port
        self.fault_engine = FaultEngine(self.config.faults, seed=self.config.seed)
        self.store: Store | None = None
        self.backend: Backend | None = None
        self.app: EmulatorApp | None = None
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._conn_lock = threading.Lock()

    @property
    def host(self) -> str:
        return self.config.host

    @property
    def data_dir(self) -> Any:
        return self.config.data_dir

    # ------------------------------------------------------------------ lifecycle
    def _listen(self, app: EmulatorApp) -> BaseWSGIServer:
        cfg = self.config
        try:
            server = make_server(cfg.host, self.port, app, threaded=True, request_handler=KeepAliveHandler)
        except SystemExit as e:  # werkzeug exits when the address is taken
            raise OSError(f"address {cfg.host}:{self.port} is already in use") from e
        server.daemon_threads = True  # type: ignore[attr-defined]  # (ThreadingMixIn's)

        def track(sock: socket.socket, add: bool) -> None:
            with self._conn_lock:
                (self._connections.add if add else self._connections.discard)(sock)

        server.track_connection = track  # type: ignore[attr-defined]  # read by KeepAliveHandler
        return server

    def start(self) -> EmulatorServer:
        if self._server is not None:
            return self
        cfg = self.config
        warning = exposure_warning(cfg.host)
        if warning:
            log.warning(warning)
        store = Store(cfg.data_dir, api_key=cfg.api_key, api_secret=cfg.api_secret, default_username=cfg.username)
        backend = Backend(store, cfg, self.fault_engine, REGISTRY)
        app = EmulatorApp(backend)
        try:
            self._server = self._listen(app)
        except BaseException:
            store.close()
            raise
        self.store, self.backend, self.app = store, backend, app
        self.port = self._server.server_port
        backend.public_endpoint = self.endpoint
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
        self.backend = self.app = None

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
    def _need(self) -> Backend:
        if self.backend is None:
            raise RuntimeError("emulator is not running")
        return self.backend

    @property
    def endpoint(self) -> str:
        host = self.config.host
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
        return str(self._need().store.default_user()["nsid"])

    @property
    def username(self) -> str:
        return str(self._need().store.default_user()["username"])

    @property
    def oauth_token(self) -> str:
        return str(self._need().store.default_token()["token"])

    @property
    def oauth_token_secret(self) -> str:
        return str(self._need().store.default_token()["secret"])

    def info(self) -> dict[str, Any]:
        return self._need().server_info()

    def calls(self) -> dict[str, int]:
        counts: dict[str, int] = self._need().recorder.snapshot()["counts"]
        return counts

    def recent_calls(self) -> list[dict[str, Any]]:
        recent: list[dict[str, Any]] = self._need().recorder.snapshot()["recent"]
        return recent

    def reset_calls(self) -> None:
        self._need().recorder.reset()

    def set_faults(self, rules: Any) -> None:
        self.fault_engine.set_rules(rules)

    def faults(self) -> list[dict[str, Any]]:
        return self.fault_engine.rules_info()

    def state(self) -> dict[str, Any]:
        return state_dump(self._need())

    def add_user(self, username: str, fullname: str = "", email: str | None = None) -> dict[str, Any]:
        user = self._need().store.create_user(username, fullname=fullname, email=email)
        user.pop("perms", None)
        return user

    def add_token(self, user_nsid: str | None = None, perms: str = "delete") -> dict[str, Any]:
        """An extra access token (e.g. ``perms="read"`` to test permission errors)."""
        store = self._need().store
        nsid = user_nsid or store.default_user()["nsid"]
        if store.user(nsid) is None:
            raise ValueError(f"unknown user {nsid}")
        if perms not in ("read", "write", "delete"):
            raise ValueError("perms must be read, write or delete")
        return {"user_nsid": nsid, **store.create_access_token(nsid, perms)}

    def set_account(self, user_nsid: str | None = None, **settings: Any) -> dict[str, Any]:
        """Set a user's account kind, limits and preferences (see ``POST /__emulator__/account``);
        returns the effective account."""
        backend = self._need()
        nsid = user_nsid or str(backend.store.default_user()["nsid"])
        if backend.store.user(nsid) is None:
            raise ValueError(f"unknown user {nsid}")
        backend.store.update_user(nsid, **account_settings(settings))
        return {"user_nsid": nsid, **dataclasses.asdict(backend.account(nsid))}

    def set_network(self, **settings: float) -> dict[str, float]:
        """Change the network model while running (``latency_ms``, ``bandwidth_mbps``,
        ``upload_processing_ms``; see ``POST /__emulator__/network``); returns all three."""
        backend = self._need()
        for key, value in network_settings(settings).items():
            setattr(backend.config, key, value)
        return network_state(backend)

    def revoke_token(self, oauth_token: str) -> None:
        self._need().store.update_token(oauth_token, state="revoked")
