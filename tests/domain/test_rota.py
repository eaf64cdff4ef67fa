"""Who is on duty when: weekday windows, night shifts across midnight, DST in the policy's zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from domain.escalation import on_duty
from domain.floorfile import parse_floor, to_config
from domain.models import Chain
from domain.policy import Policy
from domain.rota import parse_shift

SYDNEY = ZoneInfo("Australia/Sydney")
POLICY = Policy(timezone="Australia/Sydney")

ROTA = """
[[staff]]
id = "admin"
name = "Floor Admin"
role = "admin"

[[on_call]]
id = "lee"
name = "Lee M."

[[on_call]]
id = "kim"
name = "Kim D."

[[on_call]]
id = "ash"
name = "Ash B."

[[roster]]
chain = "payments"
line = 2
who = "lee"
shifts = ["Mon-Fri 22:00-06:00"]

[[roster]]
chain = "payments"
line = 2
who = "kim"
shifts = ["Mon-Fri 06:00-22:00"]

[[roster]]
chain = "payments"
line = 2
who = "ash"
shifts = ["Sat,Sun 00:00-24:00", "Fri 21:00-23:00"]
"""

ROSTER = to_config(parse_floor(ROTA)).roster


def at(year: int, month: int, day: int, hour: int, minute: int = 0, fold: int = 0) -> float:
    return datetime(year, month, day, hour, minute, tzinfo=SYDNEY, fold=fold).timestamp()


# (when, who is on payments L2); 2026-11-23 is a Monday. Sydney's clocks go
# forward on Sun 4 Oct 2026 (02:00 -> 03:00) and back on Sun 5 Apr 2026 (03:00 -> 02:00).
CASES = [
    (at(2026, 11, 23, 10), {"kim"}),  # Monday morning
    (at(2026, 11, 23, 21, 59), {"kim"}),  # the last minute of the day shift
    (at(2026, 11, 23, 22, 0), {"lee"}),  # the night shift starts
    (at(2026, 11, 24, 2, 30), {"lee"}),  # Monday's night shift, after midnight on Tuesday
    (at(2026, 11, 24, 6, 0), {"kim"}),  # it ends at 06:00 Tuesday
    (at(2026, 11, 27, 21, 30), {"kim", "ash"}),  # Friday: two people on one line at once
    (at(2026, 11, 27, 22, 30), {"lee", "ash"}),  # Friday night shift beside Ash's cover
    (at(2026, 11, 28, 3, 0), {"lee", "ash"}),  # Friday's night shift runs into Saturday
    (at(2026, 11, 28, 12, 0), {"ash"}),  # Saturday: the weekend shift only
    (at(2026, 11, 30, 2, 0), set()),  # Sunday night into Monday: nobody (a gap)
    (at(2026, 11, 30, 0, 0), set()),  # Sunday's 00:00-24:00 ends at Monday 00:00
    (at(2026, 4, 2, 23, 0), {"lee"}),  # Thu 2 Apr (Fri 3 Apr 03:00 is before the change)
    (at(2026, 4, 5, 2, 30, fold=1), {"ash"}),  # the hour that happens twice, second time
    (at(2026, 10, 5, 0, 30), set()),  # the short Sunday (clocks forward) ended at 00:00
]


@pytest.mark.parametrize(("when", "expected"), CASES)
def test_who_is_on_duty(when: float, expected: set[str]) -> None:
    entries = on_duty(ROSTER, Chain.PAYMENTS, 2, when, POLICY)
    assert {e.staff_id for e in entries} == expected


def test_a_night_shift_across_the_dst_change_lasts_as_the_wall_clock_says() -> None:
    # Fri 3 Apr 22:00 -> Sat 4 Apr 06:00 is a normal 8 h; the night the clocks go back
    # is the Saturday night, which only Ash covers. Try a Sunday-night rota instead.
    roster = to_config(
        parse_floor(ROTA.replace('"Mon-Fri 22:00-06:00"', '"Sat 22:00-06:00"'))
    ).roster
    start = at(2026, 4, 4, 22, 0)
    end = at(2026, 4, 5, 6, 0)
    assert end - start == 9 * 3600  # the clocks went back an hour that night
    lee = {"lee"}
    assert lee <= {e.staff_id for e in on_duty(roster, Chain.PAYMENTS, 2, end - 60, POLICY)}
    assert "lee" not in {e.staff_id for e in on_duty(roster, Chain.PAYMENTS, 2, end, POLICY)}
    # 02:30 happens twice that night: Lee is on for both
    for fold in (0, 1):
        when = at(2026, 4, 5, 2, 30, fold=fold)
        assert "lee" in {e.staff_id for e in on_duty(roster, Chain.PAYMENTS, 2, when, POLICY)}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Mon 25:00-06:00", "bad time '25:00'"),
        ("Mon 9pm-11pm", "bad time '9pm'"),
        ("Mon 06:00-06:00", "empty shift"),
        ("Funday 06:00-10:00", "unknown day 'Funday'"),
        ("06:00-10:00", "bad shift"),
    ],
)
def test_a_bad_shift_says_what_is_wrong(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_shift(text)


def test_days_read_as_written_and_wrap_the_week() -> None:
    assert parse_shift("Fri-Mon 22:00-06:00").days == (0, 4, 5, 6)
    assert str(parse_shift("Sat,Sun,Mon 08:00-20:00")) == "Mon,Sat-Sun 08:00-20:00"
    assert str(parse_shift("daily 00:00-24:00")) == "daily 00:00-24:00"
