"""`floorline web`: the same app in a browser, for hosts without a terminal.

textual-serve answers the page and, for each browser tab that opens it,
starts a process of its own running the app (`tui.web_tab`) against the
floor's server. A tab signs in like any terminal (staff ID and PIN); its
token lives in that process's memory only and its replica and outbox in a
temporary directory of its own, removed when the tab closes. The browser
keeps nothing but the page: closing or reloading a tab ends its session.
"""

from __future__ import annotations

import argparse
import math
import shlex
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from platformdirs import user_data_dir

from domain.loopback import is_loopback

if TYPE_CHECKING:
    from aiohttp import web
    from textual_serve.server import Server


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="floorline web",
        description=(
            "Serve the floorline app to browsers: each tab is its own terminal with its own"
            " sign-in. With no server given or configured, a built-in demo floor is served."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8766, help="port to listen on")
    parser.add_argument(
        "--public-url",
        metavar="URL",
        help="the address browsers use, when a proxy is in front (default: http://HOST:PORT)",
    )
    parser.add_argument(
        "--server",
        metavar="URL",
        help="the floor's backend, or its servers as URL1,URL2 (default: the configured one)",
    )
    parser.add_argument("--theme", help="floor, night or high-contrast")
    parser.add_argument(
        "--auto-lock",
        metavar="SECONDS",
        type=float,
        help="lock a tab after this long without a key press (0: never; default 300)",
    )
    parser.add_argument(
        "--ca-bundle", metavar="PATH", help="trust this CA bundle for the server's certificate"
    )
    parser.add_argument(
        "--data-dir", metavar="PATH", type=Path, help="where the built-in demo floor lives"
    )
    parser.add_argument(
        "--insecure",
        action="store_true",
        help="allow plain HTTP on a non-loopback address with no https --public-url",
    )
    return parser


def public_url(host: str, port: int, given: str | None) -> str:
    """Where browsers reach the page (its websocket address is made from it)."""
    if given:
        return given.rstrip("/")
    if host in ("0.0.0.0", "::", ""):
        host = socket.gethostname()  # listening everywhere: name this machine
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def tab_command(server: str, options: argparse.Namespace, hint: str) -> str:
    """The shell command textual-serve runs for each tab."""
    # -P: the installed floorline, never a `tui` package in the directory it runs from
    words = [sys.executable, "-P", "-m", "tui.web_tab", "--server", server]
    if options.theme:
        words += ["--theme", options.theme]
    if options.auto_lock is not None:
        words += ["--auto-lock", str(options.auto_lock)]
    if options.ca_bundle:
        words += ["--ca-bundle", str(options.ca_bundle)]
    if hint:
        words += ["--hint", hint]
    return shlex.join(words)


def _quiet_server() -> type[Server]:
    from textual_serve.server import Server

    class QuietServer(Server):
        """textual-serve without its banner (which prints the whole tab command)."""

        async def on_startup(self, app: web.Application) -> None:
            pass

    return QuietServer


def main(argv: list[str]) -> int:
    options = build_parser().parse_args(argv)
    if not 0 < options.port < 65536:
        print("floorline web: --port must be 1-65535", file=sys.stderr)
        return 2
    if options.auto_lock is not None and not 0 <= options.auto_lock < math.inf:  # NaN too
        print("floorline web: --auto-lock must be 0 or more seconds", file=sys.stderr)
        return 2
    behind_tls = (options.public_url or "").startswith("https://")
    if not is_loopback(options.host) and not behind_tls and not options.insecure:
        # PINs cross the page's websocket: the same rule as `floorline serve`
        print(
            f"floorline web: refusing plain HTTP on {options.host}: put a TLS proxy in front"
            " and give --public-url https://..., or --insecure to accept it",
            file=sys.stderr,
        )
        return 2

    from api_client.servers import parse_servers
    from tui.config import load_config

    server = options.server or load_config().settings.server_url
    if server:
        try:
            server = ",".join(parse_servers(server))
        except ValueError as exc:
            print(f"floorline web: --server: {exc}", file=sys.stderr)
            return 2
    embedded = None
    hint = ""
    if not server:
        from backend.embedded import EmbeddedBackendError, start_embedded
        from tui.cli import demo_hint

        data_dir = Path(options.data_dir or user_data_dir("floorline"))
        try:
            embedded = start_embedded(data_dir / "embedded")
        except EmbeddedBackendError as exc:
            print(f"floorline web: {exc}", file=sys.stderr)
            return 1
        server = embedded.url
        hint = demo_hint(embedded.pins)

    url = public_url(options.host, options.port, options.public_url)
    served = _quiet_server()(
        tab_command(server, options, hint),
        host=options.host,
        port=options.port,
        title="floorline",
        public_url=url,
    )
    print(f"floorline web: serving the app on {url} (floor server {server})", flush=True)
    try:
        served.serve()
    finally:
        if embedded is not None:
            embedded.stop()
    return 0
