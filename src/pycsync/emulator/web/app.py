"""The WSGI application: which path goes to which endpoint (moto's ``urls.py``).

``/__emulator__/...`` is the control surface (not counted, never faulted); every other known
path is a counted call that passes through the fault middleware, and crosses the modelled network
link (``network.py``) both ways.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.wrappers import Request, Response

from ..backend import Backend
from ..network import ThrottledBody, ThrottledInput
from . import oauth_endpoints
from .control import handle_control
from .guard import control_refusal, host_refusal
from .middleware import Call, serve_call
from .responses import not_found
from .rest import handle_rest, rest_request
from .static import is_static_path, serve_static
from .upload import UploadRequest, handle_upload

__all__ = ["EmulatorApp", "ROUTES"]

ROUTES = {
    "/services/rest": "rest",
    "/services/upload": "upload",
    "/services/replace": "replace",
    "/services/oauth/request_token": "oauth/request_token",
    "/services/oauth/authorize": "oauth/authorize",
    "/services/oauth/access_token": "oauth/access_token",
}

_Endpoint = Callable[[Backend, Any], Response]

_ENDPOINTS: dict[str, _Endpoint] = {
    "rest": handle_rest,
    "upload": lambda backend, req: handle_upload(backend, req, replace=False),
    "replace": lambda backend, req: handle_upload(backend, req, replace=True),
    "static": lambda backend, req: serve_static(backend, req.environ),
    "oauth/request_token": oauth_endpoints.request_token,
    "oauth/access_token": oauth_endpoints.access_token,
    "oauth/authorize": oauth_endpoints.authorize,
}


def route_for(path: str) -> str | None:
    if path == "/":
        return None
    route = ROUTES.get(path.rstrip("/"))
    if route is None and is_static_path(path):
        route = "static"
    return route


class EmulatorApp:
    """The WSGI application of one emulator."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    def _call(self, route: str, environ: dict[str, Any]) -> Call:
        """The request object each route reads (uploads spool their file parts to disk)."""
        if route == "rest":
            req: Request = rest_request(environ)
            values = req.values  # query + urlencoded/multipart body
            return Call(route, values.get("method", "") or "rest", values.get("format", "rest") or "rest", req, environ)
        if route in ("upload", "replace"):
            cfg = self.backend.config
            req = UploadRequest(environ, self.backend.store.tmp_dir, max(cfg.max_photo_bytes, cfg.max_video_bytes))
        else:
            req = Request(environ)
        return Call(route, route, "rest", req, environ)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        refused = host_refusal(environ, self.backend.config.allowed_hosts)
        if refused is not None:
            return refused(environ, start_response)
        path = environ.get("PATH_INFO", "") or "/"
        if path == "/__emulator__" or path.startswith("/__emulator__/"):
            refused = control_refusal(environ)
            if refused is not None:
                return refused(environ, start_response)
            return handle_control(self.backend, environ)(environ, start_response)
        route = route_for(path)
        if route is None:
            return not_found()(environ, start_response)
        link = self.backend.link
        if link.limited:  # the request body and the answer cross the modelled network link
            environ["wsgi.input"] = ThrottledInput(environ["wsgi.input"], link)
        call = self._call(route, environ)
        endpoint = _ENDPOINTS[route]
        body = serve_call(self.backend, call, lambda: endpoint(self.backend, call.request), start_response)
        return ThrottledBody(body, link) if link.limited else body
