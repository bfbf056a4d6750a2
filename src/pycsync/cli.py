"""The command line: parse options, build the context, call the library, map errors to exits."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import sys
import webbrowser
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path

import click

from pycsync import __version__
from pycsync.app import SafetyAbort, SyncOptions, UsageError, sync
from pycsync.config import (
    LAYOUT_CHOICES,
    PRIVACY_CHOICES,
    SETTINGS,
    ConfigError,
    EffectiveConfig,
    NotSignedIn,
    TokenStore,
    config_dir,
    effective_config,
    resolve_credentials,
)
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
from pycsync.report import Reporter, render_status, render_table, status_report
from pycsync.state import LockedError, StateError

DEFAULT_ENDPOINT = "https://www.flickr.com"


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
    open_browser: Callable[[str], bool] = webbrowser.open
    has_display: bool | None = None  # None: guess from the platform and DISPLAY/WAYLAND_DISPLAY

    def bound(self) -> Environment:
        return dataclasses.replace(self, stdout=self.stdout or sys.stdout, stderr=self.stderr or sys.stderr)


@dataclass
class Context:
    environment: Environment
    endpoint: str | None
    debug: bool

    @property
    def endpoint_key(self) -> str:
        return self.endpoint or DEFAULT_ENDPOINT

    def store(self) -> TokenStore:
        return TokenStore(config_dir(self.environment.env))

    def client(self, calls_per_hour: int | None = 3000) -> FlickrClient:
        creds = resolve_credentials(self.environment.env, self.store(), self.endpoint_key)
        _LOG_SECRETS.update(v for v in creds.secret_values() if v)
        return FlickrClient(Endpoints.for_base(self.endpoint), creds, calls_per_hour=calls_per_hour)

    def echo(self, text: str = "", err: bool = False) -> None:
        click.echo(text, file=self.environment.stderr if err else self.environment.stdout)


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


def _debug_logging(stream, env: Mapping[str, str]) -> None:
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


# ---------------------------------------------------------------------- options


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
        click.option("--jobs", "-j", type=click.IntRange(1, 32), default=None, help="Parallel transfers (default: 4)."),
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
    ]
    for option in reversed(options):
        f = option(f)
    return f


def direction_options(f):
    f = click.option("--pull", "direction", flag_value="pull", help="Only apply changes from Flickr to the folder.")(f)
    return click.option("--push", "direction", flag_value="push", help="Only apply changes from the folder to Flickr.")(
        f
    )


def sync_options(f):
    options = [
        click.option(
            "-p", "--path", "path_opt", type=click.Path(file_okay=False), help="The folder to sync (same as PATH)."
        ),
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
            help="Print one machine-readable summary (JSON) and nothing else on stdout.",
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
    for name in flags:
        param = next((p for p in click_ctx.command.params if p.name == name), None) if click_ctx else None
        if param is not None and click_ctx.get_parameter_source(name) is click.core.ParameterSource.ENVIRONMENT:
            sources[name] = f"environment ({param.envvar})"
    return effective_config(ctx.environment.env, root, flags, sources)


def _sync_options(root: Path, cfg: EffectiveConfig, **extra) -> SyncOptions:
    return SyncOptions(
        root=root,
        delete=cfg["delete"],
        max_delete=cfg["max_delete"],
        jobs=cfg["jobs"],
        privacy=cfg["privacy"],
        layout=Layout(cfg["layout"]),
        excludes=tuple(cfg["exclude"]),
        privacy_widening=cfg.widening("privacy"),
        **extra,
    )


def _unknown_upload_wait(env: Mapping[str, str]) -> float:
    """PYCSYNC_UNKNOWN_UPLOAD_WAIT: seconds to look for an upload whose answer was lost (60)."""
    raw = (env.get("PYCSYNC_UNKNOWN_UPLOAD_WAIT") or "").strip()
    if not raw:
        return 60.0
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"PYCSYNC_UNKNOWN_UPLOAD_WAIT must be a number of seconds, not {raw!r}") from None
    if not 0 <= value < float("inf"):
        raise ConfigError("PYCSYNC_UNKNOWN_UPLOAD_WAIT must be 0 or more seconds")
    return value


def _do_sync(
    ctx: Context,
    path=None,
    path_opt=None,
    direction=None,
    dry_run=False,
    full=False,
    rebuild_state=False,
    json_mode=False,
    quiet=False,
    verbose=False,
    **settings,
) -> None:
    env = ctx.environment
    root = Path(path_opt or path or os.getcwd())

    def run():
        cfg = _settings(ctx, root, settings)
        options = _sync_options(
            root,
            cfg,
            direction=Direction(direction or "both"),
            dry_run=dry_run,
            full=full,
            rebuild_state=rebuild_state,
            unknown_upload_wait=_unknown_upload_wait(env.env),
        )
        reporter = Reporter(env.stdout, env.stderr, json_mode=json_mode, quiet=quiet, verbose=verbose)
        client = ctx.client(calls_per_hour=cfg["rate_limit"] or None)
        try:
            with reporter:
                result = sync(client, options, notify=reporter.notify)
        finally:
            client.close()
        reporter.sync_result(result, dict(client.stats.calls_by_method))
        return result

    result = _run_guarded(ctx, run)
    if result.outcome is not None and (result.outcome.failed or result.outcome.permanent):
        sys.exit(int(ExitStatus.ITEMS_FAILED))


# ---------------------------------------------------------------------- commands

MAIN_HELP = """Keep a folder tree of photos and videos and a Flickr account in sync, both ways.

Folders are albums, files are photos. With no command, syncs the current folder (or -p PATH),
as the original pycsync did; `pycsync -a` signs in.

\b
First steps:
  pycsync demo                             try it offline against the bundled emulator
  pycsync auth --api-key KEY --api-secret SECRET
  pycsync status ~/Pictures                what a sync would do
  pycsync sync ~/Pictures

\b
Exit status: 0 done, 1 some items failed, 2 usage or configuration error,
3 authentication error, 7 safety abort (nothing changed).
"""


@click.group(
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
@click.option("--debug", is_flag=True, help="Log HTTP traffic (secrets redacted) and show tracebacks.")
@click.option("-a", "auth_flag", is_flag=True, help="Sign in to Flickr (same as `pycsync auth`).")
@click.option(
    "-p", "--path", "path_opt", type=click.Path(file_okay=False), help="Folder to sync when no command is given."
)
@click.version_option(__version__, "-V", "--version", prog_name="pycsync")
@click.pass_context
def main(click_ctx: click.Context, endpoint, debug, auth_flag, path_opt) -> None:
    environment = (click_ctx.obj if isinstance(click_ctx.obj, Environment) else Environment()).bound()
    if debug:
        _debug_logging(environment.stderr, environment.env)
    click_ctx.obj = Context(environment, endpoint.rstrip("/") if endpoint else None, debug)
    if click_ctx.invoked_subcommand is None:
        if auth_flag:
            click_ctx.invoke(auth_command)
        else:
            _do_sync(click_ctx.obj, path_opt=path_opt)


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
@click.argument("path", required=False, type=click.Path(file_okay=False))
@sync_options
@click.pass_obj
def sync_command(ctx: Context, path, **kwargs) -> None:
    """Two-way sync of PATH (default: the current folder) with Flickr.

    Uploads what is new in the folder, downloads what is new on Flickr, replaces edited photos
    in place and keeps both versions of a conflict.
    """
    _do_sync(ctx, path, **kwargs)


STATUS_EXAMPLES = """
\b
Examples:
  pycsync status                           the current folder
  pycsync status ~/Pictures -v             list every file, not just the first few
  pycsync status --delete                  also show what `sync --delete` would delete
  pycsync status --json | jq .in_sync      for scripts (the shape is in the README)
"""


@main.command("status", epilog=STATUS_EXAMPLES)
@click.argument("path", required=False, type=click.Path(file_okay=False))
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
@click.option("--json", "json_mode", is_flag=True, help="Machine-readable output (a stable, documented shape).")
@click.option("-v", "--verbose", is_flag=True, help="List every file in each category.")
@click.pass_obj
def status_command(ctx: Context, path, direction, json_mode, verbose, **settings) -> None:
    """What a sync of PATH would do, per album, changing nothing.

    Shows what is only in the folder, only on Flickr, changed on either side, moved, in
    conflict, or about to be deleted. Always exits 0 when it could look (use `in_sync` in
    --json to test for differences).
    """
    root = Path(path or os.getcwd())

    def run():
        cfg = _settings(ctx, root, settings)
        options = _sync_options(root, cfg, direction=Direction(direction or "both"), dry_run=True)
        client = ctx.client(calls_per_hour=cfg["rate_limit"] or None)
        try:
            result = sync(client, options)
        finally:
            client.close()
        return status_report(result, str(root.resolve()), direction=options.direction.value, delete=options.delete)

    report = _run_guarded(ctx, run)
    if json_mode:
        ctx.echo(json.dumps(report, indent=2))
    else:
        ctx.echo(render_status(report, verbose=verbose))


CONFIG_EXAMPLES = """
\b
Examples:
  pycsync config                           the settings a sync here would use
  pycsync config ~/Pictures --jobs 8       ... and how a flag changes them
  pycsync config --json

\b
A folder's settings live in PATH/.pycsync/config.toml, yours in config.toml in the
directory shown as "user file"; for example:
  privacy = "friends"
  layout = "nested"
  jobs = 4
  exclude = ["*.tmp", "Private/"]
  delete = false
  max_delete = 50
  rate_limit = 3000
"""

SOURCE_LABELS = {"default": "default", "user": "user file", "folder": "folder file", "flag": "command line"}


@main.command("config", epilog=CONFIG_EXAMPLES)
@click.argument("path", required=False, type=click.Path(file_okay=False))
@settings_options
@click.option("--json", "json_mode", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def config_command(ctx: Context, path, json_mode, **settings) -> None:
    """Print the effective configuration for PATH and where each value comes from.

    Order, lowest first: defaults, the user config.toml, PATH/.pycsync/config.toml, flags.
    Secrets are never printed. Nothing is contacted or changed.
    """
    root = Path(path or os.getcwd()).expanduser()

    def run():
        cfg = _settings(ctx, root, settings)
        return cfg, _account(ctx)

    cfg, account = _run_guarded(ctx, run)
    doc = {
        "root": str(root.resolve()),
        "files": {
            "user": {"path": str(cfg.user_file), "exists": cfg.user_file.is_file()},
            "folder": {"path": str(cfg.folder_file), "exists": cfg.folder_file.is_file()},
        },
        "settings": {
            name: {"value": list(v.value) if isinstance(v.value, tuple) else v.value, "source": v.source}
            for name, v in cfg.values.items()
        },
        "account": account,
    }
    if json_mode:
        ctx.echo(json.dumps(doc, indent=2))
        return

    def found(entry):
        return entry["path"] + ("" if entry["exists"] else "  (not found)")

    def show(value):
        if isinstance(value, list):
            return ", ".join(value) if value else "(none)"
        if isinstance(value, bool):
            return str(value).lower()
        return "" if value is None else str(value)

    def source(label: str) -> str:
        return " + ".join(SOURCE_LABELS.get(s, s) for s in label.split("+"))

    ctx.echo(f"Configuration for {doc['root']}")
    ctx.echo(f"  user file:   {found(doc['files']['user'])}")
    ctx.echo(f"  folder file: {found(doc['files']['folder'])}")
    ctx.echo()
    ctx.echo(
        render_table(
            ["setting", "value", "source"],
            [[name, show(v["value"]), source(v["source"])] for name, v in doc["settings"].items()],
        )
    )
    ctx.echo()
    rows = [["endpoint", account["endpoint"]["value"], account["endpoint"]["source"]]]
    for name in ("api_key", "api_secret", "token", "token_secret"):
        entry = account[name]
        rows.append([name, entry["value"] or "(not set)", entry["source"] or ""])
    ctx.echo(render_table(["flickr", "value", "source"], rows))
    user = account["user"]
    ctx.echo()
    if user:
        ctx.echo(
            f"Signed in as {user['username']} ({user['user_nsid']}) with {user['perms']} permission "
            f"(saved in {account['token_file']})."
        )
    elif account["token"]["value"]:
        ctx.echo("An access token is set in the environment.")
    else:
        ctx.echo("Not signed in: run `pycsync auth`.")


def _account(ctx: Context) -> dict:
    """Where the endpoint and credentials come from, values redacted (reads no secret out)."""
    env, store = ctx.environment.env, ctx.store()
    endpoint = ctx.endpoint_key
    if ctx.endpoint is None:
        endpoint_source = "default"
    elif env.get("PYCSYNC_ENDPOINT", "").rstrip("/") == ctx.endpoint:
        endpoint_source = "environment (PYCSYNC_ENDPOINT)"
    else:
        endpoint_source = "command line"
    app = store.app(endpoint)
    out: dict = {"endpoint": {"value": endpoint, "source": endpoint_source}, "token_file": str(store.path)}
    saved_by_auth = "saved by `pycsync auth`"

    def entry(var: str, saved: object) -> dict:
        if env.get(var):
            return {"value": "<redacted>", "source": f"environment ({var})"}
        if saved:
            return {"value": "<redacted>", "source": saved_by_auth}
        return {"value": None, "source": None}

    key = env.get("FLICKR_API_KEY") or app.get("api_key")
    token = store.token(endpoint, key) if key else None
    out["api_key"] = entry("FLICKR_API_KEY", app.get("api_key"))
    out["api_secret"] = entry("FLICKR_API_SECRET", app.get("api_secret"))
    env_token = bool(env.get("FLICKR_OAUTH_TOKEN") and env.get("FLICKR_OAUTH_TOKEN_SECRET"))
    out["token"] = entry("FLICKR_OAUTH_TOKEN", token and not env_token)
    out["token_secret"] = entry("FLICKR_OAUTH_TOKEN_SECRET", token and not env_token)
    out["user"] = {k: token.get(k) for k in ("username", "user_nsid", "perms")} if token and not env_token else None
    return out


AUTH_EXAMPLES = """
\b
Examples:
  pycsync auth --api-key 0123abcd... --api-secret 4567ef...
  pycsync auth --perms delete              allow `sync --delete` to delete photos
  pycsync auth --no-browser                on a server: paste a code instead

Get a key at https://www.flickr.com/services/apps/create/ . The key, secret and access token
are saved for this endpoint in tokens.json (readable only by you) in the config directory
(see `pycsync config`).
"""


@main.command("auth", epilog=AUTH_EXAMPLES)
@click.option("--api-key", envvar="FLICKR_API_KEY", help="Your app's key (default: the one saved last time).")
@click.option("--api-secret", envvar="FLICKR_API_SECRET", help="Your app's secret.")
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
def auth_command(ctx: Context, api_key=None, api_secret=None, perms="write", no_browser=False, timeout=300.0) -> None:
    """Sign in to Flickr (OAuth) and remember the access token.

    Opens the sign-in page in your browser and finishes by itself when you click "OK, I'll
    authorize it" (the browser comes back to pycsync on http://127.0.0.1). Without a browser
    (--no-browser, or no display) it prints the page's address and asks for the code Flickr
    shows instead.
    """
    env = ctx.environment
    store = ctx.store()

    def run():
        app = store.app(ctx.endpoint_key)
        key = api_key or env.env.get("FLICKR_API_KEY") or app.get("api_key")
        secret = api_secret or env.env.get("FLICKR_API_SECRET") or app.get("api_secret")
        if not key or not secret:
            raise UsageError(
                "an API key and secret are needed: pycsync auth --api-key KEY --api-secret SECRET "
                "(get them at https://www.flickr.com/services/apps/create/)"
            )
        endpoints = Endpoints.for_base(ctx.endpoint)
        token = verifier = None
        if not no_browser and _has_display(env):
            token, token_secret, verifier = _browser_sign_in(ctx, endpoints, key, secret, perms, timeout)
        if verifier is None:
            token, token_secret = get_request_token(endpoints, key, secret, callback="oob")
            url = authorize_url(endpoints, token, perms)
            ctx.echo('Open this page in a browser, sign in to Flickr and click "OK, I\'ll authorize it":')
            ctx.echo(f"  {url}")
            try:
                verifier = click.prompt("Then paste the code Flickr shows you", err=True).strip()
            except click.Abort:
                raise NotSignedIn("sign-in cancelled: no code was entered") from None
        access = get_access_token(endpoints, key, secret, token, token_secret, verifier)
        with FlickrClient(
            endpoints, Credentials(key, secret, access.token, access.token_secret), calls_per_hour=None
        ) as client:
            login = client.test_login()  # proves the token works before it is kept
            granted = client.check_token() or perms
        store.save(
            ctx.endpoint_key,
            key,
            secret,
            {
                "token": access.token,
                "token_secret": access.token_secret,
                "user_nsid": login.user_nsid,
                "username": login.username,
                "perms": granted,
            },
        )
        where = "" if ctx.endpoint is None else f" at {ctx.endpoint_key}"
        ctx.echo(f"Signed in to Flickr{where} as {login.username} ({login.user_nsid}) with {granted} permission.")
        ctx.echo(f"The access token is saved in {store.path}; next: pycsync sync PATH")

    _run_guarded(ctx, run)


def _browser_sign_in(ctx: Context, endpoints: Endpoints, key: str, secret: str, perms: str, timeout: float):
    """(token, token secret, verifier) from a browser that comes back to a loopback address;
    verifier None when no browser could be opened (the caller falls back to a pasted code)."""
    with LoopbackReceiver() as receiver:
        token, token_secret = get_request_token(endpoints, key, secret, callback=receiver.callback_url)
        url = authorize_url(endpoints, token, perms)
        if not ctx.environment.open_browser(url):
            ctx.echo("Could not open a browser; signing in with a code instead.", err=True)
            return None, None, None
        ctx.echo("Your browser shows Flickr's sign-in page. If it did not open, visit:")
        ctx.echo(f"  {url}")
        minutes = f"{timeout / 60:.0f} minutes" if timeout >= 120 else f"{timeout:.0f} seconds"
        ctx.echo(f'Waiting for you to click "OK, I\'ll authorize it" (up to {minutes}; Ctrl-C to stop)...')
        got = receiver.wait(timeout)
    if got is None:
        raise NotSignedIn(
            f"no answer from the browser within {minutes}; run `pycsync auth` again, "
            "or `pycsync auth --no-browser` to paste a code instead"
        )
    if got[0] != token:
        raise NotSignedIn("the browser answered for another sign-in attempt; run `pycsync auth` again")
    return token, token_secret, got[1]


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
