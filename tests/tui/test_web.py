"""`floorline web` as a browser meets it: the page over HTTP, then one app process per tab.

A real `floorline web` process on a loopback port; a real HTTP client for the
page and real websockets for the tabs (what the page's script opens). The
tabs' floor server is a port nobody answers: the sign-in screen is drawn all
the same, and no backend is needed to see a tab's own process and state.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from tests.conftest import free_port

DEADLINE = 90.0  # a loaded 2-core box starts Python processes slowly


def wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    """Until the port accepts a connection (or the process died)."""
    ends = time.monotonic() + DEADLINE
    while time.monotonic() < ends:
        if process.poll() is not None:
            raise AssertionError(f"floorline web exited with {process.returncode}")
        with socket.socket() as probe:
            probe.settimeout(1)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nothing listened on port {port}")


@pytest.fixture
def web(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    port = free_port()
    tabs = tmp_path / "tmp"
    tabs.mkdir()
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "TMPDIR": str(tabs),
    }
    command = [sys.executable, "-m", "tui.cli", "web", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--server", f"http://127.0.0.1:{free_port()}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, process)
        yield f"127.0.0.1:{port}", tabs
    finally:
        process.terminate()
        process.wait(timeout=30)


async def screen_until(tab: ClientConnection, words: bytes) -> bytes:
    """The tab's terminal output until it has drawn `words`."""
    seen = b""
    async with asyncio.timeout(DEADLINE):
        while words not in seen:
            message = await tab.recv()
            if isinstance(message, bytes):
                seen += message
    return seen


def until(condition: Callable[[], bool]) -> None:
    """Poll the file system (on a thread: the tabs' sockets stay served meanwhile)."""
    ends = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < ends, "the condition never held"
        time.sleep(0.05)


def tab_dirs(tabs: Path) -> list[Path]:
    return sorted(tabs.glob("floorline-tab-*"))


def test_the_page_is_the_app_for_a_browser(web: tuple[str, Path]) -> None:
    address, _ = web
    page = httpx.get(f"http://{address}/", timeout=30)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "floorline" in page.text
    assert f'data-session-websocket-url="ws://{address}/ws"' in page.text
    script = httpx.get(f"http://{address}/static/js/textual.js", timeout=30)
    assert script.status_code == 200


async def test_each_tab_runs_its_own_app_with_its_own_state(web: tuple[str, Path]) -> None:
    address, tabs = web
    url = f"ws://{address}/ws?width=80&height=24"
    async with connect(url) as first, connect(url) as second:
        for tab in (first, second):
            drawn = await screen_until(tab, b"Staff")
            assert b"PIN" in drawn and b"floorline" in drawn
        # two tabs, two processes, each with a state directory of its own
        await asyncio.to_thread(until, lambda: len(tab_dirs(tabs)) == 2)
    # closed tabs leave nothing behind
    await asyncio.to_thread(until, lambda: tab_dirs(tabs) == [])


def test_plain_http_beyond_this_machine_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    from tui.cli import main

    assert main(["web", "--host", "0.0.0.0", "--server", "http://127.0.0.1:1"]) == 2
    said = capsys.readouterr().err
    assert "refusing plain HTTP on 0.0.0.0" in said and "--public-url https://" in said
