"""One browser tab's app (`floorline web` starts this once per tab).

Everything the tab keeps is its own and goes when it closes: the session
token in memory (never the keyring, shared by every tab of the host), the
replica, the outbox and the settings in a temporary directory that is
removed on exit. The per-user directories point into it as well, so nothing
of one tab can reach another's.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="floorline web tab")
    parser.add_argument("--server", required=True)
    parser.add_argument("--theme")
    parser.add_argument("--auto-lock", type=float)
    parser.add_argument("--ca-bundle")
    parser.add_argument("--hint", default="")
    return parser


def main(argv: list[str] | None = None) -> int:
    options = build_parser().parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="floorline-tab-") as folder:
        state = Path(folder)
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
            os.environ[name] = str(state / name.lower())
        return run(options, state)


def run(options: argparse.Namespace, state: Path) -> int:
    from api_client.client import FloorClient
    from api_client.tokens import MemoryTokenStore
    from tui.app import FloorApp
    from tui.config import load_config
    from tui.source import FloorSource

    tokens = MemoryTokenStore()
    verify: bool | str = options.ca_bundle or True

    def client_for(url: str) -> FloorSource:
        return FloorClient(url, data_dir=state / "data", verify=verify, token_store=tokens)

    app = FloorApp(
        source_factory=client_for,
        config=load_config(state / "config"),
        server_url=options.server,
        login_hint=options.hint,
        theme=options.theme,
        auto_lock_seconds=options.auto_lock,
        remember_server=False,
    )
    app.run()
    return app.return_code or 0


if __name__ == "__main__":
    sys.exit(main())
