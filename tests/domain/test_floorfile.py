"""The floor file: the README's example is the shipped one, and bad input is named by line."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest

from domain.floorfile import FloorFileError, dump_floor, from_config, parse_floor, to_config
from domain.pins import PinFileError, parse_pin_file
from domain.tomlpos import line_of

README = Path(__file__).resolve().parents[2] / "README.md"
EXAMPLE = (resources.files("backend.floors") / "example.toml").read_text()


def readme_example() -> str:
    text = README.read_text()
    section = text[text.index("### Floor file") :]
    return re.search(r"```toml\n(.*?)```", section, re.S)[1]  # type: ignore[index]


def test_the_readme_example_is_the_shipped_example() -> None:
    assert readme_example() == EXAMPLE
    floor = parse_floor(readme_example(), "README.md")
    assert {m.id for m in floor.staff} == {"admin", "pb1", "h1", "dm1", "dm2"}


def test_export_text_parses_back_to_the_same_floor() -> None:
    floor = parse_floor(EXAMPLE)
    assert parse_floor(dump_floor(from_config(to_config(floor)))) == floor


def problems(text: str) -> list[str]:
    with pytest.raises(FloorFileError) as caught:
        parse_floor(text, "floor.toml")
    return caught.value.lines


def line_with(text: str, needle: str, nth: int = 0) -> int:
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    return lines[nth]


def test_an_unknown_role_names_file_line_and_field() -> None:
    text = EXAMPLE.replace('role = "host"', 'role = "pitboss"')
    assert problems(text) == [
        f"floor.toml:{line_with(text, 'pitboss')}: staff[3].role: unknown role 'pitboss'"
        " (expected one of host, pit_boss, duty_manager, admin)"
    ]


def test_bad_times_are_named_on_their_shift() -> None:
    text = EXAMPLE.replace('"Mon-Fri 22:00-06:00"', '"Mon-Fri 22:00-06:00", "Sat 9pm-25:00"')
    [line] = problems(text)
    assert line.startswith(f"floor.toml:{line_with(text, '9pm')}: roster[5].shifts[2]: bad time")


def test_every_cross_check_is_reported_at_once() -> None:
    text = (
        EXAMPLE.replace('id = "dm2"', 'id = "dm1"')
        .replace('who = "bank1"', 'who = "bank9"')
        .replace('"Mon-Fri 22:00-06:00"', '"Mon-Fri 22:00-06:00", "Tue 23:00-01:00"')
        .replace('pit = "2"\ngame', 'pit = "7"\ngame')
    )
    found = problems(text)
    second_dm1 = line_with(text, 'id = "dm1"', 1)
    assert found[0] == f"floor.toml:{second_dm1}: staff[5].id: duplicate id 'dm1' (also staff[4])"
    joined = "\n".join(found)
    assert "asset[2].pit: unknown pit '7' (pits: 1, 2)" in joined
    assert "roster[6].who: unknown staff 'bank9' (not in [[staff]] or [[on_call]])" in joined
    assert "roster[5].shifts[2]: 'Tue 23:00-01:00' overlaps 'Mon-Fri 22:00-06:00'" in joined
    assert "on_call[2].id: 'bank1' is on no [[roster]] line" in joined


def test_a_floor_without_an_active_admin_is_refused() -> None:
    text = EXAMPLE.replace('role = "admin"', 'role = "admin"\nactive = false')
    assert any("staff: no active admin" in line for line in problems(text))


def test_unknown_fields_and_broken_toml_are_named() -> None:
    slot = line_with(EXAMPLE, 'game = "slot"')
    assert problems(EXAMPLE.replace('game = "slot"', 'gmae = "slot"')) == [
        f"floor.toml:{slot}: asset[3].gmae: unknown field 'gmae'"
    ]
    assert problems('[[staff]\nid = "x"')[0].startswith("floor.toml:1: not valid TOML")


def test_line_of_finds_tables_keys_and_falls_back_to_the_header() -> None:
    text = '[[staff]]\nid = "a"\n\n[[staff]]\nid = "b"\nrole = "host"\n[pins]\nb = "1"\n'
    assert line_of(text, ["staff", 1, "role"]) == 6
    assert line_of(text, ["staff", 1, "name"]) == 4  # not written: its table
    assert line_of(text, ["staff", 0, "id"]) == 2
    assert line_of(text, ["pins", "b"]) == 8
    assert line_of(text, ["nowhere"]) == 1


def test_a_pin_file_gives_pins_and_whether_they_are_one_time() -> None:
    assert parse_pin_file('one_time = false\n[pins]\npb1 = "4821"\n') == ({"pb1": "4821"}, False)
    with pytest.raises(PinFileError, match=r"pins.toml:3: pins.pb1: a PIN is 4 to 12 digits"):
        parse_pin_file('[pins]\nh1 = "1234"\npb1 = 12\n')


@pytest.mark.parametrize(
    ("shift", "says"),
    [
        ("Mon-Fri 6am-06:00", "bad time '6am'"),
        ("Mon-Fri 22:00-22:00", "empty shift 'Mon-Fri 22:00-22:00'"),
    ],
)
def test_a_block_whose_only_shift_is_bad_says_only_what_is_wrong_with_it(
    shift: str, says: str
) -> None:
    text = EXAMPLE.replace('"Mon-Fri 22:00-06:00"', f'"{shift}"')
    [line] = problems(text)
    assert line.startswith(f"floor.toml:{line_with(text, shift)}: roster[5].shifts[1]: {says}")


def test_a_block_with_no_shifts_says_so() -> None:
    text = EXAMPLE.replace('shifts = ["Mon-Fri 22:00-06:00"]', "shifts = []")
    [line] = problems(text)
    assert line.startswith(f"floor.toml:{line_with(text, 'shifts = []')}: roster[5].shifts:")
