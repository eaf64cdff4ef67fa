"""`floorline serve` / `python -m backend serve`: run the backend."""

from __future__ import annotations

import argparse
import socket
import sys
from pathlib import Path

import uvicorn

from backend import logredact
from backend.config import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    DEFAULT_RETAIN_EVENTS,
    DEFAULT_TOKEN_TTL,
    DEFAULT_WS_PING_INTERVAL,
    DEFAULT_WS_PING_TIMEOUT,
    ServerConfig,
    default_db_url,
)
from domain.loopback import is_loopback
from domain.policy import PolicyError, policy_from_toml

LISTENING = "floorline backend listening on {scheme}://{host}:{port}"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="floorline serve", description="Run the floorline backend."
    )
    parser.add_argument("--db", default=None, help=f"database URL (default: {default_db_url()})")
    parser.add_argument("--host", default=DEFAULT_HOST, help="address to listen on")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (0: any free port)")
    parser.add_argument("--policy", type=Path, help="service-level policy file (TOML)")
    parser.add_argument(
        "--demo", action="store_true", help="load the demo floor into an empty database"
    )
    parser.add_argument("--certfile", help="TLS certificate (PEM): serve HTTPS/WSS only")
    parser.add_argument("--keyfile", help="TLS private key (PEM)")
    parser.add_argument(
        "--insecure", action="store_true", help="allow plain HTTP on a non-loopback address"
    )
    parser.add_argument(
        "--token-ttl", type=float, default=DEFAULT_TOKEN_TTL, help="session lifetime, seconds"
    )
    parser.add_argument(
        "--retain-events",
        type=int,
        default=DEFAULT_RETAIN_EVENTS,
        help="events kept for terminals to catch up from",
    )
    parser.add_argument(
        "--ws-ping-interval",
        type=float,
        default=DEFAULT_WS_PING_INTERVAL,
        help="seconds between keepalive pings on the live feed",
    )
    parser.add_argument(
        "--ws-ping-timeout",
        type=float,
        default=DEFAULT_WS_PING_TIMEOUT,
        help="seconds a terminal has to answer a ping before its live feed is closed",
    )
    parser.add_argument(
        "--upgrade",
        action="store_true",
        help="migrate an older database to this version's schema before serving"
        " (otherwise an older one is refused: see floorline db upgrade)",
    )
    parser.add_argument("--log-level", default="warning", help="uvicorn log level")
    return parser


def config_from_args(args: argparse.Namespace) -> ServerConfig:
    """A ServerConfig, or SystemExit(2) with a message the operator can act on."""
    if bool(args.certfile) != bool(args.keyfile):
        raise SystemExit("floorline serve: --certfile and --keyfile go together")
    if not args.certfile and not args.insecure and not is_loopback(args.host):
        raise SystemExit(
            f"floorline serve: refusing plain HTTP on {args.host}: give --certfile/--keyfile,"
            " or --insecure to accept it"
        )
    if args.token_ttl <= 0 or args.retain_events < 1 or not 0 <= args.port <= 65535:
        raise SystemExit(
            "floorline serve: --token-ttl, --retain-events and --port must be positive"
        )
    if args.ws_ping_interval <= 0 or args.ws_ping_timeout <= 0:
        raise SystemExit(
            "floorline serve: --ws-ping-interval and --ws-ping-timeout must be positive"
        )
    config = ServerConfig(
        host=args.host,
        port=args.port,
        demo=args.demo,
        certfile=args.certfile,
        keyfile=args.keyfile,
        insecure=args.insecure,
        token_ttl=args.token_ttl,
        retain_events=args.retain_events,
        ws_ping_interval=args.ws_ping_interval,
        ws_ping_timeout=args.ws_ping_timeout,
    )
    if args.db:
        config.db_url = args.db
    if args.policy is not None:
        try:
            config.policy = policy_from_toml(args.policy.read_text())
        except OSError as exc:
            raise SystemExit(f"floorline serve: cannot read the policy file: {exc}") from exc
        except PolicyError as exc:
            raise SystemExit(f"floorline serve: {exc}") from exc
    return config


class _Server(uvicorn.Server):
    """Prints the listening line once the socket accepts (the URL tests and the TUI wait for)."""

    def __init__(self, config: uvicorn.Config, announce: str) -> None:
        super().__init__(config)
        self.announce = announce

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if not self.should_exit:
            print(self.announce, flush=True)


def _give_up_on_dead_peers(sock: socket.socket, seconds: float) -> None:
    """Let the kernel drop a connection whose peer has taken none of our data for `seconds`.

    A terminal that stops reading (a frozen laptop, a hung process) still
    ACKs at the TCP level with a zero window; closing such a socket waits to
    flush forever and the connection, its buffer and its handler linger.
    TCP_USER_TIMEOUT (Linux; inherited by accepted sockets) covers data left
    unsent behind a zero window too, so the socket is reset instead. The
    websocket keepalive gives up on the same peer after the same time.
    """
    option = getattr(socket, "TCP_USER_TIMEOUT", None)
    if option is not None:
        sock.setsockopt(socket.IPPROTO_TCP, option, int(seconds * 1000))


def check_database(config: ServerConfig, upgrade: bool) -> str | None:
    """Open the database once before listening: why it cannot be served, or None.

    An empty one is created, a 0.1.0 one adopted, an older one refused (or,
    with `upgrade`, migrated: the terminal's built-in backend asks for that).
    """
    import asyncio

    from backend.dbcli import upgrade_database
    from backend.storage import Storage, StorageError

    async def check() -> None:
        if upgrade:
            await upgrade_database(config.db_url, say=lambda line: print(line, flush=True))
        else:
            await (await Storage.open(config.db_url)).close()

    try:
        asyncio.run(check())
    except StorageError as exc:
        return f"floorline serve: {exc}"
    return None


def serve(config: ServerConfig, log_level: str = "warning", *, upgrade: bool = False) -> int:
    from backend.app import create_app

    problem = check_database(config, upgrade)
    if problem is not None:
        print(problem, file=sys.stderr)
        return 1

    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    _give_up_on_dead_peers(sock, config.ws_ping_interval + config.ws_ping_timeout)
    try:
        sock.bind((config.host, config.port))
    except OSError as exc:
        print(
            f"floorline serve: cannot listen on {config.host}:{config.port}: {exc}", file=sys.stderr
        )
        return 1
    port = sock.getsockname()[1]
    config.port = port
    host = f"[{config.host}]" if family == socket.AF_INET6 else config.host
    from backend.livews import live_protocol

    app = create_app(config)
    uv_config = uvicorn.Config(
        app,
        # the live feed on `websockets` directly: see backend/livews.py
        ws=live_protocol(app),  # type: ignore[arg-type]
        log_level=log_level,
        access_log=False,
        ws_ping_interval=config.ws_ping_interval,
        ws_ping_timeout=config.ws_ping_timeout,
        ws_per_message_deflate=False,
        ws_max_size=64 * 1024,
        ssl_certfile=config.certfile,
        ssl_keyfile=config.keyfile,
        timeout_graceful_shutdown=3,
    )
    logredact.install()  # after uvicorn has set up its loggers
    server = _Server(uv_config, LISTENING.format(scheme=config.scheme, host=host, port=port))
    server.run(sockets=[sock])
    return 0 if server.started else 1


def main(argv: list[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["serve"]:
        args_list = args_list[1:]
    parser = build_parser()
    args = parser.parse_args(args_list)
    try:
        config = config_from_args(args)
    except SystemExit as exc:
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
            return 2
        raise
    return serve(config, args.log_level, upgrade=args.upgrade)
