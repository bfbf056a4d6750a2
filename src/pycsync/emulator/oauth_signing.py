"""OAuth 1.0a (HMAC-SHA1) primitives as Flickr uses them.

This module is deliberately free of any server state: it knows how to collect the
signed parameters of a request, how to build the signature base string and how
to compute a signature.  The stateful checks (known consumer, token, nonce
replay, timestamp window) live in :mod:`pycsync.emulator.oauth_checks`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass, field
from urllib.parse import quote, unquote

__all__ = [
    "rfc3986",
    "normalize_params",
    "base_string",
    "sign",
    "parse_authorization_header",
    "base_url_from_environ",
    "SignedRequest",
    "OAuthProblem",
]

_HEADER_PARAM = re.compile(r'\s*([^=\s,]+)\s*=\s*"([^"]*)"\s*,?')


def rfc3986(value: str | bytes) -> str:
    """Percent-encode per RFC 3986: only ``A-Za-z0-9-._~`` stay literal."""
    if isinstance(value, bytes):
        value = value.decode("utf-8")
    return quote(value, safe="-._~")


def normalize_params(params: list[tuple[str, str]]) -> str:
    """Encode each key and value, sort by (key, value), join as ``k=v&k=v``."""
    encoded = sorted((rfc3986(k), rfc3986(v)) for k, v in params)
    return "&".join(f"{k}={v}" for k, v in encoded)


def base_string(method: str, url: str, params: list[tuple[str, str]]) -> str:
    """The OAuth signature base string ``METHOD&enc(url)&enc(params)``.

    ``params`` must not contain ``oauth_signature`` (callers drop it).
    """
    return "&".join([method.upper(), rfc3986(url), rfc3986(normalize_params(params))])


def sign(base: str, consumer_secret: str, token_secret: str | None = "") -> str:
    """base64(HMAC-SHA1(enc(consumer_secret) & enc(token_secret), base))."""
    key = f"{rfc3986(consumer_secret)}&{rfc3986(token_secret or '')}"
    digest = hmac.new(key.encode("utf-8"), base.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def parse_authorization_header(value: str | None) -> list[tuple[str, str]] | None:
    """Parse ``Authorization: OAuth k="v", ...``; ``None`` when it is not OAuth.

    Values are percent-decoded; ``realm`` is dropped (it is never signed).
    """
    if not value:
        return None
    value = value.strip()
    if value[:6].lower() != "oauth ":
        return None
    out: list[tuple[str, str]] = []
    for m in _HEADER_PARAM.finditer(value[6:]):
        key = unquote(m.group(1))
        if key == "realm":
            continue
        out.append((key, unquote(m.group(2))))
    return out


_SIGNING_KEYS = {"oauth_consumer_key", "oauth_signature", "oauth_signature_method", "oauth_nonce", "oauth_timestamp"}

_DEFAULT_PORTS = {"http": "80", "https": "443"}


def base_url_from_environ(environ: dict) -> str:
    """Rebuild ``scheme://host[:port]/path`` exactly as the client addressed us.

    The path is taken verbatim from the request line (so a trailing slash, or
    its absence, is preserved); scheme and host are lower-cased and a default
    port is dropped, as RFC 5849 section 3.4.1.2 requires.
    """
    scheme = (environ.get("wsgi.url_scheme") or "http").lower()
    host = environ.get("HTTP_HOST")
    if not host:
        host = environ.get("SERVER_NAME", "localhost")
        port = str(environ.get("SERVER_PORT", ""))
        if port and port != _DEFAULT_PORTS.get(scheme):
            host = f"{host}:{port}"
    host = host.strip().lower()
    if ":" in host and not host.endswith("]"):
        name, _, port = host.rpartition(":")
        if port == _DEFAULT_PORTS.get(scheme):
            host = name
    raw = environ.get("REQUEST_URI") or environ.get("RAW_URI")
    if raw:
        target = raw.split("?", 1)[0].split("#", 1)[0]
        if "://" in target:  # absolute-form request target (proxy style)
            rest = target.split("://", 1)[1]
            target = "/" + rest.split("/", 1)[1] if "/" in rest else "/"
        path = target or "/"
    else:
        path = quote(environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""), safe="/%:@!$&'()*+,;=-._~")
    return f"{scheme}://{host}{path}"


class OAuthProblem(Exception):
    """An OAuth failure answered with HTTP 401 ``oauth_problem=...``."""

    def __init__(self, problem: str, **extra: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.extra = extra

    def body(self) -> str:
        """``oauth_problem=...&name=value...``; ``debug_sbs`` (the signature base string Flickr
        computed) is written as it is, not encoded again, as Flickr writes it -- clients compare
        everything after ``debug_sbs=`` with their own base string."""
        parts = [("oauth_problem", self.problem)] + list(self.extra.items())
        return "&".join(f"{k}={v if k == 'debug_sbs' else rfc3986(v)}" for k, v in parts)


@dataclass
class SignedRequest:
    """Every parameter of a request as OAuth sees it.

    ``params`` holds query + body (non-file) parameters; ``header`` holds the
    ``Authorization: OAuth`` parameters.  ``oauth`` is the merged view of all
    ``oauth_*`` values (header wins, as in oauthlib).
    """

    method: str
    url: str
    params: list[tuple[str, str]]
    header: list[tuple[str, str]] = field(default_factory=list)

    @property
    def all_params(self) -> list[tuple[str, str]]:
        return self.params + self.header

    @property
    def oauth(self) -> dict[str, str]:
        merged: dict[str, str] = {}
        for k, v in self.params:
            if k.startswith("oauth_"):
                merged[k] = v
        for k, v in self.header:
            if k.startswith("oauth_"):
                merged[k] = v
        return merged

    @property
    def is_oauth(self) -> bool:
        """Whether the request attempts OAuth at all (a bare ``oauth_token`` argument,
        as flickr.auth.oauth.checkToken takes, does not count)."""
        if self.header:
            return True
        return any(k in _SIGNING_KEYS for k, _ in self.params)

    def signed_params(self) -> list[tuple[str, str]]:
        return [(k, v) for k, v in self.all_params if k != "oauth_signature"]

    def base_string(self) -> str:
        return base_string(self.method, self.url, self.signed_params())

    def verify(self, consumer_secret: str, token_secret: str | None) -> tuple[bool, str]:
        base = self.base_string()
        expected = sign(base, consumer_secret, token_secret)
        given = self.oauth.get("oauth_signature", "")
        return hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace")), base
