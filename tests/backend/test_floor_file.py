"""The floor file against real servers: import, export, one-time PINs, staff admin, revocation.

Every import runs the real `floorline floor import` in its own process, beside
a running server where the test needs one.
"""

from __future__ import annotations

import asyncio
import getpass
import re
import socket
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from api_client import Link
from backend.config import ServerConfig
from domain.floorfile import parse_floor
from domain.protocol import CLOSE_RESYNC, CLOSE_UNAUTHORISED
from tests.api_client.helpers import signed_in_client, until
from tests.backend.helpers import Terminal, command_id, open_p1
from tests.backend.inprocess import serve_in_process
from tests.conftest import ROOT, BackendFactory

EXAMPLE = (resources.files("backend.floors") / "example.toml").read_text()
PIN_LINE = re.compile(r"^\s+(\S+)\s+PIN (\d+)$", re.M)
KEPT_PINS = 'one_time = false\n[pins]\nadmin = "9000"\ndm1 = "3001"\ndm2 = "3002"\n'
WITH_PIT_BOSS = KEPT_PINS + 'pb1 = "5001"\n'


def floor_cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", "floor", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def imported(tmp_path: Path, db: str, text: str = EXAMPLE, pins: str | None = None) -> str:
    floor = tmp_path / "floor.toml"
    floor.write_text(text)
    extra: list[str | Path] = []
    if pins is not None:
        (tmp_path / "pins.toml").write_text(pins)
        extra = ["--pin-file", tmp_path / "pins.toml"]
    done = floor_cli("import", floor, "--db", db, *extra)
    assert done.returncode == 0, done.stderr
    return done.stdout


def exported(db: str) -> str:
    done = floor_cli("export", "--db", db)
    assert done.returncode == 0, done.stderr
    return done.stdout


def check_round_trip(tmp_path: Path, db: str) -> None:
    imported(tmp_path, db)
    assert parse_floor(exported(db)) == parse_floor(EXAMPLE)
    # and importing the export changes nothing
    again = imported(tmp_path, db, exported(db))
    assert "nothing changed" in again


def test_import_export_round_trip_on_sqlite(tmp_path: Path) -> None:
    check_round_trip(tmp_path, f"sqlite:///{tmp_path / 'floor.db'}")


@pytest.mark.postgres
def test_import_export_round_trip_on_postgres(tmp_path: Path, pg_url: str) -> None:
    check_round_trip(tmp_path, pg_url)


def test_an_edited_export_names_the_line_of_the_broken_entry(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'floor.db'}"
    imported(tmp_path, db)
    text = exported(db)
    # the README's shape: one `[[section]]` block per entry, no multi-line arrays
    assert not [line for line in text.splitlines() if line.rstrip().endswith(("[", "{"))]
    headers = {line for line in text.splitlines() if line.startswith("[")}
    assert headers == {"[[pit]]", "[[asset]]", "[[staff]]", "[[on_call]]", "[[roster]]"}
    lines = text.splitlines()
    host = lines.index('role = "host"')
    lines[host] = 'role = "pitboss"'
    night = next(n for n, line in enumerate(lines) if '"Mon-Fri 22:00-06:00"' in line)
    lines[night] = lines[night].replace("22:00", "10pm")
    path = tmp_path / "edited.toml"
    path.write_text("\n".join(lines) + "\n")
    done = floor_cli("import", path, "--db", db)
    assert done.returncode == 1
    shown = done.stderr.splitlines()
    assert shown[0].startswith(f"{path}:{host + 1}: staff[4].role: unknown role 'pitboss'")
    assert shown[1].startswith(f"{path}:{night + 1}: roster[5].shifts[1]: bad time")
    assert shown[-1] == "nothing was changed"
    assert exported(db) == text


def test_a_bad_file_names_file_line_and_field_and_changes_nothing(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'floor.db'}"
    imported(tmp_path, db)
    before = exported(db)
    bad = EXAMPLE.replace('name = "Sam P."', 'name = "Sam P. Jr"').replace(
        'role = "host"', 'role = "pitboss"'
    )
    path = tmp_path / "floor.toml"
    path.write_text(bad)
    done = floor_cli("import", path, "--db", db)
    line = next(n for n, text in enumerate(bad.splitlines(), 1) if "pitboss" in text)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"{path}:{line}: staff[3].role: unknown role 'pitboss'"
        " (expected one of host, pit_boss, duty_manager, admin)",
        "nothing was changed",
    ]
    assert exported(db) == before  # Sam's new name did not go in either


async def test_a_one_time_pin_must_be_changed_before_anything_else(
    tmp_path: Path, backend_factory: BackendFactory
) -> None:
    db = f"sqlite:///{tmp_path / 'floor.db'}"
    pins = dict(PIN_LINE.findall(imported(tmp_path, db)))
    assert set(pins) == {"admin", "dm1", "dm2", "h1", "pb1"}
    server = backend_factory(demo=False, db_url=db)
    async with httpx.AsyncClient(base_url=server.url, timeout=20) as http:
        answer = await http.post("/v1/session", json={"staff_id": "admin", "pin": pins["admin"]})
        assert answer.status_code == 200 and answer.json()["must_change_pin"] is True
        auth = {"Authorization": f"Bearer {answer.json()['token']}"}
        refused = await http.get("/v1/snapshot", headers=auth)
        assert refused.status_code == 403 and refused.json()["code"] == "pin_change_required"
        admin = Terminal(server.url, answer.json()["token"], "admin")
        with pytest.raises(ConnectionClosed) as closed:
            async with admin.live(after=0) as feed:
                await feed.frame()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == CLOSE_UNAUTHORISED
        await admin.close()
        for new, why in ((pins["admin"], "must differ"), ("12ab", "4 to 12 digits")):
            body = {"old_pin": pins["admin"], "new_pin": new}
            bad = await http.post("/v1/session/pin", json=body, headers=auth)
            assert bad.status_code == 422 and why in bad.json()["detail"]
        body = {"old_pin": pins["admin"], "new_pin": "246810"}
        assert (await http.post("/v1/session/pin", json=body, headers=auth)).status_code == 204
        assert (await http.get("/v1/snapshot", headers=auth)).status_code == 200
        old = await http.post("/v1/session", json={"staff_id": "admin", "pin": pins["admin"]})
        assert old.status_code == 401
    admin = await Terminal.sign_in(server.url, "admin", "246810")
    assert (await admin.snapshot())["me"]["id"] == "admin"
    await admin.close()


async def test_a_running_server_shows_an_import_to_its_terminals(
    tmp_path: Path, backend_factory: BackendFactory
) -> None:
    db = f"sqlite:///{tmp_path / 'floor.db'}"
    imported(tmp_path, db, pins=KEPT_PINS)
    server = backend_factory(demo=False, db_url=db)
    dm = await Terminal.sign_in(server.url, "dm1", "3001")
    head = (await dm.snapshot())["seq"]
    grown = EXAMPLE + '\n[[staff]]\nid = "h2"\nname = "Riley C."\nrole = "host"\n'
    async with dm.live(after=head) as feed:
        assert (await feed.frame())["type"] == "hello"
        out = imported(tmp_path, db, grown)
        assert re.search(r"^\s+h2\s+PIN \d{6}$", out, re.M)
        event = await feed.wait_for(lambda e: e["type"] == "staff_added")
    assert event["data"]["staff"]["name"] == "Riley C."
    assert "pin" not in str(event).lower().replace("pin_", "")
    assert "h2" in (await dm.snapshot())["state"]["staff"]
    await dm.close()


async def test_admin_commands_refuse_the_last_admin_and_deactivation_signs_out(
    tmp_path: Path, backend_factory: BackendFactory
) -> None:
    db = f"sqlite:///{tmp_path / 'floor.db'}"
    imported(tmp_path, db, pins=KEPT_PINS)
    server = backend_factory(demo=False, db_url=db)
    admin = await Terminal.sign_in(server.url, "admin", "9000")
    dm = await Terminal.sign_in(server.url, "dm1", "3001")
    last = await admin.http.post("/v1/staff/admin/deactivate")
    assert last.status_code == 409
    assert last.json()["detail"] == (
        "Floor Admin is the last active admin: make someone else an admin first"
    )
    refused = await dm.http.post("/v1/staff/dm2/deactivate")
    assert refused.status_code == 403
    added = await admin.http.post(
        "/v1/staff", json={"type": "add_staff", "id": "h4", "name": "Jamie O.", "role": "host"}
    )
    assert added.status_code == 200 and re.fullmatch(r"\d{6}", added.json()["pin"])
    head = (await dm.snapshot())["seq"]
    with pytest.raises(ConnectionClosed) as closed:
        async with dm.live(after=head) as feed:
            assert (await feed.frame())["type"] == "hello"
            gone = await admin.http.post("/v1/staff/dm1/deactivate")
            assert gone.status_code == 200 and gone.json()["active"] is False
            while True:
                await feed.frame()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == CLOSE_UNAUTHORISED
    assert (await dm.http.get("/v1/snapshot")).status_code == 401
    for t in (admin, dm):
        await t.close()


@pytest.mark.postgres
async def test_deactivation_closes_a_socket_held_by_another_process(
    tmp_path: Path, backend_factory: BackendFactory, pg_url: str
) -> None:
    imported(tmp_path, pg_url, pins=KEPT_PINS)
    first = backend_factory(demo=False, db_url=pg_url)
    second = backend_factory(demo=False, db_url=pg_url)
    admin = await Terminal.sign_in(first.url, "admin", "9000")
    dm = await Terminal.sign_in(second.url, "dm1", "3001")
    head = (await dm.snapshot())["seq"]
    with pytest.raises(ConnectionClosed) as closed:
        async with dm.live(after=head) as feed:
            assert (await feed.frame())["type"] == "hello"
            gone = await admin.http.post("/v1/staff/dm1/deactivate")
            assert gone.status_code == 200
            while True:
                await feed.frame()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == CLOSE_UNAUTHORISED
    assert (await dm.http.get("/v1/snapshot")).status_code == 401  # on its own process too
    for t in (admin, dm):
        await t.close()


async def closed_with(terminal: Terminal, act: Any) -> int:
    """Hold a live feed open, run `act`, and answer the code the feed was closed with."""
    head = (await terminal.snapshot())["seq"]
    with pytest.raises(ConnectionClosed) as closed:
        async with terminal.live(after=head) as feed:
            assert (await feed.frame())["type"] == "hello"
            await act()
            while True:
                await feed.frame()
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


async def test_a_pit_change_brings_the_terminal_back_in_its_new_pit_still_signed_in(
    tmp_path: Path, backend_factory: BackendFactory
) -> None:
    db = f"sqlite:///{tmp_path / 'floor.db'}"
    imported(tmp_path, db, pins=WITH_PIT_BOSS)
    server = backend_factory(demo=False, db_url=db)
    admin = await Terminal.sign_in(server.url, "admin", "9000")
    dm = await Terminal.sign_in(server.url, "dm1", "3001")
    high_limit = (await dm.accepted(open_p1(pit="2", spot="BAC-01")))["incident_id"]
    pit_boss = await signed_in_client(server.url, tmp_path / "pit", "pb1", "5001")
    seen: list[Link] = []
    watch = pit_boss.changes()

    async def watching() -> None:
        async for _ in watch:
            seen.append(pit_boss.status.link)

    watcher = asyncio.create_task(watching())
    try:
        assert high_limit not in pit_boss.state.incidents  # pit 2 is not theirs
        moved = await admin.http.post(
            "/v1/staff/pb1/change", json={"type": "change_staff", "staff_id": "pb1", "pit": "2"}
        )
        assert moved.status_code == 200, moved.text
        # the same terminal, still signed in, now shows pit 2's incident
        await until(
            pit_boss,
            lambda: (
                high_limit in pit_boss.state.incidents
                and pit_boss.me is not None
                and pit_boss.me.pit == "2"
            ),
            what="pit 2's floor",
        )
        assert pit_boss.status.link is Link.ONLINE
        assert Link.SIGNED_OUT not in seen
    finally:
        watcher.cancel()
        await pit_boss.close()
    # at the socket: closed to re-scope, and the token still answers, for the new pit
    raw = await Terminal.sign_in(server.url, "dm2", "3002")
    change = {"type": "change_staff", "staff_id": "dm2", "role": "host"}

    async def demote() -> None:
        answer = await admin.http.post("/v1/staff/dm2/change", json=change)
        assert answer.status_code == 200, answer.text

    assert await closed_with(raw, demote) == CLOSE_RESYNC
    assert (await raw.snapshot())["me"]["role"] == "host"
    for t in (admin, dm, raw):
        await t.close()


@pytest.mark.postgres
async def test_a_role_change_and_a_pin_reset_reach_a_socket_held_by_another_process(
    tmp_path: Path, backend_factory: BackendFactory, pg_url: str
) -> None:
    imported(tmp_path, pg_url, pins=WITH_PIT_BOSS)
    first = backend_factory(demo=False, db_url=pg_url)
    second = backend_factory(demo=False, db_url=pg_url)
    admin = await Terminal.sign_in(first.url, "admin", "9000")
    pit_boss = await Terminal.sign_in(second.url, "pb1", "5001")

    async def move() -> None:
        body = {"type": "change_staff", "staff_id": "pb1", "pit": "2"}
        assert (await admin.http.post("/v1/staff/pb1/change", json=body)).status_code == 200

    assert await closed_with(pit_boss, move) == CLOSE_RESYNC
    assert (await pit_boss.snapshot())["me"]["pit"] == "2"  # still signed in, re-scoped

    async def reset() -> None:
        assert (await admin.http.post("/v1/staff/pb1/reset-pin")).status_code == 200

    assert await closed_with(pit_boss, reset) == CLOSE_UNAUTHORISED
    assert (await pit_boss.http.get("/v1/snapshot")).status_code == 401  # on its own process
    for t in (admin, pit_boss):
        await t.close()


async def test_a_pin_file_keeps_only_the_pins_it_names(
    tmp_path: Path, backend_factory: BackendFactory
) -> None:
    db = f"sqlite:///{tmp_path / 'floor.db'}"
    out = imported(tmp_path, db, pins=KEPT_PINS)  # admin, dm1, dm2 with one_time = false
    pins = dict(PIN_LINE.findall(out))
    server = backend_factory(demo=False, db_url=db)
    async with httpx.AsyncClient(base_url=server.url, timeout=20) as http:
        for staff_id, must_change in (("dm1", False), ("h1", True), ("pb1", True)):
            body = {"staff_id": staff_id, "pin": pins[staff_id]}
            answer = await http.post("/v1/session", json=body)
            assert answer.status_code == 200, answer.text
            assert answer.json()["must_change_pin"] is must_change, staff_id
    # and the operator is told which is which
    one_time, kept = out.split("new staff and the PINs the pin file gives them to keep:")
    assert dict(PIN_LINE.findall(kept)) == {"admin": "9000", "dm1": "3001", "dm2": "3002"}
    assert set(dict(PIN_LINE.findall(one_time))) == {"h1", "pb1"}


def test_a_pin_file_naming_staff_the_import_does_not_add_is_refused(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'floor.db'}"
    imported(tmp_path, db, pins=KEPT_PINS)
    before = exported(db)
    floor = tmp_path / "grown.toml"
    floor.write_text(EXAMPLE + '\n[[staff]]\nid = "h2"\nname = "Riley C."\nrole = "host"\n')
    pins = tmp_path / "more-pins.toml"
    pins.write_text('[pins]\nh2 = "7002"\ndm1 = "1111"\nzz9 = "2222"\n')
    done = floor_cli("import", floor, "--db", db, "--pin-file", pins)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "floorline floor import: the pin file has PINs only for the staff this import adds:"
        " dm1 already on the staff list (reset a PIN on the staff screen);"
        " zz9 not in the floor file",
        "nothing was changed",
    ]
    assert exported(db) == before  # h2 was not added either


async def test_an_import_the_floor_refuses_changes_nothing(
    tmp_path: Path, backend_factory: BackendFactory
) -> None:
    db = f"sqlite:///{tmp_path / 'floor.db'}"
    imported(tmp_path, db, pins=KEPT_PINS)
    server = backend_factory(demo=False, db_url=db)
    dm = await Terminal.sign_in(server.url, "dm1", "3001")
    down = {"type": "start_downtime", "asset_id": "SL-2001", "reason": "bill acceptor jammed"}
    await dm.accepted({"command_id": command_id(), "command": down})
    await dm.close()
    before = exported(db)
    # Sam renamed (fine on its own) and the slot left out while it is down (refused)
    slot = '[[asset]]\nid = "SL-2001"\nkind = "machine"\npit = "1"\ngame = "slot"\n\n'
    assert slot in EXAMPLE
    path = tmp_path / "floor.toml"
    path.write_text(EXAMPLE.replace(slot, "").replace('"Sam P."', '"Sam P. Jr"'))
    done = floor_cli("import", path, "--db", db)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "floorline floor import: SL-2001 is down right now: end its downtime before removing it",
        "nothing was changed",
    ]
    assert exported(db) == before
    # the audit keeps both tries: who, from where, and what came of it
    admin = await Terminal.sign_in(server.url, "admin", "9000")
    trail = await admin.http.get("/v1/audit")
    await admin.close()
    assert trail.status_code == 200, trail.text
    by_file = [(a["terminal"], a["result"]) for a in trail.json() if a["staff_id"] == "floor-file"]
    who = f"{getpass.getuser()}@{socket.gethostname()}"
    assert by_file == [
        (f"floor import floor.toml by {who}"[:80], "illegal"),
        (f"floor import floor.toml by {who}"[:80], "accepted"),
    ]


async def test_the_demo_floor_is_its_shipped_file_loaded_by_the_floor_file_import(
    backend_factory: BackendFactory,
) -> None:
    server = backend_factory()  # --demo on an empty database
    demo = (resources.files("backend.floors") / "demo.toml").read_text()
    assert parse_floor(exported(server.db_url)) == parse_floor(demo)
    admin = await Terminal.sign_in(server.url, "admin", server.pins["admin"])
    try:
        first = (await admin.events(0))["events"]
        trail = await admin.http.get("/v1/audit", params={"limit": 5000})
    finally:
        await admin.close()
    configured = [e for e in first if e["type"] in ("staff_added", "asset_added")]
    assert configured and {e["actor"] for e in configured} == {"floor-file"}
    assert first[0]["actor"] == "floor-file"  # the floor is in before the demo's story
    assert trail.status_code == 200, trail.text
    imports = [a for a in trail.json() if a["staff_id"] == "floor-file"]
    assert imports and {a["terminal"] for a in imports} == {"demo"}


async def test_staff_imported_a_moment_ago_sign_in_at_once(tmp_path: Path) -> None:
    """`floorline floor import` writes the log beside a running server; the first sign-in
    of someone it added does not wait for the server's next look at the log."""
    db = f"sqlite:///{tmp_path / 'floor.db'}"
    config = ServerConfig(db_url=db, demo=False, poll_interval=3600)
    async with serve_in_process(config) as running:
        await asyncio.to_thread(imported, tmp_path, db, EXAMPLE, KEPT_PINS)
        dm = await Terminal.sign_in(running.url, "dm1", "3001")
        assert (await dm.snapshot())["me"]["id"] == "dm1"
        await dm.close()
