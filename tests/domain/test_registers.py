"""Regulators' registers: the second countdown, business days in the policy's timezone,
recording an incident in its register, and the register's lines."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from domain import commands as c
from domain.policy import Policy, PolicyError, policy_from_toml
from domain.registers import register_clock, register_lines
from domain.rejection import Rejected
from domain.sla import Urgency, clocks, next_clock
from tests.domain.floor import T0, Floor

SYDNEY = ZoneInfo("Australia/Sydney")
HOUR = 3600.0


def sydney(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> float:
    return datetime(year, month, day, hour, minute, tzinfo=SYDNEY).timestamp()


def due_of(kind: str, opened: float, policy: Policy | None = None) -> float:
    floor = Floor(policy)
    number = floor.open(kind=kind, at=opened)
    entry = floor.state.incidents[number].register_entry
    assert entry is not None
    return entry.due


def test_a_responsible_gambling_incident_is_due_in_its_register_within_24_hours() -> None:
    floor = Floor()
    number = floor.open(kind="responsible_gambling", priority="P3")
    incident = floor.state.incidents[number]
    assert incident.register_entry is not None
    assert incident.register_entry.name == "responsible_gambling"
    assert incident.register_entry is not None
    assert incident.register_entry.due == T0 + 24 * HOUR
    # a countdown of its own: the service promises and the queue's next one ignore it
    assert "register" not in [clock.name for clock in clocks(incident)]
    assert next_clock(incident).due < incident.register_entry.due  # type: ignore[union-attr]
    clock = register_clock(incident)
    assert clock is not None and clock.urgency(T0 + 23 * HOUR, floor.state.policy) is Urgency.RED
    assert clock.urgency(T0 + 25 * HOUR, floor.state.policy) is Urgency.BREACHED


def test_other_kinds_go_to_no_register() -> None:
    floor = Floor()
    number = floor.open(kind="table_dispute")
    incident = floor.state.incidents[number]
    assert incident.register_entry is None and register_clock(incident) is None


@pytest.mark.parametrize(
    ("opened", "due", "why"),
    [
        # Friday afternoon: Monday, Tuesday, Wednesday; due as Wednesday ends
        (sydney(2026, 3, 13, 15, 0), sydney(2026, 3, 19, 0, 0), "across a weekend"),
        (sydney(2026, 3, 14, 10, 0), sydney(2026, 3, 19, 0, 0), "opened on a Saturday"),
        (sydney(2026, 3, 10, 9, 0), sydney(2026, 3, 14, 0, 0), "midweek: Wed, Thu, Fri"),
        # Thursday 23:30 in UTC is Friday morning in Sydney: the days count from Friday
        (
            datetime(2026, 3, 12, 23, 30, tzinfo=ZoneInfo("UTC")).timestamp(),
            sydney(2026, 3, 19, 0, 0),
            "the day is Sydney's, not UTC's",
        ),
        # daylight saving starts on Sunday 4 October 2026: Wednesday ends at +11:00
        (sydney(2026, 10, 2, 12, 0), sydney(2026, 10, 8, 0, 0), "across the DST change"),
    ],
)
def test_a_suspicious_matter_is_due_at_the_end_of_the_third_business_day(
    opened: float, due: float, why: str
) -> None:
    assert due_of("suspicious_matter", opened) == due, why


def test_business_days_skip_holidays_and_follow_the_policys_timezone() -> None:
    easter = Policy(holidays=(date(2026, 4, 3), date(2026, 4, 6)))  # Good Friday, Easter Monday
    # Thursday 2 April: Tuesday, Wednesday, Thursday after the long weekend
    assert due_of("suspicious_matter", sydney(2026, 4, 2, 16, 0), easter) == sydney(2026, 4, 10)
    london = policy_from_toml('timezone = "Europe/London"\n')
    friday_evening = datetime(2026, 3, 13, 20, 0, tzinfo=ZoneInfo("Europe/London")).timestamp()
    # already Saturday in Sydney, still Friday in London: both end on a Wednesday, local
    assert due_of("suspicious_matter", friday_evening, london) == (
        datetime(2026, 3, 19, tzinfo=ZoneInfo("Europe/London")).timestamp()
    )


def test_the_policy_file_changes_a_register_or_adds_one() -> None:
    policy = policy_from_toml(
        "[registers.responsible_gambling]\n"
        "due_after = 43200\n"
        "[registers.credit]\n"
        'label = "credit register"\n'
        'kinds = ["credit_line"]\n'
        "due_business_days = 1\n"
    )
    assert policy.registers["responsible_gambling"].due_after == 43200
    assert policy.registers["suspicious_matter"].due_business_days == 3  # kept
    assert due_of("responsible_gambling", T0, policy) == T0 + 12 * HOUR
    assert due_of("credit_line", sydney(2026, 3, 13, 9), policy) == sydney(2026, 3, 17)
    with pytest.raises(PolicyError, match="give exactly one"):
        policy_from_toml('[registers.x]\nlabel = "x"\nkinds = ["travel"]\n')
    with pytest.raises(PolicyError, match="suspicious_matter is in two registers"):
        policy_from_toml(
            '[registers.x]\nlabel = "x"\nkinds = ["suspicious_matter"]\ndue_after = 60\n'
        )


def test_a_duty_manager_records_it_with_the_registers_reference() -> None:
    floor = Floor()
    number = floor.open(kind="suspicious_matter", priority="P3")
    floor.run(
        "dm1",
        c.RecordInRegister(incident_id=number, reference=" SMR 4111 1111 1111 1111 "),
        T0 + 600,
    )
    incident = floor.state.incidents[number]
    entry = incident.register_entry
    assert entry is not None
    assert (entry.recorded_at, entry.recorded_by) == (T0 + 600, "dm1")
    assert entry.reference == "SMR ****-1111"  # masked like every typed text
    assert [entry.text for entry in incident.timeline[-2:]] == [
        "recorded in the suspicious matter report (AML): SMR ****-1111",
        # a card number typed anywhere is an exposure, here too
        "escalated to L2 (duty manager / game tech) automatically: card/account number exposed",
    ]
    clock = register_clock(incident)
    assert clock is not None
    assert clock.urgency(T0 + 10 * 24 * HOUR, floor.state.policy) is Urgency.MET
    # once only, naming who did it
    with pytest.raises(Rejected, match=r"already in the suspicious matter report \(AML\)") as again:
        floor.run("admin", c.RecordInRegister(incident_id=number, reference="SMR-2"), T0 + 700)
    assert (again.value.by, again.value.at) == ("dm1", T0 + 600)


@pytest.mark.parametrize(
    ("actor", "kind", "command", "words"),
    [
        ("pb2", "responsible_gambling", {"reference": "RG-1"}, "allowed: admin, duty manager"),
        ("h1", "responsible_gambling", {"reference": "RG-1"}, "a host may not record in register"),
        ("dm1", "table_dispute", {"reference": "RG-1"}, "(table dispute) goes to no regulator"),
        ("dm1", "responsible_gambling", {"reference": "   "}, "give the responsible gambling"),
        (
            "dm1",
            "responsible_gambling",
            {"reference": "RG-1", "occurred_at": T0 + 3600},
            "cannot be in the future",
        ),
        (
            "dm1",
            "responsible_gambling",
            {"reference": "RG-1", "occurred_at": float("nan")},
            "is not a time",
        ),
    ],
)
def test_recording_is_refused_with_the_reason(
    actor: str, kind: str, command: dict[str, object], words: str
) -> None:
    floor = Floor()
    number = floor.open(kind=kind)
    with pytest.raises(Rejected, match=words.replace("(", r"\(").replace(")", r"\)")):
        floor.run(actor, c.RecordInRegister(incident_id=number, **command), T0 + 60)
    assert floor.state.incidents[number].timeline[-1].text == "opened"


def test_the_register_lists_when_each_matter_happened_and_when_it_was_logged() -> None:
    floor = Floor()
    late = floor.open(kind="responsible_gambling", at=T0)
    on_time = floor.open(kind="responsible_gambling", at=T0 + HOUR)
    waiting = floor.open(kind="suspicious_matter", at=T0 + 2 * HOUR)
    floor.open(kind="table_dispute", at=T0 + 3 * HOUR)  # not for any register
    outside = floor.open(kind="responsible_gambling", at=T0 + 30 * 24 * HOUR)
    # it happened the evening before it was reported; logged in the register two days on
    floor.run(
        "dm1",
        c.RecordInRegister(incident_id=late, reference="RG-7", occurred_at=T0 - 5 * HOUR),
        T0 + 48 * HOUR,
    )
    floor.run("dm1", c.RecordInRegister(incident_id=on_time, reference="RG-8"), T0 + 2 * HOUR)
    lines = register_lines(
        floor.state.incidents.values(), floor.state, T0 - 24 * HOUR, T0 + 24 * HOUR, T0 + 72 * HOUR
    )
    by_id = {line.incident_id: line for line in lines}
    assert set(by_id) == {late, on_time, waiting}
    assert outside not in by_id
    assert (by_id[late].happened_at, by_id[late].opened_at) == (T0 - 5 * HOUR, T0)
    assert (by_id[late].recorded_at, by_id[late].status) == (T0 + 48 * HOUR, "recorded late")
    assert by_id[late].recorded_by == "Dana K." and by_id[late].reference == "RG-7"
    assert (by_id[on_time].happened_at, by_id[on_time].status) == (T0 + HOUR, "recorded")
    assert by_id[waiting].recorded_at is None and by_id[waiting].status in ("due", "overdue")
    assert by_id[late].player == "VV-****-4411"  # masked, as on the floor
    assert [line.register for line in lines][:2] == ["responsible gambling register"] * 2
