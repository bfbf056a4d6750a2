"""What the handlers of one emulator work with: its state, settings, clock and helpers.

Handlers (REST methods, upload, static files, OAuth pages, the control surface) receive a
:class:`Backend`, never the WSGI application or the server: they cannot reach routing, the
HTTP layer or each other through it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .accounts import Account, account_of
from .budget import KeyBudget
from .config import EmulatorConfig
from .faults import FaultEngine
from .network import Link
from .oauth_checks import Authenticator
from .recorder import CallRecorder
from .registry import Registry
from .render import Typing
from .store import Store

__all__ = ["Backend"]


@dataclass
class Backend:
    store: Store
    config: EmulatorConfig
    faults: FaultEngine
    registry: Registry
    recorder: CallRecorder = field(default_factory=CallRecorder)
    clock: Callable[[], float] = time.time  # wall-clock seconds (ticket readiness, search lag)
    auth: Authenticator = field(init=False)
    #: the network link every counted request's body and answer cross (config.bandwidth_mbps)
    link: Link = field(init=False)
    #: the key's call budget (config.rate_limit per config.rate_limit_window seconds)
    budget: KeyBudget = field(init=False)
    #: the endpoint the server listens on (URLs in the start-up info); None: as each request addressed us
    public_endpoint: str | None = None

    def __post_init__(self) -> None:
        self.auth = Authenticator(self.store, self.config.timestamp_window)
        self.link = Link(lambda: float(self.config.bandwidth_mbps or 0))
        self.budget = KeyBudget(
            lambda: int(self.config.rate_limit or 0), lambda: float(self.config.rate_limit_window), lambda: self.clock()
        )

    @property
    def typing(self) -> Typing:
        """How JSON answers type Flickr's inconsistently typed numbers (``config.types``)."""
        return Typing(self.config.types, self.config.seed)

    def account(self, nsid: str | None) -> Account:
        """The account kind, limits and preferences of a user (the configured ones for nobody)."""
        return account_of(self.config, self.store.user(nsid) if nsid else None)

    def server_info(self, base_url: str = "") -> dict[str, Any]:
        """The start-up line: endpoint, keys, the default user and its access token."""
        user = self.store.default_user()
        tok = self.store.default_token()
        return {
            "endpoint": self.public_endpoint or base_url,
            "api_key": self.store.api_key,
            "api_secret": self.store.api_secret,
            "user_nsid": user["nsid"],
            "username": user["username"],
            "oauth_token": tok["token"],
            "oauth_token_secret": tok["secret"],
        }
