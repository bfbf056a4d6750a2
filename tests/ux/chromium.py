"""Drive headless Chromium over the DevTools protocol on a pipe (no driver, no extra packages).

Chromium started with ``--remote-debugging-pipe`` reads JSON commands from fd 3 and writes
JSON answers and events to fd 4, each message ending in a NUL byte. That is all a test needs to
load a page and click a button like a person would (real mouse events at the button's place).
"""

from __future__ import annotations

import fcntl
import json
import os
import select
import shutil
import signal
import tempfile
import time
from typing import Any

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--remote-debugging-pipe",
]


def _high_pipe() -> tuple[int, int]:
    """A pipe whose two ends sit at fd 10 or above (clear of the 3 and 4 the child needs)."""
    r, w = os.pipe()
    try:
        return fcntl.fcntl(r, fcntl.F_DUPFD_CLOEXEC, 10), fcntl.fcntl(w, fcntl.F_DUPFD_CLOEXEC, 10)
    finally:
        os.close(r)
        os.close(w)


def in_ci() -> bool:
    """CI=true (as GitHub Actions, GitLab and most CI services set it): a missing browser fails."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1")


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


class BrowserError(Exception):
    pass


class Chromium:
    """One headless browser with one page: ``goto``, ``click``, ``text``, ``url``."""

    def __init__(self, executable: str, timeout: float = 30.0):
        self.timeout = timeout
        self._profile = tempfile.mkdtemp(prefix="pycsync-chromium-")
        self._log = os.path.join(self._profile, "chromium.log")
        # the protocol wants fds 3 (commands in) and 4 (answers out); posix_spawn places them
        # without running Python in the child (safe with threads, unlike preexec_fn)
        to_browser_r, to_browser_w = _high_pipe()
        from_browser_r, from_browser_w = _high_pipe()
        self._to_browser, self._from_browser = to_browser_w, from_browser_r
        argv = [executable, *FLAGS, f"--user-data-dir={self._profile}", "about:blank"]
        try:
            self.pid = os.posix_spawn(
                executable,
                argv,
                os.environ,
                file_actions=[
                    (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                    (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
                    (os.POSIX_SPAWN_OPEN, 2, self._log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
                    (os.POSIX_SPAWN_DUP2, to_browser_r, 3),
                    (os.POSIX_SPAWN_DUP2, from_browser_w, 4),
                ],
            )
        finally:
            os.close(to_browser_r)
            os.close(from_browser_w)
        self._exit: int | None = None
        self._buffer = b""
        self._events: list[dict] = []
        self._next_id = 0
        self._session: str | None = None
        try:
            targets = self.send("Target.getTargets")["targetInfos"]
            page = next((t for t in targets if t["type"] == "page"), None)
            target_id = page["targetId"] if page else self.send("Target.createTarget", url="about:blank")["targetId"]
            self._session = self.send("Target.attachToTarget", targetId=target_id, flatten=True)["sessionId"]
            self.send("Page.enable")
            self.send("Runtime.enable")
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------------ protocol

    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError("timed out waiting for Chromium")
            ready, _, _ = select.select([self._from_browser], [], [], left)
            if ready:
                chunk = os.read(self._from_browser, 65536)
                if not chunk:
                    raise BrowserError(f"Chromium closed the pipe: {self._stderr_tail()}")
                self._buffer += chunk
        raw, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(raw)

    def send(self, method: str, **params: Any) -> dict:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if self._session and not method.startswith("Target."):
            message["sessionId"] = self._session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self._events.append(reply)

    def wait_event(self, method: str, timeout: float | None = None) -> dict:
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            for i, event in enumerate(self._events):
                if event["method"] == method:
                    return self._events.pop(i)
            self._events.append(self._read_message(deadline))

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression}: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    # ------------------------------------------------------------------ page

    def goto(self, url: str) -> None:
        self._events.clear()
        result = self.send("Page.navigate", url=url)
        if result.get("errorText"):
            raise BrowserError(f"cannot load {url}: {result['errorText']}")
        self.wait_event("Page.loadEventFired")

    def click(self, selector: str, wait_for_navigation: bool = True) -> None:
        """A real mouse click in the middle of the element that ``selector`` finds."""
        box = self.evaluate(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)}); if (!e) return null;"
            " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
            " return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()"
        )
        if box is None:
            raise BrowserError(f"no element matches {selector!r} on {self.url()}")
        self._events.clear()
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            extra = {"button": "left", "clickCount": 1} if kind != "mouseMoved" else {}
            self.send("Input.dispatchMouseEvent", type=kind, x=box["x"], y=box["y"], **extra)
        if wait_for_navigation:
            self.wait_event("Page.loadEventFired")

    def text(self) -> str:
        return self.evaluate("document.body ? document.body.innerText : ''")

    def url(self) -> str:
        return self.evaluate("location.href")

    def title(self) -> str:
        return self.evaluate("document.title")

    # ------------------------------------------------------------------ lifetime

    def _stderr_tail(self) -> str:
        try:
            with open(self._log, errors="replace") as f:
                return f.read()[-2000:]
        except OSError:
            return ""

    def _wait(self, timeout: float) -> bool:
        """Reap the browser; True once it has exited."""
        deadline = time.monotonic() + timeout
        while self._exit is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self._exit = status
                break
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)
        return True

    def close(self) -> None:
        if self._exit is None:
            try:
                self.send("Browser.close")
            except (BrowserError, OSError):
                pass
            if not self._wait(10):
                os.kill(self.pid, signal.SIGKILL)
                self._wait(10)
        for fd in (self._to_browser, self._from_browser):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
