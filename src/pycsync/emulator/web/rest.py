"""``/services/rest/``: read the call, authenticate it, dispatch it, render it in its format."""

from __future__ import annotations

from werkzeug.wrappers import Request, Response

from ..api import Ctx, dispatch
from ..backend import Backend
from ..errors import ApiError
from ..oauth_signing import OAuthProblem, SignedRequest, base_url_from_environ, parse_authorization_header
from ..render import FORMATS, render
from .responses import first_wins, oauth_problem_response, request_base_url

__all__ = ["handle_rest", "rest_error", "rest_request"]


def rest_request(environ: dict) -> Request:
    req = Request(environ)
    req.max_form_memory_size = 16 * 2**20
    return req


def rest_error(req: Request, fmt: str, e: ApiError) -> Response:
    """A ``stat="fail"`` answer (HTTP 200) in the asked format (XML when the format is unknown)."""
    values = req.values
    if fmt not in FORMATS:
        fmt = "rest"
    body, ctype = render(
        None, fmt, values.get("jsoncallback"), values.get("nojsoncallback") == "1", error=(e.code, e.message)
    )
    resp = Response(body, status=200, content_type=ctype)
    resp.api_code = e.code  # type: ignore[attr-defined]  # read by the call recorder
    return resp


def handle_rest(backend: Backend, req: Request) -> Response:
    values = req.values
    fmt = values.get("format", "rest") or "rest"
    if fmt not in FORMATS:
        return rest_error(req, "rest", ApiError(111, f'Format "{fmt}" not found'))
    params = list(req.args.items(multi=True))
    if req.method == "POST":
        params += list(req.form.items(multi=True))
    header = parse_authorization_header(req.environ.get("HTTP_AUTHORIZATION")) or []
    sreq = SignedRequest(req.method, base_url_from_environ(req.environ), params, header)
    pdict = first_wins(params)
    try:
        caller = backend.auth.api_call(sreq, pdict)
    except OAuthProblem as p:
        return oauth_problem_response(p)
    except ApiError as e:
        return rest_error(req, fmt, e)
    for k, v in header:
        pdict.setdefault(k, v)
    ctx = Ctx(backend, caller, pdict, request_base_url(req.environ))
    try:
        payload = dispatch(ctx, pdict.get("method", ""))
    except ApiError as e:
        return rest_error(req, fmt, e)
    body, ctype = render(
        payload, fmt, pdict.get("jsoncallback"), pdict.get("nojsoncallback") == "1", typing=backend.typing
    )
    return Response(body, status=200, content_type=ctype)
