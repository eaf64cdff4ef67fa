"""The regulators' registers as CSV: one line per matter, when it happened and when logged."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from backend.timespan import iso
from domain.registers import RegisterLine

COLUMNS = (
    "register",
    "incident",
    "kind",
    "player",
    "happened_at",  # when the matter happened
    "opened_at",  # when it was logged on the floor
    "due_at",
    "recorded_at",  # when it was logged in the register
    "recorded_by",
    "reference",
    "status",
)


def register_csv(lines: Sequence[RegisterLine], tz: str) -> str:
    """The lines (`domain.registers.register_lines`) as CSV text, with a header.

    Times are ISO 8601 in `tz` (the policy's timezone), with its offset.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for line in lines:
        writer.writerow(
            [
                line.register,
                line.incident_id,
                line.kind,
                _cell(line.player),
                iso(line.happened_at, tz),
                iso(line.opened_at, tz),
                iso(line.due_at, tz),
                iso(line.recorded_at, tz) if line.recorded_at is not None else "",
                _cell(line.recorded_by),
                _cell(line.reference),
                line.status,
            ]
        )
    return out.getvalue()


def _cell(text: str) -> str:
    # typed text that a spreadsheet would run as a formula is kept as text
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text
