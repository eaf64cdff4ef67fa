"""Signing in and out, and what the client does when the server says no."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from api_client import Link, MemoryTokenStore, NotSignedIn, ServerUnreachable, SignInFailed
from domain import commands as c
from domain.decide import RejectCode, Rejected
from tests.api_client.flaky_link import FlakyLink, text_frame
from tests.api_client.helpers import StatusLog, make_client, online, signed_in_client, until
from tests.conftest import BackendProcess


async def test_a_wrong_pin_is_refused_with_the_servers_words(
    backend: BackendProcess, tmp_path: Path
) -> None:
    client = make_client(backend.url, tmp_path)
    with pytest.raises(SignInFailed) as refused:
        await client.sign_in("pb1", "0000")
    assert refused.value.message
    assert client.me is None and client.status.link is Link.SIGNED_OUT
    with pytest.raises(NotSignedIn):
        await client.start()
    await client.close()


async def test_no_server_means_unreachable_not_a_crash(tmp_path: Path) -> None:
    client = make_client("http://127.0.0.1:9", tmp_path)
    with pytest.raises(ServerUnreachable):
        await client.sign_in("pb1", "1001")
    await client.close()


async def test_the_rules_refuse_at_once_and_nothing_is_queued(
    backend: BackendProcess, tmp_path: Path
) -> None:
    client = await signed_in_client(backend.url, tmp_path, "h1", backend.pins["h1"])
    mine = min(i.id for i in client.state.open_incidents())
    with pytest.raises(Rejected) as refused:
        await client.submit(c.Close(incident_id=mine))  # hosts may not close
    assert refused.value.code is RejectCode.FORBIDDEN
    assert client.pending == () and client.status.pending == 0
    await client.close()


async def test_signing_out_revokes_the_session_on_every_terminal_using_it(
    backend: BackendProcess, tmp_path: Path
) -> None:
    store = MemoryTokenStore()  # one keyring entry, shared by two windows of one terminal
    pin = backend.pins["pb2"]
    other = make_client(backend.url, tmp_path / "b", token_store=store)
    await other.sign_in("pb2", pin)  # leaves a replica there
    await other.close()
    first = await signed_in_client(backend.url, tmp_path / "a", "pb2", pin, token_store=store)
    other = make_client(backend.url, tmp_path / "b", token_store=store)
    assert await other.restore("pb2") is not None  # now on first's token
    await other.start()
    await online(other)

    await first.sign_out()
    assert first.status.link is Link.SIGNED_OUT
    assert store.get(f"pb2@{backend.url}") is None

    await until(other, lambda: other.status.link is Link.SIGNED_OUT, what="SIGNED_OUT")
    assert "sign in again" in other.status.detail
    assert other.state.incidents  # the last known floor stays on screen
    await first.close()
    await other.close()


async def test_a_malformed_frame_is_skipped_not_fatal(
    backend: BackendProcess, link: FlakyLink, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    link.inject_on_live = text_frame(b'{"type": "gibberish", "seq": "x"}')
    with caplog.at_level(logging.WARNING, logger="api_client"):
        client = await signed_in_client(link.url, tmp_path, "pb1", backend.pins["pb1"])
    assert any("malformed live frame" in r.getMessage() for r in caplog.records)
    assert client.status.link is Link.ONLINE
    await client.close()


async def test_a_backend_restart_reads_reconnecting_then_offline_then_online(
    backend: BackendProcess, tmp_path: Path
) -> None:
    client = await signed_in_client(backend.url, tmp_path, "dm2", backend.pins["dm2"])
    log = StatusLog(client)
    await asyncio.to_thread(backend.kill)
    await until(client, lambda: client.status.link is Link.OFFLINE, what="OFFLINE")
    assert client.approximate
    assert client.status.next_try_at is not None and client.status.since is not None
    await asyncio.to_thread(backend.start)
    await online(client, within=20)
    assert not client.approximate
    log.stop()
    assert log.links() == [Link.ONLINE, Link.RECONNECTING, Link.OFFLINE, Link.ONLINE]
    # while it was down, each try waited longer than the one before (up to the cap)
    offline = [s for s in log.seen if s.link is Link.OFFLINE]
    assert [s.attempt for s in offline] == sorted(s.attempt for s in offline)
    await client.close()


async def test_a_new_user_on_a_shared_terminal_leaves_no_old_sign_in(
    backend: BackendProcess, tmp_path: Path
) -> None:
    store = MemoryTokenStore()
    terminal = await signed_in_client(
        backend.url, tmp_path, "pb1", backend.pins["pb1"], token_store=store
    )
    pit_one = set(terminal.state.incidents)
    await terminal.sign_in("pb2", backend.pins["pb2"])
    assert store.get(f"pb1@{backend.url}") is None
    assert store.get(f"pb2@{backend.url}") is not None
    assert terminal.me is not None and terminal.me.id == "pb2"
    await online(terminal)
    assert set(terminal.state.incidents) != pit_one  # the view switched to their pit
    assert all(
        i.location.pit == "2" or "pb2" in (i.owner, i.opened_by)
        for i in terminal.state.incidents.values()
    )
    await terminal.close()
