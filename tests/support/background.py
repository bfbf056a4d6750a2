"""The CLI in a thread whose output can be read while it waits (for sign-in flows)."""

from __future__ import annotations

import io
import os
import re
import threading

from click.testing import CliRunner

from pycsync.cli import Environment, main


class LiveOutput(io.StringIO):
    """A stdout that another thread can wait on."""

    def __init__(self) -> None:
        super().__init__()
        self._changed = threading.Condition()

    def write(self, text: str) -> int:
        with self._changed:
            n = super().write(text)
            self._changed.notify_all()
        return n

    def wait_for(self, pattern: str, timeout: float = 30.0) -> re.Match:
        with self._changed:
            found = self._changed.wait_for(lambda: re.search(pattern, self.getvalue()), timeout)
        if not found:
            raise AssertionError(f"no {pattern!r} in the output within {timeout}s:\n{self.getvalue()}")
        return re.search(pattern, self.getvalue())


class BackgroundCli:
    """`pycsync ARGS` in a thread, with its stdout readable while it runs and its stdin a pipe."""

    def __init__(self, args: list[str], env: dict[str, str], **environment) -> None:
        self.out = LiveOutput()
        read_end, self._stdin = os.pipe()
        self.result = None
        self.error: BaseException | None = None
        environment.setdefault("stdout", self.out)

        def run() -> None:
            try:
                with os.fdopen(read_end, "rb") as stdin:
                    self.result = CliRunner().invoke(
                        main, args, input=stdin, env=env, obj=Environment(env=env, **environment)
                    )
            except BaseException as exc:  # noqa: BLE001 - reported by join()
                self.error = exc

        self.thread = threading.Thread(target=run, name="pycsync-cli", daemon=True)
        self.thread.start()

    def type(self, text: str) -> None:
        os.write(self._stdin, text.encode())

    def close_stdin(self) -> None:
        """End of input (as when nobody types anything); safe to call twice."""
        if self._stdin is not None:
            os.close(self._stdin)
            self._stdin = None

    def join(self, timeout: float = 60.0):
        self.thread.join(timeout)
        self.close_stdin()
        assert not self.thread.is_alive(), f"pycsync did not finish:\n{self.out.getvalue()}"
        if self.error is not None:
            raise self.error
        return self.result
