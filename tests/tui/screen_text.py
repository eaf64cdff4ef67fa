"""The terminal as the user sees it, read from Textual's own screenshot (public API)."""

from __future__ import annotations

import html
import re
from typing import Any

from textual.app import App

# one run of text in the SVG: its x, its width, and the terminal line it is on
_RUN = re.compile(
    r'<text[^>]*?x="([\d.]+)"[^>]*?textLength="([\d.]+)"'
    r'[^>]*?clip-path="url\(#[\w-]*?-line-(\d+)\)"[^>]*>(.*?)</text>',
    re.S,
)


def screen_lines(app: App[Any]) -> list[str]:
    """Every line of the screen as composed from the widgets, in columns."""
    rows: dict[int, list[tuple[int, str]]] = {}
    for x, length, line, raw in _RUN.findall(app.export_screenshot()):
        text = html.unescape(raw).replace("\xa0", " ")
        column = round(float(x) * len(text) / float(length)) if text else 0
        rows.setdefault(int(line), []).append((column, text))
    lines = []
    for number in range(app.size.height):
        line = ""
        for column, text in sorted(rows.get(number, [])):
            line = line.ljust(column)[:column] + text
        lines.append(line)
    return lines
