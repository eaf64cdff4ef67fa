"""What an event log's epoch says about where the log came from.

An epoch names one event log; a terminal whose epoch differs from the
server's takes a snapshot. A log restored from a backup gets a new epoch that
also names the log the backup was taken of, `<new>~<backed-up log>`, so a
terminal can tell a restore of the log it knew (and send again what the
backup had not yet seen) from a log started afresh (where nothing it did
applies). To every other reader an epoch stays an opaque string.
"""

from __future__ import annotations

SEPARATOR = "~"


def log_of(epoch: str) -> str:
    """The log an epoch names, without what it was restored from."""
    return epoch.split(SEPARATOR, 1)[0]


def restored_epoch(fresh: str, backed_up: str) -> str:
    """The epoch of a log restored from a backup whose epoch was `backed_up`."""
    return f"{log_of(fresh)}{SEPARATOR}{log_of(backed_up)}"


def restored_from(epoch: str) -> str | None:
    """The log this one was restored from a backup of; None if it was not restored."""
    _, sep, source = epoch.partition(SEPARATOR)
    return source or None if sep else None


def is_restore_of(new: str, old: str) -> bool:
    """Whether the log `new` was restored from a backup of the log `old` named."""
    return restored_from(new) == log_of(old)
