"""`floorline digest --month 2026-11 --out DIR`: the monthly VIP digest, written as files.

Signs in to the server as a duty manager or admin (the PIN is asked for; from
a pipe it is read from standard input), fetches the month's digest, which the
server computes from its event log, writes the files (see `tui.digest_files`)
and signs out. With no server given or configured it asks the built-in demo
backend, as `floorline` does.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import socket
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from platformdirs import user_data_dir

from domain.metric_windows import MONTH_FORM, MonthError, month_window
from domain.policy import Policy

if TYPE_CHECKING:
    from domain.digest import MonthlyDigest

PROG = "floorline digest"
# a month refused here has begun nowhere yet: the server judges the rest by its own timezone
_EARLIEST_ZONE = Policy(timezone="Etc/GMT-14")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Write the monthly VIP digest (Markdown and CSV) from the server's figures.",
    )
    parser.add_argument(
        "--month", required=True, metavar=MONTH_FORM, help="the month, e.g. 2026-11"
    )
    parser.add_argument(
        "--out", required=True, type=Path, metavar="DIR", help="folder for the files"
    )
    parser.add_argument("--server", metavar="URL", help="backend address (default: as configured)")
    parser.add_argument("--staff", metavar="ID", help="a duty manager's or admin's staff ID")
    parser.add_argument("--ca-bundle", metavar="PATH", help="trust this CA bundle for the server")
    parser.add_argument(
        "--data-dir",
        metavar="PATH",
        type=Path,
        help="where the built-in demo backend keeps its floor",
    )
    return parser


class Refused(Exception):
    """The digest could not be made; the message says why, `code` is the exit status."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def _fail(message: str, code: int = 1) -> int:
    print(f"{PROG}: {message}", file=sys.stderr)
    return code


def read_pin(staff_id: str) -> str:
    """Asked for without echo at a terminal; one line of standard input from a pipe."""
    if sys.stdin.isatty():
        return getpass.getpass(f"PIN for {staff_id}: ")
    return sys.stdin.readline().strip()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        check_month(args.month)
    except MonthError as exc:
        return _fail(str(exc), 2)
    server, staff_id = args.server, args.staff
    if not server or not staff_id:
        from tui.config import load_config

        settings = load_config().settings
        server = server or settings.server_url
        staff_id = staff_id or settings.last_staff_id
    embedded = None
    if not server:
        from backend.embedded import EmbeddedBackendError, start_embedded

        data_dir = Path(args.data_dir or user_data_dir("floorline"))
        try:
            embedded = start_embedded(data_dir / "embedded")
        except EmbeddedBackendError as exc:
            return _fail(str(exc))
        server = embedded.url
    try:
        if not staff_id:
            staff_id = input("Staff ID: ").strip()
        pin = read_pin(staff_id)
        if not staff_id or not pin:
            return _fail("a staff ID and a PIN are needed to sign in")
        digest, made_by, made_at = asyncio.run(_fetch(server, staff_id, pin, args))
        return _write(digest, args.out, made_by=made_by, made_at=made_at)
    except Refused as exc:
        return _fail(str(exc), exc.code)
    finally:
        if embedded is not None:
            embedded.stop()


async def _fetch(
    server: str, staff_id: str, pin: str, args: argparse.Namespace
) -> tuple[MonthlyDigest, str, float]:
    """The month's digest, who asked for it and when (server time); `Refused` if not."""
    from api_client.clock import ClockEstimator
    from api_client.errors import ClientError, SignInFailed
    from api_client.metrics import Metrics
    from api_client.rest import HttpError, Rest, ssl_context
    from domain.metrics import metrics_refusal
    from domain.permissions import ROLE_LABELS

    clock = ClockEstimator(time.time, time.monotonic)
    verify: bool | str = args.ca_bundle or True
    terminal = f"{socket.gethostname()} (digest)"[:80]
    rest = Rest(
        server,
        terminal=terminal,
        tls=lambda: ssl_context(verify) if server.startswith("https") else None,
        clock=clock,
        monotonic=time.monotonic,
    )
    try:
        try:
            session = await rest.sign_in(staff_id, pin, terminal)
        except SignInFailed as exc:
            raise Refused(f"cannot sign in as {staff_id}: {exc.message}") from exc
        if session.must_change_pin:
            raise Refused("that PIN was given once: sign in on a terminal first to choose your own")
        rest.token = session.token
        staff = session.staff
        refusal = metrics_refusal(staff.role)
        if refusal is not None:
            raise Refused(refusal)
        try:
            digest = await Metrics(rest).digest(args.month)
        except HttpError as exc:
            raise Refused(exc.problem.detail, 2 if exc.status == 422 else 1) from exc
    except ClientError as exc:
        raise Refused(f"{server}: {exc.message}") from exc
    finally:
        if rest.token is not None:
            with contextlib.suppress(ClientError, HttpError):
                await rest.sign_out()
        await rest.aclose()
    return digest, f"{staff.name} ({ROLE_LABELS[staff.role]})", clock.now()


def _write(digest: MonthlyDigest, out: Path, *, made_by: str, made_at: float) -> int:
    from tui.digest_files import write_digest

    try:
        written = write_digest(digest, out, made_by=made_by, made_at=made_at)
    except OSError as exc:
        return _fail(f"cannot write to {out}: {exc}")
    label = digest.report.window.label
    print(f"The digest of {label} is in {out}:")
    for path in written:
        print(f"  {path}")
    if digest.report.events == 0:
        print(f"No incidents or downtime were recorded in {label}: the files hold zeros.")
    return 0


def check_month(text: str) -> None:
    """`MonthError` (saying the expected form) for a malformed month or one not begun
    anywhere yet; the server judges the rest by the floor's own timezone."""
    month_window(text, time.time(), _EARLIEST_ZONE)
