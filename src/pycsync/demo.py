"""`pycsync demo`: the whole product offline, against the bundled Flickr emulator.

It starts the emulator on a free port, copies a small library of real photos into a folder,
syncs it up, then changes things "on Flickr" the way a user on the website would (a new photo
from a phone in an album, an edited photo replaced in place) and syncs again.
"""

from __future__ import annotations

import shutil
import tempfile
from importlib import resources
from pathlib import Path

import click

from pycsync.app import SyncOptions, sync
from pycsync.flickr import Credentials, Endpoints, FlickrClient
from pycsync.report import Reporter


def _step(text: str) -> None:
    click.secho(f"\n==> {text}", bold=True)


def _tree(root: Path) -> None:
    for path in sorted(p for p in root.rglob("*") if p.is_file() and ".pycsync" not in p.parts):
        click.echo(f"    {path.relative_to(root)}")


@click.command("demo")
@click.option("--folder", type=click.Path(file_okay=False), help="Where to put the demo library (default: a new temporary folder).")
def demo_command(folder: str | None) -> None:
    """Try pycsync offline: a sample library synced with the bundled Flickr emulator."""
    from pycsync.emulator import EmulatorServer

    data = resources.files("pycsync") / "demo_data"
    root = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="pycsync-demo-"))
    with resources.as_file(data) as data_dir:
        if root.exists() and any(root.iterdir()):
            raise click.ClickException(f"{root} is not empty; pick an empty or new --folder")
        shutil.copytree(data_dir / "library", root, dirs_exist_ok=True)
        extra = Path(tempfile.mkdtemp(prefix="pycsync-demo-flickr-"))
        shutil.copytree(data_dir / "uploaded-on-flickr", extra, dirs_exist_ok=True)

    with EmulatorServer() as emu:
        _step(f"Started the bundled Flickr emulator at {emu.endpoint}")
        click.echo("    It speaks Flickr's real API (OAuth 1.0a, REST, upload, replace), so pycsync")
        click.echo("    talks to it exactly as it talks to flickr.com; only the address differs.")
        creds = Credentials(emu.api_key, emu.api_secret, emu.oauth_token, emu.oauth_token_secret)
        client = FlickrClient(Endpoints.for_base(emu.endpoint), creds, calls_per_hour=None)
        reporter = Reporter(click.get_text_stream("stdout"), click.get_text_stream("stderr"))

        _step(f"A sample photo library in {root}")
        _tree(root)

        _step("First sync: every folder becomes an album, every photo is uploaded once")
        result = sync(client, SyncOptions(root=root), notify=reporter.notify)
        reporter.sync_result(result, dict(client.stats.calls_by_method))

        _step("Meanwhile, on Flickr: a photo arrives from a phone, and eiffel.jpg is edited")
        albums = {a["title"]["_content"]: a["id"] for a in client.list_albums()}
        new = client.upload(extra / "IMG_2041.jpg", title="IMG_2041")
        client.add_to_album(albums["Paris"], new.photo_id)
        eiffel = next(
            p["id"] for p in client.album_photos(albums["Paris"]) if p["title"] == "eiffel"
        )
        client.replace(extra / "eiffel-edited.jpg", eiffel)
        click.echo("    uploaded IMG_2041.jpg into the album 'Paris'; replaced eiffel with an edit")

        _step("Second sync: only what changed moves")
        before = sum(client.stats.calls_by_method.values())
        result = sync(client, SyncOptions(root=root), notify=reporter.notify)
        reporter.sync_result(result, {"this run": sum(client.stats.calls_by_method.values()) - before})

        _step("Third sync: nothing changed, so nothing happens")
        result = sync(client, SyncOptions(root=root), notify=reporter.notify)
        click.echo(f"    {len(result.plan.actions)} actions planned")

        _step("The library now")
        _tree(root)
        client.close()
    shutil.rmtree(extra, ignore_errors=True)

    click.echo(
        "\nTry next:\n"
        "  pycsync emulator                      run the emulator yourself (prints its keys)\n"
        "  pycsync --endpoint URL sync PATH      sync any folder against it (with FLICKR_* env vars)\n"
        "  pycsync auth --api-key K --api-secret S   sign in to the real Flickr\n"
        "  pycsync sync ~/Pictures --dry-run     see what a real sync would do\n"
        f"\nThe demo library stays in {root}."
    )
