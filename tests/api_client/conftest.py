from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.api_client.flaky_link import FlakyLink
from tests.conftest import BackendProcess


@pytest.fixture
async def link(backend: BackendProcess) -> AsyncIterator[FlakyLink]:
    """The backend seen through a link that can be cut; `link.url` is what a client uses."""
    flaky = FlakyLink(backend.url)
    await flaky.start()
    yield flaky
    await flaky.close()
