"""A rota imported from a floor file, answered by a real server at chosen instants.

The floor goes in through `floorline floor import`; a server on the same
database, on a clock the test sets, then says who is on duty (the snapshot the
terminals draw their ladders from) and who it pages when an incident reaches
the line (its own decision, at its own time). A cover set through the command
API answers until its end and lapses there by itself, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from backend.config import ServerConfig
from domain.cover import who_to_call
from domain.models import Chain
from domain.protocol import Snapshot
from tests.backend.helpers import Terminal, command_id, open_p1
from tests.backend.inprocess import FakeClock, RunningServer, serve_in_process
from tests.backend.test_floor_file import imported

SYDNEY = ZoneInfo("Australia/Sydney")  # the default policy's timezone

ROTA = """\
[[pit]]
id = "1"
name = "Main floor"

[[staff]]
id = "admin"
name = "Floor Admin"
role = "admin"

[[staff]]
id = "dm1"
name = "Dana K."
role = "duty_manager"

[[staff]]
id = "dm2"
name = "Chris N."
role = "duty_manager"

[[staff]]
id = "dm3"
name = "Robin T."
role = "duty_manager"

[[roster]]
chain = "main"
line = 2
who = "dm1"
contacts = [{ method = "phone", value = "x4001" }]
shifts = ["Mon-Fri 09:00-17:00"]

[[roster]]
chain = "main"
line = 2
who = "dm2"
contacts = [{ method = "phone", value = "x4002" }]
shifts = ["Mon-Sat 22:00-06:00"]

[[roster]]
chain = "main"
line = 2
who = "dm3"
contacts = [{ method = "phone", value = "x4003" }]
shifts = ["Sun 06:00-22:00"]
"""
PINS = 'one_time = false\n[pins]\nadmin = "9000"\ndm1 = "3001"\ndm2 = "3002"\ndm3 = "3003"\n'


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> float:
    """A wall-clock time in Sydney (none of the chosen ones is in a repeated hour)."""
    return datetime(year, month, day, hour, minute, tzinfo=SYDNEY).timestamp()


# (when, who is on main L2), in time order: the server's clock only moves forward
INSTANTS = [
    ("Wed 08:30, before the day shift", at(2027, 3, 31, 8, 30), []),
    ("Wed 10:00, weekday day shift", at(2027, 3, 31, 10), ["dm1"]),
    ("Wed 23:30, night shift", at(2027, 3, 31, 23, 30), ["dm2"]),
    ("Thu 03:00, Wednesday's night past midnight", at(2027, 4, 1, 3), ["dm2"]),
    ("Thu 06:30, after the night shift", at(2027, 4, 1, 6, 30), []),
    # DST ends at 03:00 on Sun 4 April: Saturday's night runs 9 hours, to 06:00 AEST
    ("Sun 05:30 AEST, the long night", at(2027, 4, 4, 5, 30), ["dm2"]),
    ("Sun 06:30 AEST, after it", at(2027, 4, 4, 6, 30), ["dm3"]),
    # DST starts at 02:00 on Sun 3 October: Saturday's night runs 7 hours, to 06:00 AEDT
    ("Sun 05:30 AEDT, the short night", at(2027, 10, 3, 5, 30), ["dm2"]),
    ("Sun 06:30 AEDT, after it", at(2027, 10, 3, 6, 30), ["dm3"]),
]


async def answers(server: RunningServer, dm: Terminal, now: float) -> tuple[list[str], list[str]]:
    """(on duty on main L2 as the snapshot says, who the server pages there), at `now`."""
    snapshot = Snapshot.model_validate(await dm.snapshot())
    on_duty = [e.staff_id for e in who_to_call(snapshot.state, Chain.MAIN, 2, now)]
    opened = await dm.accepted(open_p1())
    climbed = await dm.accepted(
        {
            "command_id": command_id(),
            "command": {
                "type": "escalate",
                "incident_id": opened["incident_id"],
                "line": 2,
                "reason": "needs the duty manager",
            },
        }
    )
    [event] = [
        e for e in (await dm.events(climbed["seq"] - 1))["events"] if e["type"] == "escalated"
    ]
    assert event["at"] == pytest.approx(now)  # decided on the server's clock
    return on_duty, list(event["data"]["paged"])


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'floor.db'}"
    return str(request.getfixturevalue("pg_url"))


async def test_the_imported_rota_and_a_cover_decide_who_is_called(
    tmp_path: Path, db_url: str
) -> None:
    imported(tmp_path, db_url, ROTA, pins=PINS)
    clock = FakeClock(INSTANTS[0][1])
    async with serve_in_process(ServerConfig(db_url=db_url, clock=clock)) as server:
        seen: list[tuple[str, list[str], list[str]]] = []
        for label, when, _ in INSTANTS:
            clock.now = when
            dm = await Terminal.sign_in(server.url, "admin", "9000")  # tokens age with the clock
            seen.append((label, *await answers(server, dm, when)))
            await dm.close()
        assert seen == [(label, who, who) for label, _, who in INSTANTS]

        # Monday's day shift: dm3 covers the line until 12:00, then it is dm1's again
        clock.now = at(2027, 10, 4, 10)
        dm1 = await Terminal.sign_in(server.url, "dm1", "3001")
        assert await answers(server, dm1, clock.now) == (["dm1"], ["dm1"])
        until = at(2027, 10, 4, 12)
        cover = {
            "type": "set_cover",
            "chain": "main",
            "line": 2,
            "staff_id": "dm3",
            "until": until,
            "reason": "Dana K. at the regulator's visit",
        }
        await dm1.accepted({"command_id": command_id(), "command": cover})
        for when in (clock.now + 1, until - 60, until - 1):
            clock.now = when
            assert await answers(server, dm1, when) == (["dm3"], ["dm3"])
        for when in (until, until + 60):
            clock.now = when
            assert await answers(server, dm1, when) == (["dm1"], ["dm1"])
        await dm1.close()
