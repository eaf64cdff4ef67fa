"""floorline uses Textual's public API only: an upgrade must not become a dig through internals.

A name is Textual-private when Textual itself defines it with a leading
underscore (a method, or an attribute it sets on `self`) and floorline does
not define it for itself; no module of ours may touch one, nor import from a
private Textual module or name.
"""

from __future__ import annotations

import re
from pathlib import Path

import textual

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("api_client", "backend", "bench", "domain", "screens", "themes", "tui", "tests")

_DEFINED = re.compile(
    r"def (_[a-z]\w*)|self\.(_[a-z]\w*)\s*(?::[^=\n]*)?=(?!=)|^\s*(_[a-z]\w*)\s*[:=]", re.M
)
_USED = re.compile(r"(?<!\bos)(?<!\bsys)\.(_[a-z]\w*)\b")  # os._exit is not Textual's
_PRIVATE_IMPORT = re.compile(
    r"^\s*(?:from\s+textual\S*\._\w+|from\s+textual\S*\s+import\s+.*\b_[a-z]\w*)", re.M
)


def _defined(files: list[Path]) -> set[str]:
    names: set[str] = set()
    for path in files:
        for match in _DEFINED.finditer(path.read_text(encoding="utf-8")):
            names.update(g for g in match.groups() if g)
    return names


def _ours() -> list[Path]:
    here = Path(__file__).resolve()
    return [p for package in PACKAGES for p in (ROOT / package).rglob("*.py") if p != here]


def test_no_private_textual_name_is_used() -> None:
    textual_private = _defined(list(Path(textual.__file__).parent.rglob("*.py")))
    ours = _ours()
    private = textual_private - _defined(ours)
    found = [
        f"{path.relative_to(ROOT)}:{text[: m.start()].count(chr(10)) + 1}: {m.group(1)}"
        for path in ours
        for text in [path.read_text(encoding="utf-8")]
        for m in _USED.finditer(text)
        if m.group(1) in private
    ]
    assert not found, "private Textual names used:\n" + "\n".join(found)


def test_no_private_textual_module_or_name_is_imported() -> None:
    found = [
        f"{path.relative_to(ROOT)}: {m.group(0).strip()}"
        for path in _ours()
        for m in _PRIVATE_IMPORT.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not found, "private Textual imports:\n" + "\n".join(found)
