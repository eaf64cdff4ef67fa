"""Where a value sits in TOML source text: `tomllib` keeps no line numbers.

Good enough to point an operator at the right line of a hand-written file:
the n-th `[[name]]` table of an array, then the `key =` line inside it; the
table's header when the key is not written there (a missing field), the
first line when nothing matches.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")


def _key_line(key: str) -> re.Pattern[str]:
    quoted = re.escape(key)
    return re.compile(rf"""^\s*(?:{quoted}|"{quoted}"|'{quoted}')\s*=""")


def line_of(text: str, path: Sequence[str | int]) -> int:
    """The 1-based line of `path` (keys and 0-based array indexes) in `text`."""
    lines = text.splitlines()
    headers: list[tuple[int, str, bool]] = []  # (index, table name, is an array of tables)
    for number, line in enumerate(lines):
        match = _HEADER.match(line)
        if match:
            headers.append((number, match[2].strip(), match[1] == "[["))
    if not path:
        return 1
    name = str(path[0])
    rest = list(path[1:])
    first = rest[0] if rest else None
    index = first if isinstance(first, int) else None
    if index is not None:
        rest.pop(0)
    field = next((str(p) for p in rest if isinstance(p, str)), None)
    tables = [h for h in headers if h[1] == name and (index is None or h[2])]
    if index is not None and index < len(tables):
        start = tables[index][0]
    elif index is None and tables:
        start = tables[0][0]
    else:
        # a top-level key (`name = ...`), or nothing written for it at all
        pattern = _key_line(name)
        end = headers[0][0] if headers else len(lines)
        return next((n + 1 for n in range(end) if pattern.match(lines[n])), 1)
    if field is None:
        return start + 1
    end = next((h[0] for h in headers if h[0] > start), len(lines))
    pattern = _key_line(field)
    return next((n + 1 for n in range(start + 1, end) if pattern.match(lines[n])), start + 1)
