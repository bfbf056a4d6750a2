"""The command line: parse options, call the library, map errors to exit statuses.

Everything the commands print goes through the injected :class:`Environment`, and every exit
leaves through :meth:`PycsyncGroup.main`, the one place where errors become an
:class:`~pycsync.errors.ExitStatus` (with ``--json``, an error document too).
"""

from __future__ import annotations

import contextlib
import dataclasses
import getpass
import json
import logging
import os
import signal
import sys
import threading
import time
import traceback
import unicodedata
import webbrowser
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any, TextIO

import click

from pycsync import __version__
from pycsync.app import SyncOptions, sync
from pycsync.config import (
    LAYOUT_CHOICES,
    PRIVACY_CHOICES,
    SETTINGS,
    EffectiveConfig,
    TokenStore,
    config_dir,
    describe,
    effective_config,
    jobs_number,
    resolve_credentials,
    unknown_upload_wait,
)
from pycsync.errors import EXIT_STATUS_HELP, ExitStatus, PycsyncError, UsageError, as_error
from pycsync.flickr import Credentials, Endpoints, FlickrClient, SignInPrompts, redact, sign_in
from pycsync.flickr.endpoints import is_loopback
from pycsync.flickr.ratelimit import RateLimiter
from pycsync.folder_settings import FolderSettings, describe_folder, find_root
from pycsync.model import Direction, Layout
from pycsync.report import (
    Reporter,
    error_document,
    render_config,
    render_status,
    render_verify,
    run_warnings,
    status_report,
)
from pycsync.verify import VerifyOptions, verify
from pycsync.watch import (
    RunReport,
    ScanEvents,
    SyncRunner,
    Watch,
    WatchSettings,
    folder_events,
    launchd_plist,
    run_document,
    service_name,
    session_lock,
    systemd_unit,
)

DEFAULT_ENDPOINT = "https://www.flickr.com"


@dataclass
class Environment:
    """Everything the CLI touches outside itself, injectable for tests."""

    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    stdout: Any = None  # None: the process's stdout at the time of the call
    stderr: Any = None
    stdin: Any = None
    open_browser: Callable[[str], bool] = webbrowser.open
    has_display: bool | None = None  # None: guess from the platform and DISPLAY/WAYLAND_DISPLAY

    def bound(self) -> Environment:
        return dataclasses.replace(
            self,
            stdout=self.stdout or sys.stdout,
            stderr=self.stderr or sys.stderr,
            stdin=self.stdin or sys.stdin,
        )

    def ask(self, question: str, hidden: bool = False) -> str | None:
        """One line typed in answer (None at the end of input). Hidden answers are not echoed
        on a terminal; piped in, they are read like any other line."""
        if hidden and _isatty(self.stdin):
            return getpass.getpass(question, stream=self.stderr)
        self.stderr.write(question)
        self.stderr.flush()
        line = self.stdin.readline()
        return line.rstrip("\r\n") if line else None


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


@dataclass
class Context:
    """One invocation: its environment, the global options, and what has been printed."""

    environment: Environment
    endpoint: str | None = None
    debug: bool = False
    json_mode: bool = False  # a --json document is owed on stdout
    json_printed: bool = False
    json_lines: bool = False  # documents on one line each (watch: one per run)

    @property
    def endpoint_key(self) -> str:
        return self.endpoint or DEFAULT_ENDPOINT

    def store(self) -> TokenStore:
        return TokenStore(config_dir(self.environment.env))

    def client(
        self,
        calls_per_hour: int | None = 3000,
        limiter: RateLimiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> FlickrClient:
        """A client signed in as the environment or the saved sign-in says; ``limiter``: one
        shared with other clients (a watch's runs) instead of one of ``calls_per_hour``, and
        ``sleep``: how those clients wait between retries."""
        creds = resolve_credentials(self.environment.env, self.store(), self.endpoint_key)
        _LOG_SECRETS.update(v for v in creds.secret_values() if v)
        endpoints = Endpoints.for_base(self.endpoint)
        if limiter is None:
            return FlickrClient(endpoints, creds, calls_per_hour=calls_per_hour)
        return FlickrClient(endpoints, creds, calls_per_hour=calls_per_hour, limiter=limiter, sleep=sleep)

    def echo(self, text: str = "", err: bool = False) -> None:
        click.echo(text, file=self.environment.stderr if err else self.environment.stdout)

    def warn(self, text: str) -> None:
        self.echo(f"warning: {text}", err=True)

    def print_json(self, document: dict) -> None:
        self.echo(json.dumps(document, indent=None if self.json_lines else 2))
        if self.json_lines:
            self.environment.stdout.flush()
        self.json_printed = True

    def report(self, error: PycsyncError) -> ExitStatus:
        """Say why the command ended (one line on stderr; with --json, the error document
        unless a document was printed already) and give its exit status."""
        self.echo(f"pycsync: {redact(str(error), _LOG_SECRETS)}", err=True)
        if self.json_mode and not self.json_printed:
            self.print_json(error_document(error))
        return error.exit_status

    def fail(self, exc: BaseException) -> int:
        """The exit status of an exception that ended the command, after telling the user."""
        if isinstance(exc, click.exceptions.Exit):
            return exc.exit_code
        if isinstance(exc, click.ClickException):
            exc.show(file=self.environment.stderr)
            if self.json_mode and not self.json_printed:
                kind = UsageError if exc.exit_code == ExitStatus.USAGE else PycsyncError
                self.print_json(error_document(kind(exc.format_message())))
            return exc.exit_code
        if isinstance(exc, click.Abort):  # click's word for Ctrl-C while it parses
            exc = KeyboardInterrupt()
        if self.debug and not isinstance(exc, KeyboardInterrupt):
            self.echo(redact("".join(traceback.format_exception(exc)), _LOG_SECRETS).rstrip(), err=True)
        return self.report(as_error(exc, self.endpoint_key))


_LOG_SECRETS: set[str] = set()  # credential values known to this process: never logged


class _RedactingFilter(logging.Filter):
    """--debug logs every library's records; each passes through redact() on its way out."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken record: show its template only
            message = str(record.msg)
        record.msg, record.args = redact(message, _LOG_SECRETS), ()
        return True


def _debug_logging(stream: TextIO, env: Mapping[str, str]) -> None:
    _LOG_SECRETS.update(v for k, v in env.items() if k.startswith("FLICKR_") and v)
    handler = logging.StreamHandler(stream)
    handler.addFilter(_RedactingFilter())
    handler.setFormatter(logging.Formatter("%(levelname)s:%(name)s:%(message)s"))
    root = logging.getLogger()
    for old in [h for h in root.handlers if any(isinstance(f, _RedactingFilter) for f in h.filters)]:
        root.removeHandler(old)  # an earlier in-process run's
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    # oauthlib logs signature base strings, keys and tokens at DEBUG by design
    for name in ("oauthlib", "requests_oauthlib"):
        logging.getLogger(name).setLevel(logging.INFO)


class PycsyncGroup(click.Group):
    """The `pycsync` command group; its :meth:`main` is where every command ends."""

    def main(  # type: ignore[override]
        self,
        args: list[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        given = extra.pop("obj", None)
        environment = (given if isinstance(given, Environment) else Environment()).bound()
        argv = list(sys.argv[1:] if args is None else args)
        ctx = Context(environment, json_mode=_wants_json(argv))
        # what click itself prints (--help, --version) and any library's stray output go to the
        # environment's streams too (they are the process's own unless injected)
        with (
            contextlib.redirect_stdout(environment.stdout),
            contextlib.redirect_stderr(environment.stderr),
        ):
            try:
                status = super().main(argv, prog_name, complete_var, standalone_mode=False, obj=ctx, **extra)
            except (Exception, KeyboardInterrupt) as exc:
                status = ctx.fail(exc)
        status = int(status or 0)
        if not standalone_mode:
            return status
        sys.exit(status)


def _wants_json(argv: list[str]) -> bool:
    """Whether the command line asks for --json (known before it is parsed, for usage errors)."""
    return "--json" in (argv[: argv.index("--")] if "--" in argv else argv)


# ---------------------------------------------------------------------- options


class FolderPath(click.ParamType):
    """A folder argument, checked before anything else happens: never empty (an unset variable
    in a cron line must not mean "here"), and, with ``exists``, an existing folder."""

    name = "folder"

    def __init__(self, exists: bool = True) -> None:
        self.exists = exists

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        text = os.fspath(value)
        if not text.strip():
            self.fail("is empty (an unset variable?): give a folder, or leave it out for the current one", param, ctx)
        path = Path(text).expanduser()
        if path.is_dir() or (not self.exists and not path.exists()):
            return text
        why = "it is a file" if path.exists() else "it does not exist"
        self.fail(f"{text} is not a folder ({why})", param, ctx)

    def shell_complete(self, ctx: click.Context, param: click.Parameter, incomplete: str) -> list:
        return [click.shell_completion.CompletionItem(incomplete, type="dir")]


class Jobs(click.ParamType):
    """--jobs: 1 to 32 transfers at once, or auto."""

    name = "1-32|auto"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value == "auto" or isinstance(value, int):
            return value
        try:
            number = int(value)
        except ValueError:
            self.fail(f"{value!r} is not a number of jobs (1 to 32) nor auto", param, ctx)
        if not 1 <= number <= 32:
            self.fail(f"{number} is not between 1 and 32 (or auto)", param, ctx)
        return number


JOBS = Jobs()


metadata_option = click.option(
    "--metadata/--no-metadata",
    "metadata",
    default=None,
    help="Sync titles, descriptions, tags, dates taken and places both ways, through XMP sidecars "
    "(default); --no-metadata syncs pixels only.",
)


def settings_options(f):
    """The settings a config.toml can also hold; None means "not given" (the files decide)."""
    options = [
        click.option(
            "--privacy",
            type=click.Choice(PRIVACY_CHOICES),
            default=None,
            help="Who may see new uploads (default: private).",
        ),
        click.option(
            "--layout",
            type=click.Choice(LAYOUT_CHOICES),
            default=None,
            help="nested (default): every folder is an album; flat: only top-level folders.",
        ),
        click.option(
            "--jobs",
            "-j",
            type=JOBS,
            default=None,
            help="Parallel transfers, 1-32, or auto: as many as raise the measured throughput (default: 8).",
        ),
        click.option(
            "--exclude",
            multiple=True,
            metavar="GLOB",
            help="Skip matching files (gitignore syntax); repeatable, adds to the config files'.",
        ),
        click.option(
            "--delete/--no-delete",
            "delete",
            default=None,
            help="Propagate deletions (local ones to Flickr, Flickr's to .pycsync/trash/). Off by default.",
        ),
        click.option(
            "--max-delete",
            type=float,
            default=None,
            metavar="PCT",
            help="Refuse --delete above this percentage of a side (default: 50).",
        ),
        click.option(
            "--rate-limit",
            type=click.IntRange(0),
            default=None,
            metavar="N",
            envvar="PYCSYNC_RATE_LIMIT",
            help="At most N Flickr API calls per hour, retries included (default: 3000; 0: no "
            "limit; or PYCSYNC_RATE_LIMIT).",
        ),
        metadata_option,
    ]
    for option in reversed(options):
        f = option(f)
    return f


def direction_options(f):
    f = click.option("--pull", is_flag=True, help="Only apply changes from Flickr to the folder.")(f)
    return click.option("--push", is_flag=True, help="Only apply changes from the folder to Flickr.")(f)


def _direction(push: bool, pull: bool) -> Direction:
    if push and pull:
        raise UsageError("--push and --pull cannot be combined: leave both out for a two-way sync")
    return Direction.PUSH if push else Direction.PULL if pull else Direction.BOTH


def sync_options(f):
    options = [
        click.option("-p", "--path", "path_opt", type=FolderPath(), help="The folder to sync (same as PATH)."),
        direction_options,
        click.option("--dry-run", is_flag=True, help="Print the plan; change nothing anywhere."),
        settings_options,
        click.option(
            "--full",
            is_flag=True,
            help="Re-hash every file instead of trusting size and mtime, and list all of Flickr instead of "
            "what changed.",
        ),
        click.option("--rebuild-state", is_flag=True, help="Rebuild the sync state from Flickr's content tags."),
        click.option(
            "--json",
            "json_mode",
            is_flag=True,
            help="Print one machine-readable summary (JSON) and nothing else on stdout, also when the run "
            "fails (then with an error member).",
        ),
        click.option("-q", "--quiet", is_flag=True, help="Only errors and the one-line summary."),
        click.option(
            "-v", "--verbose", is_flag=True, help="Also print album edits, every album and the API calls by method."
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _settings(ctx: Context, root: Path | None, given: Mapping[str, object]) -> EffectiveConfig:
    flags = {name: given.get(name) for name in SETTINGS}
    sources = {}
    click_ctx = click.get_current_context(silent=True)
    if click_ctx is not None:  # a flag's value read from an environment variable says which
        params = {p.name: p for p in click_ctx.command.params}
        for name in flags:
            param = params.get(name)
            if param is not None and click_ctx.get_parameter_source(name) is click.core.ParameterSource.ENVIRONMENT:
                sources[name] = f"environment ({param.envvar})"
    return effective_config(ctx.environment.env, root, flags, sources)


def _sync_options(root: Path, cfg: EffectiveConfig, **extra) -> SyncOptions:
    return SyncOptions(
        root=root,
        delete=cfg["delete"],
        max_delete=cfg["max_delete"],
        jobs=jobs_number(cfg["jobs"]),
        privacy=cfg["privacy"],
        layout=Layout(cfg["layout"]),
        excludes=tuple(cfg["exclude"]),
        privacy_widening=cfg.widening("privacy"),
        privacy_yours=cfg.yours("privacy"),
        metadata=cfg["metadata"],
        **extra,
    )


def _do_sync(
    ctx: Context,
    path: str | None = None,
    path_opt: str | None = None,
    push: bool = False,
    pull: bool = False,
    dry_run: bool = False,
    full: bool = False,
    rebuild_state: bool = False,
    json_mode: bool = False,
    quiet: bool = False,
    verbose: bool = False,
    **settings: Any,
) -> ExitStatus:
    env = ctx.environment
    ctx.json_mode = json_mode
    root = Path(path_opt or path or os.getcwd())
    # everything on the command line is checked before credentials are looked at
    cfg = _settings(ctx, root, settings)
    options = _sync_options(
        root,
        cfg,
        direction=_direction(push, pull),
        dry_run=dry_run,
        full=full,
        rebuild_state=rebuild_state,
        unknown_upload_wait=unknown_upload_wait(env.env),
    )
    client = ctx.client(calls_per_hour=cfg["rate_limit"] or None)
    reporter = Reporter(
        env.stdout, env.stderr, json_mode=json_mode, quiet=quiet, verbose=verbose, budget_wait=client.seconds_to_reach
    )
    try:
        with reporter:
            result = sync(client, options, notify=reporter.notify)
    finally:
        client.close()
    reporter.sync_result(result, dict(client.stats.calls_by_method))
    ctx.json_printed = json_mode
    if result.error is not None:
        return ctx.report(result.error)
    if result.outcome is not None and (result.outcome.failed or result.outcome.permanent or result.outcome.not_sent):
        return ExitStatus.ERROR
    return ExitStatus.OK


# ---------------------------------------------------------------------- commands

MAIN_HELP = (
    """Keep a folder tree of photos and videos and a Flickr account in sync, both ways.

Folders are albums, files are photos. With no command, syncs the current folder (or -p PATH),
as the original pycsync did; `pycsync -a` signs in.

\b
First steps:
  pycsync demo                             try it offline against the bundled emulator
  pycsync auth --api-key KEY               sign in (asks for the secret)
  pycsync status ~/Pictures                what a sync would do
  pycsync sync ~/Pictures

\b
Exit status:
"""
    + "\n".join(f"  {int(status):<4} {text}" for status, text in EXIT_STATUS_HELP.items())
    + "\n"
)


@click.group(
    cls=PycsyncGroup,
    invoke_without_command=True,
    help=MAIN_HELP,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "--endpoint",
    envvar="PYCSYNC_ENDPOINT",
    metavar="URL",
    help="Root of every Flickr URL (for the bundled emulator). Default: real Flickr.",
)
@click.option(
    "--allow-plain-http",
    is_flag=True,
    help="Allow an http:// endpoint that is not this computer (127.0.0.1, ::1, localhost); anyone on the "
    "network could read and change the traffic.",
)
@click.option("--debug", is_flag=True, help="Log HTTP traffic (secrets redacted) and show tracebacks.")
@click.option("-a", "auth_flag", is_flag=True, help="Sign in to Flickr (same as `pycsync auth`).")
@click.option("-p", "--path", "path_opt", type=FolderPath(), help="Folder to sync when no command is given.")
@click.version_option(__version__, "-V", "--version", prog_name="pycsync")
@click.pass_context
def main(click_ctx: click.Context, endpoint, allow_plain_http, debug, auth_flag, path_opt) -> Any:
    ctx = click_ctx.find_object(Context)
    if ctx is None:  # invoked without PycsyncGroup.main (click's own machinery)
        ctx = click_ctx.obj = Context(Environment().bound())
    ctx.debug = debug
    if debug:
        _debug_logging(ctx.environment.stderr, ctx.environment.env)
    ctx.endpoint = _endpoint(ctx, endpoint, allow_plain_http)
    if click_ctx.invoked_subcommand is None:
        if auth_flag:
            return click_ctx.invoke(auth_command)
        return _do_sync(ctx, path_opt=path_opt)
    return None


def _endpoint(ctx: Context, value: str | None, allow_plain_http: bool) -> str | None:
    """The --endpoint URL, refusing plain HTTP to anything but this computer unless allowed."""
    if not value or not value.strip():
        return None
    value = value.strip().rstrip("/")
    try:
        Endpoints.for_base(value)
    except ValueError:
        raise UsageError(f"--endpoint must be an http:// or https:// URL, not {value!r}") from None
    if value.lower().startswith("http://") and not is_loopback(value):
        if not allow_plain_http:
            raise UsageError(
                f"refusing plain HTTP to {value}: anyone on the network could read the access token and "
                "change what is synced. Use https://, or add --allow-plain-http to accept that"
            )
        ctx.warn(
            f"talking to {value} over plain HTTP (--allow-plain-http): anyone on the network can read "
            "the access token and change what is synced"
        )
    return value


SYNC_EXAMPLES = """
\b
Examples:
  pycsync sync ~/Pictures                  two-way sync of a folder
  pycsync sync --dry-run                   show what would happen, change nothing
  pycsync sync --push --privacy friends    upload only; new photos visible to friends
  pycsync sync --delete --max-delete 10    also propagate deletions, at most 10% of a side
  pycsync sync --json | jq .uploaded       a summary for scripts

Settings not given as flags come from PATH/.pycsync/config.toml, then from the user
config.toml (see `pycsync config`).
"""


@main.command("sync", epilog=SYNC_EXAMPLES)
@click.argument("path", required=False, type=FolderPath())
@sync_options
@click.pass_obj
def sync_command(ctx: Context, path, **kwargs) -> ExitStatus:
    """Two-way sync of PATH (default: the current folder) with Flickr.

    Uploads what is new in the folder, downloads what is new on Flickr, replaces edited photos
    in place and keeps both versions of a conflict.
    """
    return _do_sync(ctx, path, **kwargs)


STATUS_EXAMPLES = """
\b
Examples:
  pycsync status                           the current folder
  pycsync status ~/Pictures -v             list every file, not just the first few
  pycsync status --delete                  also show what `sync --delete` would delete
  pycsync status --json | jq .in_sync      for scripts (the shape is in the README)
"""


@main.command("status", epilog=STATUS_EXAMPLES)
@click.argument("path", required=False, type=FolderPath())
@direction_options
@click.option(
    "--layout",
    type=click.Choice(LAYOUT_CHOICES),
    default=None,
    help="nested (default): every folder is an album; flat: only top-level folders.",
)
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip matching files (gitignore syntax); repeatable.")
@click.option("--delete/--no-delete", "delete", default=None, help="Show what a sync with --delete would delete.")
@click.option("--max-delete", type=float, default=None, metavar="PCT", help="As for sync --delete.")
@metadata_option
@click.option("--json", "json_mode", is_flag=True, help="Machine-readable output (a stable, documented shape).")
@click.option("-v", "--verbose", is_flag=True, help="List every file in each category.")
@click.pass_obj
def status_command(ctx: Context, path, push, pull, json_mode, verbose, **settings) -> ExitStatus:
    """What a sync of PATH would do, per album, changing nothing.

    Shows what is only in the folder, only on Flickr, changed on either side, moved, in
    conflict, or about to be deleted. Always exits 0 when it could look (use `in_sync` in
    --json to test for differences).
    """
    ctx.json_mode = json_mode
    root = Path(path or os.getcwd())
    cfg = _settings(ctx, root, settings)
    options = _sync_options(root, cfg, direction=_direction(push, pull), dry_run=True)
    client = ctx.client(calls_per_hour=cfg["rate_limit"] or None)
    try:
        result = sync(client, options)
    finally:
        client.close()
    for message in run_warnings(result):  # (e.g. a damaged state: what a sync would do about it)
        ctx.warn(message)
    report = status_report(result, str(root.resolve()), direction=options.direction.value, delete=options.delete)
    if json_mode:
        ctx.print_json(report)
    else:
        ctx.echo(render_status(report, verbose=verbose))
    return ExitStatus.OK


VERIFY_EXAMPLES = """
\b
Examples:
  pycsync verify ~/Pictures                every file has its photo, every photo its file
  pycsync verify --deep                    download and hash every original (slow, thorough)
  pycsync verify --json | jq .ok           for scripts
"""


@main.command("verify", epilog=VERIFY_EXAMPLES)
@click.argument("path", required=False, type=FolderPath())
@click.option(
    "--deep",
    is_flag=True,
    help="Download every original and hash it, instead of trusting pycsync's content tags.",
)
@click.option("--jobs", "-j", type=JOBS, default=None, help="Parallel downloads with --deep (auto: 8).")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip matching files (gitignore syntax); repeatable.")
@click.option("--json", "json_mode", is_flag=True, help="Machine-readable output.")
@click.option("-v", "--verbose", is_flag=True, help="List every file in each category.")
@click.pass_obj
def verify_command(ctx: Context, path, deep, json_mode, verbose, **settings) -> ExitStatus:
    """Prove that PATH and Flickr hold the same content, changing nothing.

    Hashes every selected file again and lists Flickr: every file must have a photo with the
    same content (by pycsync's content tags and the state's hashes; with --deep by downloading
    and hashing each original), and every photo in the selection its file. Prints what is
    missing or different on each side. Exits 0 when everything matches, 1 otherwise. Makes no
    change on Flickr or in the folder.
    """
    ctx.json_mode = json_mode
    root = Path(path or os.getcwd())
    cfg = _settings(ctx, root, settings)
    options = VerifyOptions(
        root=root,
        deep=deep,
        jobs=jobs_number(cfg["jobs"]) or 8,  # (no measuring there: auto is 8)
        layout=Layout(cfg["layout"]),
        excludes=tuple(cfg["exclude"]),
    )
    reporter = Reporter(ctx.environment.stdout, ctx.environment.stderr, json_mode=json_mode)
    client = ctx.client(calls_per_hour=cfg["rate_limit"] or None)
    try:
        with reporter:
            result = verify(client, options, notify=reporter.notify)
    finally:
        client.close()
    for message in result.messages:
        ctx.warn(message)
    if json_mode:
        ctx.print_json(result.as_json())
    else:
        ctx.echo(render_verify(result, verbose=verbose))
    if result.error is not None:
        return ctx.report(result.error)
    return ExitStatus.OK if result.ok else ExitStatus.ERROR


WATCH_EXAMPLES = """
\b
Examples:
  pycsync watch ~/Pictures                 sync now, then whenever something changes
  pycsync watch --push --interval 900      upload only; look at Flickr every 15 minutes
  pycsync watch --log-file ~/pycsync.log   log to a file (rotated) instead of stderr
  pycsync watch --json | jq .uploaded      one JSON document (one line) per run
  pycsync watch ~/Pictures --print-service systemd
                                           a user service that runs it (see the README)

Ctrl-C or SIGTERM stops it within seconds: what is in flight is finished or abandoned
safely, and it exits 0. It exits with sync's status when it cannot start (another watch
on the folder: 5) or when a retry cannot help (a usage error; a sign-in Flickr refuses
before the first run).
"""


@main.command("watch", epilog=WATCH_EXAMPLES)
@click.argument("path", required=False, type=FolderPath())
@click.option("-p", "--path", "path_opt", type=FolderPath(), help="The folder to watch (same as PATH).")
@direction_options
@settings_options
@click.option(
    "--interval",
    type=click.FloatRange(min=1),
    default=300.0,
    show_default=True,
    metavar="SECONDS",
    help="How often to look for changes on Flickr (local changes are noticed at once).",
)
@click.option(
    "--poll-share",
    type=click.FloatRange(0, 100, min_open=True),
    default=10.0,
    show_default=True,
    metavar="PCT",
    help="Looking at Flickr never spends more than this percentage of the hourly call budget (--rate-limit).",
)
@click.option(
    "--settle",
    type=click.FloatRange(min=0),
    default=2.0,
    show_default=True,
    metavar="SECONDS",
    help="A changed file is synced once it has not changed for this long (a copy in progress is never sent).",
)
@click.option(
    "--force-scan",
    is_flag=True,
    help="Scan the folder every --scan-interval seconds instead of using filesystem events (the default "
    "on network drives, whose changes raise no events).",
)
@click.option(
    "--scan-interval",
    type=click.FloatRange(min=1),
    default=60.0,
    show_default=True,
    metavar="SECONDS",
    help="How often the folder is scanned when it is scanned (see --force-scan).",
)
@click.option(
    "--log-file",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Log to FILE (rotated at 10 MB, 5 kept) instead of stderr.",
)
@click.option(
    "--print-service",
    type=click.Choice(["systemd", "launchd"]),
    help="Print a user service (a systemd unit or a launchd plist) that runs this watch, and exit.",
)
@click.option("--json", "json_mode", is_flag=True, help="Print one JSON document per run on stdout, one line each.")
@click.option("-q", "--quiet", is_flag=True, help="Log only errors and one line per run.")
@click.option("-v", "--verbose", is_flag=True, help="Also log album edits, the API calls of each run and decisions.")
@click.pass_obj
def watch_command(
    ctx: Context,
    path: str | None,
    path_opt: str | None,
    push: bool,
    pull: bool,
    interval: float,
    poll_share: float,
    settle: float,
    force_scan: bool,
    scan_interval: float,
    log_file: str | None,
    print_service: str | None,
    json_mode: bool,
    quiet: bool,
    verbose: bool,
    **settings: Any,
) -> ExitStatus:
    """Keep PATH (default: the current folder) in sync with Flickr until stopped.

    Syncs once, then again whenever files change in the folder (once they have stopped
    changing) and every --interval seconds for changes on Flickr. Every run is an ordinary
    sync, under the folder's lock: `pycsync status` works meanwhile, and a `pycsync sync` of the
    same folder exits 5 only while a watch run is in progress. One line per run and per action
    is logged, with the time.
    """
    env = ctx.environment
    ctx.json_mode, ctx.json_lines = json_mode, True
    root = Path(path_opt or path or os.getcwd()).expanduser().resolve()
    cfg = _settings(ctx, root, settings)
    options = _sync_options(
        root, cfg, direction=_direction(push, pull), unknown_upload_wait=unknown_upload_wait(env.env)
    )
    if print_service:
        ctx.echo(_service(ctx, print_service, root, log_file))
        return ExitStatus.OK
    budget = cfg["rate_limit"]
    ctx.client().close()  # not signed in: said now, before anything starts
    watch_settings = WatchSettings(
        interval=interval, poll_share=poll_share, calls_per_hour=budget, settle=settle, metadata=options.metadata
    )
    runner = SyncRunner(
        lambda limiter, sleep: ctx.client(limiter=limiter, sleep=sleep), options, budget or None, ctx.endpoint_key
    )

    def on_run(report: RunReport) -> None:
        if json_mode:
            ctx.print_json(run_document(report))

    with _sigterm_stops():
        try:
            with _watch_logging(ctx, log_file, quiet, verbose), session_lock(root):
                events = folder_events(root, force_scan, scan_interval)
                Watch(
                    root,
                    runner,
                    events,
                    watch_settings,
                    excludes=options.excludes,
                    fallback=lambda: ScanEvents(root, scan_interval),
                    on_run=on_run,
                ).run()
        except KeyboardInterrupt:
            pass  # stopped while starting: nothing was under way yet
    return ExitStatus.OK


class _LogFormat(logging.Formatter):
    """A watch's log lines: the local time, then the message (warnings and errors say so)."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(record.created))
        level = {logging.WARNING: "warning: ", logging.ERROR: "error: "}.get(record.levelno, "")
        return f"{stamp} {level}{record.getMessage()}"


def _summary_or_worse(record: logging.LogRecord) -> bool:
    return record.levelno >= logging.WARNING or bool(getattr(record, "summary", False))


@contextlib.contextmanager
def _watch_logging(ctx: Context, log_file: str | None, quiet: bool, verbose: bool) -> Iterator[None]:
    """The watch's log (and the client's retries) to stderr or a rotated file, secrets redacted."""
    handler: logging.Handler
    if log_file:
        path = Path(log_file).expanduser()
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(path, maxBytes=10 << 20, backupCount=5, encoding="utf-8")
    else:
        handler = logging.StreamHandler(ctx.environment.stderr)
    handler.addFilter(_RedactingFilter())
    if quiet:
        handler.addFilter(_summary_or_worse)
    handler.setFormatter(_LogFormat())
    levels = {"pycsync.watch": logging.DEBUG if verbose or ctx.debug else logging.INFO}
    levels["pycsync.flickr"] = logging.DEBUG if ctx.debug else logging.INFO
    saved = []
    for name, level in levels.items():
        logger = logging.getLogger(name)
        saved.append((logger, logger.level, logger.propagate))
        logger.setLevel(level)
        logger.propagate = False  # (--debug's own handler would print them twice)
        logger.addHandler(handler)
    try:
        yield
    finally:
        for logger, level, propagate in saved:
            logger.removeHandler(handler)
            logger.setLevel(level)
            logger.propagate = propagate
        handler.close()


@contextlib.contextmanager
def _sigterm_stops() -> Iterator[None]:
    """SIGTERM (a service manager stopping the watch) stops it as Ctrl-C does; a second one ends
    the process at once, which is as safe as a crash."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGTERM"):
        yield
        return

    def first(signum: int, frame: object) -> None:
        signal.signal(signal.SIGTERM, again)
        raise KeyboardInterrupt

    def again(signum: int, frame: object) -> None:
        os.write(2, b"\npycsync: stopped again: ending at once\n")
        os._exit(ExitStatus.INTERRUPTED)

    previous = signal.signal(signal.SIGTERM, first)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _service(ctx: Context, kind: str, root: Path, log_file: str | None) -> str:
    """The service definition that runs this same watch (its options as given) for this user."""
    click_ctx = click.get_current_context()
    command = [sys.executable, "-m", "pycsync"]
    if ctx.endpoint:
        command += ["--endpoint", ctx.endpoint]
    parent = click_ctx.parent
    if parent is not None and parent.params.get("allow_plain_http"):
        command.append("--allow-plain-http")
    command += ["watch", str(root)]
    given = (click.core.ParameterSource.COMMANDLINE, click.core.ParameterSource.ENVIRONMENT)
    for param in click_ctx.command.params:
        if param.name in ("path", "path_opt", "print_service", "log_file") or param.name is None:
            continue
        if isinstance(param, click.Option) and click_ctx.get_parameter_source(param.name) in given:
            command += _option_args(param, click_ctx.params[param.name])
    if log_file:
        command += ["--log-file", str(Path(log_file).expanduser().resolve())]
    logs = Path.home() / "Library" / "Logs" / "pycsync"
    if kind == "launchd" and not log_file:  # (launchd does not rotate what it keeps of stderr)
        command += ["--log-file", str(logs / f"watch-{service_name(root)}.log")]
    environment = {k: v for k, v in ctx.environment.env.items() if k == "PYCSYNC_CONFIG_DIR"}
    if any(ctx.environment.env.get(k) for k in ("FLICKR_OAUTH_TOKEN", "FLICKR_API_KEY")):
        ctx.warn(
            "the service signs in with what `pycsync auth` saved, not with this shell's FLICKR_* variables "
            "(they are never written into it)"
        )
    if kind == "systemd":
        return systemd_unit(command, root, environment).rstrip("\n")
    return launchd_plist(command, root, environment, logs / f"watch-{service_name(root)}.stderr.log").rstrip("\n")


def _option_args(option: click.Option, value: Any) -> list[str]:
    """An option and its value as a command line spells them."""
    name = max(option.opts, key=len)
    if option.is_flag:
        if option.secondary_opts:
            return [name] if value else [max(option.secondary_opts, key=len)]
        return [name] if value else []
    if option.multiple:
        return [arg for v in value for arg in (name, str(v))]
    return [] if value is None else [name, str(value)]


CONFIG_EXAMPLES = """
\b
Examples:
  pycsync config                           the settings a sync here would use
  pycsync config ~/Pictures --jobs 8       ... and how a flag changes them
  pycsync config --json

\b
A sync folder's settings live in PATH/.pycsync/config.toml, yours in config.toml in the
directory shown as "user file"; for example:
  privacy = "friends"
  layout = "nested"
  jobs = 8
  exclude = ["*.tmp", "Private/"]
  delete = false
  max_delete = 50
  rate_limit = 3000

\b
Any folder may hold a .pycsync.toml for itself and the folders below it; for example:
  privacy = "public"            # also applied to its photos already on Flickr
  safety_level = "safe"         # safe, moderate, restricted
  content_type = "photo"        # photo, screenshot, other
  hidden = false                # hidden from public searches
  license = "cc-by-4.0"         # or "all-rights-reserved", ...
  tags = ["portfolio"]          # extra tags, adding up down the tree
  [album]
  description = "..."
  metadata = true
"""


@main.command("config", epilog=CONFIG_EXAMPLES)
@click.argument("path", required=False, type=FolderPath(exists=False))
@settings_options
@click.option("--json", "json_mode", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def config_command(ctx: Context, path, json_mode, **settings) -> ExitStatus:
    """Print the effective configuration for PATH and where each value comes from.

    Order, lowest first: defaults, the user config.toml, PATH/.pycsync/config.toml, flags.
    PATH may be a folder inside a synced tree: its own settings are then shown too, each from
    the .pycsync.toml that sets it (the most specific wins). Secrets are never printed. Nothing
    is contacted or changed.
    """
    ctx.json_mode = json_mode
    root, rel = find_root(Path(path or os.getcwd()))
    cfg = _settings(ctx, root, settings)
    doc = describe(cfg, root, ctx.environment.env, ctx.endpoint_key, _endpoint_source(ctx))
    folders = FolderSettings.for_folder(root, rel, cfg.values["privacy"], cfg.yours("privacy"))
    doc["folder"] = describe_folder(folders.resolve(unicodedata.normalize("NFC", rel)), root)
    if json_mode:
        ctx.print_json(doc)
    else:
        ctx.echo(render_config(doc))
    return ExitStatus.OK


def _endpoint_source(ctx: Context) -> str:
    if ctx.endpoint is None:
        return "default"
    if ctx.environment.env.get("PYCSYNC_ENDPOINT", "").strip().rstrip("/") == ctx.endpoint:
        return "environment (PYCSYNC_ENDPOINT)"
    return "command line"


AUTH_EXAMPLES = """
\b
Examples:
  pycsync auth --api-key 0123abcd...       asks for the secret (typed input is hidden)
  pycsync auth --api-key KEY --api-secret-file ~/flickr-secret
  pycsync auth --perms delete              allow `sync --delete` to delete photos
  pycsync auth --no-browser                on a server: paste a code instead

Get a key at https://www.flickr.com/services/apps/create/ . The secret can also come from
FLICKR_API_SECRET. The key, secret and access token are saved for this endpoint in tokens.json
(readable only by you) in the config directory (see `pycsync config`).
"""


@main.command("auth", epilog=AUTH_EXAMPLES)
@click.option("--api-key", envvar="FLICKR_API_KEY", help="Your app's key (default: the one saved last time).")
@click.option(
    "--api-secret",
    metavar="SECRET",
    help="Your app's secret. Other users of this computer can see it in the process list: prefer the "
    "prompt, FLICKR_API_SECRET or --api-secret-file.",
)
@click.option(
    "--api-secret-file",
    type=click.Path(dir_okay=False, allow_dash=True),
    metavar="FILE",
    help="Read the secret from the first line of FILE (-: standard input).",
)
@click.option(
    "--perms",
    type=click.Choice(["read", "write", "delete"]),
    default="write",
    show_default=True,
    help="write is enough to sync; delete lets `sync --delete` remove photos.",
)
@click.option("--no-browser", is_flag=True, help="Print the sign-in page's address and ask for the code Flickr shows.")
@click.option(
    "--timeout",
    type=click.FloatRange(1),
    default=300.0,
    show_default=True,
    metavar="SECONDS",
    help="How long to wait for you to click in the browser.",
)
@click.pass_obj
def auth_command(
    ctx: Context,
    api_key: str | None = None,
    api_secret: str | None = None,
    api_secret_file: str | None = None,
    perms: str = "write",
    no_browser: bool = False,
    timeout: float = 300.0,
) -> ExitStatus:
    """Sign in to Flickr (OAuth) and remember the access token.

    Opens the sign-in page in your browser and finishes by itself when you click "OK, I'll
    authorize it" (the browser comes back to pycsync on http://127.0.0.1). Without a browser
    (--no-browser, or no display) it prints the page's address and asks for the code Flickr
    shows instead.
    """
    env = ctx.environment
    store = ctx.store()
    saved = store.app(ctx.endpoint_key)
    key = api_key or env.env.get("FLICKR_API_KEY") or saved.get("api_key")  # (`-a` passes no options)
    if not key:
        raise UsageError(
            "an API key is needed: pycsync auth --api-key KEY (get one at "
            "https://www.flickr.com/services/apps/create/); the secret is asked for"
        )
    secret = _api_secret(ctx, key, api_secret, api_secret_file, saved)
    endpoints = Endpoints.for_base(ctx.endpoint)
    prompts = SignInPrompts(
        say=ctx.echo,
        warn=lambda text: ctx.echo(text, err=True),
        ask_code=env.ask,
        open_browser=env.open_browser if not no_browser and _has_display(env) else None,
    )
    access = sign_in(endpoints, key, secret, perms, prompts=prompts, timeout=timeout)
    with FlickrClient(endpoints, Credentials(key, secret, access.token, access.token_secret), calls_per_hour=None) as c:
        login = c.test_login()  # proves the token works before it is kept
        granted = c.check_token() or perms
    token = {
        "token": access.token,
        "token_secret": access.token_secret,
        "user_nsid": login.user_nsid,
        "username": login.username,
        "perms": granted,
    }
    store.save(ctx.endpoint_key, key, secret, token)
    where = "" if ctx.endpoint is None else f" at {ctx.endpoint_key}"
    ctx.echo(f"Signed in to Flickr{where} as {login.username} ({login.user_nsid}) with {granted} permission.")
    ctx.echo(f"The access token is saved in {store.path}; next: pycsync sync PATH")
    return ExitStatus.OK


def _api_secret(ctx: Context, key: str, given: str | None, from_file: str | None, saved: Mapping[str, str]) -> str:
    """The API secret, from (in order) --api-secret, --api-secret-file, FLICKR_API_SECRET, the
    saved sign-in of this key, or a hidden prompt."""
    env = ctx.environment
    if given is not None and from_file is not None:
        raise UsageError("give --api-secret or --api-secret-file, not both")
    if given is not None:
        ctx.warn(
            "a secret given with --api-secret is visible to other users of this computer (in the process "
            "list); next time let pycsync ask for it, or use FLICKR_API_SECRET or --api-secret-file"
        )
        secret: str | None = given
    elif from_file is not None:
        secret = _read_secret_file(env, from_file)
    elif env.env.get("FLICKR_API_SECRET"):
        secret = env.env["FLICKR_API_SECRET"]
    elif saved.get("api_key") == key and saved.get("api_secret"):
        secret = saved["api_secret"]
    else:
        secret = env.ask("Flickr API secret (typing is hidden): ", hidden=True)
    if not secret or not secret.strip():
        raise UsageError(
            "no API secret: type it when asked, or give it with FLICKR_API_SECRET or --api-secret-file FILE"
        )
    return secret.strip()


def _read_secret_file(env: Environment, name: str) -> str | None:
    if name == "-":
        return env.stdin.readline()
    try:
        with open(name, encoding="utf-8") as f:
            return f.readline()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UsageError(f"cannot read the API secret from {name}: {reason}") from None


def _has_display(environment: Environment) -> bool:
    if environment.has_display is not None:
        return environment.has_display
    if sys.platform in ("darwin", "win32"):
        return True
    env = environment.env
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY") or env.get("BROWSER"))


def _register_optional_commands() -> None:
    from pycsync.demo import demo_command
    from pycsync.emulator.cli import emulator_command

    main.add_command(emulator_command, "emulator")
    main.add_command(demo_command, "demo")


_register_optional_commands()
