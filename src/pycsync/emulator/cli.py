"""``pycsync emulator``: run the Flickr emulator in the foreground."""

from __future__ import annotations

import json
import signal
import socket
import sys
import threading

import click

from .config import PRIVACIES, TYPINGS, EmulatorConfig
from .server import EmulatorServer, exposure_warning

EXAMPLES = """
\b
Examples:
  pycsync emulator                         serve on 127.0.0.1:8765 until Ctrl-C
  pycsync emulator --port 0 --data ./emu   any free port; keep photos across restarts
  pycsync emulator --latency-ms 200        feel a slow network
  pycsync emulator --bandwidth-mbps 20 --latency-ms 100 --upload-processing-ms 1500
                                           a home uplink to a real Flickr
  pycsync emulator --types random --seed 7 numbers typed either way, as Flickr does over the years
  pycsync emulator --account free          Flickr's free account limits

\b
Then point pycsync at it with the keys it prints:
  export PYCSYNC_ENDPOINT=http://127.0.0.1:8765 FLICKR_API_KEY=... FLICKR_API_SECRET=...
  export FLICKR_OAUTH_TOKEN=... FLICKR_OAUTH_TOKEN_SECRET=...
  pycsync sync ~/some-folder
"""


@click.command("emulator", epilog=EXAMPLES)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Interface to listen on. Anything but loopback exposes the control surface and its keys (a warning).",
)
@click.option(
    "--port", default=8765, show_default=True, type=click.IntRange(0, 65535), help="Port (0 = pick a free one)."
)
@click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Keep state (keys, users, photos) in this directory across restarts.",
)
@click.option("--api-key", default=None, help="Consumer key to accept (default: generated/persisted).")
@click.option("--api-secret", default=None, help="Consumer secret (default: generated/persisted).")
@click.option(
    "--latency-ms", default=0.0, type=click.FloatRange(min=0), show_default=True, help="Delay added to every request."
)
@click.option(
    "--bandwidth-mbps",
    default=0.0,
    type=click.FloatRange(min=0),
    show_default=True,
    help="One network link of this many Mbit/s shared by all connections, both directions (0: unlimited).",
)
@click.option(
    "--upload-processing-ms",
    default=0.0,
    type=click.FloatRange(min=0),
    show_default=True,
    help="Server time per upload or replace before it answers (an async upload's ticket waits instead).",
)
@click.option(
    "--rate-limit",
    default=0,
    type=click.IntRange(min=0),
    show_default=True,
    help="API calls the key may make in any --rate-limit-window; beyond, HTTP 429 as Flickr answers "
    "(Flickr: about 3600 an hour; 0: no limit).",
)
@click.option(
    "--rate-limit-window",
    default=3600.0,
    type=click.FloatRange(min=0, min_open=True),
    show_default=True,
    help="Seconds of the call budget's sliding window.",
)
@click.option(
    "--rate-limit-retry-after", is_flag=True, help="A 429 says when to come back (Retry-After); Flickr's does not."
)
@click.option(
    "--faults",
    "faults_file",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="JSON file with fault-injection rules.",
)
@click.option(
    "--seed", default=0, type=int, show_default=True, help="Seed for probabilistic faults and --types random."
)
@click.option(
    "--types",
    type=click.Choice(TYPINGS),
    default="real",
    show_default=True,
    help="JSON typing of the numbers real Flickr sends either as numbers or as strings "
    "(paging fields, sizes, ...): as Flickr does today, always one way, or at random (seeded).",
)
@click.option(
    "--account",
    type=click.Choice(["pro", "free"]),
    default="pro",
    show_default=True,
    help="Every user's account kind (free: at most 1,000 items, 50 of them non-public, safe content only).",
)
@click.option(
    "--default-privacy",
    type=click.Choice(PRIVACIES),
    default="public",
    show_default=True,
    help="Who sees an upload that does not say (is_public/is_friend/is_family omitted).",
)
def emulator_command(
    host: str,
    port: int,
    data_dir: str | None,
    api_key: str | None,
    api_secret: str | None,
    latency_ms: float,
    bandwidth_mbps: float,
    upload_processing_ms: float,
    rate_limit: int,
    rate_limit_window: float,
    rate_limit_retry_after: bool,
    faults_file: str | None,
    seed: int,
    types: str,
    account: str,
    default_privacy: str,
) -> None:
    """Run a Flickr-compatible API server.

    Prints one line of JSON (endpoint, keys, default user and its access token)
    and serves until interrupted (SIGINT / SIGTERM).
    """
    config = EmulatorConfig(
        host=host,
        port=port,
        data_dir=data_dir,
        api_key=api_key,
        api_secret=api_secret,
        latency_ms=latency_ms,
        bandwidth_mbps=bandwidth_mbps,
        upload_processing_ms=upload_processing_ms,
        rate_limit=rate_limit,
        rate_limit_window=rate_limit_window,
        rate_limit_retry_after=rate_limit_retry_after,
        faults=faults_file,
        seed=seed,
        types=types,
        account=account,
        default_privacy=default_privacy,
    )
    emu = _started(config)
    stop = threading.Event()

    def _stop(signum: int, frame: object) -> None:
        stop.set()

    old = {s: signal.signal(s, _stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        sys.stdout.write(json.dumps(emu.info()) + "\n")
        sys.stdout.flush()
        while not stop.wait(0.5):
            pass
    finally:
        for s, h in old.items():
            signal.signal(s, h)
        emu.stop()


def _started(config: EmulatorConfig) -> EmulatorServer:
    """The server started as configured; a bad option is a clear error naming it."""
    host, port = config.host, config.port
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as e:
        raise click.BadParameter(
            f"cannot use {host!r}: {getattr(e, 'strerror', None) or e}", param_hint="--host"
        ) from e
    try:
        emu = EmulatorServer(config)
    except (OSError, ValueError, TypeError) as e:  # the rules file: unreadable, not JSON, or not rules
        raise click.BadParameter(f"{config.faults}: {e}", param_hint="--faults") from e
    warning = exposure_warning(host)
    if warning:
        click.echo(warning, err=True)
    try:
        emu.start()
    except OSError as e:
        if e.filename is not None:  # the data directory, not the socket
            raise click.BadParameter(f"cannot use {e.filename}: {e.strerror or e}", param_hint="--data") from e
        raise click.ClickException(f"cannot listen on {host}:{port}: {e.strerror or e}") from e
    return emu


def main() -> None:  # pragma: no cover - used by ``python -m pycsync.emulator``
    emulator_command(prog_name="pycsync emulator")
