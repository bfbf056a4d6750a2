"""Fault injection rules.

A rule (a dict, e.g. loaded from JSON)::

    {"match": "upload",            # call name: a REST method, "upload", "replace", "static",
                                   # "oauth" (all oauth/* endpoints), "rest" (all methods),
                                   # "*" (default), a glob ("flickr.photosets.*") or a list
     "probability": 0.3,           # fire with this probability (seeded RNG), or
     "every": 3,                   # fire on every 3rd match,
     "after": 2,                   # ... ignoring the first 2 matches,
     "max": 5,                     # ... and at most 5 times
     "action": {...}}

Actions: ``{"error": CODE, "message": "..."}``, ``{"http": 503, "retry_after": 5}``,
``{"latency_ms": 250}``, ``{"reset": true}``, ``{"apply_then_drop": true}``,
``{"truncate": true}``.  Action keys may also be given at the top level of the rule.

Global rules: ``{"rate_limit": {"calls": N, "seconds": T}}`` (HTTP 429 beyond N
calls per sliding T seconds; ``match`` optional) and ``{"search_lag_seconds": T}``
(new uploads stay invisible to listing/search methods for T seconds).
"""

from __future__ import annotations

import collections
import copy
import fnmatch
import json
import math
import random
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["FaultEngine", "Decision", "load_rules", "FaultConfigError"]

TERMINAL = ("error", "http", "reset", "apply_then_drop", "truncate")
ACTION_KEYS = TERMINAL + ("latency_ms", "message", "retry_after")


class FaultConfigError(ValueError):
    pass


@dataclass
class Decision:
    latency_ms: float = 0.0
    kind: str | None = None  # one of TERMINAL, or "rate_limit"
    action: dict | None = None
    rule: int | None = None

    @property
    def label(self) -> str | None:
        if self.kind is None:
            return "latency" if self.latency_ms else None
        return self.kind


def load_rules(rules: Any) -> list[dict]:
    """Accept a list of dicts, ``{"rules": [...]}``, a JSON string or a path to a JSON file."""
    if rules is None:
        return []
    if isinstance(rules, Path) or (isinstance(rules, str) and not rules.lstrip().startswith(("[", "{"))):
        rules = json.loads(Path(rules).read_text())
    elif isinstance(rules, (str, bytes)):
        rules = json.loads(rules)
    if isinstance(rules, dict):
        rules = rules.get("rules", [rules] if rules else [])
    if not isinstance(rules, list):
        raise FaultConfigError("fault rules must be a list")
    return [_normalise(r, i) for i, r in enumerate(rules)]


def _normalise(rule: Any, index: int) -> dict:
    if not isinstance(rule, dict):
        raise FaultConfigError(f"rule {index}: must be an object")
    rule = copy.deepcopy(rule)
    if "rate_limit" in rule:
        rl = rule["rate_limit"]
        if not isinstance(rl, dict) or int(rl.get("calls", 0)) < 1 or float(rl.get("seconds", 0)) <= 0:
            raise FaultConfigError(f"rule {index}: rate_limit needs calls >= 1 and seconds > 0")
        return rule
    if "search_lag_seconds" in rule:
        float(rule["search_lag_seconds"])
        return rule
    action = rule.get("action")
    if action is None:
        action = {k: rule.pop(k) for k in list(rule) if k in ACTION_KEYS}
        rule["action"] = action
    if not isinstance(action, dict):
        raise FaultConfigError(f"rule {index}: action must be an object")
    kinds = [k for k in TERMINAL if _set(action.get(k))]
    if len(kinds) > 1:
        raise FaultConfigError(f"rule {index}: more than one action kind: {kinds}")
    if not kinds and not action.get("latency_ms"):
        raise FaultConfigError(f"rule {index}: no action (error/http/latency_ms/reset/apply_then_drop/truncate)")
    if "http" in kinds and int(action["http"]) not in range(400, 600):
        raise FaultConfigError(f"rule {index}: http status must be 4xx/5xx")
    if "probability" in rule and not 0 <= float(rule["probability"]) <= 1:
        raise FaultConfigError(f"rule {index}: probability must be within [0, 1]")
    if "every" in rule and int(rule["every"]) < 1:
        raise FaultConfigError(f"rule {index}: every must be >= 1")
    return rule


def _set(value: Any) -> bool:
    """Whether an action key is given: ``{"error": 0}`` is (0 == False in Python)."""
    return value is not None and value is not False


def name_matches(pattern: Any, name: str) -> bool:
    if pattern is None or pattern == "*":
        return True
    if isinstance(pattern, (list, tuple)):
        return any(name_matches(p, name) for p in pattern)
    pattern = str(pattern)
    if pattern == name:
        return True
    if pattern == "rest" and name.startswith("flickr."):
        return True
    if name.startswith(pattern + "/"):
        return True
    return fnmatch.fnmatchcase(name, pattern)


class FaultEngine:
    def __init__(self, rules: Any = None, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(seed)
        self._rules: list[dict] = []
        self._state: list[dict] = []
        self.set_rules(rules)

    def set_rules(self, rules: Any) -> None:
        parsed = load_rules(rules)
        with self._lock:
            self._rules = parsed
            self._state = [{"matched": 0, "fired": 0, "window": collections.deque()} for _ in parsed]

    def rules_info(self) -> list[dict]:
        with self._lock:
            return [
                {**copy.deepcopy(r), "matched": s["matched"], "fired": s["fired"]}
                for r, s in zip(self._rules, self._state, strict=False)
            ]

    @property
    def search_lag_seconds(self) -> float:
        lag = 0.0
        for r in self._rules:
            if "search_lag_seconds" in r:
                lag = max(lag, float(r["search_lag_seconds"]))
        return lag

    def decide(self, name: str) -> Decision:
        d = Decision()
        now = time.monotonic()
        with self._lock:
            for i, (rule, st) in enumerate(zip(self._rules, self._state, strict=False)):
                if "search_lag_seconds" in rule:
                    continue
                if not name_matches(rule.get("match", "*"), name):
                    continue
                if "rate_limit" in rule:
                    rl = rule["rate_limit"]
                    calls, seconds = int(rl["calls"]), float(rl["seconds"])
                    win = st["window"]
                    while win and win[0] <= now - seconds:
                        win.popleft()
                    st["matched"] += 1
                    if len(win) >= calls:
                        st["fired"] += 1
                        retry = max(1, math.ceil(win[0] + seconds - now))
                        d.kind, d.rule = "rate_limit", i
                        d.action = {"http": 429, "retry_after": retry}
                        return d
                    win.append(now)
                    continue
                st["matched"] += 1
                if not self._fires(rule, st):
                    continue
                st["fired"] += 1
                action = rule["action"]
                if action.get("latency_ms"):
                    d.latency_ms += float(action["latency_ms"])
                kind = next((k for k in TERMINAL if _set(action.get(k))), None)
                if kind is not None:
                    d.kind, d.action, d.rule = kind, action, i
                    return d
        return d

    def _fires(self, rule: dict, st: dict) -> bool:
        n = st["matched"] - int(rule.get("after", 0))
        if n <= 0:
            return False
        if "max" in rule and st["fired"] >= int(rule["max"]):
            return False
        if "every" in rule and n % int(rule["every"]) != 0:
            return False
        return not ("probability" in rule and not self._rng.random() < float(rule["probability"]))
