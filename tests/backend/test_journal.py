"""The tamper-evident journal against real servers and the real `floorline audit` command.

Every decided command, refused and offline ones included, is chained; an entry
edited, deleted or moved in the database directly is named by `audit verify`;
two processes writing at once on PostgreSQL keep one chain.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys
import time
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import text

from backend.storage import Storage
from tests.backend.helpers import Terminal, command_id, note
from tests.conftest import BackendFactory, BackendProcess

ROOT = Path(__file__).resolve().parents[2]
CARD = "4111 1111 1111 1111"


async def audit(*args: str | Path) -> tuple[int, str, str]:
    """`floorline audit ...` in its own process: (exit code, stdout, stderr)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tui.cli",
        "audit",
        *map(str, args),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def sql(db_url: str, *statements: str, **params: Any) -> list[Any]:
    """Run statements straight on the database, as someone with its password would."""
    storage = await Storage.open(db_url)
    try:
        async with storage.engine.begin() as conn:
            rows: list[Any] = []
            for statement in statements:
                result = await conn.execute(text(statement), params)
                if result.returns_rows:
                    rows = list(result.mappings())
            return rows
    finally:
        await storage.close()


async def journal_rows(db_url: str) -> list[Any]:
    return await sql(db_url, "SELECT * FROM journal ORDER BY seq")


async def head_of(server: BackendProcess) -> dict[str, Any]:
    admin = await Terminal.sign_in(server.url, "admin", server.pins["admin"])
    answer = await admin.http.get("/v1/audit/head")
    await admin.close()
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_every_decided_command_is_chained_refused_and_offline_ones_too(
    backend: BackendProcess,
) -> None:
    dm = await Terminal.sign_in(backend.url, "dm1", backend.pins["dm1"])
    host = await Terminal.sign_in(backend.url, "h1", backend.pins["h1"])
    accepted = note(1, f"player read out {CARD}")
    assert (await dm.command(accepted)).status_code == 200
    assert (await dm.command(accepted)).status_code == 200  # a re-send: journaled once
    refused = {"command_id": command_id(), "command": {"type": "close", "incident_id": 424242}}
    assert (await dm.command(refused)).status_code == 404
    forbidden = {
        "command_id": command_id(),
        "command": {"type": "assign", "incident_id": 1, "owner": "h1"},
    }
    assert (await host.command(forbidden)).status_code == 403
    # made offline an hour ago, sent now as the outbox drains
    issued = time.time() - 3600
    offline = [{**note(1, f"offline {n}"), "issued_at": issued} for n in range(2)]
    drained = await dm.http.post("/v1/commands/batch", json={"commands": offline})
    assert [r["status"] for r in drained.json()["results"]] == ["accepted", "accepted"]

    chain = await journal_rows(backend.db_url)
    rows = {row["command_id"]: row for row in chain}
    mine = [accepted, refused, forbidden, *offline]
    assert all(m["command_id"] in rows for m in mine)
    assert [rows[m["command_id"]]["outcome"] for m in mine] == [
        "accepted",
        "not_found",
        "forbidden",
        "accepted",
        "accepted",
    ]
    assert rows[forbidden["command_id"]]["staff_id"] == "h1"
    assert rows[forbidden["command_id"]]["terminal"] == "t-h1"
    assert "may not assign" in rows[forbidden["command_id"]]["message"]
    assert all(rows[m["command_id"]]["issued_at"] == issued for m in offline)
    assert rows[refused["command_id"]]["event_seq"] == 0
    stored = rows[accepted["command_id"]]["command"]
    assert CARD not in stored and "****-1111" in stored
    assert [row["seq"] for row in chain] == list(range(1, len(chain) + 1))

    head = await head_of(backend)
    assert head == {
        "seq": len(chain),
        "hash": chain[-1]["hash"],
        "server_time": head["server_time"],
    }
    code, out, _ = await audit("verify", "--db", backend.db_url, "--head", head["hash"])
    assert code == 0, out
    assert f"journal intact: {len(chain)} entries" in out and head["hash"] in out
    assert f"entry {head['seq']}'s: the chain up to it is unchanged" in out

    # the head is for admins only
    for terminal in (dm, host):
        assert (await terminal.http.get("/v1/audit/head")).status_code == 403
        await terminal.close()
    async with httpx.AsyncClient(base_url=backend.url) as anonymous:
        assert (await anonymous.get("/v1/audit/head")).status_code == 401


async def expect_broken(db_url: str, seq: int, words: str) -> None:
    code, out, err = await audit("verify", "--db", db_url)
    assert code == 1, out + err
    assert f"journal BROKEN at entry {seq}: " in out and words in out, out
    assert f"entry {seq} and every one after it cannot be trusted" in out


async def expect_intact(db_url: str) -> None:
    code, out, err = await audit("verify", "--db", db_url)
    assert code == 0 and "journal intact" in out, out + err


async def check_tampering_is_found(db_url: str) -> None:
    """Edit, delete and reorder rows straight in the database; put each back after."""
    rows = await journal_rows(db_url)
    assert len(rows) > 20
    k = len(rows) // 2
    await expect_intact(db_url)

    # an edit: who did it
    await sql(db_url, "UPDATE journal SET staff_id = 'pb2' WHERE seq = :k", k=k)
    await expect_broken(db_url, k, f"entry {k} was changed or moved after it was written")
    await sql(
        db_url, "UPDATE journal SET staff_id = :s WHERE seq = :k", s=rows[k - 1]["staff_id"], k=k
    )

    # an edit with the entry's hash made to fit it: the entry after it no longer follows
    edited = {
        **rows[k - 1],
        "outcome": "accepted" if rows[k - 1]["outcome"] != "accepted" else "invalid",
    }
    await sql(
        db_url,
        "UPDATE journal SET outcome = :o, hash = :h WHERE seq = :k",
        o=edited["outcome"],
        h=independent_hash(edited),
        k=k,
    )
    await expect_broken(db_url, k + 1, f"entry {k + 1} does not follow the entry before it")
    await sql(
        db_url,
        "UPDATE journal SET outcome = :o, hash = :h WHERE seq = :k",
        o=rows[k - 1]["outcome"],
        h=rows[k - 1]["hash"],
        k=k,
    )

    # a deletion in the middle, and at the end
    await sql(db_url, "DELETE FROM journal WHERE seq = :k", k=k)
    await expect_broken(db_url, k, f"entry {k} is missing (entry {k - 1} is followed by {k + 1})")
    await _put_back(db_url, rows[k - 1])
    last = rows[-1]["seq"]
    await sql(db_url, "DELETE FROM journal WHERE seq = :k", k=last)
    await expect_broken(
        db_url, last, f"entry {last} is missing: the journal's head is entry {last}"
    )
    await _put_back(db_url, rows[-1])

    # two entries swapped
    await sql(
        db_url,
        "UPDATE journal SET seq = -1 WHERE seq = :k",
        "UPDATE journal SET seq = :k WHERE seq = :n",
        "UPDATE journal SET seq = :n WHERE seq = -1",
        k=k,
        n=k + 1,
    )
    await expect_broken(db_url, k, f"entry {k} was changed or moved")
    await sql(
        db_url,
        "UPDATE journal SET seq = -1 WHERE seq = :k",
        "UPDATE journal SET seq = :k WHERE seq = :n",
        "UPDATE journal SET seq = :n WHERE seq = -1",
        k=k,
        n=k + 1,
    )
    await expect_intact(db_url)


def independent_hash(entry: dict[str, Any]) -> str:
    """SHA-256 over the canonical JSON of an entry without its hash, by nothing of ours."""
    body = {k: v for k, v in entry.items() if k != "hash"}
    if isinstance(body["command"], str):
        body["command"] = json.loads(body["command"])
    return hashlib.sha256(
        json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()


async def _put_back(db_url: str, row: Any) -> None:
    columns = ", ".join(row.keys())
    values = ", ".join(f":{c}" for c in row)
    await sql(db_url, f"INSERT INTO journal ({columns}) VALUES ({values})", **dict(row))


async def test_an_edited_deleted_or_moved_entry_is_named_on_sqlite(
    backend: BackendProcess,
) -> None:
    await check_tampering_is_found(backend.db_url)


@pytest.mark.postgres
async def test_an_edited_deleted_or_moved_entry_is_named_on_postgres(
    backend_factory: BackendFactory, pg_url: str
) -> None:
    server = backend_factory(db_url=pg_url)
    await check_tampering_is_found(server.db_url)


@pytest.mark.postgres
async def test_two_processes_writing_at_once_keep_one_chain(
    backend_factory: BackendFactory, pg_url: str
) -> None:
    first = backend_factory(db_url=pg_url)
    second = backend_factory(db_url=pg_url)
    terminals = [
        await Terminal.sign_in(server.url, staff, first.pins[staff])
        for server in (first, second)
        for staff in ("dm1", "dm2")
    ]
    before = len(await journal_rows(pg_url))

    async def burst(terminal: Terminal, n: int) -> None:
        for i in range(n):
            if i % 4 == 3:  # refused ones are chained too
                bad = {
                    "command_id": command_id(),
                    "command": {"type": "close", "incident_id": 9_000_000},
                }
                await terminal.command(bad)
            else:
                await terminal.accepted(note(1, f"{terminal.staff_id} {i}"))

    await asyncio.gather(*(burst(t, 12) for t in terminals))
    rows = await journal_rows(pg_url)
    assert len(rows) == before + 4 * 12
    assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1))
    assert all(b["prev_hash"] == a["hash"] for a, b in pairwise(rows))
    await expect_intact(pg_url)
    assert (await head_of(second))["hash"] == rows[-1]["hash"]
    for t in terminals:
        await t.close()


def _today(tz: str) -> datetime:
    return datetime.now(ZoneInfo(tz))


async def test_export_writes_a_stretch_anyone_can_check_and_the_head(
    backend: BackendProcess, tmp_path: Path
) -> None:
    dm = await Terminal.sign_in(backend.url, "dm1", backend.pins["dm1"])
    await dm.accepted(note(1, "for the regulator"))
    await dm.close()
    head = await head_of(backend)
    today = _today("Australia/Sydney")  # the demo runs on the default policy
    out = tmp_path / "journal.jsonl"
    day = f"{today:%Y-%m-%d}"
    code, said, err = await audit(
        "export", "--db", backend.db_url, "--from", day, "--to", day, "--out", out
    )
    assert code == 0, err
    assert f"journal head: entry {head['seq']}, sha256 {head['hash']}" in said
    *lines, trailer = out.read_text().splitlines()
    entries = [json.loads(line) for line in lines]
    assert entries and entries[-1]["hash"] == head["hash"]
    assert json.loads(trailer)["journal_head"] == {"seq": head["seq"], "hash": head["hash"]}
    # checked with nothing of ours: SHA-256 over the canonical JSON without `hash`
    for entry in entries:
        assert independent_hash(entry) == entry["hash"]
    for before, entry in pairwise(entries):
        assert entry["prev_hash"] == before["hash"] and entry["seq"] == before["seq"] + 1
    assert any(e["command"].get("text") == "for the regulator" for e in entries)

    # a span with nothing in it: only the head
    empty = tmp_path / "empty.jsonl"
    code, said, _ = await audit(
        "export",
        "--db",
        backend.db_url,
        "--from",
        "2001-01-01",
        "--to",
        "2001-01-31",
        "--out",
        empty,
    )
    assert code == 0 and "wrote 0 journal entries" in said
    assert len(empty.read_text().splitlines()) == 1

    # bad input: said, and nothing written
    tomorrow = f"{today + timedelta(days=1):%Y-%m-%d}"
    refused = tmp_path / "refused.jsonl"
    for args, words in (
        (("--from", tomorrow, "--to", day), "the span ends before it starts"),
        (("--from", "2026-13-01", "--to", day), "'2026-13-01' is not a date"),
    ):
        code, _, err = await audit("export", "--db", backend.db_url, *args, "--out", refused)
        assert code == 2 and words in err, err
    code, _, err = await audit("verify", "--db", f"sqlite:///{tmp_path / 'typo.db'}")
    assert code == 2 and "no database at" in err
    assert not refused.exists() and not (tmp_path / "typo.db").exists()
