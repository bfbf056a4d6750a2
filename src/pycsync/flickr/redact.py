"""Remove OAuth credentials and API keys from text before it is logged.

Handles URLs/query strings and form bodies (``oauth_token=...&api_key=...``),
percent-encoded and double-encoded forms found in Flickr's ``debug_sbs`` base strings
(``oauth_token%3D...%26``), ``Authorization: OAuth oauth_signature="..."`` headers,
JSON (``"oauth_token": "..."``, ``"api_key": {"_content": "..."}``) and Python reprs.
Harmless protocol values (``oauth_problem``, ``oauth_signature_method``, ``oauth_version``,
``oauth_callback_confirmed``, ``oauth_parameters_absent``) are kept because they help
debugging.  Extra literal secrets can be passed in ``secrets`` and are always scrubbed.

Photo URLs are capabilities: whoever has an original's static URL can fetch it, private or
not. So the secrets in them are removed too, keeping the photo id that says which photo it was:
``/65535/123_abcdef0123_o.jpg`` -> ``/65535/123_REDACTED_o.jpg``, ``/play/orig/<secret>/``,
``/video/<id>/<secret>/``, a signed ``?s=`` query, and ``secret``/``originalsecret`` fields in
JSON or XML answers. They are recognised inside URLs (``scheme://host/...``, also with the
escaped slashes of JSON), HTTP request lines (``"GET /path``) and ``url: /path`` (requests' errors),
never in other text, where a file name such as ``2021/20210101_123456.jpg`` must stay as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote

__all__ = ["redact", "REDACTED"]

REDACTED = "REDACTED"

_KEEP = frozenset(
    {
        "oauth_problem",
        "oauth_signature_method",
        "oauth_version",
        "oauth_callback_confirmed",
        "oauth_parameters_absent",
        "oauth_acceptable_timestamps",
    }
)

# Names whose values are sensitive (anything oauth_* not in _KEEP, plus these).
_NAMES = (
    r"oauth_[A-Za-z_]+|api_key|api_secret|api_sig|auth_token|consumer_key|consumer_secret"
    r"|token_secret|access_token|client_secret|frob|originalsecret|secret"
)

# left boundary: not inside another word, but allow a preceding %XX / %25XX escape
_LEFT = r"(?:(?<![A-Za-z0-9_])|(?<=%[0-9A-Fa-f]{2})|(?<=%25[0-9A-Fa-f]{2}))"

# name=value / name%3Dvalue / name%253Dvalue ; value stops at a delimiter.
_KV = re.compile(
    r"(?P<name>" + _LEFT + r"(?:" + _NAMES + r"))"
    r"(?P<sep>=(?!\")|%3D|%253D)"
    r"(?P<value>(?:(?!%26|%2526|%2C|%252C)[^&\s\"',<>;)])+)",
    re.IGNORECASE,
)
# name="value" (Authorization header) and name='value'
_HDR = re.compile(
    r"(?P<name>" + _LEFT + r"(?:" + _NAMES + r"))(?P<sep>=\")(?P<value>[^\"]*)(?P<end>\")",
    re.IGNORECASE,
)
# JSON / repr: "name": "value"  'name': 'value'  "name": {"_content": "value"}
_JSON = re.compile(
    r"(?P<q>[\"'])(?P<name>" + _NAMES + r")(?P=q)\s*:\s*"
    r"(?P<pre>\{\s*[\"']_content[\"']\s*:\s*)?(?P<vq>[\"'])(?P<value>(?:\\.|(?!(?P=vq)).)*)(?P=vq)",
    re.IGNORECASE,
)


# a path in a URL, a request line or a requests error; '\/' is JSON's escaped slash
_SLASH = r"(?:/|\\/)"
_URL_PATH = re.compile(
    r"(?P<lead>[A-Za-z][A-Za-z0-9+.-]*:" + _SLASH + _SLASH + r"[^\s/\\\"'<>]+"
    r"|\burl: |\"(?:GET|POST|PUT|HEAD|DELETE) )"
    r"(?P<path>" + _SLASH + r"[^\s\"'<>]*)"
)
# secrets inside such a path: {id}_{secret}[_size].ext, play/{label}/{secret}, video/{id}/{secret}
_PATH_SECRETS = (
    re.compile(r"(?P<keep>" + _SLASH + r"\d+_)[0-9a-f]{6,}(?=[_.?#\\]|$)"),
    re.compile(r"(?P<keep>" + _SLASH + r"play" + _SLASH + r"[^/\\]+" + _SLASH + r")[0-9a-f]{6,}"),
    re.compile(r"(?P<keep>" + _SLASH + r"video" + _SLASH + r"\d+" + _SLASH + r")[0-9a-f]{6,}"),
    re.compile(r"(?P<keep>[?&;](?:s|secret|originalsecret)=)[^&#;]+"),
)


def _redact_path(m: re.Match) -> str:
    path = m.group("path")
    for pattern in _PATH_SECRETS:
        path = pattern.sub(lambda p: p.group("keep") + REDACTED, path)
    return m.group("lead") + path


def _keep(name: str) -> bool:
    return name.lower() in _KEEP


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """Return ``text`` with credential values replaced by ``REDACTED``."""
    if not text:
        return text
    if not isinstance(text, str):
        text = str(text)

    def kv(m: re.Match) -> str:
        if _keep(m.group("name")):
            return m.group(0)
        return m.group("name") + m.group("sep") + REDACTED

    def hdr(m: re.Match) -> str:
        if _keep(m.group("name")):
            return m.group(0)
        return m.group("name") + m.group("sep") + REDACTED + m.group("end")

    def js(m: re.Match) -> str:
        if _keep(m.group("name")):
            return m.group(0)
        q, vq = m.group("q"), m.group("vq")
        return f"{q}{m.group('name')}{q}: {m.group('pre') or ''}{vq}{REDACTED}{vq}"

    text = _HDR.sub(hdr, text)
    text = _JSON.sub(js, text)
    text = _KV.sub(kv, text)
    text = _URL_PATH.sub(_redact_path, text)
    for s in sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True):
        text = text.replace(s, REDACTED)
        # also the percent-encoded forms that show up in URLs / base strings
        enc = quote(s, safe="")
        if enc != s:
            text = text.replace(enc, REDACTED)
            text = text.replace(quote(enc, safe=""), REDACTED)
    return text
