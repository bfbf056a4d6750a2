"""--jobs auto (and jobs = "auto" in a config file): the same sync as any fixed --jobs, with as
many transfers at once as the measured link calls for."""

from __future__ import annotations

import json

from tests.support.files import tree, write_jpeg


def test_jobs_auto_uploads_and_downloads_everything(emulator, root, tmp_path, cli, sync_json):
    for i in range(12):
        write_jpeg(root / f"A{i % 3}" / f"{i:02d}.jpg", i)
    emulator.set_network(latency_ms=20)
    summary = sync_json(root, "--jobs", "auto")
    assert summary["uploaded"] == 12 and summary["failed"] == 0
    other = tmp_path / "other"
    other.mkdir()
    (other / ".pycsync").mkdir()
    (other / ".pycsync" / "config.toml").write_text('jobs = "auto"\n')
    assert sync_json(other)["downloaded"] == 12
    assert tree(other) == tree(root)


def test_jobs_must_be_a_number_or_auto(root, cli):
    for bad in ("0", "33", "many"):
        result = cli("sync", str(root), "--jobs", bad)
        assert result.exit_code == 2 and "auto" in result.stderr, (bad, result.stderr)
    shown = json.loads(cli("config", str(root), "--jobs", "auto", "--json").stdout)
    assert shown["settings"]["jobs"] == {"value": "auto", "source": "flag"}
