"""PIN rules, and the pin file an operator may hand a floor import.

A pin file (TOML) gives chosen PINs to staff an import adds:

    one_time = true      # the default: each is changed at first sign-in
    [pins]
    pb1 = "480213"
"""

from __future__ import annotations

import re
import tomllib

from domain.tomlpos import line_of

PIN_RULE = "4 to 12 digits"
_PIN = re.compile(r"^[0-9]{4,12}$")


def pin_problem(pin: str) -> str | None:
    return None if _PIN.match(pin) else f"a PIN is {PIN_RULE}"


def new_pin_problem(old: str, new: str) -> str | None:
    """Why `new` may not replace `old`, or None."""
    if (problem := pin_problem(new)) is not None:
        return f"the new PIN must be {PIN_RULE}"
    if new == old:
        return "the new PIN must differ from the one you were given"
    return problem


class PinFileError(ValueError):
    pass


def parse_pin_file(text: str, filename: str = "pins.toml") -> tuple[dict[str, str], bool]:
    """(staff id -> PIN, whether they are one-time), or PinFileError naming the line."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PinFileError(f"{filename}: not valid TOML: {exc}") from exc
    problems: list[str] = []
    for key in raw:
        if key not in ("pins", "one_time"):
            problems.append(f"{filename}:{line_of(text, [key])}: {key}: unknown field")
    one_time = raw.get("one_time", True)
    if not isinstance(one_time, bool):
        problems.append(f"{filename}:{line_of(text, ['one_time'])}: one_time: true or false")
    pins = raw.get("pins", {})
    if not isinstance(pins, dict):
        raise PinFileError(f"{filename}:{line_of(text, ['pins'])}: pins: must be a table")
    for staff_id, pin in pins.items():
        if not isinstance(pin, str) or pin_problem(pin):
            line = line_of(text, ["pins", staff_id])
            problems.append(f"{filename}:{line}: pins.{staff_id}: a PIN is {PIN_RULE}, in quotes")
    if problems:
        raise PinFileError("\n".join(problems))
    return dict(pins), bool(one_time)


def pins_for_others(chosen: dict[str, str], adding: list[str], known: set[str]) -> str | None:
    """Why a pin file names someone an import does not add, or None. Such a PIN would
    be dropped unseen (an existing member keeps theirs: a reset is the staff screen's)."""
    stray = sorted(set(chosen) - set(adding))
    if not stray:
        return None
    listed = [s for s in stray if s in known]
    unknown = [s for s in stray if s not in known]
    parts = []
    if listed:
        parts.append(
            f"{', '.join(listed)} already on the staff list (reset a PIN on the staff screen)"
        )
    if unknown:
        parts.append(f"{', '.join(unknown)} not in the floor file")
    return "the pin file has PINs only for the staff this import adds: " + "; ".join(parts)
