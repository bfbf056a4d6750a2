"""Bad options of `pycsync demo` and `pycsync emulator` are clear errors naming the option
(exit status 2; 1 when the port is simply taken), never a traceback."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from pycsync.cli import Environment, main


def invoke(*args: str, tmp_path: Path):
    env = {"PYCSYNC_CONFIG_DIR": str(tmp_path / "config")}
    return CliRunner().invoke(main, list(args), env=env, obj=Environment(env=env))


def _under_a_file(tmp_path: Path) -> str:
    (tmp_path / "a-file").write_bytes(b"x")
    return str(tmp_path / "a-file" / "demo")


def _not_empty(tmp_path: Path) -> str:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x.jpg").write_bytes(b"x")
    return str(tmp_path / "full")


def _a_file(tmp_path: Path) -> str:
    (tmp_path / "a-file").write_bytes(b"x")
    return str(tmp_path / "a-file")


def _unwritable_parent(tmp_path: Path) -> str:
    return "/proc/pycsync-demo"  # /proc takes no new folders, for root either


@pytest.mark.parametrize(
    ("where", "said"),
    [
        (_under_a_file, "cannot create"),
        (_unwritable_parent, "cannot create"),
        (_not_empty, "is not empty"),
        (_a_file, "is a file"),
    ],
    ids=["under-a-file", "unwritable", "not-empty", "a-file"],
)
def test_demo_with_a_folder_it_cannot_use(tmp_path, where, said):
    folder = where(tmp_path)
    result = invoke("demo", "--folder", folder, tmp_path=tmp_path)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), "no traceback"
    assert "--folder" in result.stderr and said in result.stderr, result.stderr
    assert "Traceback" not in result.output


def _busy_port(tmp_path: Path, holder: list) -> list[str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    holder.append(sock)
    return ["--port", str(sock.getsockname()[1])]


def _rules(text: str):
    def make(tmp_path: Path, holder: list) -> list[str]:
        (tmp_path / "faults.json").write_text(text)
        return ["--port", "0", "--faults", str(tmp_path / "faults.json")]

    return make


@pytest.mark.parametrize(
    ("options", "status", "said"),
    [
        (lambda t, h: ["--port", "-1"], 2, "--port"),
        (lambda t, h: ["--port", "65536"], 2, "--port"),
        (lambda t, h: ["--port", "eighty"], 2, "--port"),
        (lambda t, h: ["--port", "0", "--latency-ms", "-5"], 2, "--latency-ms"),
        (lambda t, h: ["--port", "0", "--host", "no-such-host.invalid"], 2, "--host"),
        (_rules("{not json"), 2, "--faults"),
        (_rules('[{"match": "upload", "action": {}}]'), 2, "--faults"),
        (_rules('[{"rate_limit": {"calls": 0, "seconds": 1}}]'), 2, "--faults"),
        (lambda t, h: ["--port", "0", "--data", _a_file(t)], 2, "--data"),
        (lambda t, h: ["--port", "0", "--data", _under_a_file(t)], 2, "--data"),
        (_busy_port, 1, "cannot listen"),
    ],
    ids=[
        "port-negative",
        "port-too-big",
        "port-not-a-number",
        "latency-negative",
        "host-unknown",
        "faults-not-json",
        "faults-no-action",
        "faults-bad-rate-limit",
        "data-a-file",
        "data-under-a-file",
        "port-in-use",
    ],
)
def test_emulator_with_a_bad_option(tmp_path, options, status, said):
    holder: list = []
    try:
        result = invoke("emulator", *options(tmp_path, holder), tmp_path=tmp_path)
    finally:
        for sock in holder:
            sock.close()
    assert result.exit_code == status, result.output
    assert isinstance(result.exception, SystemExit), "no traceback"
    assert said in result.stderr, result.stderr
    assert "Traceback" not in result.output
