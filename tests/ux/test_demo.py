"""`pycsync demo`: the offline tour explains each step and ends with what to try next."""

from __future__ import annotations

from click.testing import CliRunner

from pycsync.cli import Environment, main


def test_demo_runs_offline_and_explains_itself(tmp_path):
    folder = tmp_path / "demo"
    env = {"PYCSYNC_CONFIG_DIR": str(tmp_path / "config")}
    result = CliRunner().invoke(main, ["demo", "--folder", str(folder)], env=env, obj=Environment(env=env))
    assert result.exit_code == 0, result.output
    out = result.stdout
    steps = [line for line in out.splitlines() if line[:2] in {f"{n}." for n in range(1, 10)}]
    assert [s.split(".")[0] for s in steps] == [str(n) for n in range(1, 9)]
    assert "uploaded         Paris/eiffel.jpg" in out
    assert "Only on Flickr (a sync downloads it):" in out and "Paris/IMG_2041.jpg" in out
    assert "moved on Flickr  Pets/cat.jpg  (from cat.jpg)" in out
    assert "0 actions planned" in out
    tail = out[out.index("Try next:") :]
    for command in ("pycsync emulator", "pycsync auth", "pycsync status", "pycsync sync", "pycsync --help"):
        assert command in tail
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.*") if ".pycsync" not in p.parts) == [
        "2019/Alps/glacier.png",
        "2019/Alps/lake.jpg",
        "2019/Alps/summit.jpg",
        "Paris/IMG_2041.jpg",
        "Paris/eiffel.jpg",
        "Paris/eiffel.jpg.xmp",
        "Paris/louvre.jpg",
        "Paris/louvre.jpg.xmp",
        "Pets/cat.jpg",
    ]
    assert "metadata         Paris/louvre.jpg  (here: title, description, tags)" in out


def test_demo_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "x.jpg").write_bytes(b"x")
    result = CliRunner().invoke(main, ["demo", "--folder", str(tmp_path)], obj=Environment(env={}))
    assert result.exit_code == 2 and "not empty" in result.output
