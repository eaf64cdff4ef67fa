"""What a terminal keeps on disk: unusable files set aside, and never a token."""

from __future__ import annotations

import base64
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from api_client import FloorClient
from api_client.tokens import SERVICE
from domain import commands as c
from tests.api_client.helpers import make_client, matches_server, online, until
from tests.api_client.test_tokens import VaultKeyring
from tests.conftest import BackendProcess


def files_under(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def replica_folder(data_dir: Path) -> Path:
    return next((data_dir / "replicas").iterdir())


async def first_run(backend: BackendProcess, data_dir: Path, staff_id: str) -> None:
    client = make_client(backend.url, data_dir)
    await client.sign_in(staff_id, backend.pins[staff_id])
    await client.start()
    await online(client)
    await client.close()


async def test_a_corrupt_replica_is_set_aside_and_rebuilt(
    backend: BackendProcess, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    await first_run(backend, tmp_path, "pb1")
    replica = replica_folder(tmp_path) / "pb1.db"
    damage = b"SQLite format 3\x00" + b"\xff" * 8192  # a torn write: header, then junk
    replica.write_bytes(damage)

    client = make_client(backend.url, tmp_path)
    with caplog.at_level(logging.WARNING, logger="api_client"):
        await client.sign_in("pb1", backend.pins["pb1"])
    assert any("pb1.db" in r.getMessage() for r in caplog.records)
    assert client.storage_warnings and "rebuilding" in client.storage_warnings[0]
    (aside,) = replica.parent.glob("pb1.db.corrupt-*")
    assert aside.read_bytes() == damage

    await client.start()
    await online(client)
    await matches_server(client, backend.url, "pb1", backend.pins["pb1"])
    await client.close()


async def test_a_replica_cut_short_by_a_power_loss_catches_up_with_the_server(
    backend: BackendProcess, tmp_path: Path
) -> None:
    pin = backend.pins["dm1"]
    await first_run(backend, tmp_path / "live", "dm1")
    client = make_client(backend.url, tmp_path / "live")
    await client.sign_in("dm1", pin)
    await client.start()
    await online(client)
    target = min(client.state.incidents)
    for n in range(8):
        await client.submit(c.AddNote(incident_id=target, text=f"round {n}"))
    await until(client, lambda: not client.pending, what="the outbox to drain")
    await matches_server(client, backend.url, "dm1", pin)
    reached = client.confirmed.seq
    # the files as a power cut would leave them: the log's unsynced tail gone
    torn = tmp_path / "torn"
    shutil.copytree(tmp_path / "live", torn)
    log = next(torn.rglob("dm1.db-wal"))
    log.write_bytes(log.read_bytes()[: log.stat().st_size // 3])
    await client.close()

    again = make_client(backend.url, torn)
    await again.sign_in("dm1", pin)
    assert not again.storage_warnings  # a shorter replica, not a damaged one
    assert again.confirmed.seq < reached
    await again.start()
    await online(again)
    snap = await matches_server(again, backend.url, "dm1", pin)
    assert [e.text for e in snap.state.incidents[target].timeline].count("round 7") == 1
    await again.close()


async def test_an_unreadable_outbox_is_kept_and_a_new_one_works(
    backend: BackendProcess, tmp_path: Path
) -> None:
    await first_run(backend, tmp_path, "dm1")
    outbox = replica_folder(tmp_path) / "outbox.db"
    damage = b"not what we wrote" * 512
    outbox.write_bytes(damage)

    client = make_client(backend.url, tmp_path)
    await client.sign_in("dm1", backend.pins["dm1"])
    assert any("outbox" in w for w in client.storage_warnings)
    (aside,) = outbox.parent.glob("outbox.db.corrupt-*")
    assert aside.read_bytes() == damage  # kept as it was, for someone to look at

    await client.start()
    await online(client)
    target = min(client.state.incidents)
    await client.submit(c.AddNote(incident_id=target, text="after the damage"))
    await until(client, lambda: not client.pending, what="the outbox to drain")
    snap = await matches_server(client, backend.url, "dm1", backend.pins["dm1"])
    assert "after the damage" in [e.text for e in snap.state.incidents[target].timeline]
    await client.close()


@pytest.fixture
def vault() -> Iterator[VaultKeyring]:
    before = keyring.get_keyring()
    vault = VaultKeyring()
    keyring.set_keyring(vault)
    yield vault
    keyring.set_keyring(before)


async def test_the_token_never_lands_in_a_file(
    backend: BackendProcess, tmp_path: Path, vault: VaultKeyring
) -> None:
    client = FloorClient(backend.url, data_dir=tmp_path, reconnect_delays=(0.05, 0.5))
    assert client.token_warning is None  # a real keyring: no warning
    await client.sign_in("h1", backend.pins["h1"])
    account = f"h1@{backend.url}"
    token = vault.secrets[(SERVICE, account)]
    await client.start()
    await online(client)
    mine = min(i.id for i in client.state.open_incidents())
    await client.submit(c.AddNote(incident_id=mine, text="a full shift's worth"))
    await until(client, lambda: not client.pending, what="the outbox to drain")
    await client.close()

    # a restart finds the sign-in in the keyring, not on disk
    again = FloorClient(backend.url, data_dir=tmp_path, reconnect_delays=(0.05, 0.5))
    assert await again.restore("h1") is not None
    await again.start()
    await online(again)
    await again.sign_out()
    assert (SERVICE, account) not in vault.secrets
    await again.close()

    needles = [token.encode(), base64.b64encode(token.encode()), token.encode("utf-16-le")]
    contents = files_under(tmp_path)
    assert len(contents) >= 2  # the replica and the outbox, at least
    for path, data in contents.items():
        assert not any(needle in data for needle in needles), f"token found in {path}"


async def test_without_a_keyring_the_sign_in_lasts_only_this_process(
    backend: BackendProcess, tmp_path: Path
) -> None:
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # a headless floor terminal
    try:
        client = FloorClient(backend.url, data_dir=tmp_path)
        await client.sign_in("pb3", backend.pins["pb3"])
        await client.close()
        later = FloorClient(backend.url, data_dir=tmp_path)
    finally:
        keyring.set_keyring(before)
    assert client.token_warning == "no system keyring: the sign-in is kept in memory only"
    assert await later.restore("pb3") is None  # the PIN is asked for again
    await later.close()
