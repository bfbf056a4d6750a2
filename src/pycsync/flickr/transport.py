"""HTTP transport: signing, rate limiting, retries, response parsing, statistics."""

from __future__ import annotations

import json
import logging
import mimetypes
import os
import random as _random
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import IO, Any, BinaryIO, TypeVar
from urllib.parse import unquote, urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests_toolbelt.multipart.encoder import MultipartEncoder, MultipartEncoderMonitor

from .errors import (
    AccountLimitReached,
    ApiError,
    AuthError,
    DiskSpaceLow,
    FileChanged,
    FlickrError,
    HttpError,
    LimitExceeded,
    OutcomeUnknown,
    PermanentUploadError,
    RateLimited,
    TransientError,
    Unreachable,
)
from .failures import auth_failure, header, network_error
from .failures import server_date as _server_date  # (the tests' fake clocks replace it here)
from .models import DownloadLimits, DownloadResult, Sink, UploadResult
from .oauth import Credentials, encode_params, sign_request, upload_auth_header
from .ratelimit import RateLimiter
from .redact import redact

__all__ = [
    "Transport",
    "TransportStats",
    "parse_rest_response",
    "parse_upload_response",
    "parse_content_disposition",
    "TRANSIENT_API_CODES",
    "PERMANENT_UPLOAD_CODES",
    "ACCOUNT_UPLOAD_CODES",
    "DEFAULT_TIMEOUT",
    "DEFAULT_UPLOAD_TIMEOUT",
]

log = logging.getLogger("pycsync.flickr")

T = TypeVar("T")

#: stat=fail codes that mean "try again later" (any endpoint)
TRANSIENT_API_CODES = frozenset({0, 105, 106, 201})
#: upload/replace codes for files that will never upload
PERMANENT_UPLOAD_CODES = frozenset({2, 4, 5, 8, 10, 11, 12, 13, 14})
#: upload codes about the account, not the file: 6 upload limit reached, 7 video upload limit,
#: 15 non-safe content not allowed (a free account): no further upload would do better
ACCOUNT_UPLOAD_CODES = frozenset({6, 7, 15})
#: upload/replace code 3 "General upload failure" — the server says it failed: retry
TRANSIENT_UPLOAD_CODES = TRANSIENT_API_CODES | {3}
AUTH_API_CODES = frozenset({98, 99})

DEFAULT_TIMEOUT = (10.0, 60.0)
DEFAULT_UPLOAD_TIMEOUT = (10.0, 600.0)
MAX_REDIRECTS = 10
MAX_RETRY_AFTER = 3600.0
#: the most an API answer may decode to: a page of 500 photos with every extra pycsync asks for
#: is well under 2 MiB; a larger answer is refused, not read (gzip can expand 1000-fold)
MAX_ANSWER_BYTES = 16 << 20
#: JSON objects and arrays in one answer (a page of 500 photos has a few thousand); each costs
#: memory far beyond its two bytes of text
MAX_ANSWER_CONTAINERS = 200_000
#: element nesting in an XML answer (Flickr's upload answers are two deep)
MAX_XML_DEPTH = 32
#: how often (bytes written) a download asks again how much room is left on the disk
ROOM_CHECK_EVERY = 8 << 20


# ------------------------------------------------------------------------------ stats


class TransportStats:
    """Thread-safe request counters. Attribute reads return snapshots."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: dict[str, int] = {}
        self._bytes_up = 0
        self._bytes_down = 0
        self._retries = 0

    def count_call(self, label: str) -> None:
        with self._lock:
            self._calls[label] = self._calls.get(label, 0) + 1

    def add_up(self, n: int) -> None:
        if n:
            with self._lock:
                self._bytes_up += n

    def add_down(self, n: int) -> None:
        if n:
            with self._lock:
                self._bytes_down += n

    def add_retry(self) -> None:
        with self._lock:
            self._retries += 1

    @property
    def calls_by_method(self) -> dict[str, int]:
        with self._lock:
            return dict(self._calls)

    @property
    def total_calls(self) -> int:
        with self._lock:
            return sum(self._calls.values())

    @property
    def bytes_up(self) -> int:
        with self._lock:
            return self._bytes_up

    @property
    def bytes_down(self) -> int:
        with self._lock:
            return self._bytes_down

    @property
    def retries(self) -> int:
        with self._lock:
            return self._retries


# ------------------------------------------------------------------------------ parsing


def _retry_after(headers: Mapping[str, str] | None) -> float | None:
    v = header(headers, "Retry-After")
    if not v:
        return None
    try:
        secs = float(v.strip())
    except ValueError:
        import datetime as _dt
        from email.utils import parsedate_to_datetime

        try:
            when = parsedate_to_datetime(v)
            secs = (when - _dt.datetime.now(_dt.UTC)).total_seconds()
        except (TypeError, ValueError):
            return None
    return min(MAX_RETRY_AFTER, max(0.0, secs))


def _text(body: bytes | str, limit: int = 2000) -> str:
    if isinstance(body, bytes):
        body = body[:limit].decode("utf-8", "replace")
    return body[:limit]


def _http_failure(
    status: int, headers: Mapping[str, str] | None, body: bytes | str, label: str, ambiguous_cls: type[TransientError]
) -> FlickrError:
    """Map a non-200 HTTP status to an exception (not raised)."""
    text = _text(body)
    if status == 401 or (status in (400, 403) and "oauth_problem=" in text):
        from urllib.parse import parse_qsl

        data = dict(parse_qsl(text.strip(), keep_blank_values=True))
        problem = data.get("oauth_problem") or f"HTTP {status}"
        absent = data.get("oauth_parameters_absent")
        if absent:
            problem += f" (absent: {absent})"
        return auth_failure(redact(problem), headers, method=label, status=status, window=data)
    retry_after = _retry_after(headers)
    if status == 429:
        return RateLimited("HTTP 429 Too Many Requests", retry_after=retry_after, method=label, status=429)
    if status >= 500:
        return ambiguous_cls(f"HTTP {status}", retry_after=retry_after, method=label, status=status)
    if status == 400 and "not currently available" in text.lower():
        return TransientError(
            "HTTP 400: service not currently available", retry_after=retry_after, method=label, status=400
        )
    return HttpError(status, label)


def _size(n: float) -> str:
    return f"{n / (1 << 30):.1f} GiB" if n >= 1 << 30 else f"{n / (1 << 20):.0f} MiB"


def parse_rest_response(
    status: int, headers: Mapping[str, str] | None, body: bytes | str, method: str, *, idempotent: bool = True
) -> dict[str, Any]:
    """Decode a REST JSON answer (``format=json&nojsoncallback=1``) or raise.

    ``idempotent=False`` turns ambiguous failures (5xx, undecodable body, an answer refused for
    its size or nesting) into :class:`OutcomeUnknown`.
    """
    ambiguous = TransientError if idempotent else OutcomeUnknown
    if status != 200:
        raise _http_failure(status, headers, body, method, ambiguous)
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    s = text.strip()
    if s.startswith("jsonFlickrApi(") and s.endswith(")"):
        s = s[len("jsonFlickrApi(") : -1]
    if s.count("{") + s.count("[") > MAX_ANSWER_CONTAINERS:  # (brackets in strings count too: a bound)
        raise _refused(f"the answer holds more than {MAX_ANSWER_CONTAINERS:,} objects; refused", method, idempotent)
    try:
        data = json.loads(s)
    except RecursionError:
        raise _refused("the answer is nested too deeply; refused", method, idempotent) from None
    except ValueError:
        if "oauth_problem=" in s:
            raise _http_failure(401, headers, s, method, ambiguous) from None
        raise ambiguous("invalid or truncated JSON response", method=method, status=status) from None
    if not isinstance(data, dict) or "stat" not in data:
        raise ambiguous("unexpected JSON response (no stat)", method=method, status=status)
    stat = data.get("stat")
    if stat == "ok":
        return data
    if stat == "fail":
        code = _int_code(data.get("code"))
        message = str(data.get("message", ""))
        error = api_error(code, message, method)
        if isinstance(error, AuthError):
            error = auth_failure(error.problem, headers, code=code, method=method)
        raise error
    raise ambiguous(f"unexpected stat {stat!r}", method=method, status=status)


def _int_code(v: Any) -> int:
    try:
        return int(str(v).strip())
    except (TypeError, ValueError):
        return -1


def api_error(code: int, message: str, method: str, *, upload: bool = False) -> FlickrError:
    if code in AUTH_API_CODES:
        return AuthError(message or f"code {code}", code=code, method=method)
    transient = TRANSIENT_UPLOAD_CODES if upload else TRANSIENT_API_CODES
    if code in transient:
        return TransientError(f"Flickr error {code}: {message}", code=code, method=method)
    if upload and code in PERMANENT_UPLOAD_CODES:
        return PermanentUploadError(code, message, method)
    if upload and code in ACCOUNT_UPLOAD_CODES:
        return AccountLimitReached(code, message, method)
    return ApiError(code, message, method)


def _refused(message: str, method: str, idempotent: bool) -> FlickrError:
    """An answer refused for its size or nesting: for a write, whether it was applied is unknown."""
    if idempotent:
        return LimitExceeded(message, method=method)
    return OutcomeUnknown(message, method=method)


class _DepthLimited(ET.TreeBuilder):
    """Builds the tree, refusing elements nested deeper than MAX_XML_DEPTH."""

    def __init__(self) -> None:
        super().__init__()
        self._depth = 0

    def start(self, tag: Any, attrs: Any) -> ET.Element:
        self._depth += 1
        if self._depth > MAX_XML_DEPTH:
            raise _TooDeep
        return super().start(tag, attrs)

    def end(self, tag: Any) -> ET.Element:
        self._depth -= 1
        return super().end(tag)


class _TooDeep(Exception):
    pass


def parse_upload_response(
    status: int, headers: Mapping[str, str] | None, body: bytes | str, kind: str = "upload", *, idempotent: bool = False
) -> UploadResult:
    """Decode an upload/replace XML answer or raise.

    Accepts ``<photoid>1</photoid>``, ``<photoid secret=".." originalsecret="..">1</photoid>``
    and ``<ticketid>..</ticketid>``; ``<err code msg>`` failures are mapped to
    :class:`PermanentUploadError` (2, 4, 5, 8, 10-15), :class:`AuthError` (98/99),
    :class:`TransientError` (0, 3, 105, 106, 201) or :class:`ApiError`.
    """
    ambiguous = TransientError if idempotent else OutcomeUnknown
    if status != 200:
        raise _http_failure(status, headers, body, kind, ambiguous)
    raw = body if isinstance(body, bytes) else body.encode("utf-8")
    try:
        parser = ET.XMLParser(target=_DepthLimited())
        parser.feed(raw)
        root = parser.close()
    except _TooDeep:
        raise _refused("the answer is nested too deeply; refused", kind, idempotent) from None
    except ET.ParseError:
        if b"oauth_problem=" in raw:
            raise _http_failure(401, headers, raw, kind, ambiguous) from None
        raise ambiguous("invalid or truncated XML response", method=kind, status=status) from None
    if root.tag != "rsp":
        raise ambiguous(f"unexpected XML root <{root.tag}>", method=kind, status=status)
    stat = root.get("stat")
    if stat == "ok":
        pid = root.find("photoid")
        if pid is not None and (pid.text or "").strip():
            return UploadResult(
                photo_id=(pid.text or "").strip(),
                secret=pid.get("secret") or None,
                original_secret=pid.get("originalsecret") or None,
            )
        tid = root.find("ticketid")
        if tid is not None and (tid.text or "").strip():
            return UploadResult(photo_id="", ticket_id=(tid.text or "").strip())
        raise ambiguous("stat=ok without <photoid>", method=kind, status=status)
    if stat == "fail":
        err = root.find("err")
        code = _int_code(err.get("code")) if err is not None else -1
        msg = (err.get("msg") or "") if err is not None else ""
        raise api_error(code, msg, kind, upload=True)
    raise ambiguous(f"unexpected stat {stat!r}", method=kind, status=status)


def parse_content_disposition(value: str | None) -> str | None:
    """Filename from a Content-Disposition header (``filename*=`` preferred)."""
    if not value:
        return None
    fname = None
    for part in value.split(";")[1:]:
        if "=" not in part:
            continue
        k, _, v = part.strip().partition("=")
        k = k.strip().lower()
        v = v.strip()
        if k == "filename*":
            charset, _, rest = v.partition("'")
            _, _, encoded = rest.partition("'")
            try:
                return unquote(encoded.strip('"'), encoding=charset or "utf-8")
            except LookupError:
                return unquote(encoded.strip('"'))
        if k == "filename" and fname is None:
            if len(v) >= 2 and v[0] == v[-1] == '"':
                # (an escaped backslash needs no unescaping: every backslash is taken for a
                # folder separator below, and only what follows the last one is kept)
                v = v[1:-1].replace('\\"', '"')
            fname = v
    if fname:
        fname = fname.replace("\\", "/").rsplit("/", 1)[-1]
    return fname or None


def _read_answer(resp: requests.Response, label: str, idempotent: bool) -> bytes:
    """The decoded body of an API answer, refused past MAX_ANSWER_BYTES (read in pieces, so a
    compressed answer never expands in memory beyond that)."""
    parts: list[bytes] = []
    total = 0
    try:
        for data in resp.iter_content(64 << 10):
            total += len(data)
            if total > MAX_ANSWER_BYTES:
                raise _refused(f"the answer is larger than {_size(MAX_ANSWER_BYTES)}; refused", label, idempotent)
            parts.append(data)
    finally:
        resp.close()
    return b"".join(parts)


def _declared_size(resp: requests.Response) -> int | None:
    """The body's size as the server declared it (Content-Length of an unencoded body)."""
    if resp.headers.get("Content-Encoding", "identity").lower() not in ("", "identity"):
        return None
    try:
        size = int(resp.headers.get("Content-Length", ""))
    except ValueError:
        return None
    return size if size >= 0 else None


def _check_before_download(declared: int | None, limits: DownloadLimits, shown: str) -> None:
    """Refuse before the first byte what the declared size (or a full disk) already rules out."""
    if declared is not None and limits.max_bytes is not None and declared > limits.max_bytes:
        raise LimitExceeded(
            f"refusing {shown}: it is {_size(declared)}, more than Flickr accepts for a {limits.kind} "
            f"({_size(limits.max_bytes)})",
            method="download",
        )
    if limits.room is not None:
        room = limits.room()
        if room < 0 or (declared is not None and declared > room):
            needed = f" ({_size(declared)})" if declared is not None else ""
            # below the free space kept free no download fits; otherwise just this one does not
            raise (DiskSpaceLow if room < 0 else LimitExceeded)(
                f"not enough free disk space for {shown}{needed}: {_size(max(room, 0))} free beyond what is kept free",
                method="download",
            )


def _arriving(resp: requests.Response, size: int) -> Iterator[bytes]:
    """The decoded body in pieces as soon as they arrive (at most ``size`` bytes each), so a
    trickle is seen as it comes; urllib3's errors become requests' (as iter_content does)."""
    from urllib3 import exceptions as u3

    try:
        while data := resp.raw.read1(size, decode_content=True):
            yield data
    except u3.ReadTimeoutError as exc:
        raise requests.exceptions.ReadTimeout(exc) from None
    except u3.SSLError as exc:
        raise requests.exceptions.SSLError(exc) from None
    except u3.DecodeError as exc:
        raise requests.exceptions.ContentDecodingError(exc) from None
    except (u3.ProtocolError, u3.HTTPError) as exc:
        raise requests.exceptions.ChunkedEncodingError(exc) from None
    except OSError as exc:
        raise requests.exceptions.ConnectionError(exc) from None


# ------------------------------------------------------------------------------ transport


class Transport:
    """Owns the HTTP session, the shared rate limiter, retry policy and statistics.

    Retry policy: a :class:`TransientError` is retried (up to ``max_retries`` times, with
    exponential backoff + full jitter, or the server's ``Retry-After``) when the call is
    idempotent, or — for non-idempotent calls — when it surely was not applied (connect
    failure, 429, an explicit transient ``stat=fail``). :class:`OutcomeUnknown` is never
    retried here: the caller checks the remote state first.
    """

    def __init__(
        self,
        credentials: Credentials,
        *,
        session: requests.Session | None = None,
        limiter: RateLimiter | None = None,
        timeout: tuple[float, float] | float = DEFAULT_TIMEOUT,
        upload_timeout: tuple[float, float] | float = DEFAULT_UPLOAD_TIMEOUT,
        max_retries: int = 5,
        backoff_base: float = 1.0,
        backoff_cap: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        random: Callable[[], float] = _random.random,
        sign_origins: Iterable[str] = (),
        pool_maxsize: int = 32,
    ) -> None:
        self.credentials = credentials
        self._own_session = session is None
        if session is None:
            session = requests.Session()
            adapter = HTTPAdapter(pool_connections=8, pool_maxsize=max(16, pool_maxsize), max_retries=0)
            session.mount("https://", adapter)
            session.mount("http://", adapter)
            session.headers["User-Agent"] = "pycsync (+https://github.com/) python-requests"
        self.session = session
        self.limiter = limiter
        self.timeout = timeout
        self.upload_timeout = upload_timeout
        self.max_retries = max(0, int(max_retries))
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self._sleep = sleep
        self._random = random
        #: scheme://host[:port] of the endpoints, whose requests are signed (and Flickr's, over https)
        self.sign_origins = frozenset(o.lower() for o in sign_origins)
        self.stats = TransportStats()
        #: the server's clock (unix seconds, from the Date header) at the last REST answer
        self.server_time: int | None = None
        self._answers = threading.local()  # per thread: the Date of its own last REST answer

    @property
    def own_answer_time(self) -> int | None:
        """The server's clock at this thread's last REST answer (other threads' answers may have
        come in since: ``server_time`` is whichever came last)."""
        return getattr(self._answers, "stamp", None)

    # -- helpers

    @property
    def _secrets(self) -> tuple[str, ...]:
        return self.credentials.secret_values()

    def _acquire(self) -> None:
        if self.limiter is not None:
            self.limiter.acquire()

    def backoff_delay(self, attempt: int, retry_after: float | None = None, jitter: bool = True) -> float:
        """Delay before retry number ``attempt`` (0-based): Retry-After if given, else
        full jitter ``random() * min(cap, base * 2**attempt)`` (without jitter, the whole step)."""
        if retry_after is not None:
            return min(MAX_RETRY_AFTER, max(0.0, retry_after))
        step = min(self.backoff_cap, self.backoff_base * (2**attempt))
        return self._random() * step if jitter else step

    def _retrying(
        self, fn: Callable[[], T], *, idempotent: bool, label: str, api: bool = True, retry_unreachable: bool = True
    ) -> T:
        attempt = 0
        while True:
            try:
                return fn()
            except TransientError as exc:
                if isinstance(exc, OutcomeUnknown) and not idempotent:
                    raise
                if attempt >= self.max_retries or (isinstance(exc, Unreachable) and not retry_unreachable):
                    raise
                # a 429 pauses every API caller, not just this thread: for as long as the server
                # says, and Flickr's says nothing, then for the backoff's whole step
                rate_limited = isinstance(exc, RateLimited)
                delay = self.backoff_delay(attempt, exc.retry_after, jitter=not rate_limited)
                if (exc.retry_after is not None or rate_limited) and api and self.limiter is not None:
                    self.limiter.pause_for(delay)
                self.stats.add_retry()
                log.info("flickr %s: %s; retry %d/%d in %.1fs", label, exc, attempt + 1, self.max_retries, delay)
                self._sleep(delay)
                attempt += 1

    def _debug(self, what: str, url: str, resp: requests.Response | None, t0: float, extra: str = "") -> None:
        if not log.isEnabledFor(logging.DEBUG):
            return
        status = resp.status_code if resp is not None else "-"
        log.debug(
            "%s %s -> %s in %.2fs%s",
            what,
            redact(url, self._secrets),
            status,
            time.monotonic() - t0,
            redact(extra, self._secrets) if extra else "",
        )

    # -- REST

    def rest(
        self,
        url: str,
        method: str,
        params: Mapping[str, Any] | None = None,
        *,
        write: bool = False,
        idempotent: bool = True,
        retry_unreachable: bool = True,
    ) -> dict[str, Any]:
        """Signed REST call; GET for reads, POST (form body) for writes. With
        ``retry_unreachable=False`` a server that cannot be reached at all is reported at once
        (:class:`Unreachable`) instead of retried: for a first call, where waiting helps nobody."""
        items: list[tuple[str, str]] = [("method", method)]
        for k, v in (params or {}).items():
            if v is None:
                continue
            if k in ("method", "format", "nojsoncallback"):
                continue
            items.append((k, v))
        items += [("format", "json"), ("nojsoncallback", "1")]
        encoded = encode_params(items)

        def attempt() -> dict[str, Any]:
            self._acquire()
            self.stats.count_call(method)
            t0 = time.monotonic()
            try:
                resp, shown = self._rest_request(url, encoded, write)
                body = _read_answer(resp, method, idempotent)
            except requests.RequestException as exc:
                self._debug("POST" if write else "GET", url, None, t0, f" {exc!r}")
                raise network_error(exc, method, idempotent, url) from None
            self.stats.add_down(len(body))
            self._debug(
                "POST" if write else "GET", shown, resp, t0, " " + _text(body, 300) if resp.status_code != 200 else ""
            )
            data = parse_rest_response(resp.status_code, resp.headers, body, method, idempotent=idempotent)
            stamp = _server_date(resp.headers)
            if stamp is not None:
                self.server_time = stamp
            self._answers.stamp = stamp
            return data

        return self._retrying(attempt, idempotent=idempotent, label=method, retry_unreachable=retry_unreachable)

    def _rest_request(self, url: str, encoded: str, write: bool) -> tuple[requests.Response, str]:
        """Send one signed REST request: (the response, the request as the debug log shows it)."""
        if write:
            headers = sign_request(self.credentials, "POST", url, body=encoded)
            self.stats.add_up(len(encoded))
            resp = self.session.post(
                url,
                data=encoded.encode("ascii"),
                headers=headers,
                timeout=self.timeout,
                allow_redirects=False,
                stream=True,
            )
            return resp, url + " [" + encoded + "]"
        full = url + ("&" if "?" in url else "?") + encoded
        headers = sign_request(self.credentials, "GET", full)
        resp = self.session.get(full, headers=headers, timeout=self.timeout, allow_redirects=False, stream=True)
        return resp, full

    # -- upload / replace

    def upload(
        self,
        url: str,
        fields: Iterable[tuple[str, Any]],
        path: str | os.PathLike | BinaryIO,
        *,
        kind: str = "upload",
        progress: Callable[[int], None] | None = None,
        name: str | None = None,
    ) -> UploadResult:
        """Streaming multipart POST of ``fields`` + the file at ``path`` as ``photo``.

        ``path`` may be a file already open for reading (``name`` then names it): the caller
        opened it safely and checked it, and exactly that file is sent, however its path
        changes meanwhile. Never retried once the body may have reached the server
        (:class:`OutcomeUnknown`).
        """
        text_fields = [
            (str(k), "1" if v is True else "0" if v is False else str(v)) for k, v in fields if v is not None
        ]
        if isinstance(path, (str, os.PathLike)):
            opened, filename = None, name or os.path.basename(os.fspath(path))
        else:
            opened, filename = path, name or "photo"
        ctype = mimetypes.guess_type(filename)[0] or "application/octet-stream"

        def attempt() -> UploadResult:
            if opened is not None:
                opened.seek(0)  # a retry sends it from the start again
                return self._send_upload(url, text_fields, opened, filename, ctype, kind, progress)
            with open(path, "rb") as fh:  # type: ignore[arg-type]
                return self._send_upload(url, text_fields, fh, filename, ctype, kind, progress)

        return self._retrying(attempt, idempotent=False, label=kind)

    def _send_upload(
        self,
        url: str,
        text_fields: list[tuple[str, str]],
        fh: BinaryIO | IO[bytes],
        filename: str,
        ctype: str,
        kind: str,
        progress: Callable[[int], None] | None,
    ) -> UploadResult:
        """One attempt of :meth:`upload`."""
        self._acquire()
        self.stats.count_call(kind)
        auth = upload_auth_header(self.credentials, url, text_fields)
        t0 = time.monotonic()
        size = os.fstat(fh.fileno()).st_size
        # exactly the size announced, however the file changes meanwhile: a body longer than
        # its Content-Length corrupts the request (and the next one on the connection)
        photo = _FixedLength(fh, size, filename, kind)
        enc = MultipartEncoder(fields=[*text_fields, ("photo", (filename, photo, ctype))])
        total = enc.len

        def cb(mon: MultipartEncoderMonitor) -> None:
            if progress is not None and total:
                progress(min(size, mon.bytes_read * size // total))

        mon = MultipartEncoderMonitor(enc, cb)
        headers = {"Authorization": auth, "Content-Type": mon.content_type}
        try:
            resp = self.session.post(
                url, data=mon, headers=headers, timeout=self.upload_timeout, allow_redirects=False, stream=True
            )
            body = _read_answer(resp, kind, False)
        except requests.RequestException as exc:
            self.stats.add_up(mon.bytes_read)
            self._debug("POST", url, None, t0, f" {exc!r}")
            raise network_error(exc, kind, False, url) from None
        self.stats.add_up(mon.bytes_read)
        self.stats.add_down(len(body))
        self._debug("POST", url, resp, t0, f" ({total} bytes) " + _text(body, 300))
        return parse_upload_response(resp.status_code, resp.headers, body, kind, idempotent=False)

    # -- download

    def _should_sign(self, url: str) -> bool:
        """An endpoint's own origin (the same scheme too: a request signed for https never goes
        out in the clear), or Flickr's hosts over https."""
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}".lower() in self.sign_origins:
            return True
        hostname = (parts.hostname or "").lower()
        return parts.scheme == "https" and (hostname == "flickr.com" or hostname.endswith(".flickr.com"))

    def _download_headers(self, url: str) -> dict[str, str]:
        # the file as it is: originals do not compress, and the declared size is then its size
        plain = {"Accept-Encoding": "identity"}
        if not self._should_sign(url) or not self.credentials.token:
            return plain
        try:
            return {**plain, **sign_request(self.credentials, "GET", url)}
        except ValueError:  # URL with characters oauthlib refuses: send unsigned
            return plain

    def download(
        self,
        url: str,
        dest: Sink,
        progress: Callable[[int], None] | None = None,
        chunk: int = 1 << 20,
        limits: DownloadLimits | None = None,
    ) -> DownloadResult:
        """Stream ``url`` into ``dest``; see :meth:`FlickrClient.download`."""
        state = {"written": 0}
        limits = limits or DownloadLimits()
        started = time.monotonic()

        def attempt() -> DownloadResult:
            try:
                return self._download_once(url, dest, progress, chunk, state, limits, started)
            except TransientError as exc:
                if state["written"]:
                    # partial data is in dest: the caller must restart into a fresh file
                    raise _NoRetry(
                        TransientError(
                            f"download interrupted after {state['written']} bytes: {exc.message}",
                            retry_after=exc.retry_after,
                            method="download",
                            status=exc.status,
                        )
                    ) from None
                raise

        try:
            return self._retrying(attempt, idempotent=True, label="download", api=False)
        except _NoRetry as wrapped:
            raise wrapped.error from None

    def _download_timeout(self, limits: DownloadLimits) -> tuple[float, float] | float:
        """(connect, read): the read timeout is how long a download may stall."""
        if limits.stall_seconds is None:
            return self.timeout
        connect = self.timeout[0] if isinstance(self.timeout, tuple) else self.timeout
        return (connect, limits.stall_seconds)

    def _download_once(
        self,
        url: str,
        dest: Sink,
        progress: Callable[[int], None] | None,
        chunk: int,
        state: dict[str, int],
        limits: DownloadLimits,
        started: float,
    ) -> DownloadResult:
        current = url
        timeout = self._download_timeout(limits)
        for _hop in range(MAX_REDIRECTS + 1):
            self.stats.count_call("download")
            t0 = time.monotonic()
            try:
                resp = self.session.get(
                    current,
                    headers=self._download_headers(current),
                    stream=True,
                    timeout=timeout,
                    allow_redirects=False,
                )
            except requests.RequestException as exc:
                raise network_error(exc, "download", True, current, redact(current, self._secrets)) from None
            self._debug("GET", current, resp, t0)
            if resp.is_redirect and "Location" in resp.headers:
                resp.close()
                current = self._redirect(current, resp)
                continue
            try:
                shown = redact(current, self._secrets)  # the photo id stays, its secret goes
                if resp.status_code != 200:
                    body = resp.raw.read(2000, decode_content=True) if resp.raw else b""
                    err = _http_failure(resp.status_code, resp.headers, body or b"", "download", TransientError)
                    if isinstance(err, HttpError):
                        err = HttpError(resp.status_code, f"download of {shown} failed", shown)
                    raise err
                declared = _declared_size(resp)
                _check_before_download(declared, limits, shown)
                try:
                    written = self._receive(resp, dest, progress, chunk, state, limits, shown, started, declared)
                except requests.exceptions.ReadTimeout:
                    stall = timeout[1] if isinstance(timeout, tuple) else timeout
                    raise TransientError(f"download stalled: no data for {stall:g} s", method="download") from None
                except requests.RequestException as exc:
                    raise network_error(exc, "download", True, current, redact(current, self._secrets)) from None
                if declared is not None and declared != written:
                    raise TransientError(f"truncated download: got {written} of {declared} bytes", method="download")
                ctype = resp.headers.get("Content-Type")
                fname = parse_content_disposition(resp.headers.get("Content-Disposition"))
                return DownloadResult(written, ctype, fname)
            finally:
                resp.close()
        shown = redact(url, self._secrets)
        raise HttpError(310, f"too many redirects from {shown}", shown)

    def _redirect(self, current: str, resp: requests.Response) -> str:
        """Where a download's redirect leads; never from https to plain http, where the photo
        would come in the clear, open to reading and tampering."""
        nxt = urljoin(current, resp.headers["Location"])
        if urlsplit(current).scheme == "https" and urlsplit(nxt).scheme != "https":
            raise HttpError(
                resp.status_code,
                f"refusing the redirect from {redact(current, self._secrets)} to plain http "
                f"({redact(nxt, self._secrets)})",
                redact(nxt, self._secrets),
            )
        return nxt

    def _receive(
        self,
        resp: requests.Response,
        dest: Sink,
        progress: Callable[[int], None] | None,
        chunk: int,
        state: dict[str, int],
        limits: DownloadLimits,
        shown: str,
        started: float,
        declared: int | None,
    ) -> int:
        """Write the body into ``dest`` within ``limits``; returns the bytes written."""
        deadline = limits.deadline(started, declared)
        next_room_check = ROOM_CHECK_EVERY
        for data in _arriving(resp, chunk):
            written = state["written"] + len(data)
            if limits.max_bytes is not None and written > limits.max_bytes:
                raise LimitExceeded(
                    f"refusing {shown}: more than Flickr accepts for a {limits.kind} ({_size(limits.max_bytes)})",
                    method="download",
                )
            if limits.room is not None and written >= next_room_check:
                if limits.room() < 0:
                    raise DiskSpaceLow(
                        f"stopped downloading {shown} after {_size(written)}: "
                        "the disk is down to the free space kept free",
                        method="download",
                    )
                next_room_check = written + ROOM_CHECK_EVERY
            dest.write(data)
            state["written"] = written
            self.stats.add_down(len(data))
            if progress is not None:
                progress(written)
            if deadline is not None and time.monotonic() > deadline:
                raise LimitExceeded(
                    f"download of {shown} too slow: {written:,} bytes in {time.monotonic() - started:.0f} s "
                    f"(the limit for its size is {deadline - started:.0f} s)",
                    method="download",
                )
        return state["written"]

    def close(self) -> None:
        if self._own_session:
            self.session.close()


class _FixedLength:
    """The first ``size`` bytes of an open file, for a multipart body whose length is fixed
    before it is sent. A file that shrinks meanwhile raises :class:`FileChanged` (a body shorter
    than announced would leave the server waiting); one that grows is sent as it was."""

    def __init__(self, fh: BinaryIO | IO[bytes], size: int, name: str, kind: str) -> None:
        self._fh, self._left, self._name, self._kind = fh, size, name, kind

    @property
    def len(self) -> int:  # what requests-toolbelt asks: the bytes still to send
        return self._left

    def read(self, n: int | None = -1) -> bytes:
        if self._left <= 0 or n == 0:  # (nothing asked is no sign that the file shrank)
            return b""
        want = self._left if n is None or n < 0 else min(n, self._left)
        data = self._fh.read(want)
        if not data:
            raise FileChanged(self._name, method=self._kind)
        self._left -= len(data)
        return data


class _NoRetry(Exception):
    """Internal: carries an error out of the retry loop without retrying."""

    def __init__(self, error: FlickrError) -> None:
        super().__init__(str(error))
        self.error = error
