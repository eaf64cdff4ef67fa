"""Over HTTPS and WSS: a terminal that trusts the server's CA works, one that doesn't says why."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from api_client import Link, ServerUnreachable
from domain import commands as c
from tests.api_client.helpers import make_client, signed_in_client, until
from tests.conftest import BackendProcess, launch_backend


@pytest.fixture
def tls_backend(tmp_path: Path) -> Iterator[tuple[BackendProcess, Path]]:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    (tmp_path / "certs").mkdir()
    files = {name: tmp_path / "certs" / name for name in ("ca.pem", "cert.pem", "key.pem")}
    ca.cert_pem.write_to_path(str(files["ca.pem"]))
    cert.cert_chain_pems[0].write_to_path(str(files["cert.pem"]))
    cert.private_key_pem.write_to_path(str(files["key.pem"]))
    args = ["--certfile", str(files["cert.pem"]), "--keyfile", str(files["key.pem"])]
    server = launch_backend(tmp_path, extra_args=args)
    server.url = server.url.replace("http://", "https://")
    yield server, files["ca.pem"]
    server.stop()


async def test_a_terminal_trusting_the_ca_signs_in_and_follows_the_live_feed(
    tls_backend: tuple[BackendProcess, Path], tmp_path: Path
) -> None:
    backend, ca = tls_backend
    options = {"verify": str(ca)}
    host = await signed_in_client(backend.url, tmp_path / "h1", "h1", backend.pins["h1"], **options)
    manager = await signed_in_client(
        backend.url, tmp_path / "dm", "dm1", backend.pins["dm1"], **options
    )
    mine = min(i.id for i in host.state.open_incidents())
    await manager.submit(c.AddNote(incident_id=mine, text="over wss"))

    def noted() -> bool:
        return any(e.text == "over wss" for e in host.state.incidents[mine].timeline)

    await until(host, noted, what="the note over the encrypted live feed")
    assert host.status.link is Link.ONLINE and not host.status.insecure
    await host.close()
    await manager.close()


async def test_an_untrusted_certificate_is_named_not_called_unreachable(
    tls_backend: tuple[BackendProcess, Path], tmp_path: Path
) -> None:
    backend, _ca = tls_backend
    client = make_client(backend.url, tmp_path / "h1")  # the system's trust store only
    with pytest.raises(ServerUnreachable) as refused:
        await client.sign_in("h1", backend.pins["h1"])
    assert "certificate is not trusted" in refused.value.message
    assert "--ca-bundle" in refused.value.message
    await client.close()
