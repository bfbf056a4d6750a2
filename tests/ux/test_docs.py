"""The README stays true to the program: set-up commands, commands, settings, JSON keys."""

from __future__ import annotations

import re
from pathlib import Path

from pycsync import __version__
from pycsync.config import SETTINGS
from pycsync.errors import ERROR_KINDS, EXIT_STATUS_HELP
from pycsync.report import STATUS_CATEGORIES
from tests.support.cli import COMMANDS

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text()


def test_the_first_code_block_is_the_two_set_up_commands():
    first = re.search(r"```\w*\n(.*?)```", README, re.S).group(1)
    assert first.splitlines() == [
        "python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[test]' && pycsync demo",
        "python -m pytest -q",
    ]


def test_every_command_is_in_the_commands_table():
    table = README[README.index("## Commands") :]
    for command in COMMANDS:
        assert f"| `pycsync {command}" in table, command


def test_every_setting_and_status_key_is_documented():
    config = README[README.index("## Configuration") :]
    for name in SETTINGS:
        assert f"| `{name}` |" in config and f"\n{name} = " in config, name
    status = README[README.index("### `pycsync status`") : README.index("## Configuration")]
    for key in STATUS_CATEGORIES:
        assert f"| `{key}` |" in status and f'"{key}"' in status, key


def test_completion_and_faq_are_there():
    assert "_PYCSYNC_COMPLETE=bash_source pycsync" in README
    faq = README[README.index("## FAQ") :]
    for topic in ("rate limit", "large", "old pycsync"):
        assert topic in faq


def test_the_changelog_names_this_version():
    assert f"## {__version__}" in (REPO / "CHANGELOG.md").read_text()


def test_every_exit_status_is_documented_as_the_code_names_it():
    section = README[README.index("## Exit status") : README.index("## FAQ")]
    for status, text in EXIT_STATUS_HELP.items():
        assert f"| {int(status)} | {text} |" in section, status
    for kind in ERROR_KINDS.values():
        assert f"`{kind}`" in README, kind


def test_the_sign_in_instructions_never_put_the_secret_on_the_command_line():
    steps = README[README.index("## Using it with your Flickr account") : README.index("## Commands")]
    commands = re.findall(r"```sh\n(.*?)```", steps, re.S)
    assert commands[0].strip() == "pycsync auth --api-key YOUR_KEY"
    assert not any("--api-secret " in c for c in re.findall(r"```\w*\n(.*?)```", README, re.S))
    assert "FLICKR_API_SECRET" in steps and "--api-secret-file" in steps


def test_the_architecture_map_names_every_module_of_the_engine():
    """docs/architecture.md stays true: a module added to (or gone from) the engine shows there."""
    text = (REPO / "docs" / "architecture.md").read_text()
    table = text[text.index("## Module map") :]
    package = REPO / "src" / "pycsync"
    modules = {p.name for p in package.glob("*.py") if not p.name.startswith("_")}
    modules |= {f"state/{p.name}" for p in (package / "state").glob("*.py") if not p.name.startswith("_")}
    for name in sorted(modules):
        assert f"`{name}`" in table, name
    first_cells = "".join(row.split("|")[1] for row in table.splitlines()[4:] if row.startswith("|"))
    for named in re.findall(r"`((?:state/)?\w+\.py)`", first_cells):
        assert named in modules, f"{named} is in the map but not in src/pycsync"
