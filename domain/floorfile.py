"""The floor file (TOML): pits, assets, staff and the escalation rota, as an operator
writes them by hand. Parsing and every check live here; nothing here reads a file.

    [[pit]]        id, name
    [[asset]]      id, kind (table | machine), pit, game
    [[staff]]      id, name, role, pit (a pit boss's), active
    [[on_call]]    id, name: on the escalation rota without signing in (finance, the bank)
    [[roster]]     chain (main | payments), line (1-4), who, title, contacts, shifts

`parse_floor(text, filename)` gives a `FloorFile` or raises `FloorFileError`,
whose lines read `floor.toml:42: staff[3].role: unknown role ...`. Entries of
an array are counted from 1, as an operator counts the blocks in the file.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, ValidationError, field_validator

from domain.escalation import LINE_TITLES
from domain.models import (
    STAFF_ROLES,
    Asset,
    AssetKind,
    Chain,
    Contact,
    Frozen,
    Pit,
    Role,
    RosterEntry,
    Staff,
)
from domain.permissions import ROLE_LABELS
from domain.rota import Shift, overlap, parse_shift
from domain.tomlpos import line_of

Id = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
ROLES = ", ".join(str(role) for role in STAFF_ROLES)


class FilePit(Frozen):
    id: Id
    name: str = Field(default="", max_length=80)


class FileAsset(Frozen):
    id: str = Field(min_length=1, max_length=60)
    kind: AssetKind
    pit: str = Field(min_length=1, max_length=40)
    game: str = Field(default="", max_length=60)


class FileStaff(Frozen):
    id: Id
    name: str = Field(min_length=1, max_length=120)
    role: Role
    pit: str | None = Field(default=None, max_length=40)
    active: bool = True

    @field_validator("role", mode="before")
    @classmethod
    def _known_role(cls, value: Any) -> Any:
        if isinstance(value, str) and value not in {str(r) for r in STAFF_ROLES}:
            raise ValueError(f"unknown role {value!r} (expected one of {ROLES})")
        return value


class FileOnCall(Frozen):
    id: Id
    name: str = Field(min_length=1, max_length=120)


def _shift(value: Any) -> Any:
    return parse_shift(value) if isinstance(value, str) else value


ShiftText = Annotated[Shift, BeforeValidator(_shift)]


class FileRoster(Frozen):
    chain: Chain
    line: int = Field(ge=1, le=4)
    who: str = Field(min_length=1, max_length=40)
    title: str = Field(default="", max_length=80)
    contacts: tuple[Contact, ...] = ()
    shifts: tuple[ShiftText, ...] = Field(min_length=1)


class FloorFile(Frozen):
    """A whole floor. As parsed, staff, pits, assets and on-call people are sorted by
    id (their order carries no meaning); roster blocks keep the file's order."""

    pit: tuple[FilePit, ...] = ()
    asset: tuple[FileAsset, ...] = ()
    staff: tuple[FileStaff, ...] = ()
    on_call: tuple[FileOnCall, ...] = ()
    roster: tuple[FileRoster, ...] = ()

    def sorted(self) -> FloorFile:
        """Sections sorted by id, and each roster block's title filled in: the
        staff member's role, or the line's title for someone on call."""
        roles = {m.id: m.role for m in self.staff}
        roster = tuple(
            b
            if b.title
            else b.model_copy(
                update={
                    "title": ROLE_LABELS[roles[b.who]]
                    if b.who in roles
                    else LINE_TITLES[b.chain][b.line]
                }
            )
            for b in self.roster
        )
        update: dict[str, Any] = {
            name: tuple(sorted(getattr(self, name), key=lambda x: x.id))
            for name in ("pit", "asset", "staff", "on_call")
        }
        return self.model_copy(update=update | {"roster": roster})


@dataclass(frozen=True, slots=True)
class Problem:
    path: tuple[str | int, ...]  # keys and 0-based indexes
    message: str


class FloorFileError(ValueError):
    """Every problem found in a floor file, one `file:line: field: what` per line."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def field_name(path: Iterable[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def parse_floor(text: str, filename: str = "floor.toml") -> FloorFile:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"line (\d+)", str(exc))
        raise FloorFileError(
            [f"{filename}:{where[1] if where else 1}: not valid TOML: {exc}"]
        ) from exc
    try:
        floor = FloorFile.model_validate(raw)
    except ValidationError as exc:
        problems = [_problem(error) for error in _without_echoes(exc.errors())]
    else:
        problems = check(floor)
    if problems:
        raise FloorFileError(
            [
                f"{filename}:{line_of(text, p.path)}: {field_name(p.path) or 'file'}: {p.message}"
                for p in problems
            ]
        )
    return floor.sorted()


def _without_echoes(errors: list[Any]) -> list[Any]:
    """Drop a list's "too short" when one of its own items is already reported: pydantic
    counts only the items that passed, so a block whose one shift is bad says both."""
    named = {tuple(e["loc"][:-1]) for e in errors if e["loc"] and isinstance(e["loc"][-1], int)}
    return [e for e in errors if not (e["type"] == "too_short" and tuple(e["loc"]) in named)]


def _problem(error: Any) -> Problem:
    path = tuple(error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = f"unknown field {str(path[-1])!r}"
    elif error["type"] == "missing":
        message = "missing (this field is required)"
    elif "input" in error and error["type"] not in ("value_error",):
        message = f"{message} (got {error['input']!r})"
    return Problem(path, message)


def check(floor: FloorFile) -> list[Problem]:
    """What the shape alone cannot say: duplicates, unknown names, overlaps, no admin."""
    problems: list[Problem] = []

    def unique(section: str, items: tuple[Any, ...], seen: dict[str, str]) -> None:
        for n, item in enumerate(items):
            if item.id in seen:
                problems.append(
                    Problem((section, n, "id"), f"duplicate id {item.id!r} (also {seen[item.id]})")
                )
            else:
                seen[item.id] = f"{section}[{n + 1}]"

    unique("pit", floor.pit, {})
    unique("asset", floor.asset, {})
    people: dict[str, str] = {}
    unique("staff", floor.staff, people)
    unique("on_call", floor.on_call, people)
    pits = {p.id for p in floor.pit}
    known = ", ".join(sorted(pits)) or "none declared"
    placed: tuple[tuple[str, Sequence[FileAsset | FileStaff]], ...] = (
        ("asset", floor.asset),
        ("staff", floor.staff),
    )
    for section, items in placed:
        for n, item in enumerate(items):
            if item.pit is not None and item.pit not in pits:
                problems.append(
                    Problem((section, n, "pit"), f"unknown pit {item.pit!r} (pits: {known})")
                )
    for n, member in enumerate(floor.staff):
        if member.role is Role.PIT_BOSS and member.pit is None:
            problems.append(Problem(("staff", n, "pit"), "a pit boss needs a pit"))
    if not any(m.role is Role.ADMIN and m.active for m in floor.staff):
        problems.append(
            Problem(("staff",), "no active admin: the floor needs one to manage its staff")
        )
    staff_ids = {m.id for m in floor.staff}
    on_call_ids = {p.id for p in floor.on_call}
    blocks: dict[tuple[Chain, int, str], int] = {}
    for n, block in enumerate(floor.roster):
        if block.who not in staff_ids | on_call_ids:
            problems.append(
                Problem(
                    ("roster", n, "who"),
                    f"unknown staff {block.who!r} (not in [[staff]] or [[on_call]])",
                )
            )
        key = (block.chain, block.line, block.who)
        if key in blocks:
            problems.append(
                Problem(
                    ("roster", n, "who"),
                    f"{block.who!r} is on {block.chain} L{block.line} in roster[{blocks[key] + 1}]"
                    " too: list all their shifts on that line in one block",
                )
            )
        blocks.setdefault(key, n)
        for i, shift in enumerate(block.shifts):
            for j in range(i):
                if overlap(block.shifts[j], shift):
                    problems.append(
                        Problem(
                            ("roster", n, "shifts", i),
                            f"'{shift}' overlaps '{block.shifts[j]}' for {block.who!r}"
                            f" on {block.chain} L{block.line}",
                        )
                    )
    rostered = {b.who for b in floor.roster}
    for n, person in enumerate(floor.on_call):
        if person.id not in rostered:
            problems.append(
                Problem(("on_call", n, "id"), f"{person.id!r} is on no [[roster]] line")
            )
    return problems


# --- to and from the floor as the backend keeps it --------------------------------


@dataclass(frozen=True, slots=True)
class FloorConfig:
    """The floor as configuration: what an import sets and an export reads."""

    pits: tuple[Pit, ...]
    assets: tuple[Asset, ...]
    staff: tuple[tuple[Staff, bool], ...]  # (member, active)
    roster: tuple[RosterEntry, ...]


def to_config(floor: FloorFile) -> FloorConfig:
    floor = floor.sorted()
    names = {m.id: m.name for m in floor.staff} | {p.id: p.name for p in floor.on_call}
    roster: list[RosterEntry] = []
    for block in floor.roster:
        title = block.title
        for shift in block.shifts:
            roster.append(
                RosterEntry(
                    chain=block.chain,
                    line=block.line,
                    staff_id=block.who,
                    name=names[block.who],
                    title=title,
                    contacts=block.contacts,
                    shift_start=shift.start,
                    shift_end=shift.end,
                    days=shift.days,
                )
            )
    return FloorConfig(
        pits=tuple(Pit(id=p.id, name=p.name) for p in floor.pit),
        assets=tuple(Asset(id=a.id, kind=a.kind, pit=a.pit, game=a.game) for a in floor.asset),
        staff=tuple(
            (Staff(id=m.id, name=m.name, role=m.role, pit=m.pit), m.active) for m in floor.staff
        ),
        roster=tuple(roster),
    )


def from_config(config: FloorConfig) -> FloorFile:
    staff_ids = {member.id for member, _ in config.staff}
    blocks: dict[tuple[Chain, int, str], dict[str, Any]] = {}
    on_call: dict[str, FileOnCall] = {}
    for entry in config.roster:
        key = (entry.chain, entry.line, entry.staff_id)
        block = blocks.setdefault(
            key,
            {
                "chain": entry.chain,
                "line": entry.line,
                "who": entry.staff_id,
                "title": entry.title,
                "contacts": entry.contacts,
                "shifts": [],
            },
        )
        block["shifts"].append(Shift(days=entry.days, start=entry.shift_start, end=entry.shift_end))
        if entry.staff_id not in staff_ids:
            on_call.setdefault(entry.staff_id, FileOnCall(id=entry.staff_id, name=entry.name))
    floor = FloorFile(
        pit=tuple(FilePit(id=p.id, name=p.name) for p in config.pits),
        asset=tuple(FileAsset(id=a.id, kind=a.kind, pit=a.pit, game=a.game) for a in config.assets),
        staff=tuple(
            FileStaff(id=m.id, name=m.name, role=m.role, pit=m.pit, active=active)
            for m, active in config.staff
        ),
        on_call=tuple(on_call.values()),
        roster=tuple(FileRoster.model_validate(b) for b in blocks.values()),
    )
    return floor.sorted()


def dump_floor(floor: FloorFile) -> str:
    """The floor file's TOML text, in the README's shape: every entry its own `[[section]]`
    block with one `key = value` a line, so an error in an edited export names the
    entry's own line (`tomlpos.line_of` finds blocks and keys, not items of an array)."""
    blocks: list[str] = []
    for name in ("pit", "asset", "staff", "on_call"):
        for item in getattr(floor, name):
            fields = {"id": item.id} | item.model_dump(
                mode="json", exclude_defaults=True, exclude_none=True
            )
            block = _block(name, fields)
            if name == "on_call" and item is floor.on_call[0]:
                block = "# on the escalation rota, but never signing in to a terminal\n" + block
            blocks.append(block)
    for b in floor.roster:
        fields = {
            "chain": str(b.chain),
            "line": b.line,
            "who": b.who,
            "title": b.title,
            "contacts": [c.model_dump(mode="json", exclude_defaults=True) for c in b.contacts],
            "shifts": [str(s) for s in b.shifts],
        }
        blocks.append(_block("roster", fields))
    return "\n".join(blocks)


def _block(name: str, fields: dict[str, Any]) -> str:
    lines = [f"[[{name}]]"] + [f"{key} = {_value(value)}" for key, value in fields.items()]
    return "\n".join(lines) + "\n"


def _value(value: Any) -> str:
    """One TOML value on one line: strings, integers, booleans, arrays, inline tables."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML form for {value!r}")


_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else _string(key)


def _string(text: str) -> str:
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'
