"""Exception hierarchy of the Flickr client.

::

    FlickrError
     ├── ApiError                 stat=fail with a code the caller should look at
     │    ├── PermanentUploadError   upload/replace codes for files that will never upload
     │    └── AccountLimitReached    upload codes 6, 7, 15: the account takes no such upload
     ├── AuthError                OAuth 401 problems, API codes 98/99
     │    └── ClockSkew           refused because the local clock is far from the server's
     ├── HttpError                unexpected HTTP status (e.g. 404 on a download)
     ├── LimitExceeded            an answer or a download broke a limit (size, nesting, free
     │    │                       space, time): refused, not retried
     │    └── DiskSpaceLow        a download would leave less disk space than is kept free
     ├── FileChanged              the file being uploaded changed size while it was sent
     ├── SignInIncomplete         the person signing in did not finish (no code, no browser answer)
     └── TransientError           5xx, 429, codes 0/105/106/201, network trouble, bad bodies
          ├── RateLimited         HTTP 429
          ├── Unreachable         nothing was sent: connection refused, DNS, connect timeout, TLS
          └── OutcomeUnknown      a non-idempotent write may or may not have been applied

Messages never contain secrets (OAuth tokens, signatures, keys).
"""

from __future__ import annotations

__all__ = [
    "FlickrError",
    "ApiError",
    "AuthError",
    "ClockSkew",
    "HttpError",
    "FileChanged",
    "SignInIncomplete",
    "TransientError",
    "RateLimited",
    "Unreachable",
    "OutcomeUnknown",
    "PermanentUploadError",
    "AccountLimitReached",
    "LimitExceeded",
    "DiskSpaceLow",
]


class FlickrError(Exception):
    """Base class of every error raised by :mod:`pycsync.flickr`."""


class ApiError(FlickrError):
    """Flickr answered ``stat=fail`` with ``code``/``message`` for ``method``."""

    def __init__(self, code: int, message: str, method: str = "") -> None:
        self.code = int(code)
        self.message = message
        self.method = method
        where = f"{method}: " if method else ""
        super().__init__(f"{where}Flickr error {self.code}: {message}")

    def __reduce__(self):
        return (self.__class__, (self.code, self.message, self.method))


class PermanentUploadError(ApiError):
    """upload/replace failed with a code that means this file will never upload
    (2, 4, 5, 8, 10-15)."""


class AccountLimitReached(ApiError):
    """An upload refused because of the account, not the file: 6 "Upload limit reached" (a free
    account's 1,000 items or 50 non-public ones), 7 "video upload limit", 15 "Non-safe content
    not allowed" (a free account). No other upload of the run would fare better."""


class AuthError(FlickrError):
    """Authentication/authorisation failure.

    ``problem`` is the ``oauth_problem`` value (e.g. ``token_rejected``,
    ``signature_invalid``) or the API message for codes 98/99; ``code`` is the API code
    (98/99) or ``None`` for an OAuth 401.
    """

    def __init__(self, problem: str, *, code: int | None = None, method: str = "", status: int | None = None) -> None:
        self.problem = problem
        self.code = code
        self.method = method
        self.status = status
        bits = []
        if method:
            bits.append(f"{method}:")
        bits.append("authentication failed")
        if code is not None:
            bits.append(f"(code {code})")
        elif status is not None:
            bits.append(f"(HTTP {status})")
        super().__init__(" ".join(bits) + f": {problem}")

    def __reduce__(self):
        return (
            _rebuild,
            (self.__class__, (self.problem,), {"code": self.code, "method": self.method, "status": self.status}),
        )


class ClockSkew(AuthError):
    """An authentication failure that the local clock explains: the server refused the OAuth
    time stamp, or its ``Date`` header is minutes away from the local clock.

    ``offset`` is local time minus the server's (seconds; positive: the local clock is ahead),
    ``server_time`` the server's clock (unix seconds); both None when the server sent no Date.
    """

    def __init__(
        self,
        problem: str,
        *,
        offset: float | None = None,
        server_time: float | None = None,
        code: int | None = None,
        method: str = "",
        status: int | None = None,
    ) -> None:
        super().__init__(problem, code=code, method=method, status=status)
        self.offset = offset
        self.server_time = server_time

    def __reduce__(self):
        kwargs = {"offset": self.offset, "server_time": self.server_time, "code": self.code}
        return (_rebuild, (self.__class__, (self.problem,), {**kwargs, "method": self.method, "status": self.status}))


class HttpError(FlickrError):
    """An HTTP status the client does not know how to interpret (e.g. 404, 403)."""

    def __init__(self, status: int, message: str = "", url: str = "") -> None:
        self.status = int(status)
        self.message = message
        self.url = url
        super().__init__(f"HTTP {self.status}" + (f": {message}" if message else ""))

    def __reduce__(self):
        return (self.__class__, (self.status, self.message, self.url))


class LimitExceeded(FlickrError):
    """An answer too large or too deeply nested to read, or a download too large for what it is,
    for the free disk space, or too slow: refused, and not retried (a server that sends it once
    sends it again). Nothing of a refused download is kept."""

    def __init__(self, message: str, *, method: str = "") -> None:
        self.message = message
        self.method = method
        super().__init__((f"{method}: " if method else "") + message)

    def __reduce__(self):
        return (_rebuild, (self.__class__, (self.message,), {"method": self.method}))


class DiskSpaceLow(LimitExceeded):
    """A download would leave less free disk space than is kept free: no other download fits
    either, so a caller may stop there."""


class FileChanged(FlickrError):
    """The file being uploaded shrank while it was sent: the upload was abandoned before its
    body was complete, so nothing landed. Sending it again later is safe."""

    def __init__(self, path: str, method: str = "") -> None:
        self.path = path
        self.method = method
        super().__init__(f"{path} changed while it was being sent")

    def __reduce__(self):
        return (self.__class__, (self.path, self.method))


class SignInIncomplete(FlickrError):
    """The sign-in flow did not finish: no code was entered, the browser never came back, or it
    came back for another attempt. Nothing was refused: signing in again can work."""


class TransientError(FlickrError):
    """A failure worth retrying later. ``retry_after`` (seconds) if the server said so."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        code: int | None = None,
        method: str = "",
        status: int | None = None,
    ) -> None:
        self.message = message
        self.retry_after = retry_after
        self.code = code
        self.method = method
        self.status = status
        where = f"{method}: " if method else ""
        super().__init__(where + message)

    def __reduce__(self):
        return (
            _rebuild,
            (
                self.__class__,
                (self.message,),
                {"retry_after": self.retry_after, "code": self.code, "method": self.method, "status": self.status},
            ),
        )


class RateLimited(TransientError):
    """HTTP 429 (Too Many Requests)."""


class Unreachable(TransientError):
    """The server could not be reached at all, so nothing was sent: the connection was refused,
    the host name not found, the connection timed out or TLS failed.

    ``reason`` says which in a few words ("connection refused", "name not found", "timed out",
    "network unreachable", "TLS ..."); ``url`` is the scheme, host and port that failed.
    """

    def __init__(self, reason: str, *, url: str, method: str = "", shown: str = "") -> None:
        super().__init__(f"cannot reach {shown or url}: {reason}", method=method)
        self.reason = reason
        self.url = url
        self.shown = shown  # what to name instead of the origin (a download's redacted URL)

    def __reduce__(self):
        kwargs = {"url": self.url, "method": self.method, "shown": self.shown}
        return (_rebuild, (self.__class__, (self.reason,), kwargs))


class OutcomeUnknown(TransientError):
    """A non-idempotent write (upload, replace, create...) may have reached the server but
    no valid answer came back. Check the remote state before retrying."""


def _rebuild(cls, args, kwargs):
    return cls(*args, **kwargs)
