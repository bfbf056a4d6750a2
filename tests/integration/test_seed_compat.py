"""The original pycsync's spellings still work: `pycsync -p PATH`, bare `pycsync` (the current
folder) and `pycsync -a` (sign in)."""

from __future__ import annotations

import io
import json
import os
import re
import threading
from pathlib import Path

from click.testing import CliRunner

from pycsync.cli import Environment, main
from tests.support.browser import approve_in_browser, shown_code
from tests.support.convergence import assert_converged
from tests.support.files import sha, tree, write_jpeg
from tests.support.media import jpeg
from tests.support.remote import albums_by_sha


def test_dash_p_syncs_the_given_folder(emulator, root, cli, sync_json, web):
    write_jpeg(root / "A" / "x.jpg", 1)
    web.upload(jpeg(2), "remote", "B")
    result = cli("-p", str(root))
    assert result.exit_code == 0, result.output
    assert albums_by_sha(emulator) == {"A": [sha(jpeg(1))], "B": [sha(jpeg(2))]}
    assert tree(root) == {"A/x.jpg": jpeg(1), "B/remote.jpg": jpeg(2)}
    assert_converged(emulator, sync_json, root)


def test_bare_pycsync_syncs_the_current_folder(emulator, root, cli, sync_json, monkeypatch, web):
    write_jpeg(root / "A" / "x.jpg", 1)
    web.upload(jpeg(2), "remote", "B")
    monkeypatch.chdir(root)
    result = cli()
    assert result.exit_code == 0, result.output
    assert tree(root) == {"A/x.jpg": jpeg(1), "B/remote.jpg": jpeg(2)}
    assert albums_by_sha(emulator) == {"A": [sha(jpeg(1))], "B": [sha(jpeg(2))]}
    assert (root / ".pycsync" / "state.db").exists()
    assert_converged(emulator, sync_json, root)


class _Watched(io.StringIO):
    """stdout that lets another thread wait for a line (the authorize URL) while the CLI runs."""

    def __init__(self):
        super().__init__()
        self.changed = threading.Condition()

    def write(self, text):
        with self.changed:
            n = super().write(text)
            self.changed.notify_all()
            return n

    def wait_for(self, pattern: str, timeout: float = 10.0) -> re.Match:
        with self.changed:
            found = None

            def check():
                nonlocal found
                found = re.search(pattern, self.getvalue())
                return found

            assert self.changed.wait_for(check, timeout), f"no {pattern!r} in {self.getvalue()!r}"
            return found


def test_dash_a_signs_in_with_a_pasted_code_and_the_token_is_used_by_sync(emulator, cli_env, root, sync_json, cli):
    # no token in the environment, no display: `pycsync -a` prints the URL and asks for the code
    env = {k: v for k, v in cli_env.items() if not k.startswith("FLICKR_OAUTH")}
    out = _Watched()
    read_fd, write_fd = os.pipe()
    stdin = open(read_fd, "rb")  # noqa: SIM115  (closed in the finally below, after the worker)
    result_box = {}

    def run():
        result_box["result"] = CliRunner().invoke(
            main, ["-a"], input=stdin, env=env, obj=Environment(env=env, stdout=out)
        )

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    try:
        url = out.wait_for(r"(http://\S+/services/oauth/authorize\?\S+)").group(1)
        verifier = shown_code(approve_in_browser(url, follow=False).text)
        with open(write_fd, "wb") as feed:
            feed.write(verifier.encode() + b"\n")
        worker.join(timeout=20)
    finally:
        stdin.close()
    result = result_box["result"]
    assert result.exit_code == 0, (result.output, result.exception)
    assert emulator.username in out.getvalue()
    saved = json.loads((Path(cli_env["PYCSYNC_CONFIG_DIR"]) / "tokens.json").read_text())
    (token,) = saved["tokens"].values()
    assert token["user_nsid"] == emulator.user_nsid and token["perms"] == "write"

    # the saved token is what a sync now uses (no token in the environment)
    write_jpeg(root / "A" / "x.jpg", 1)
    synced = cli("sync", str(root), env={"FLICKR_OAUTH_TOKEN": "", "FLICKR_OAUTH_TOKEN_SECRET": ""})
    assert synced.exit_code == 0, synced.output
    assert albums_by_sha(emulator) == {"A": [sha(jpeg(1))]}
