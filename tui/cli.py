"""The `floorline` command: the terminal app, or `floorline serve` for the backend.

floorline                     the app; with no server configured it starts
                              a private demo backend on this machine
floorline --server URL        the app against a real backend (remembered);
                              URL1,URL2: the floor's several servers, in turn
floorline serve --db ...      the backend (see `floorline serve --help`)
floorline floor import FILE   load or update the floor from a floor file (and `export`)
floorline db upgrade          migrate the backend's database (and `current`)
floorline audit verify        check the journal's hash chain (and `export`, `register`)
floorline digest --month M    the monthly VIP digest as Markdown and CSV (see `--help`)
floorline service-account add ID   an API key for another system (and `list`, `revoke`)
floorline web                 the app in a browser, one session per tab (see `--help`)
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from platformdirs import user_data_dir

if TYPE_CHECKING:
    from tui.config import Config
    from tui.source import FloorSource


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="floorline",
        description="Floor incident queue for casino floor staff.",
        epilog=(
            "floorline serve --help: run the backend; floorline floor --help: the floor file;"
            " floorline db --help: the backend's database; floorline audit --help: the"
            " journal and the registers; floorline digest --help: the monthly digest;"
            " floorline service-account --help: other systems' API keys; floorline web"
            " --help: the app in a browser."
        ),
    )
    parser.add_argument(
        "--server",
        metavar="URL",
        help="backend address, or the floor's servers as URL1,URL2 (remembered)",
    )
    parser.add_argument("--theme", help="floor, night or high-contrast (remembered when switched)")
    parser.add_argument("--staff", metavar="ID", help="staff ID to prefill on sign-in")
    parser.add_argument(
        "--data-dir", metavar="PATH", type=Path, help="where the local replica and outbox live"
    )
    parser.add_argument(
        "--auto-lock",
        metavar="SECONDS",
        type=float,
        help="lock after this long without a key press (0: never; default 300)",
    )
    parser.add_argument(
        "--ca-bundle", metavar="PATH", help="trust this CA bundle for the server's certificate"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["serve"]:
        from backend.cli import main as serve

        return serve(args[1:])
    if args[:1] == ["floor"]:
        from backend.floorcli import main as floor

        return floor(args[1:])
    if args[:1] == ["db"]:
        from backend.dbcli import main as db

        return db(args[1:])
    if args[:1] == ["audit"]:
        from backend.auditcli import main as audit

        return audit(args[1:])
    if args[:1] == ["service-account"]:
        from backend.servicecli import main as service_account

        return service_account(args[1:])
    if args[:1] == ["web"]:
        from tui.web import main as web

        return web(args[1:])
    if args[:1] == ["digest"]:
        from tui.digest import main as digest

        return digest(args[1:])
    options = build_parser().parse_args(args)
    if options.auto_lock is not None and not 0 <= options.auto_lock < math.inf:  # NaN too
        print("floorline: --auto-lock must be 0 or more seconds", file=sys.stderr)
        return 2

    from tui.config import load_config

    config = load_config()
    data_dir = Path(options.data_dir or user_data_dir("floorline"))
    server = options.server or config.settings.server_url
    if server:
        from api_client.servers import parse_servers

        try:
            server = ",".join(parse_servers(server))
        except ValueError as exc:
            where = "--server" if options.server else f"server_url in {config.path}"
            print(f"floorline: {where}: {exc}", file=sys.stderr)
            return 2
    embedded = None
    hint = ""
    if not server:
        from backend.embedded import EmbeddedBackendError, start_embedded

        try:
            embedded = start_embedded(data_dir / "embedded")
        except EmbeddedBackendError as exc:
            print(f"floorline: {exc}", file=sys.stderr)
            return 1
        server = embedded.url
        hint = demo_hint(embedded.pins)
    try:
        return run_app(
            server=server,
            data_dir=data_dir,
            options=options,
            config=config,
            hint=hint,
            remember_server=embedded is None,
            embedded_url=embedded.url if embedded is not None else None,
        )
    finally:
        if embedded is not None:
            embedded.stop()


def run_app(
    *,
    server: str,
    data_dir: Path,
    options: argparse.Namespace,
    config: Config,
    hint: str,
    remember_server: bool,
    embedded_url: str | None = None,
) -> int:
    from api_client.client import FloorClient
    from tui.app import FloorApp

    verify: bool | str = options.ca_bundle or True

    def client_for(url: str) -> FloorSource:
        # the built-in backend keeps its floor whatever port it ends up on
        name = "embedded" if url.rstrip("/") == (embedded_url or "").rstrip("/") else None
        return FloorClient(url, data_dir=data_dir, verify=verify, replica_name=name)

    app = FloorApp(
        source_factory=client_for,
        config=config,
        server_url=server,
        staff_id=options.staff,
        login_hint=hint,
        theme=options.theme,
        auto_lock_seconds=options.auto_lock,
        remember_server=remember_server,
    )
    if options.server and remember_server:
        config.remember(server_url=server)
    app.run()
    return app.return_code or 0


def demo_hint(pins: dict[str, str]) -> str:
    """One line under the sign-in form naming a few demo accounts."""
    shown = [f"{staff} / {pins[staff]}" for staff in ("pb2", "h1", "dm1") if staff in pins]
    if not shown:
        return "Built-in demo floor."
    return "Built-in demo floor. Try " + ", ".join(shown) + " (staff ID / PIN)."


if __name__ == "__main__":
    sys.exit(main())
