"""Remove OAuth credentials and API keys from text before it is logged.

Handles URLs/query strings and form bodies (``oauth_token=...&api_key=...``),
percent-encoded and double-encoded forms found in Flickr's ``debug_sbs`` base strings
(``oauth_token%3D...%26``), ``Authorization: OAuth oauth_signature="..."`` headers,
JSON (``"oauth_token": "..."``, ``"api_key": {"_content": "..."}``) and Python reprs.
Harmless protocol values (``oauth_problem``, ``oauth_signature_method``, ``oauth_version``,
``oauth_callback_confirmed``, ``oauth_parameters_absent``) are kept because they help
debugging.  Extra literal secrets can be passed in ``secrets`` and are always scrubbed.
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
    r"|token_secret|access_token|client_secret|frob"
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
    for s in sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True):
        text = text.replace(s, REDACTED)
        # also the percent-encoded forms that show up in URLs / base strings
        enc = quote(s, safe="")
        if enc != s:
            text = text.replace(enc, REDACTED)
            text = text.replace(quote(enc, safe=""), REDACTED)
    return text
