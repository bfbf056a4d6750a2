"""`pycsync demo`: the whole product offline, against the bundled Flickr emulator.

It starts the emulator on a free port, copies a small library of real photos into a folder,
syncs it up, then changes things on both sides: "on Flickr" the way a user on the website would
(a new photo from a phone in an album, an edited photo replaced in place) and in the folder (a
photo moved to another folder). It shows `status`, syncs again, and syncs a third time to show
that an unchanged library costs nothing.
"""

from __future__ import annotations

import shutil
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import click

from pycsync.app import SyncOptions, sync
from pycsync.errors import UsageError
from pycsync.flickr import Credentials, Endpoints, FlickrClient
from pycsync.report import Reporter, render_status, status_report


class Context(Protocol):
    """What the demo needs of the CLI's context (pycsync.cli.Context): its streams."""

    environment: Any

    def echo(self, text: str = "", err: bool = False) -> None: ...


DEMO_EXAMPLES = """
\b
Examples:
  pycsync demo                             in a new temporary folder (kept, to look around)
  pycsync demo --folder ./demo-library     keep the library where you can find it
"""


class _Tour:
    """The demo's narration, printed through the CLI's environment."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def step(self, number: int, text: str) -> None:
        self.ctx.echo(click.style(f"\n{number}. {text}", bold=True))

    def say(self, text: str) -> None:
        for line in text.strip("\n").splitlines():
            self.ctx.echo(f"   {line}")

    def tree(self, root: Path) -> None:
        for path in sorted(p for p in root.rglob("*") if p.is_file() and ".pycsync" not in p.parts):
            self.ctx.echo(f"     {path.relative_to(root).as_posix()}")

    def sync(self, client: FlickrClient, root: Path) -> None:
        env = self.ctx.environment
        _sync(Reporter(env.stdout, env.stderr), client, root)


def _sync(reporter: Reporter, client: FlickrClient, root: Path) -> None:
    before = dict(client.stats.calls_by_method)
    with reporter:
        result = sync(client, SyncOptions(root=root), notify=reporter.notify)
    calls = {m: n - before.get(m, 0) for m, n in client.stats.calls_by_method.items() if n - before.get(m, 0)}
    reporter.sync_result(result, calls)


@click.command("demo", epilog=DEMO_EXAMPLES)
@click.option(
    "--folder",
    type=click.Path(file_okay=False),
    help="Where to put the demo library (default: a new temporary folder).",
)
@click.pass_obj
def demo_command(ctx: Context, folder: str | None) -> None:
    """Try pycsync offline: a sample library synced with the bundled Flickr emulator.

    Nothing here touches your Flickr account or the network: the emulator runs on 127.0.0.1
    for the length of the demo.
    """
    from pycsync.emulator import EmulatorServer

    data = resources.files("pycsync") / "demo_data"
    root = Path(folder).expanduser() if folder else Path(tempfile.mkdtemp(prefix="pycsync-demo-"))
    try:
        if root.exists() and any(root.iterdir()):
            raise click.BadParameter(f"{root} is not empty; pick an empty or new folder", param_hint="--folder")
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--folder: cannot create {root}: {exc.strerror or exc}") from None
    extra = Path(tempfile.mkdtemp(prefix="pycsync-demo-flickr-"))
    tour = _Tour(ctx)
    try:
        with resources.as_file(data) as data_dir:
            shutil.copytree(data_dir / "library", root, dirs_exist_ok=True)
            shutil.copytree(data_dir / "uploaded-on-flickr", extra, dirs_exist_ok=True)
        with EmulatorServer() as emu:
            _run_demo(tour, emu, root, extra)
    finally:
        shutil.rmtree(extra, ignore_errors=True)

    ctx.echo(click.style("\nThat's it. Try next:", bold=True))
    ctx.echo(
        "  pycsync emulator --data ./emu          run the emulator yourself; it prints its endpoint and keys\n"
        "  pycsync --endpoint URL sync PATH       sync a folder with it (FLICKR_* variables from those keys)\n"
        "  pycsync auth --api-key KEY             sign in to the real Flickr (README: Using it with Flickr)\n"
        "  pycsync status ~/Pictures              what a real sync would do, changing nothing\n"
        "  pycsync sync ~/Pictures                the real thing\n"
        "  pycsync --help                         every command, each with examples\n"
        f"\nThe demo library stays in {root}."
    )


def _run_demo(tour: _Tour, emu, root: Path, extra: Path) -> None:
    tour.step(1, f"Started the bundled Flickr emulator at {emu.endpoint}")
    tour.say("""
It speaks Flickr's real API (OAuth 1.0a, REST, upload, replace), so pycsync talks to it
exactly as it talks to flickr.com; only the address differs. You are signed in as the
emulator's user, with an empty photostream.
""")
    creds = Credentials(emu.api_key, emu.api_secret, emu.oauth_token, emu.oauth_token_secret)
    client = FlickrClient(Endpoints.for_base(emu.endpoint), creds, calls_per_hour=None)
    try:
        tour.step(2, "A sample photo library")
        tour.say(f"In {root}:")
        tour.tree(root)

        tour.step(3, "First sync: every folder becomes an album, every photo is uploaded once")
        tour.say("""
Uploads are private, titled after the file and tagged with its SHA-256, so pycsync would
recognise them even if its state were lost.
""")
        tour.sync(client, root)

        tour.step(4, "Meanwhile, on Flickr and in the folder, things change")
        albums = {a.title: a.album_id for a in client.list_albums()}
        new = client.upload(extra / "IMG_2041.jpg", title="IMG_2041")
        client.add_to_album(albums["Paris"], new.photo_id)
        paris = {p["title"]: p["id"] for p in client.album_photos(albums["Paris"])}
        client.replace(extra / "eiffel-edited.jpg", paris["eiffel"])
        client.set_meta(paris["louvre"], title="The Louvre at dusk", description="From the Cour Napoléon")
        client.add_tags(paris["louvre"], ["museum", "Paris"])
        (root / "Pets").mkdir()
        (root / "cat.jpg").rename(root / "Pets" / "cat.jpg")
        tour.say("""
On Flickr: a photo from your phone (IMG_2041) lands in the album Paris, you replace
eiffel with an edited version on the website, and give louvre a title, a caption and tags.
In the folder: you move cat.jpg into a new folder Pets/.
""")

        tour.step(5, "pycsync status: what a sync would do, changing nothing")
        result = sync(client, SyncOptions(root=root, dry_run=True))
        report = status_report(result, str(root), direction="both", delete=False)
        shown = render_status(report).split("\n\nDeletions are not propagated")[0]
        for line in shown.splitlines():
            tour.ctx.echo(f"   {line}" if line else "")

        tour.step(6, "Second sync: only what changed moves")
        tour.say("""
The new photo and the edit come down; the cat photo moves into a new album Pets on Flickr
without being uploaded again (same photo, same id, comments and favourites kept). Louvre's
new title, caption and tags land in louvre.jpg.xmp, an XMP sidecar that Lightroom, digiKam
and darktable read (the photo file itself is never written); the edited eiffel has no date
of its own, so its sidecar keeps the one Flickr has.
""")
        tour.sync(client, root)

        tour.step(7, "Third sync: nothing changed, so nothing is transferred")
        before = sum(client.stats.calls_by_method.values())
        result = sync(client, SyncOptions(root=root))
        used = sum(client.stats.calls_by_method.values()) - before
        tour.say(f"{len(result.plan.actions)} actions planned; {used} Flickr API calls, all of them reads.")

        tour.step(8, "The library now")
        tour.tree(root)
    finally:
        client.close()
