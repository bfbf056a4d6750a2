"""The golden scenarios run the real CLI against the emulator, like the integration tests."""

from tests.integration.conftest import cli, cli_env, sync_json  # noqa: F401
