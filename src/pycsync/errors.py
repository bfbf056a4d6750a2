"""Every error that ends a pycsync command, and the exit status it ends with.

Each class carries its status, so the CLI maps an error to its exit in one place and the
README, ``pycsync --help`` and the code read the same table (:data:`EXIT_STATUS_HELP`)::

    PycsyncError              1  the base (a run that could not finish)
     ├── UsageError           2  the command line, a folder or a setting makes no sense
     │    └── ConfigError     2  a config file or environment variable is wrong
     ├── AuthFailed           3  Flickr refused the sign-in, or its permission is too small
     │    ├── NotSignedIn     3  no key or token at all
     │    └── ClockOff        3  refused because this computer's clock is off
     ├── CannotReach          4  the endpoint cannot be reached (refused, DNS, timeout, TLS)
     ├── LockedError          5  another run holds the folder
     ├── LocalError           6  the folder, its state or the disk cannot be used
     │    ├── DiskFull        6  no space left (files or state)
     │    └── StateError      6  the state database cannot be read or written
     ├── SafetyAbort          7  a guard refused the plan before anything changed
     ├── Interrupted        130  Ctrl-C (a run stopped by it reports what it finished)
     └── UnsafePathError      1  one item's path would leave the root (that item fails)

Errors of the Flickr client (:mod:`pycsync.flickr.errors`) stay the client's own; the ones
that end a run are turned into these by :func:`run_stopper`, the rest by :func:`from_flickr`.
"""

from __future__ import annotations

import errno
import sqlite3
import time
from enum import IntEnum, unique
from typing import ClassVar
from urllib.parse import urlsplit

from pycsync.flickr.errors import (
    AuthError,
    ClockSkew,
    DiskSpaceLow,
    FlickrError,
    SignInIncomplete,
    TransientError,
    Unreachable,
)


@unique
class ExitStatus(IntEnum):
    OK = 0
    ERROR = 1
    USAGE = 2
    AUTH = 3
    UNREACHABLE = 4
    LOCKED = 5
    LOCAL = 6
    SAFETY_ABORT = 7
    INTERRUPTED = 130


#: what each exit status means, as the README and ``pycsync --help`` say it
EXIT_STATUS_HELP: dict[ExitStatus, str] = {
    ExitStatus.OK: "done: everything is in sync (or the plan was printed); a watch stopped by Ctrl-C or SIGTERM",
    ExitStatus.ERROR: "some items failed (each is listed; run again to retry them)",
    ExitStatus.USAGE: "usage or configuration error; nothing was contacted or changed",
    ExitStatus.AUTH: "not signed in, or Flickr refused the sign-in (token revoked, too little "
    "permission, this computer's clock off)",
    ExitStatus.UNREACHABLE: "Flickr cannot be reached (connection refused, name not found, timed out, TLS) "
    "or keeps failing (try again later)",
    ExitStatus.LOCKED: "another pycsync run is syncing this folder",
    ExitStatus.LOCAL: "the disk is full, or the folder or its state cannot be read or written",
    ExitStatus.SAFETY_ABORT: (
        "safety abort: the plan would delete too much, or pass the Flickr account's limits; nothing was changed"
    ),
    ExitStatus.INTERRUPTED: "interrupted (Ctrl-C); what finished is kept, run again to go on",
}

#: ``kind`` of the ``error`` member of ``--json`` documents, per exit status
ERROR_KINDS: dict[ExitStatus, str] = {
    ExitStatus.ERROR: "error",
    ExitStatus.USAGE: "usage",
    ExitStatus.AUTH: "auth",
    ExitStatus.UNREACHABLE: "unreachable",
    ExitStatus.LOCKED: "locked",
    ExitStatus.LOCAL: "local",
    ExitStatus.SAFETY_ABORT: "safety_abort",
    ExitStatus.INTERRUPTED: "interrupted",
}


class PycsyncError(Exception):
    """Base of pycsync's own errors; ``exit_status`` is what the command exits with."""

    exit_status: ClassVar[ExitStatus] = ExitStatus.ERROR


class UsageError(PycsyncError):
    """The request makes no sense (the command line, a folder, an account): nothing was changed."""

    exit_status = ExitStatus.USAGE


class ConfigError(UsageError):
    """Bad configuration (a config file, an environment variable)."""


class AuthFailed(PycsyncError):
    """Flickr refused the sign-in or its permission level is too small for the run."""

    exit_status = ExitStatus.AUTH


class NotSignedIn(AuthFailed):
    """No usable key or access token."""


class ClockOff(AuthFailed):
    """Flickr refused signed requests because this computer's clock is too far from its own."""


class CannotReach(PycsyncError):
    """The endpoint cannot be reached at all."""

    exit_status = ExitStatus.UNREACHABLE


class LockedError(PycsyncError):
    """Another pycsync run holds this root."""

    exit_status = ExitStatus.LOCKED


class LocalError(PycsyncError):
    """The sync folder, its state or the disk under it cannot be used."""

    exit_status = ExitStatus.LOCAL


class DiskFull(LocalError):
    """No space left where pycsync writes (downloads, temp files or the state database)."""


class StateError(LocalError):
    """The state database cannot be used (unwritable, or from a newer pycsync)."""


class SafetyAbort(PycsyncError):
    """A guard refused the run before anything changed."""

    exit_status = ExitStatus.SAFETY_ABORT

    def __init__(self, reason: str) -> None:
        super().__init__(f"safety abort: {reason}")


class Interrupted(PycsyncError):
    """Ctrl-C: the run stopped where it was; everything confirmed before is kept."""

    exit_status = ExitStatus.INTERRUPTED

    def __init__(self, message: str = "interrupted; everything finished before is kept, run again to go on") -> None:
        super().__init__(message)


class UnsafePathError(PycsyncError):
    """A path would leave the sync root or pass through a symbolic link (that item fails)."""


# ---------------------------------------------------------------------- what ends a run

_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})


def is_disk_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno in _FULL_ERRNOS:
        return True
    return isinstance(exc, sqlite3.Error) and getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL


def run_stopper(exc: BaseException, where: str = "") -> PycsyncError | None:
    """The error that ends the whole run, when ``exc`` is one no further item can escape
    (Flickr refused the sign-in, the endpoint is gone, the disk is full); None when only the
    item at hand failed. ``where`` names the folder for disk messages."""
    if isinstance(exc, PycsyncError):
        return exc if isinstance(exc, (AuthFailed, CannotReach, LocalError, Interrupted)) else None
    if isinstance(exc, FlickrError):
        # (a photo host that cannot be reached fails that photo: the API may still be there)
        api_gone = isinstance(exc, Unreachable) and exc.method != "download"
        if api_gone or isinstance(exc, (AuthError, DiskSpaceLow)):
            return from_flickr(exc, where=where)
        return None
    if is_disk_full(exc):
        return disk_full(exc, where)
    return None


def from_flickr(exc: FlickrError, endpoint: str = "", where: str = "") -> PycsyncError:
    """The user's view of a Flickr client error that ends a command (``where``: the folder)."""
    if isinstance(exc, DiskSpaceLow):
        place = f"the disk holding {where}" if where else "the disk"
        return DiskFull(
            f"{place} is down to the free space downloads leave for the system; the run stopped and "
            "nothing was lost: free some space and run again"
        )
    if isinstance(exc, SignInIncomplete):
        return NotSignedIn(str(exc))
    if isinstance(exc, ClockSkew):
        return ClockOff(clock_message(exc))
    if isinstance(exc, AuthError):
        return AuthFailed(auth_message(exc))
    if isinstance(exc, Unreachable):
        return CannotReach(unreachable_message(exc, endpoint))
    if isinstance(exc, TransientError):  # still failing after the retries
        return CannotReach(f"Flickr is not answering properly ({exc}), even after retries; try again later")
    return PycsyncError(f"Flickr answered with an error: {exc}")


def auth_message(exc: AuthError) -> str:
    """What Flickr refused and what to do, after "authentication failed:"."""
    problem = exc.problem
    if exc.method == "oauth/access_token":
        what = f"Flickr did not accept the sign-in ({problem}): run `pycsync auth` again"
    elif exc.method == "oauth/request_token":
        what = f"Flickr refused to start a sign-in ({problem}): check the API key and secret"
    elif exc.code == 99 or "permission" in problem.lower():
        what = (
            f"{exc.method or 'a call'} needs more permission than this sign-in has ({problem}); "
            "run `pycsync auth --perms write` (or `--perms delete`)"
        )
    elif problem.startswith(("consumer_key_unknown", "consumer_key_rejected")) or exc.code == 100:
        what = f"Flickr does not accept this API key ({problem}): check FLICKR_API_KEY, or run `pycsync auth`"
    elif problem.startswith("signature_invalid"):
        what = (
            "Flickr refused the request's signature (signature_invalid): the API secret or token secret "
            "does not match; check FLICKR_API_SECRET and FLICKR_OAUTH_TOKEN_SECRET, or run `pycsync auth`"
        )
    else:
        what = f"Flickr refused the access token ({problem}): it was revoked or has expired; run `pycsync auth`"
    return f"authentication failed: {what}"


def clock_message(exc: ClockSkew) -> str:
    if exc.offset is None:
        return (
            "Flickr refused the request's time stamp: this computer's clock is off. Set the clock right "
            "(turn on automatic date and time) and run again"
        )
    ahead = "ahead of" if exc.offset > 0 else "behind"
    server = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(exc.server_time)) if exc.server_time else "unknown"
    return (
        f"this computer's clock is {_duration(abs(exc.offset))} {ahead} Flickr's (Flickr's time: {server}), "
        "and Flickr refuses signed requests from a clock that far off. Set the clock right (turn on "
        "automatic date and time) and run again"
    )


def _duration(seconds: float) -> str:
    # (the server's Date header has whole seconds, and the answer took a moment to arrive)
    seconds = int(round(seconds / 60) * 60) if seconds >= 600 else int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour" + ("s" if hours != 1 else ""))
    if minutes:
        parts.append(f"{minutes} minute" + ("s" if minutes != 1 else ""))
    if not hours and (secs or not minutes):
        parts.append(f"{secs} second" + ("s" if secs != 1 else ""))
    return " ".join(parts)


_CHECK = {
    "connection refused": "check the address (--endpoint or PYCSYNC_ENDPOINT) and that the server runs there",
    "name not found": "check the host name and your network connection (DNS)",
    "timed out": "check your network connection, a firewall or a proxy (HTTPS_PROXY)",
    "network unreachable": "check your network connection",
}
_CHECK_TLS = (
    "check the address (https:// to an https server), this computer's date, and whether a proxy or "
    "antivirus intercepts TLS"
)
_CHECK_OTHER = "check your network connection and the address (--endpoint or PYCSYNC_ENDPOINT)"


def unreachable_message(exc: Unreachable, endpoint: str = "") -> str:
    where = endpoint or exc.url
    check = _CHECK.get(exc.reason) or (_CHECK_TLS if exc.reason.startswith("TLS") else _CHECK_OTHER)
    return f"cannot reach {where}: {exc.reason}; {check}"


def disk_full(exc: BaseException, where: str = "") -> DiskFull:
    place = f"the disk holding {where}" if where else "the disk"
    path = getattr(exc, "filename", None)
    detail = f" (writing {path})" if path else ""
    return DiskFull(f"{place} is full{detail}; the run stopped and nothing was lost: free some space and run again")


def from_os_error(exc: OSError, where: str = "") -> LocalError:
    """A local file system error that ends a command, in the user's words."""
    if is_disk_full(exc):
        return disk_full(exc, where)
    path = f" {exc.filename}" if exc.filename else ""
    reason = exc.strerror or str(exc)
    return LocalError(f"cannot use{path}: {reason}")


def origin(url: str) -> str:
    """scheme://host[:port] of a URL: what to name when it cannot be reached (never a query)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}" if parts.netloc else url


def as_error(exc: BaseException, endpoint: str = "") -> PycsyncError:
    """Any exception that ended a command, as the error the user is told about. What is none of
    pycsync's expected errors is a bug, and is called one (never passed off as a usage error)."""
    if isinstance(exc, KeyboardInterrupt):
        return Interrupted()
    if isinstance(exc, PycsyncError):
        return exc
    if isinstance(exc, FlickrError):
        return from_flickr(exc, endpoint)
    if isinstance(exc, OSError):
        return from_os_error(exc)
    return PycsyncError(
        f"unexpected error: {type(exc).__name__}: {exc}. This is a bug in pycsync: please report it "
        "with the output of the same command run with --debug"
    )
