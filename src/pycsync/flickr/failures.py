"""What a failed request means: the errors for a server that cannot be reached, a request that
failed on the way, and an authentication failure the local clock explains.

Shared by the transport and the sign-in flow (:mod:`.oauth`); it imports neither.
"""

from __future__ import annotations

import errno
import socket
import ssl
import time
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

import requests

from .errors import AuthError, ClockSkew, FlickrError, OutcomeUnknown, TransientError, Unreachable

#: an authentication failure from a server whose clock is this far (seconds) from ours is
#: blamed on the clock (OAuth servers refuse time stamps a few minutes off)
CLOCK_TOLERANCE = 300.0


def header(headers: Mapping[str, str] | None, name: str) -> str | None:
    if not headers:
        return None
    v = headers.get(name)
    if v is not None:
        return v
    lname = name.lower()
    for k, val in headers.items():
        if k.lower() == lname:
            return val
    return None


def server_date(headers: Mapping[str, str] | None) -> int | None:
    """The HTTP Date header as unix seconds (None when absent or unreadable)."""
    v = header(headers, "Date")
    if not v:
        return None
    from email.utils import parsedate_to_datetime

    try:
        return int(parsedate_to_datetime(v).timestamp())
    except (TypeError, ValueError, OverflowError):
        return None


def auth_failure(
    problem: str,
    headers: Mapping[str, str] | None,
    *,
    code: int | None = None,
    method: str = "",
    status: int | None = None,
    window: Mapping[str, str] | None = None,
) -> AuthError:
    """An authentication failure, as :class:`ClockSkew` when the clock explains it: the server
    refused the time stamp, or its Date header (else the middle of the time stamps it would have
    accepted) is more than :data:`CLOCK_TOLERANCE` from the local clock."""
    server = server_date(headers)
    if server is None and window and window.get("oauth_acceptable_timestamps"):
        low, _, high = window["oauth_acceptable_timestamps"].partition("-")
        try:
            server = (int(low) + int(high)) // 2
        except ValueError:
            server = None
    offset = None if server is None else time.time() - server
    if problem.startswith("timestamp_refused") or (offset is not None and abs(offset) > CLOCK_TOLERANCE):
        return ClockSkew(problem, offset=offset, server_time=server, code=code, method=method, status=status)
    return AuthError(problem, code=code, method=method, status=status)


def _exc_chain(exc: BaseException) -> Iterable[BaseException]:
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        e = todo.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        for nxt in (getattr(e, "reason", None), e.__cause__, e.__context__, *e.args):
            if isinstance(nxt, BaseException):
                todo.append(nxt)


# TLS failures that happen in the handshake, before any byte of the request leaves
_HANDSHAKE_REASONS = frozenset(
    {
        "WRONG_VERSION_NUMBER",
        "UNKNOWN_PROTOCOL",
        "UNSUPPORTED_PROTOCOL",
        "RECORD_LAYER_FAILURE",
        "TLSV1_ALERT_PROTOCOL_VERSION",
        "SSLV3_ALERT_HANDSHAKE_FAILURE",
        "TLSV1_ALERT_INTERNAL_ERROR",
        "TLSV1_UNRECOGNIZED_NAME",
        "NO_PROTOCOLS_AVAILABLE",
    }
)


def _unreachable_reason(exc: requests.RequestException) -> str | None:
    """Why the server could not be reached at all, in a few words; None when the request may
    have reached it (the connection was made)."""
    from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError

    chain = list(_exc_chain(exc))
    for e in chain:
        if isinstance(e, ssl.SSLCertVerificationError):
            return f"TLS certificate not accepted ({e.verify_message or e.reason})"
    for e in chain:
        if isinstance(e, ssl.SSLError) and e.reason in _HANDSHAKE_REASONS:
            return f"TLS handshake failed ({e.reason.replace('_', ' ').lower()})"
    if any(isinstance(e, (NameResolutionError, socket.gaierror)) for e in chain):
        return "name not found"
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return "connection refused"
    if isinstance(exc, requests.exceptions.ConnectTimeout) or any(isinstance(e, ConnectTimeoutError) for e in chain):
        return "timed out"
    if any(isinstance(e, OSError) and e.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH) for e in chain):
        return "network unreachable"
    if any(isinstance(e, NewConnectionError) for e in chain):
        return "connection failed"
    return None


def _after_sending(exc: requests.RequestException) -> str:
    """What went wrong once the connection was made, in words (the details go to --debug)."""
    if isinstance(exc, requests.exceptions.Timeout):
        return "no answer in time"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "the answer was cut off"
    if any(isinstance(e, ConnectionResetError) for e in _exc_chain(exc)):
        return "the connection was reset"
    return "the connection was closed"


def network_error(
    exc: requests.RequestException, label: str, idempotent: bool, url: str, shown: str = ""
) -> FlickrError:
    """The client's error for a request that failed on the network, in words (no exception
    class names); ``shown`` names what was asked for (a download's URL, its secret redacted)."""
    if isinstance(
        exc,
        (
            requests.exceptions.InvalidURL,
            requests.exceptions.MissingSchema,
            requests.exceptions.InvalidSchema,
            requests.exceptions.InvalidHeader,
        ),
    ):
        return FlickrError(f"{label}: not a usable address: {origin(url)}")
    reason = _unreachable_reason(exc)
    if reason is not None:
        return Unreachable(reason, url=origin(url), method=label, shown=shown)
    cls = TransientError if idempotent else OutcomeUnknown
    return cls(f"{_after_sending(exc)} after the request was sent" + (f" ({shown})" if shown else ""), method=label)


def origin(url: str) -> str:
    """scheme://host[:port]: enough to say where, never a query (signatures, tokens)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}" if parts.netloc else "(no host)"
