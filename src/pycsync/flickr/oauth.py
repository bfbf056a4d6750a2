"""OAuth 1.0a for Flickr: request signing (oauthlib, HMAC-SHA1) and the three-legged flow.

REST calls are signed with an ``Authorization: OAuth ...`` header; query-string and
form-body parameters are part of the signature.  Uploads sign the urlencoded text fields
(everything except the ``photo`` file part) and reuse that header on the multipart body.
"""

from __future__ import annotations

import html
import http.server
import logging
import secrets as _secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import requests
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA1, SIGNATURE_TYPE_AUTH_HEADER, Client
from oauthlib.oauth1.rfc5849 import signature as _sig

from .endpoints import Endpoints
from .errors import HttpError, RateLimited, SignInIncomplete, TransientError
from .failures import auth_failure, network_error
from .models import AccessToken
from .redact import redact

__all__ = [
    "Credentials",
    "AccessToken",
    "FORM_CONTENT_TYPE",
    "oauth_client",
    "sign_request",
    "upload_auth_header",
    "encode_params",
    "signature_base_string",
    "hmac_sha1_signature",
    "get_request_token",
    "authorize_url",
    "get_access_token",
    "LoopbackReceiver",
    "SignInPrompts",
    "sign_in",
]

log = logging.getLogger("pycsync.flickr")

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Credentials:
    """Consumer key/secret and (once authorised) the access token/secret."""

    api_key: str
    api_secret: str
    token: str | None = None
    token_secret: str | None = None

    def __repr__(self) -> str:  # never show secrets
        return (
            f"Credentials(api_key='***', api_secret='***', "
            f"token={'***' if self.token else None}, "
            f"token_secret={'***' if self.token_secret else None})"
        )

    def secret_values(self) -> tuple[str, ...]:
        return tuple(v for v in (self.api_key, self.api_secret, self.token, self.token_secret) if v)


# --------------------------------------------------------------------------------------
# signing primitives


def encode_params(params: Any) -> str:
    """urlencode with RFC 3986 escaping (space = %20), keeping the given order."""
    items = params.items() if hasattr(params, "items") else params
    return urlencode([(str(k), _to_str(v)) for k, v in items], quote_via=quote, safe="")


def _to_str(v: Any) -> str:
    if isinstance(v, bool):
        return "1" if v else "0"
    return str(v)


def oauth_client(
    credentials: Credentials,
    *,
    callback: str | None = None,
    verifier: str | None = None,
    nonce: str | None = None,
    timestamp: str | int | None = None,
) -> Client:
    """A fresh oauthlib HMAC-SHA1 auth-header client (one per request: fresh nonce)."""
    return Client(
        credentials.api_key,
        client_secret=credentials.api_secret,
        resource_owner_key=credentials.token or None,
        resource_owner_secret=credentials.token_secret or "",
        callback_uri=callback,
        verifier=verifier,
        signature_method=SIGNATURE_HMAC_SHA1,
        signature_type=SIGNATURE_TYPE_AUTH_HEADER,
        nonce=nonce,
        timestamp=None if timestamp is None else str(timestamp),
    )


def sign_request(
    credentials: Credentials,
    http_method: str,
    url: str,
    *,
    body: str | None = None,
    callback: str | None = None,
    verifier: str | None = None,
    nonce: str | None = None,
    timestamp: str | int | None = None,
) -> dict[str, str]:
    """Sign a request; returns the headers to send (``Authorization`` and, for a form
    body, ``Content-Type``). ``url`` may carry an already RFC 3986-encoded query string;
    ``body`` must be an urlencoded form string (see :func:`encode_params`)."""
    headers: dict[str, str] = {}
    if body is not None:
        headers["Content-Type"] = FORM_CONTENT_TYPE
    client = oauth_client(credentials, callback=callback, verifier=verifier, nonce=nonce, timestamp=timestamp)
    _, signed, _ = client.sign(url, http_method=http_method.upper(), body=body if body else None, headers=headers)
    out = {"Authorization": signed["Authorization"]}
    if body is not None:
        out["Content-Type"] = FORM_CONTENT_TYPE
    return out


def upload_auth_header(
    credentials: Credentials, url: str, fields: Any, *, nonce: str | None = None, timestamp: str | int | None = None
) -> str:
    """Authorization header for a multipart upload: sign the text ``fields`` (never the
    ``photo`` part) as if they were an urlencoded POST body."""
    body = encode_params(fields)
    return sign_request(credentials, "POST", url, body=body or None, nonce=nonce, timestamp=timestamp)["Authorization"]


def signature_base_string(http_method: str, url: str, params: Any, *, normalize_url: bool = True) -> str:
    """OAuth signature base string (RFC 5849 3.4.1) via oauthlib.

    ``normalize_url=True`` applies oauthlib's base-string-URI rules (as :func:`sign_request`
    does); ``False`` uses ``url`` verbatim (the flickr-sdk test vectors sign
    ``http://www.example.com`` without the root ``/``)."""
    items = list(params.items() if hasattr(params, "items") else params)
    norm = _sig.normalize_parameters([(str(k), _to_str(v)) for k, v in items])
    uri = _sig.base_string_uri(url) if normalize_url else url
    return _sig.signature_base_string(http_method.upper(), uri, norm)


def hmac_sha1_signature(base_string: str, consumer_secret: str, token_secret: str | None = "") -> str:
    """base64(HMAC-SHA1(enc(consumer_secret)&enc(token_secret), base_string))."""
    keys = SimpleNamespace(client_secret=consumer_secret, resource_owner_secret=token_secret or "")
    return _sig.sign_hmac_sha1_with_client(base_string, keys)


# --------------------------------------------------------------------------------------
# three-legged flow


def _oauth_exchange(
    session: requests.Session | None,
    url: str,
    credentials: Credentials,
    *,
    callback: str | None = None,
    verifier: str | None = None,
    what: str,
    timeout: tuple[float, float] = (10.0, 60.0),
) -> dict[str, str]:
    own = session is None
    sess = session or requests.Session()
    headers = sign_request(credentials, "GET", url, callback=callback, verifier=verifier)
    secrets_ = credentials.secret_values()
    try:
        try:
            resp = sess.get(url, headers=headers, timeout=timeout, allow_redirects=False)
            text = resp.text
        except requests.RequestException as exc:
            if log.isEnabledFor(logging.DEBUG):
                log.debug("GET %s -> %s", redact(url, secrets_), redact(repr(exc), secrets_))
            raise network_error(exc, what, True, url) from None
        if log.isEnabledFor(logging.DEBUG):
            log.debug("GET %s -> %s %s", redact(url, secrets_), resp.status_code, redact(text[:500], secrets_))
        data = dict(parse_qsl(text.strip(), keep_blank_values=True))
        if resp.status_code == 401 or "oauth_problem" in data:
            problem = data.get("oauth_problem") or f"HTTP {resp.status_code}"
            absent = data.get("oauth_parameters_absent")
            if absent:
                problem += f" (absent: {absent})"
            raise auth_failure(
                redact(problem, secrets_), resp.headers, method=what, status=resp.status_code, window=data
            )
        if resp.status_code == 429:
            raise RateLimited(f"{what}: HTTP 429", retry_after=_retry_after(resp), method=what, status=429)
        if resp.status_code >= 500:
            raise TransientError(f"{what}: HTTP {resp.status_code}", method=what, status=resp.status_code)
        if resp.status_code != 200:
            raise HttpError(resp.status_code, f"{what} failed", redact(url, secrets_))
        if not data.get("oauth_token") or "oauth_token_secret" not in data:
            raise TransientError(f"{what}: unexpected response body", method=what)
        return data
    finally:
        if own:
            sess.close()


def _retry_after(resp: requests.Response) -> float | None:
    v = resp.headers.get("Retry-After")
    if not v:
        return None
    try:
        return max(0.0, float(v))
    except ValueError:
        import datetime as _dt
        from email.utils import parsedate_to_datetime

        try:
            when = parsedate_to_datetime(v)
            return max(0.0, (when - _dt.datetime.now(_dt.UTC)).total_seconds())
        except (TypeError, ValueError):
            return None


def get_request_token(
    endpoints: Endpoints, api_key: str, api_secret: str, callback: str = "oob", session: requests.Session | None = None
) -> tuple[str, str]:
    """Step 1: returns ``(request_token, request_token_secret)``."""
    data = _oauth_exchange(
        session,
        endpoints.request_token,
        Credentials(api_key, api_secret),
        callback=callback or "oob",
        what="oauth/request_token",
    )
    return data["oauth_token"], data["oauth_token_secret"]


def authorize_url(endpoints: Endpoints, request_token: str, perms: str = "write") -> str:
    """Step 2: the URL the user opens in a browser."""
    if perms not in ("read", "write", "delete"):
        raise ValueError("perms must be 'read', 'write' or 'delete'")
    sep = "&" if "?" in endpoints.authorize else "?"
    return endpoints.authorize + sep + encode_params([("oauth_token", request_token), ("perms", perms)])


def get_access_token(
    endpoints: Endpoints,
    api_key: str,
    api_secret: str,
    request_token: str,
    request_token_secret: str,
    verifier: str,
    session: requests.Session | None = None,
) -> AccessToken:
    """Step 3: exchange the verifier for the access token."""
    verifier = verifier.strip()
    data = _oauth_exchange(
        session,
        endpoints.access_token,
        Credentials(api_key, api_secret, request_token, request_token_secret),
        verifier=verifier,
        what="oauth/access_token",
    )
    return AccessToken(
        token=data["oauth_token"],
        token_secret=data["oauth_token_secret"],
        user_nsid=data.get("user_nsid", ""),
        username=data.get("username", ""),
        fullname=data.get("fullname", ""),
    )


# --------------------------------------------------------------------------------------
# the whole sign-in, as a person does it


@dataclass(frozen=True)
class SignInPrompts:
    """How the sign-in flow talks to the person signing in."""

    say: Callable[[str], None]  # a line of instructions
    warn: Callable[[str], None]  # a line about a problem the flow works around
    ask_code: Callable[[str], str | None]  # asks for the code Flickr shows; None: nothing entered
    open_browser: Callable[[str], bool] | None = None  # None: no browser here (or not wanted)


def sign_in(
    endpoints: Endpoints,
    api_key: str,
    api_secret: str,
    perms: str = "write",
    *,
    prompts: SignInPrompts,
    timeout: float = 300.0,
) -> AccessToken:
    """The three-legged flow as a person goes through it: the authorize page opens in a browser,
    which comes back to a loopback address by itself; without a browser (or when it cannot be
    opened) the page's address is shown and the code Flickr displays is asked for instead.

    Raises :class:`SignInIncomplete` when the person does not finish, :class:`AuthError` when
    Flickr refuses.
    """
    token = token_secret = verifier = None
    if prompts.open_browser is not None:
        token, token_secret, verifier = _browser_sign_in(
            endpoints, api_key, api_secret, perms, prompts, prompts.open_browser, timeout
        )
    if verifier is None:
        token, token_secret = get_request_token(endpoints, api_key, api_secret, callback="oob")
        prompts.say('Open this page in a browser, sign in to Flickr and click "OK, I\'ll authorize it":')
        prompts.say(f"  {authorize_url(endpoints, token, perms)}")
        code = prompts.ask_code("Then paste the code Flickr shows you: ")
        if not code or not code.strip():
            raise SignInIncomplete("sign-in cancelled: no code was entered")
        verifier = code.strip()
    assert token is not None and token_secret is not None
    return get_access_token(endpoints, api_key, api_secret, token, token_secret, verifier)


def _browser_sign_in(
    endpoints: Endpoints,
    api_key: str,
    api_secret: str,
    perms: str,
    prompts: SignInPrompts,
    open_browser: Callable[[str], bool],
    timeout: float,
) -> tuple[str | None, str | None, str | None]:
    """(token, token secret, verifier) from a browser that comes back to a loopback address;
    all None when no browser could be opened (the caller falls back to a pasted code)."""
    minutes = f"{timeout / 60:.0f} minutes" if timeout >= 120 else f"{timeout:.0f} seconds"
    with LoopbackReceiver() as receiver:
        token, token_secret = get_request_token(endpoints, api_key, api_secret, callback=receiver.callback_url)
        url = authorize_url(endpoints, token, perms)
        if not open_browser(url):
            prompts.warn("Could not open a browser; signing in with a code instead.")
            return None, None, None
        prompts.say("Your browser shows Flickr's sign-in page. If it did not open, visit:")
        prompts.say(f"  {url}")
        prompts.say(f'Waiting for you to click "OK, I\'ll authorize it" (up to {minutes}; Ctrl-C to stop)...')
        got = receiver.wait(timeout)
    if got is None:
        raise SignInIncomplete(
            f"no answer from the browser within {minutes}; run `pycsync auth` again, "
            "or `pycsync auth --no-browser` to paste a code instead"
        )
    if got[0] != token:
        raise SignInIncomplete("the browser answered for another sign-in attempt; run `pycsync auth` again")
    return token, token_secret, got[1]


# --------------------------------------------------------------------------------------
# loopback callback receiver

_DONE_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>pycsync</title></head>
<body style="font-family:sans-serif">
<h1>{title}</h1><p>{text}</p>
</body></html>"""


class LoopbackReceiver:
    """Receives the OAuth callback on ``http://127.0.0.1:<random port>/<random path>``.

    ::

        with LoopbackReceiver() as rx:
            tok, sec = get_request_token(ep, key, secret, callback=rx.callback_url)
            webbrowser.open(authorize_url(ep, tok, "write"))
            got = rx.wait(300)          # (oauth_token, oauth_verifier) or None
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._result: tuple[str, str] | None = None
        self._event = threading.Event()
        self._path = "/pycsync-oauth/" + _secrets.token_urlsafe(12)
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            server_version = "pycsync"
            sys_version = ""

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                if log.isEnabledFor(logging.DEBUG):
                    log.debug("loopback: %s", redact(format % args))

            def _send(self, status: int, title: str, text: str) -> None:
                body = _DONE_PAGE.format(title=html.escape(title), text=html.escape(text)).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Connection", "close")
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def do_HEAD(self) -> None:  # noqa: N802
                self.do_GET()

            def do_GET(self) -> None:  # noqa: N802
                parts = urlsplit(self.path)
                if parts.path != receiver._path:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.send_header("Connection", "close")
                    self.end_headers()
                    return
                q = dict(parse_qsl(parts.query, keep_blank_values=True))
                token, verifier = q.get("oauth_token"), q.get("oauth_verifier")
                if token and verifier:
                    if receiver._result is None:
                        receiver._result = (token, verifier)
                    receiver._event.set()
                    self._send(200, "Authorisation complete", "You can close this window and return to pycsync.")
                else:
                    self._send(
                        400,
                        "Authorisation not completed",
                        "Flickr did not send a verifier. You can close this window and try again.",
                    )

        self._server = http.server.ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="pycsync-oauth-loopback", daemon=True
        )
        self._thread.start()
        self._closed = False

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def callback_url(self) -> str:
        host = self._server.server_address[0]
        if isinstance(host, bytes):  # (typeshed allows it; an AF_INET server has a str)
            host = host.decode()
        return f"http://{host}:{self.port}{self._path}"

    def wait(self, timeout: float | None = None) -> tuple[str, str] | None:
        """``(oauth_token, oauth_verifier)`` once the browser arrives, else ``None``."""
        if self._event.wait(timeout):
            return self._result
        return None

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> LoopbackReceiver:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
