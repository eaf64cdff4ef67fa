"""`floorline floor import FILE` / `floorline floor export`: the floor file against a database.

Works on the database directly, like `floorline serve --db`, and is safe
beside a running server: the changes go through the event log's command path
(one transaction, gap-free seq), and the server hands them to its terminals.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import socket
import sys
from pathlib import Path

from backend.config import ServerConfig, default_db_url
from backend.floorimport import FloorRefused, export_floor, import_floor
from backend.live import LiveHub
from backend.service import FloorService
from backend.storage import Storage, StorageError
from domain.floorfile import FloorFileError, dump_floor, parse_floor
from domain.pins import PinFileError, parse_pin_file


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="floorline floor", description="Load or save the floor.")
    sub = parser.add_subparsers(dest="action", required=True)
    load = sub.add_parser("import", help="load or update the floor from a floor file (TOML)")
    load.add_argument("file", type=Path)
    load.add_argument("--db", default=None, help=f"database URL (default: {default_db_url()})")
    load.add_argument(
        "--pin-file", type=Path, help="PINs for the staff this import adds (TOML, [pins] id = PIN)"
    )
    save = sub.add_parser("export", help="write the floor as a floor file")
    save.add_argument("--db", default=None, help=f"database URL (default: {default_db_url()})")
    save.add_argument("--out", type=Path, help="file to write (default: standard output)")
    return parser


async def _service(db_url: str) -> FloorService:
    from backend.floorconfig import base_state

    storage = await Storage.open(db_url)
    config = ServerConfig(db_url=db_url)
    service = FloorService(storage, config, LiveHub())
    await service.start(await base_state(storage.engine, config.policy))
    return service


async def _import(args: argparse.Namespace) -> int:
    try:
        text = args.file.read_text()
    except OSError as exc:
        print(f"floorline floor import: cannot read {args.file}: {exc}", file=sys.stderr)
        return 1
    try:
        floor = parse_floor(text, str(args.file))
    except FloorFileError as exc:
        print(f"{exc}\nnothing was changed", file=sys.stderr)
        return 1
    chosen: dict[str, str] = {}
    one_time = True
    if args.pin_file is not None:
        try:
            chosen, one_time = parse_pin_file(args.pin_file.read_text(), str(args.pin_file))
        except (OSError, PinFileError) as exc:
            print(f"{exc}\nnothing was changed", file=sys.stderr)
            return 1
    service = await _service(args.db or default_db_url())
    try:
        terminal = f"floor import {args.file.name} by {getpass.getuser()}@{socket.gethostname()}"
        report = await import_floor(
            service, floor, chosen_pins=chosen, one_time=one_time, terminal=terminal[:80]
        )
    except FloorRefused as exc:
        print(f"floorline floor import: {exc}\nnothing was changed", file=sys.stderr)
        return 1
    finally:
        await service.storage.close()
    if not report.changes:
        print("the floor already matches the file: nothing changed")
        return 0
    done = ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in sorted(report.changes.items()))
    print(f"floor imported ({done}; the log is at seq {report.seq})")
    fresh = {k: v for k, v in report.new_pins.items() if k not in report.kept}
    kept = {k: v for k, v in report.new_pins.items() if k in report.kept}
    if fresh:
        print(
            "new staff and their one-time PINs (each is changed at first sign-in);"
            " they are shown only now:"
        )
        for staff_id, pin in fresh.items():
            print(f"  {staff_id:<12} PIN {pin}")
    if kept:
        print("new staff and the PINs the pin file gives them to keep:")
        for staff_id, pin in kept.items():
            print(f"  {staff_id:<12} PIN {pin}")
    return 0


async def _export(args: argparse.Namespace) -> int:
    try:
        storage = await Storage.open(args.db or default_db_url())
    except StorageError as exc:
        print(f"floorline floor export: {exc}", file=sys.stderr)
        return 1
    try:
        text = dump_floor(await export_floor(storage.engine))
    finally:
        await storage.close()
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text)
    return 0


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        return asyncio.run(_import(args) if args.action == "import" else _export(args))
    except StorageError as exc:
        print(f"floorline floor: {exc}", file=sys.stderr)
        return 1
