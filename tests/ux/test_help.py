"""Every command is listed and explains itself with examples; --version; shell completion."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from pycsync import __version__
from pycsync.cli import main
from pycsync.errors import EXIT_STATUS_HELP
from tests.support.cli import COMMANDS


def run(*args: str, **kwargs):
    return CliRunner().invoke(main, list(args), prog_name="pycsync", **kwargs)


def test_help_lists_every_command():
    result = run("--help")
    assert result.exit_code == 0
    listed = result.output.split("Commands:")[1]
    for command in COMMANDS:
        assert f"\n  {command} " in listed, f"{command} is missing from --help"
    assert "pycsync demo" in result.output and "Exit status" in result.output


def test_help_lists_every_exit_status():
    listed = run("--help").output.split("Exit status:")[1].split("Options:")[0]
    for status, text in EXIT_STATUS_HELP.items():
        assert f"  {int(status):<4} {text}" in listed, status


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_examples(command):
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.output
    assert f"pycsync {command}" in result.output.split("Examples:")[1]


def test_short_help_flag_works_too():
    assert run("sync", "-h").exit_code == 0


def test_version():
    for flag in ("--version", "-V"):
        result = run(flag)
        assert result.exit_code == 0
        assert result.output.strip() == f"pycsync, version {__version__}"


def test_unknown_command_or_option_is_a_usage_error():
    assert run("synk").exit_code == 2
    assert run("sync", "--frobnicate").exit_code == 2


def test_bash_completion_script():
    result = run(env={"_PYCSYNC_COMPLETE": "bash_source"})
    assert result.exit_code == 0
    assert "_pycsync_completion" in result.output and "complete -o nosort -F" in result.output


def test_completion_offers_the_commands():
    result = run(env={"_PYCSYNC_COMPLETE": "bash_complete", "COMP_WORDS": "pycsync st", "COMP_CWORD": "1"})
    assert result.exit_code == 0
    assert "plain,status" in result.output.split()
