from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_client_imports_no_ui() -> None:
    probe = "import sys, api_client; print('textual' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


def test_the_last_known_floor_needs_no_network_or_sign_in_code_loaded() -> None:
    """Start-up reads the replica first; HTTP, websockets, the keyring and PIN
    hashing come after the floor is on screen."""
    probe = (
        "import sys, tui.app, screens.queue, api_client.client; "
        "print(sorted(m for m in ('httpx', 'websockets', 'keyring', 'argon2', 'pydantic_settings')"
        " if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_http_comes_without_its_command_line_tools() -> None:
    probe = textwrap.dedent(
        """
        import asyncio, sys, tempfile
        from api_client import FloorClient, MemoryTokenStore, ServerUnreachable

        async def main():
            with tempfile.TemporaryDirectory() as folder:
                store = MemoryTokenStore()
                client = FloorClient("http://127.0.0.1:9", data_dir=folder, token_store=store)
                try:
                    await client.sign_in("h1", "1234")
                except ServerUnreachable:
                    pass
                await client.close()

        asyncio.run(main())
        print("httpx" in sys.modules, [m for m in ("click", "pygments") if m in sys.modules])
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "True []"
