"""The backend processes of one floor, and which of them the terminal uses now.

    FloorClient("https://floor-a.example,https://floor-b.example")

Every address serves the same database, so one replica, one outbox and one
token do for all of them; the first address names the floor (its local files
and its stored sign-in), so adding another behind it keeps both. The terminal
talks to one at a time and moves on to the next when that one cannot be
reached or answers with a 5xx (`Rest`), or will not open the live feed
(`SyncLoop`); it stays there until that one fails in turn.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

log = logging.getLogger(__name__)


def parse_servers(servers: str | Sequence[str]) -> tuple[str, ...]:
    """`"https://a, https://b/"` (or a list of them) -> `("https://a", "https://b")`.

    Raises ValueError, in words for the user, for an empty list or an address
    that is not http:// or https://.
    """
    given = [servers] if isinstance(servers, str) else list(servers)
    urls: list[str] = []
    for part in (p.strip().rstrip("/") for text in given for p in text.split(",")):
        if not part:
            continue
        if urlsplit(part).scheme not in ("http", "https") or not urlsplit(part).hostname:
            raise ValueError(f"{part!r} is not an http:// or https:// address")
        if part not in urls:
            urls.append(part)
    if not urls:
        raise ValueError("no server address given")
    return tuple(urls)


class Servers:
    """The floor's addresses, in the order given, and the one in use."""

    def __init__(self, urls: Sequence[str], *, moved: Callable[[], None] = lambda: None) -> None:
        self.urls = tuple(urls)
        self._at = 0
        self._moved = moved  # told after each change of server, to show it

    def __len__(self) -> int:
        return len(self.urls)

    @property
    def first(self) -> str:
        """The floor's name: its local files and stored sign-in are kept under it."""
        return self.urls[0]

    @property
    def current(self) -> str:
        return self.urls[self._at]

    def fail_over(self, failed: str, why: str) -> str:
        """Move on from `failed` to the next address; the one to use now.

        Only when `failed` is still the one in use: the feed and the outbox
        drain may both notice the same server going away.
        """
        if len(self.urls) > 1 and self.current == failed:
            self._at = (self._at + 1) % len(self.urls)
            log.warning("%s: %s; trying %s", failed, why, self.current)
            self._moved()
        return self.current
