"""Whether a host is this machine: the one place plain HTTP is allowed without asking."""

from __future__ import annotations

import ipaddress


def is_loopback(host: str) -> bool:
    """`localhost`, `127.0.0.1`, `::1` and the rest of the loopback range; not a name."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
