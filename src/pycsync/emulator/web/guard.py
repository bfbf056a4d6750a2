"""The emulator is a local test server whose control surface hands out its keys: keep it local.

* Every request must name the server by an IP address, ``localhost`` or a name listed in
  ``EmulatorConfig.allowed_hosts``: a web page that rebinds its own DNS name to 127.0.0.1 (DNS
  rebinding) would otherwise read the emulator's answers as same-origin.
* The control surface (``/__emulator__/``) refuses cross-site requests (``Origin`` of another
  site, ``Sec-Fetch-Site: cross-site``/``same-site``), and changes state only on requests whose
  body is declared JSON -- a "simple" cross-site request (a form, ``text/plain``, no body) can
  never be that without a CORS preflight, which the emulator never grants.

See docs/emulator.md, "Security".
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from werkzeug.wrappers import Response

__all__ = ["is_loopback", "host_refusal", "control_refusal"]

_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def _hostname(host: str) -> str:
    """``host[:port]`` or ``[v6]:port`` -> the host name alone, lower case."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    if host.count(":") == 1:
        return host.split(":", 1)[0]
    return host  # a bare IPv6 address, or a name without a port


def _ip(name: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        return None


def is_loopback(host: str) -> bool:
    """Whether a bind address or host name is this machine's loopback only."""
    name = _hostname(host) if host.startswith("[") else host.strip().lower()
    if name == "localhost":
        return True
    address = _ip(name)
    return address is not None and address.is_loopback


def _refused(status: int, why: str) -> Response:
    return Response(f"{why}\n", status=status, content_type="text/plain; charset=utf-8")


def host_refusal(environ: dict[str, Any], allowed_hosts: Iterable[str]) -> Response | None:
    """403 for a request whose Host header is a DNS name other than localhost and the allowed ones
    (an IP address cannot be rebound, so any is accepted)."""
    host = environ.get("HTTP_HOST")
    if not host:
        return None
    name = _hostname(host)
    if name == "localhost" or _ip(name) is not None or name in {h.lower() for h in allowed_hosts}:
        return None
    return _refused(403, f"this emulator does not answer to the host name {name!r} (allowed_hosts)")


def control_refusal(environ: dict[str, Any]) -> Response | None:
    """403 for a cross-site request to the control surface, 415 for a state change whose body is
    not declared JSON."""
    fetch_site = environ.get("HTTP_SEC_FETCH_SITE", "").strip().lower()
    if fetch_site and fetch_site not in ("same-origin", "none"):
        return _refused(403, "the emulator's control surface refuses cross-site requests")
    origin = environ.get("HTTP_ORIGIN")
    if origin is not None:
        try:
            origin_host = urlsplit(origin.strip()).netloc.lower()
        except ValueError:
            origin_host = ""
        if origin_host != environ.get("HTTP_HOST", "").strip().lower():
            return _refused(403, "the emulator's control surface refuses cross-site requests")
    if environ.get("REQUEST_METHOD", "GET").upper() not in _SAFE_METHODS:
        ctype = environ.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower()
        if ctype != "application/json":
            return _refused(415, "changes to the emulator's control surface must be sent as application/json")
    return None
