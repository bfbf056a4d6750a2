"""Exit status of the commands added for people (sync's own are in tests/integration):
0 done, 2 usage or configuration, 3 authentication, 7 safety abort."""

from __future__ import annotations

from tests.support.files import write_jpeg

SIGNED_OUT = {"FLICKR_OAUTH_TOKEN": "", "FLICKR_OAUTH_TOKEN_SECRET": ""}


def test_status_exits_3_when_signed_out_and_config_still_works(cli, root):
    result = cli("status", str(root), env=SIGNED_OUT)
    assert result.exit_code == 3 and "pycsync auth" in result.stderr
    assert cli("config", str(root), env=SIGNED_OUT).exit_code == 0


def test_status_exits_0_whether_or_not_the_sides_differ(cli, root):
    assert cli("status", str(root)).exit_code == 0
    write_jpeg(root / "A" / "1.jpg", 1)
    assert cli("status", str(root)).exit_code == 0


def test_status_with_delete_reports_a_refused_plan_with_7(cli, root, sync_json):
    for i in range(4):
        write_jpeg(root / "A" / f"{i}.jpg", i)
    sync_json(root)
    for i in range(3):
        (root / "A" / f"{i}.jpg").unlink()
    result = cli("status", str(root), "--delete")
    assert result.exit_code == 7 and "max-delete" in result.stderr
    assert cli("status", str(root)).exit_code == 0, "without --delete nothing would be deleted"


def test_usage_errors_exit_2(cli, root, tmp_path):
    a_file = tmp_path / "file.jpg"
    a_file.write_bytes(b"x")
    assert cli("status", str(a_file)).exit_code == 2
    assert cli("config", "--jobs", "99").exit_code == 2
    assert cli("status", "--frobnicate").exit_code == 2
    assert cli("auth", "--perms", "everything").exit_code == 2
