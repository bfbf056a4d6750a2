"""Stateful OAuth checks: consumer key, tokens, timestamps, nonces, permissions."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from .errors import ApiError
from .oauth_signing import OAuthProblem, SignedRequest
from .registry import perm_level
from .store import Store

__all__ = ["Authenticator", "Caller"]

_REQUIRED = ("oauth_consumer_key", "oauth_signature_method", "oauth_signature", "oauth_timestamp", "oauth_nonce")
_HEX32 = re.compile(r"^[0-9a-fA-F]{32}$")


def _usable_callback(callback: str) -> bool:
    """``oob`` or an absolute URL the browser can be sent back to (apps may use their own scheme)."""
    if callback == "oob":
        return True
    try:
        parts = urlsplit(callback)
    except ValueError:
        return False
    return bool(parts.scheme) and bool(parts.netloc or parts.path)


@dataclass
class Caller:
    """Who is calling and with which rights."""

    consumer_key: str
    nsid: str | None = None
    perms: str = "none"
    token: str | None = None
    signed: bool = False

    @property
    def level(self) -> int:
        return perm_level(self.perms)


class Authenticator:
    def __init__(self, store: Store, timestamp_window: float = 600) -> None:
        self.store = store
        self.timestamp_window = timestamp_window
        self._nonces: dict[tuple[str, str, str], int] = {}
        self._nonce_lock = threading.Lock()
        self._last_prune = 0.0

    # ------------------------------------------------------------------
    def _check_common(self, req: SignedRequest, absent_extra: tuple[str, ...] = ()) -> dict[str, str]:
        o = req.oauth
        absent = [p for p in _REQUIRED + absent_extra if not o.get(p)]
        if absent:
            raise OAuthProblem("parameter_absent", oauth_parameters_absent="&".join(absent))
        if o["oauth_consumer_key"] != self.store.api_key:
            raise OAuthProblem("consumer_key_unknown")
        if o["oauth_signature_method"] != "HMAC-SHA1":
            raise OAuthProblem("signature_method_rejected")
        if o.get("oauth_version", "1.0") != "1.0":
            raise OAuthProblem("version_rejected", oauth_acceptable_versions="1.0-1.0")
        now = time.time()
        w = self.timestamp_window
        try:
            ts = int(o["oauth_timestamp"])
        except ValueError:
            ts = None
        if ts is None or (w is not None and abs(now - ts) > w):
            raise OAuthProblem("timestamp_refused", oauth_acceptable_timestamps=f"{int(now - w)}-{int(now + w)}")
        return o

    def _verify(self, req: SignedRequest, token_secret: str | None) -> None:
        ok, base = req.verify(self.store.api_secret, token_secret)
        if not ok:
            raise OAuthProblem("signature_invalid", debug_sbs=base)

    def _use_nonce(self, o: dict[str, str]) -> None:
        key = (o["oauth_consumer_key"], o["oauth_nonce"], o["oauth_timestamp"])
        now = time.time()
        with self._nonce_lock:
            if key in self._nonces:
                raise OAuthProblem("nonce_used")
            self._nonces[key] = int(o["oauth_timestamp"])
            if now - self._last_prune > 30 and len(self._nonces) > 1000:
                self._last_prune = now
                limit = now - (self.timestamp_window or 0) - 5
                if self.timestamp_window is not None:
                    self._nonces = {k: v for k, v in self._nonces.items() if v >= limit}

    # ------------------------------------------------------------------
    def api_call(self, req: SignedRequest, params: dict[str, str], *, upload: bool = False) -> Caller:
        """Authenticate a REST or upload call.

        Raises :class:`OAuthProblem` (HTTP 401) or :class:`ApiError` (98 / 100).
        """
        if not req.is_oauth:
            if upload:
                raise OAuthProblem("parameter_absent", oauth_parameters_absent="&".join(_REQUIRED + ("oauth_token",)))
            api_key = params.get("api_key", "")
            if not _HEX32.match(api_key):
                raise ApiError(100, "Invalid API Key (Key has invalid format)")
            if api_key != self.store.api_key:
                raise ApiError(100, "Invalid API Key (Key not found)")
            return Caller(consumer_key=api_key)
        o = self._check_common(req)
        signed_key = params.get("api_key")
        if signed_key and signed_key != o["oauth_consumer_key"]:
            raise ApiError(100, "Invalid API Key (Key not found)")
        token = o.get("oauth_token")
        caller = Caller(consumer_key=o["oauth_consumer_key"], signed=True)
        secret = ""
        if token:
            row = self.store.token(token)
            if row is None or row["kind"] != "access" or row["state"] != "active":
                raise ApiError(98, "Invalid auth token")
            secret = row["secret"]
            caller.nsid, caller.perms, caller.token = row["nsid"], row["perms"], token
        elif upload:
            raise OAuthProblem("parameter_absent", oauth_parameters_absent="oauth_token")
        self._verify(req, secret)
        self._use_nonce(o)
        return caller

    def request_token(self, req: SignedRequest) -> dict:
        o = self._check_common(req)
        if not o.get("oauth_callback"):
            raise OAuthProblem("parameter_absent", oauth_parameters_absent="oauth_callback")
        if not _usable_callback(o["oauth_callback"]):
            raise OAuthProblem("parameter_rejected", oauth_parameters_rejected="oauth_callback")
        self._verify(req, "")
        self._use_nonce(o)
        return self.store.create_request_token(o["oauth_consumer_key"], o["oauth_callback"])

    def access_token(self, req: SignedRequest) -> dict:
        o = self._check_common(req, ("oauth_token",))
        if not o.get("oauth_verifier"):
            raise OAuthProblem("parameter_absent", oauth_parameters_absent="oauth_verifier")
        with self.store.tx():
            row = self.store.token(o["oauth_token"])
            if row is None or row["kind"] != "request" or row["consumer_key"] != o["oauth_consumer_key"]:
                raise OAuthProblem("token_rejected")
            self._verify(req, row["secret"])
            self._use_nonce(o)
            if row["state"] == "pending":
                raise OAuthProblem("permission_unknown")
            if row["state"] != "authorized":
                raise OAuthProblem("token_rejected")
            if o["oauth_verifier"] != row["verifier"]:
                raise OAuthProblem("verifier_invalid")
            self.store.update_token(row["token"], state="used")
            access = self.store.create_access_token(row["nsid"], row["perms"], row["consumer_key"])
            user = self.store.user(row["nsid"])
        if user is None:
            raise OAuthProblem("token_rejected")
        return {
            "fullname": user["fullname"],
            "oauth_token": access["oauth_token"],
            "oauth_token_secret": access["oauth_token_secret"],
            "user_nsid": user["nsid"],
            "username": user["username"],
        }
