"""The command line: parse options, build the context, call the library, map errors to exits."""

from __future__ import annotations

import dataclasses
import logging
import os
import sys
import webbrowser
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import Mapping

import click

from pycsync import __version__
from pycsync.app import SafetyAbort, SyncOptions, UsageError, sync
from pycsync.config import ConfigError, NotSignedIn, TokenStore, config_dir, resolve_credentials
from pycsync.flickr import (
    AuthError,
    Credentials,
    Endpoints,
    FlickrClient,
    FlickrError,
    LoopbackReceiver,
    authorize_url,
    get_access_token,
    get_request_token,
    redact,
)
from pycsync.model import Direction, Layout
from pycsync.report import Reporter
from pycsync.state import LockedError, StateError


class ExitStatus(IntEnum):
    OK = 0
    ITEMS_FAILED = 1
    USAGE = 2
    AUTH = 3
    SAFETY_ABORT = 7


@dataclass
class Environment:
    """Everything the CLI touches outside itself, injectable for tests."""

    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    stdout: object = None  # None: the process's stdout at the time of the call
    stderr: object = None
    open_browser: object = webbrowser.open

    def bound(self) -> "Environment":
        return dataclasses.replace(self, stdout=self.stdout or sys.stdout, stderr=self.stderr or sys.stderr)


@dataclass
class Context:
    environment: Environment
    endpoint: str | None
    debug: bool

    @property
    def endpoint_key(self) -> str:
        return self.endpoint or "https://www.flickr.com"

    def store(self) -> TokenStore:
        return TokenStore(config_dir(self.environment.env))

    def client(self, calls_per_hour: int | None = 3000) -> FlickrClient:
        creds = resolve_credentials(self.environment.env, self.store(), self.endpoint_key)
        return FlickrClient(Endpoints.for_base(self.endpoint), creds, calls_per_hour=calls_per_hour)


DEFAULT_RATE_LIMIT = 3000  # Flickr allows 3600 calls an hour per key; keep a margin


def _env_number(env: Mapping[str, str], name: str, default, kind, minimum=0):
    """A number from the environment (PYCSYNC_RATE_LIMIT, PYCSYNC_UNKNOWN_UPLOAD_WAIT)."""
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = kind(raw)
    except ValueError:
        _fail(ExitStatus.USAGE, f"{name} must be a number, not {raw!r}")
    if value < minimum:
        _fail(ExitStatus.USAGE, f"{name} must be at least {minimum}")
    return value


def _fail(status: ExitStatus, message: str) -> None:
    click.echo(f"pycsync: {redact(message)}", err=True)
    sys.exit(int(status))


def _run_guarded(ctx: Context, fn):
    """Map every expected error to one clear line and its exit status (tracebacks with --debug)."""
    try:
        return fn()
    except SafetyAbort as exc:
        _fail(ExitStatus.SAFETY_ABORT, f"safety abort: {exc}")
    except (NotSignedIn, AuthError) as exc:
        if ctx.debug:
            raise
        _fail(ExitStatus.AUTH, f"authentication failed: {exc}")
    except (UsageError, ConfigError, StateError, ValueError) as exc:
        if ctx.debug:
            raise
        _fail(ExitStatus.USAGE, str(exc))
    except LockedError as exc:
        _fail(ExitStatus.ITEMS_FAILED, str(exc))
    except (FlickrError, OSError) as exc:
        if ctx.debug:
            raise
        _fail(ExitStatus.ITEMS_FAILED, f"{type(exc).__name__}: {exc}")


SYNC_EXAMPLES = """
\b
Examples:
  pycsync sync ~/Pictures              two-way sync of a folder
  pycsync sync --dry-run               show what would happen, change nothing
  pycsync sync --push --privacy friends
  pycsync sync --delete --max-delete 10
"""


def sync_options(f):
    options = [
        click.option("-p", "--path", "path_opt", type=click.Path(file_okay=False), help="The folder to sync (same as PATH)."),
        click.option("--push", "direction", flag_value="push", help="Only apply changes from the folder to Flickr."),
        click.option("--pull", "direction", flag_value="pull", help="Only apply changes from Flickr to the folder."),
        click.option("--dry-run", is_flag=True, help="Print the plan; change nothing anywhere."),
        click.option("--delete", is_flag=True, help="Propagate deletions (local ones to Flickr, Flickr's to the trash)."),
        click.option("--max-delete", type=float, default=50.0, show_default=True, help="Refuse --delete above this percentage of a side."),
        click.option("--jobs", "-j", type=click.IntRange(1, 32), default=4, show_default=True, help="Parallel transfers."),
        click.option("--privacy", type=click.Choice(["private", "friends", "family", "friends+family", "public"]), default="private", show_default=True, help="Who may see new uploads."),
        click.option("--layout", type=click.Choice(["nested", "flat"]), default="nested", show_default=True, help="nested: every folder is an album; flat: only top-level folders."),
        click.option("--exclude", multiple=True, metavar="GLOB", help="Skip matching files (gitignore syntax); repeatable."),
        click.option("--full", is_flag=True, help="Re-hash every file instead of trusting size and mtime."),
        click.option("--rebuild-state", is_flag=True, help="Rebuild the sync state from Flickr's content tags."),
        click.option("--json", "json_mode", is_flag=True, help="Print a machine-readable summary."),
        click.option("-q", "--quiet", is_flag=True, help="Only errors and the summary."),
        click.option("-v", "--verbose", is_flag=True, help="Also print album edits."),
        click.option("--rate-limit", "rate_limit", type=click.IntRange(1, None), envvar="PYCSYNC_RATE_LIMIT",
                     default=DEFAULT_RATE_LIMIT, show_default=True, metavar="CALLS_PER_HOUR",
                     help="Most Flickr API calls in any hour, retries included (or PYCSYNC_RATE_LIMIT)."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _do_sync(ctx: Context, path, path_opt, direction, dry_run, delete, max_delete, jobs, privacy,
             layout, exclude, full, rebuild_state, json_mode, quiet, verbose,
             rate_limit: int | None = None) -> None:
    env = ctx.environment
    if rate_limit is None:
        rate_limit = _env_number(env.env, "PYCSYNC_RATE_LIMIT", DEFAULT_RATE_LIMIT, int, minimum=1)
    unknown_wait = _env_number(env.env, "PYCSYNC_UNKNOWN_UPLOAD_WAIT", 60.0, float, minimum=0)
    reporter = Reporter(env.stdout, env.stderr, json_mode=json_mode, quiet=quiet, verbose=verbose)
    root = Path(path_opt or path or os.getcwd())
    options = SyncOptions(
        root=root,
        direction=Direction(direction or "both"),
        dry_run=dry_run,
        delete=delete,
        max_delete=max_delete,
        jobs=jobs,
        privacy=privacy,
        layout=Layout(layout),
        excludes=tuple(exclude),
        full=full,
        rebuild_state=rebuild_state,
        unknown_upload_wait=unknown_wait,
    )

    def run():
        client = ctx.client(rate_limit)
        try:
            result = sync(client, options, notify=reporter.notify)
        finally:
            client.close()
        reporter.sync_result(result, dict(client.stats.calls_by_method))
        return result

    result = _run_guarded(ctx, run)
    if result.outcome is not None and (result.outcome.failed or result.outcome.permanent):
        sys.exit(int(ExitStatus.ITEMS_FAILED))


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--endpoint", envvar="PYCSYNC_ENDPOINT", metavar="URL", help="Root of every Flickr URL (for the bundled emulator). Default: real Flickr.")
@click.option("--debug", is_flag=True, help="Log HTTP traffic (secrets redacted) and show tracebacks.")
@click.option("-a", "auth_flag", is_flag=True, help="Sign in to Flickr (same as `pycsync auth`).")
@click.option("-p", "--path", "path_opt", type=click.Path(file_okay=False), help="Folder to sync when no command is given.")
@click.version_option(__version__, prog_name="pycsync")
@click.pass_context
def main(click_ctx: click.Context, endpoint, debug, auth_flag, path_opt) -> None:
    """Keep a folder tree of photos and videos and a Flickr account in sync, both ways.

    With no command, syncs the current folder (or -p PATH), as the original pycsync did.

    \b
    First steps:
      pycsync demo                         try it offline against the bundled emulator
      pycsync auth --api-key K --api-secret S
      pycsync sync ~/Pictures
    """
    environment = (click_ctx.obj if isinstance(click_ctx.obj, Environment) else Environment()).bound()
    if debug:
        logging.basicConfig(level=logging.DEBUG, stream=environment.stderr)
    click_ctx.obj = Context(environment, endpoint, debug)
    if click_ctx.invoked_subcommand is None:
        if auth_flag:
            click_ctx.invoke(auth_command)
        else:
            _do_sync(click_ctx.obj, None, path_opt, None, False, False, 50.0, 4, "private", "nested",
                     (), False, False, False, False, False)


@main.command("sync", epilog=SYNC_EXAMPLES)
@click.argument("path", required=False, type=click.Path(file_okay=False))
@sync_options
@click.pass_obj
def sync_command(ctx: Context, path, **kwargs) -> None:
    """Two-way sync of PATH (default: the current folder) with Flickr."""
    _do_sync(ctx, path, **kwargs)


@main.command("status", epilog="\b\nExamples:\n  pycsync status\n  pycsync status ~/Pictures --json")
@click.argument("path", required=False, type=click.Path(file_okay=False))
@click.option("--json", "json_mode", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def status_command(ctx: Context, path, json_mode) -> None:
    """What a sync would do, without changing anything."""
    _do_sync(ctx, path, None, None, True, False, 50.0, 1, "private", "nested", (), False, False,
             json_mode, False, False)


@main.command("auth", epilog="\b\nExamples:\n  pycsync auth --api-key 0123... --api-secret abcd...\n  pycsync auth --perms delete --no-browser")
@click.option("--api-key", envvar="FLICKR_API_KEY", help="Your app's key (https://www.flickr.com/services/apps/create/).")
@click.option("--api-secret", envvar="FLICKR_API_SECRET", help="Your app's secret.")
@click.option("--perms", type=click.Choice(["read", "write", "delete"]), default="write", show_default=True, help="delete lets `sync --delete` remove photos.")
@click.option("--no-browser", is_flag=True, help="Print the sign-in URL instead of opening a browser.")
@click.pass_obj
def auth_command(ctx: Context, api_key=None, api_secret=None, perms="write", no_browser=False) -> None:
    """Sign in to Flickr (OAuth) and remember the access token."""
    env = ctx.environment
    store = ctx.store()
    app = store.app(ctx.endpoint_key)
    api_key = api_key or env.env.get("FLICKR_API_KEY") or app.get("api_key")
    api_secret = api_secret or env.env.get("FLICKR_API_SECRET") or app.get("api_secret")
    if not api_key or not api_secret:
        _fail(ExitStatus.USAGE, "an API key and secret are needed: --api-key K --api-secret S")
    endpoints = Endpoints.for_base(ctx.endpoint)

    def run():
        use_browser = not no_browser and _has_display(env.env)
        with LoopbackReceiver() as receiver:
            callback = receiver.callback_url if use_browser else "oob"
            token, token_secret = get_request_token(endpoints, api_key, api_secret, callback=callback)
            url = authorize_url(endpoints, token, perms)
            click.echo(f"Open this page to let pycsync use your Flickr account:\n  {url}", file=env.stdout)
            verifier = None
            if use_browser and env.open_browser(url):
                click.echo("Waiting for you to click 'OK, I'll authorize it' in the browser...", file=env.stdout)
                got = receiver.wait(timeout=300)
                verifier = got[1] if got else None
            if not verifier:
                verifier = click.prompt("Paste the code Flickr shows you", err=True).strip()
        access = get_access_token(endpoints, api_key, api_secret, token, token_secret, verifier)
        client = FlickrClient(endpoints, Credentials(api_key, api_secret, access.token, access.token_secret))
        login = client.test_login()
        store.save(ctx.endpoint_key, api_key, api_secret, {
            "token": access.token, "token_secret": access.token_secret,
            "user_nsid": login.user_nsid, "username": login.username, "perms": perms,
        })
        click.echo(f"Signed in as {login.username} ({login.user_nsid}) with {perms} permission.", file=env.stdout)

    _run_guarded(ctx, run)


def _has_display(env: Mapping[str, str]) -> bool:
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def _register_optional_commands() -> None:
    from pycsync.emulator.cli import emulator_command
    from pycsync.demo import demo_command

    main.add_command(emulator_command, "emulator")
    main.add_command(demo_command, "demo")


_register_optional_commands()
