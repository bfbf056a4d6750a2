"""Every byte the CLI prints goes through the injected Environment: results, progress, warnings,
errors, usage messages, --help, the demo. Nothing reaches the process's own streams, so the
CLI can be embedded and tested without capturing them (httpie's Environment, finished)."""

from __future__ import annotations

import io

import pytest
from click.testing import CliRunner

from pycsync.cli import Environment, main
from tests.support.files import write_jpeg


def run_injected(env: dict, *args: str):
    out, err = io.StringIO(), io.StringIO()
    result = CliRunner().invoke(main, list(args), input="", env=env, obj=Environment(env=env, stdout=out, stderr=err))
    return result, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    ("args", "status", "where"),
    [
        (["sync", "{root}"], 0, "out"),
        (["sync", "{root}", "--json"], 0, "out"),
        (["sync", "{root}", "--dry-run", "-v"], 0, "out"),
        (["status", "{root}"], 0, "out"),
        (["status", "{root}", "--json"], 0, "out"),
        (["config", "{root}"], 0, "out"),
        (["sync", "{missing}"], 2, "err"),
        (["sync", "{root}", "--jobs", "0"], 2, "err"),
        (["sync", "{root}", "--push", "--pull"], 2, "err"),
        (["no-such-command"], 2, "err"),
        (["--help"], 0, "out"),
        (["sync", "--help"], 0, "out"),
        (["--version"], 0, "out"),
        (["auth", "--no-browser", "--api-key", "k"], 2, "err"),
        (["--endpoint", "http://photos.example.net", "sync", "{root}"], 2, "err"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else str(v),
)
def test_nothing_bypasses_the_environment(cli_env, root, tmp_path, args, status, where):
    write_jpeg(root / "A" / "x.jpg", 1)
    args = [a.format(root=root, missing=tmp_path / "missing") for a in args]
    env = {k: v for k, v in cli_env.items() if k != "FLICKR_API_SECRET"} if args[0] == "auth" else cli_env
    result, out, err = run_injected(env, *args)
    assert result.exit_code == status, (out, err)
    assert result.output == "", f"written around the Environment: {result.output!r}"
    assert (out if where == "out" else err).strip()


def test_signed_out_and_failed_runs_report_through_the_environment(cli_env, root):
    write_jpeg(root / "A" / "x.jpg", 1)
    (root / "B").mkdir()
    (root / "B" / "broken.jpg").write_bytes(b"not a picture" * 40)
    result, out, err = run_injected(cli_env, "sync", str(root))
    assert result.exit_code == 1 and result.output == ""
    assert "B/broken.jpg" in err and "uploaded" in out
    signed_out = {**cli_env, "FLICKR_OAUTH_TOKEN": "", "FLICKR_OAUTH_TOKEN_SECRET": ""}
    result, out, err = run_injected(signed_out, "status", str(root), "--json")
    assert result.exit_code == 3 and result.output == ""
    assert '"kind": "auth"' in out and "pycsync auth" in err


def test_the_demo_prints_through_the_environment(tmp_path):
    env = {"PYCSYNC_CONFIG_DIR": str(tmp_path / "config")}
    result, out, err = run_injected(env, "demo", "--folder", str(tmp_path / "demo"))
    assert result.exit_code == 0, err
    assert result.output == ""
    assert "That's it. Try next:" in out and "uploaded         Paris/eiffel.jpg" in out
