"""The three-legged OAuth endpoints: request_token, authorize (HTML), access_token."""

from __future__ import annotations

import html
import secrets
from urllib.parse import urlsplit, urlunsplit

from werkzeug.wrappers import Request, Response

from ..backend import Backend
from ..oauth_signing import OAuthProblem, SignedRequest, base_url_from_environ, parse_authorization_header, rfc3986
from .responses import oauth_problem_response

__all__ = ["request_token", "authorize", "access_token"]

TEXT = "text/plain;charset=UTF-8"


def _signed(req: Request) -> SignedRequest:
    params = list(req.args.items(multi=True))
    if req.method == "POST":
        params += list(req.form.items(multi=True))
    header = parse_authorization_header(req.environ.get("HTTP_AUTHORIZATION")) or []
    return SignedRequest(req.method, base_url_from_environ(req.environ), params, header)


def _form_encode(pairs: list[tuple[str, str]]) -> str:
    return "&".join(f"{rfc3986(k)}={rfc3986(v)}" for k, v in pairs)


def request_token(backend: Backend, req: Request) -> Response:
    try:
        tok = backend.auth.request_token(_signed(req))
    except OAuthProblem as p:
        return oauth_problem_response(p)
    body = _form_encode(
        [
            ("oauth_callback_confirmed", "true"),
            ("oauth_token", tok["oauth_token"]),
            ("oauth_token_secret", tok["oauth_token_secret"]),
        ]
    )
    return Response(body, status=200, content_type=TEXT)


def access_token(backend: Backend, req: Request) -> Response:
    try:
        data = backend.auth.access_token(_signed(req))
    except OAuthProblem as p:
        return oauth_problem_response(p)
    return Response(_form_encode(sorted(data.items())), status=200, content_type=TEXT)


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | Flickr emulator</title></head>
<body>
<h1>{title}</h1>
{body}
</body></html>
"""


def _page(title: str, body: str, status: int = 200) -> Response:
    return Response(
        _PAGE.format(title=html.escape(title), body=body), status=status, content_type="text/html; charset=utf-8"
    )


def _verifier(oob: bool) -> str:
    if oob:
        d = "".join(str(secrets.randbelow(10)) for _ in range(9))
        return f"{d[:3]}-{d[3:6]}-{d[6:]}"
    return secrets.token_hex(8)


def _redirect_target(callback: str, token: str, verifier: str) -> str:
    parts = urlsplit(callback)
    extra = f"oauth_token={rfc3986(token)}&oauth_verifier={rfc3986(verifier)}"
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def authorize(backend: Backend, req: Request) -> Response:
    """``GET`` renders the consent form, ``POST`` (authorize / deny) completes it.

    The emulated browser is always logged in as the default user (``as_user``
    -- an NSID or username -- may pick another one).
    """
    values = req.values
    token = (values.get("oauth_token") or "").strip()
    perms = (values.get("perms") or "").strip().lower()
    store = backend.store
    row = store.token(token) if token else None
    if row is None or row["kind"] != "request":
        return _page("Invalid request", "<p>The oauth_token is missing, invalid or expired.</p>", 400)
    if row["state"] != "pending":
        return _page("Request already handled", "<p>This authorisation request has already been used.</p>", 400)
    if perms not in ("read", "write", "delete"):
        return _page("Invalid request", "<p>perms must be one of read, write, delete.</p>", 400)
    as_user = (values.get("as_user") or "").strip()
    user = None
    if as_user:
        user = store.user(as_user) or store.q1("SELECT * FROM users WHERE username=?", (as_user,))
    if user is None:
        user = store.default_user()
    if req.method == "POST" and "deny" in req.form:
        store.update_token(token, state="denied")
        return _page(
            "Access denied", '<p id="denied">You did not authorize the application. You can close this window.</p>'
        )
    if req.method == "POST" and "authorize" in req.form:
        oob = row["callback"] == "oob"
        verifier = _verifier(oob)
        store.update_token(token, state="authorized", nsid=user["nsid"], perms=perms, verifier=verifier)
        if oob:
            return _page(
                "Authorization complete",
                "<p>You have successfully authorized the application. Type this code into it:</p>\n"
                f'<p><span id="verifier">{html.escape(verifier)}</span></p>',
            )
        return Response(
            "",
            status=302,
            headers={"Location": _redirect_target(row["callback"], token, verifier)},
            content_type="text/html",
        )
    esc = html.escape
    body = (
        f"<p>An application (key <code>{esc(row['consumer_key'])}</code>) would like <strong>{esc(perms)}"
        f'</strong> access to the account of <strong id="username">{esc(user["username"])}</strong>.</p>\n'
        '<form method="post">\n'
        f'<input type="hidden" name="oauth_token" value="{esc(token)}">\n'
        f'<input type="hidden" name="perms" value="{esc(perms)}">\n'
        + (f'<input type="hidden" name="as_user" value="{esc(as_user)}">\n' if as_user else "")
        + '<button type="submit" name="authorize" value="1">OK, I\'ll authorize it</button>\n'
        '<button type="submit" name="deny" value="1">No thanks</button>\n'
        "</form>"
    )
    return _page("Authorize application", body)
