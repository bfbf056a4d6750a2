"""Packaging: a wheel builds from a clean copy of the sources, carries the demo data and the
`pycsync` command, pins its few runtime dependencies by range, and runs once installed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

from pycsync import __version__

REPO = Path(__file__).resolve().parents[2]
# urllib3 comes with requests; it is named for the lower bound the bounded downloads need
RUNTIME = {"requests", "urllib3", "requests-toolbelt", "oauthlib", "click", "rich", "platformdirs", "werkzeug"}
RUNTIME |= {"exiv2"}  # the emulator reads uploads' metadata with it
RUNTIME |= {"mutagen"}  # ... and measures uploaded videos' length with it
RUNTIME |= {"pathspec"}  # the selection rules (gitignore patterns)
RUNTIME |= {"watchfiles"}  # `pycsync watch`: filesystem events
RUNTIME |= {"tomlkit"}  # an album's title and description written into a .pycsync.toml

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """`pip wheel . --no-deps` on a copy of what a release ships (the work tree stays untouched)."""
    work = tmp_path_factory.mktemp("package")
    source = work / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "CHANGELOG.md", "LICENSE"):
        if (REPO / name).exists():
            shutil.copy2(REPO / name, source / name)
    shutil.copytree(REPO / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"))
    out = work / "dist"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--quiet", "-w", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    [built] = out.glob("pycsync-*.whl")
    return built


def test_the_wheel_holds_the_package_the_demo_data_and_the_command(wheel):
    assert wheel.name == f"pycsync-{__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        info = f"pycsync-{__version__}.dist-info"
        entry_points = zf.read(f"{info}/entry_points.txt").decode()
        metadata = Parser().parsestr(zf.read(f"{info}/METADATA").decode())
    for module in ("cli", "app", "report", "config", "demo", "emulator/server", "flickr/client"):
        assert f"pycsync/{module}.py" in names
    assert "pycsync/py.typed" in names
    assert "pycsync/demo_data/library/Paris/eiffel.jpg" in names
    assert "pycsync/demo_data/library/2019/Alps/glacier.png" in names
    assert "pycsync/demo_data/uploaded-on-flickr/IMG_2041.jpg" in names
    assert not any(n.startswith("tests/") for n in names)
    assert "pycsync = pycsync.__main__:run" in entry_points
    assert metadata["Requires-Python"] == ">=3.11"
    runtime = [r for r in metadata.get_all("Requires-Dist") if "extra ==" not in r]
    names_only = {r.split(">")[0].split("<")[0].split("=")[0].split("[")[0].strip().lower() for r in runtime}
    assert names_only == RUNTIME, runtime
    for requirement in runtime:
        assert ">=" in requirement and "<" in requirement, f"{requirement} is not pinned by a range"


def test_the_installed_wheel_runs(wheel, tmp_path):
    target = tmp_path / "site"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(target), str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    env = {**os.environ, "PYTHONPATH": str(target)}
    script = target / "bin" / "pycsync"
    version = subprocess.run([str(script), "--version"], capture_output=True, text=True, env=env, timeout=60)
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"pycsync, version {__version__}"
    where = subprocess.run(
        [sys.executable, "-c", "import pycsync; print(pycsync.__file__)"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert where.stdout.strip().startswith(str(target)), "the installed copy, not the work tree, was tested"
    helped = subprocess.run([str(script), "--help"], capture_output=True, text=True, env=env, timeout=60)
    assert helped.returncode == 0 and "demo" in helped.stdout
    demo = subprocess.run(
        [str(script), "demo", "--folder", str(tmp_path / "demo")], capture_output=True, text=True, env=env, timeout=120
    )
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert (tmp_path / "demo" / "Paris" / "IMG_2041.jpg").is_file(), "the demo data shipped in the wheel"
