"""Answers shared by the endpoints: Flickr's XML envelopes, OAuth problems, HTML error pages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from werkzeug.wrappers import Response

from ..oauth_signing import OAuthProblem
from ..render import XML_CONTENT_TYPE, Node, render_xml, render_xml_error

__all__ = [
    "xml_response",
    "xml_error_response",
    "oauth_problem_response",
    "html_error",
    "not_found",
    "first_wins",
    "request_base_url",
]

OAUTH_CONTENT_TYPE = "text/plain;charset=UTF-8"


def xml_response(nodes: list[Node], status: int = 200) -> Response:
    return Response(render_xml(nodes), status=status, content_type=XML_CONTENT_TYPE)


def xml_error_response(code: int, message: str, extra: Iterable[Node] = ()) -> Response:
    resp = Response(render_xml_error(code, message, extra), status=200, content_type=XML_CONTENT_TYPE)
    resp.api_code = code  # type: ignore[attr-defined]  # read by the call recorder
    return resp


def oauth_problem_response(p: OAuthProblem) -> Response:
    """HTTP 401 with a form-encoded ``oauth_problem=...`` body, as Flickr answers OAuth failures."""
    resp = Response(p.body(), status=401, content_type=OAUTH_CONTENT_TYPE)
    resp.oauth_problem = p.problem  # type: ignore[attr-defined]  # read by the call recorder
    return resp


_TITLES = {
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


#: Flickr's 429 page, as recorded by a client that met it (docs/flickr-behaviour.md, "Rate limit")
TOO_MANY_REQUESTS = (
    "<html><body><h1>429 Too Many Requests</h1>\nYou have sent too many requests in a given amount of time.\n"
    "</body></html>\n"
)


def html_error(status: int, retry_after: Any = None) -> Response:
    title = _TITLES.get(status, "Error")
    body = (
        TOO_MANY_REQUESTS
        if status == 429
        else f"<!DOCTYPE html>\n<html><head><title>{status} {title}</title></head>"
        f"<body><center><h1>{status} {title}</h1></center><hr><center>flickr-emulator</center></body></html>\n"
    )
    resp = Response(body, status=status, content_type="text/html; charset=utf-8")
    if retry_after is not None:
        resp.headers["Retry-After"] = str(retry_after)
    return resp


def not_found() -> Response:
    return Response("<html><body><h1>404 Not Found</h1></body></html>", status=404, content_type="text/html")


def first_wins(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in pairs:
        out.setdefault(k, v)
    return out


def request_base_url(environ: dict[str, Any]) -> str:
    """``scheme://host[:port]`` as the client addressed us (URLs we hand out use it)."""
    scheme = environ.get("wsgi.url_scheme", "http")
    host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME')}:{environ.get('SERVER_PORT')}"
    return f"{scheme}://{host}"
