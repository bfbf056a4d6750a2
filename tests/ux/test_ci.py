"""CI never loses the browser sign-in test silently: with CI=true, `.ci/browser` fails when it
cannot install Chromium, and the test fails rather than skips when Chromium is missing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / ".ci" / "browser"


def _bin_with(tmp_path: Path, **fakes: str) -> Path:
    """A PATH holding only the tools the script needs, plus ``fakes`` (name -> shell body)."""
    path = tmp_path / "bin"
    path.mkdir()
    for tool in ("id", "mktemp", "tail", "rm", "head"):
        (path / tool).symlink_to(shutil.which(tool))
    for name, body in fakes.items():
        (path / name).write_text(f"#!/bin/sh\n{body}\n")
        (path / name).chmod(0o755)
    return path


def _run_script(path: Path, ci: str | None) -> subprocess.CompletedProcess:
    env = {"PATH": str(path)}
    if ci is not None:
        env["CI"] = ci
    bash = shutil.which("bash")
    return subprocess.run([bash, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("ci", ["true", "1"])
def test_the_script_fails_in_ci_when_it_cannot_install_chromium(tmp_path, ci):
    done = _run_script(_bin_with(tmp_path), ci)  # no chromium, no apt-get
    assert done.returncode == 1, done
    assert "apt-get not found" in done.stderr and "CI=true needs Chromium" in done.stderr


def test_the_script_fails_in_ci_when_apt_get_fails(tmp_path):
    bin_ = _bin_with(tmp_path, **{"apt-get": "echo 'E: Unable to locate package chromium' >&2; exit 100"})
    if os.geteuid() != 0:  # (as root the script runs apt-get itself; else it needs sudo)
        (bin_ / "sudo").write_text('#!/bin/sh\n[ "$1" = -n ] && shift; exec "$@"\n')
        (bin_ / "sudo").chmod(0o755)
    done = _run_script(bin_, "true")
    assert done.returncode == 1, done
    assert "Unable to locate package chromium" in done.stderr and "could not install chromium" in done.stderr


def test_outside_ci_a_missing_browser_is_a_warning(tmp_path):
    done = _run_script(_bin_with(tmp_path), None)
    assert done.returncode == 0, done
    assert "warning: apt-get not found" in done.stderr and "will skip" in done.stderr


def test_an_installed_chromium_is_enough(tmp_path):
    done = _run_script(_bin_with(tmp_path, chromium="exit 0"), "true")
    assert (done.returncode, done.stderr) == (0, "")


def test_the_sign_in_test_fails_in_ci_without_chromium():
    env = {**os.environ, "CI": "true", "PATH": ""}  # (find_chromium looks on PATH)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/ux/test_browser_auth.py"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stdout
    assert "1 error" in done.stdout and "must run in CI" in done.stdout


def test_the_sign_in_test_skips_without_chromium_outside_ci():
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PATH"] = ""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/ux/test_browser_auth.py"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout
    assert "1 skipped" in done.stdout
