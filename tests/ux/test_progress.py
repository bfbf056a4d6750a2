"""Progress: a live display on a terminal (overall bar with files, bytes, rate and ETA, one line
per transfer, action lines above), plain lines anywhere else, and the per-album summary table."""

from __future__ import annotations

import io
import json
import re

from click.testing import CliRunner

from pycsync.cli import Environment, main
from pycsync.estimate import Estimate
from pycsync.events import (
    ActionDone,
    ActionFailed,
    Done,
    TransferFinished,
    TransferProgress,
    TransfersPlanned,
    TransferStarted,
)
from pycsync.report import Reporter, _Live
from tests.support.files import write_jpeg

ANSI = re.compile(r"\x1b\[")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_live_display_counts_files_and_bytes_of_transfers():
    live = _Live(Terminal())
    live.event(TransfersPlanned(3, 3000))
    live.event(TransferStarted("A/1.jpg", "up", 1000))
    live.event(TransferProgress("A/1.jpg", 400))
    live.event(TransferProgress("A/1.jpg", 1000))
    live.event(TransferProgress("A/1.jpg", 1000))  # a repeat is not counted twice
    live.event(TransferFinished("A/1.jpg"))
    live.event(TransferStarted("A/2.jpg", "up", 2000))
    live.event(TransferProgress("A/2.jpg", 500))
    assert (live.files, live.files_done, live.bytes_done) == (3, 1, 1500)
    info = live._overall_info()
    assert info.startswith("1/3 files · 1.5 kB / 3.0 kB"), info
    assert "ETA" in info
    assert len(live.progress.tasks) == 2  # the overall bar and the one transfer in flight
    live.event(TransferFinished("A/2.jpg"))
    live.event(TransferStarted("B/x.jpg", "down", 0))  # a download: size unknown up front
    live.event(TransferProgress("B/x.jpg", 2500))
    live.event(TransferFinished("B/x.jpg"))
    assert live.files_done == 3 and live.bytes_done == 4000
    assert live._overall_info().startswith("3/3 files · 4.0 kB ·") or live._overall_info() == "3/3 files · 4.0 kB"


def test_the_eta_is_never_shorter_than_the_api_budget_allows():
    """A run paced by the hourly budget: the link would finish in seconds, the calls take the
    budget's time; the ETA says which (the client tells how long its remaining calls take)."""
    asked: list[int] = []

    def budget_wait(total_calls: int) -> float:
        asked.append(total_calls)
        return 3725.0

    live = _Live(Terminal(), budget_wait)
    live.event(TransfersPlanned(4000, 4_000_000))
    live.event(TransferStarted("A/1.jpg", "up", 1000))
    live.event(TransferFinished("A/1.jpg"))
    assert "API budget" not in live._overall_info(), "no plan told yet"
    live.cost(Estimate(calls=4010, bytes_up=4_000_000, downloads=0, rate_limit=3000, calls_so_far=5))
    assert live._overall_info().endswith("ETA 1:02:05 (API budget)")
    assert asked[-1] == 4015, "the calls made once the plan is done, those before it included"
    live = _Live(Terminal(), lambda total: 0.0)  # the budget allows them at once: the link decides
    live.cost(Estimate(calls=3, bytes_up=3000, downloads=0, rate_limit=3000))
    live.event(TransfersPlanned(3, 3000))
    live.event(TransferStarted("A/1.jpg", "up", 1000))
    live.event(TransferFinished("A/1.jpg"))
    assert "ETA" in live._overall_info() and "API budget" not in live._overall_info()


def test_a_sync_on_a_terminal_shows_a_live_display_and_the_table(root, cli_env):
    for i in range(3):
        write_jpeg(root / "Trip" / f"{i}.jpg", i)
    write_jpeg(root / "loose.jpg", 9)
    terminal = Terminal()
    result = CliRunner().invoke(main, ["sync", str(root)], env=cli_env, obj=Environment(env=cli_env, stdout=terminal))
    assert result.exit_code == 0, (result.output, terminal.getvalue())
    shown = terminal.getvalue()
    assert ANSI.search(shown), "a terminal gets the live display"
    assert "Scanning the folder and listing Flickr" in shown
    assert "4/4 files" in shown
    assert "uploaded         Trip/0.jpg" in shown
    table = shown[shown.index("album ") :]
    assert re.search(r"^Trip\s+3\b", table, re.M) and re.search(r"^\(no album\)\s+1\b", table, re.M)
    assert "done: 4 uploaded; " in shown


def test_plain_output_when_not_a_terminal(root, cli):
    for i in range(2):
        write_jpeg(root / "Trip" / f"{i}.jpg", i)
    result = cli("sync", str(root))
    assert result.exit_code == 0
    assert not ANSI.search(result.output), "no control characters in a pipe or a log"
    lines = result.stdout.splitlines()
    assert "uploaded         Trip/0.jpg" in lines and "uploaded         Trip/1.jpg" in lines
    header = next(i for i, line in enumerate(lines) if line.startswith("album"))
    assert lines[header].split() == [
        "album",
        "uploaded",
        "downloaded",
        "replaced",
        "moved",
        "deleted",
        "metadata",
        "conflicts",
        "skipped",
        "unsynced",
        "failed",
    ]
    assert lines[header + 2].split()[:2] == ["Trip", "2"]
    assert re.fullmatch(r"done: 2 uploaded; \d+ Flickr API calls in [\d.]+s", lines[-1])


def test_quiet_prints_only_the_summary_line(root, cli):
    write_jpeg(root / "A" / "1.jpg", 1)
    result = cli("sync", str(root), "--quiet")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [result.stdout.strip()]
    assert result.stdout.startswith("done: 1 uploaded; ")
    again = cli("sync", str(root), "-q")
    assert again.stdout.startswith("done: nothing to do; ")


def test_verbose_adds_album_edits_and_calls_by_method(root, cli):
    write_jpeg(root / "A" / "1.jpg", 1)
    result = cli("sync", str(root), "-v")
    assert result.exit_code == 0
    assert "added to album   A/1.jpg  (A)" in result.stdout
    assert re.search(r"^Flickr API calls: .*upload 1", result.stdout, re.M)


def test_failures_go_to_stderr_as_they_happen_and_again_at_the_end(root, cli):
    write_jpeg(root / "A" / "1.jpg", 1)
    (root / "A" / "notes.jpg").write_bytes(b"this is not a photo")
    result = cli("sync", str(root))
    assert result.exit_code == 1
    err = result.stderr.splitlines()
    assert err[0].startswith("warning: A/notes.jpg: Flickr refuses this file")
    assert err[1:3] == ["1 item failed:", err[0].replace("warning: ", "  ")]
    assert "notes" not in result.stdout
    assert re.search(r"^A\s+1(\s+·){8}\s+1$", result.stdout, re.M)


def test_json_summary_shape(root, sync_json):
    write_jpeg(root / "A" / "1.jpg", 1)
    write_jpeg(root / "2.jpg", 2)
    summary = sync_json(root)
    assert {
        "dry_run",
        "uploaded",
        "downloaded",
        "replaced",
        "moved",
        "deleted",
        "linked",
        "conflicts",
        "skipped",
        "unsynced",
        "unsynced_files",
        "placed",
        "failed",
        "failures",
        "flickr_writes",
        "api_calls",
        "api_calls_total",
        "bytes_up",
        "bytes_down",
        "files_hashed",
        "seconds",
        "by_album",
        "albums",
    } <= set(summary)
    assert summary["albums"]["A"] == {
        "uploaded": 1,
        "downloaded": 0,
        "replaced": 0,
        "moved": 0,
        "deleted": 0,
        "metadata": 0,
        "conflicts": 0,
        "skipped": 0,
        "unsynced": 0,
        "failed": 0,
    }
    assert summary["albums"]["(no album)"]["uploaded"] == 1
    assert summary["api_calls_total"] == sum(summary["api_calls"].values()) and summary["api_calls"]["upload"] == 2
    json.dumps(summary)


def test_reporter_plain_and_live_agree_on_the_summary():
    out, err = io.StringIO(), io.StringIO()
    reporter = Reporter(out, err)
    assert not reporter.is_live
    reporter.notify(TransferStarted("A/1.jpg", "up", 10))  # progress events never print as lines
    reporter.notify(TransferProgress("A/1.jpg", 10))
    reporter.notify(TransferFinished("A/1.jpg"))
    reporter.notify(ActionDone(Done.UPLOADED, "A/1.jpg"))
    reporter.notify(ActionDone(Done.ADDED_TO_ALBUM, "A/1.jpg", album="A"))  # (only with --verbose)
    reporter.notify(ActionFailed("B/2.jpg", "boom"))
    assert out.getvalue() == "uploaded         A/1.jpg\n"
    assert err.getvalue() == "warning: B/2.jpg: boom\n"
    assert Reporter(Terminal(), err).is_live and not Reporter(Terminal(), err, quiet=True).is_live
    assert not Reporter(Terminal(), err, json_mode=True).is_live
