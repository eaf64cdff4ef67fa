"""Which post-incident reports are due, overdue or filed, worked out by hand.

Default policy: a P1 or P2 owes its report 24 h (86,400 s) after it is
resolved. Times are offsets from T0 in seconds.

A  P1 opened 0, resolved 3,600: due 90,000. At 50,000 it is due with
   40,000 s left; at 90,000 exactly it is overdue (0 s left); at 93,600 it
   is an hour late.
B  P2 opened 100, resolved 7,300: due 93,700; filed 10,000 (on time).
C  P1 opened 200, resolved 1,000: due 87,400; filed at 90,000 (2,600 s late).
D  P3 opened 300, resolved 2,000: a P3 owes no report.
E  P2 opened 400, resolved 2,400 (due 88,800), reopened 3,000: owes nothing
   while open again; resolved again 5,000: due 91,400 (the new resolve's
   24 h, not the first).

At 89,000, before C is filed: A due (1,000 s left), E due (2,400 s left),
C overdue (89,000 - 87,400 = 1,600 s late), B filed on time. Order: C
(overdue), then A (due 90,000), E (due 91,400), then the filed ones, the
latest filing first (B filed 10,000).
Counts: due 3 (A, C, E), overdue 1 (C).
"""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from domain import commands as c
from domain.decide import Rejected
from domain.events import Event, EventType
from domain.models import Incident, Priority, Role
from domain.reducer import apply
from domain.reports import (
    ReportCounts,
    ReportStatus,
    filed_report,
    report_counts,
    report_line,
    report_lines,
    reports_refusal,
)
from tests.domain.floor import T0, Floor


def _night() -> tuple[Floor, dict[str, int]]:
    floor = Floor()
    ids = {
        "A": floor.open(at=T0),
        "B": floor.open(at=T0 + 100, priority=Priority.P2),
        "C": floor.open(at=T0 + 200),
        "D": floor.open(at=T0 + 300, priority=Priority.P3),
        "E": floor.open(at=T0 + 400, priority=Priority.P2),
    }
    floor.run("pb2", c.Resolve(incident_id=ids["A"]), T0 + 3600)
    floor.run("pb2", c.Resolve(incident_id=ids["B"]), T0 + 7300)
    floor.run("pb2", c.Resolve(incident_id=ids["C"]), T0 + 1000)
    floor.run("pb2", c.Resolve(incident_id=ids["D"]), T0 + 2000)
    floor.run("pb2", c.Resolve(incident_id=ids["E"]), T0 + 2400)
    floor.run("dm1", c.Reopen(incident_id=ids["E"], reason="player called back"), T0 + 3000)
    floor.run("pb2", c.Resolve(incident_id=ids["E"]), T0 + 5000)
    floor.run(
        "dm1",
        c.FileReport(
            incident_id=ids["B"], root_cause="card reader fault", measures="reader replaced"
        ),
        T0 + 10_000,
    )
    floor.run("pb2", c.FileReport(incident_id=ids["C"], root_cause="dealer error"), T0 + 90_000)
    return floor, ids


def test_a_report_falls_due_24_hours_after_the_resolve_and_overdue_at_that_second() -> None:
    floor, ids = _night()
    a = floor.state.incidents[ids["A"]]
    policy = floor.state.policy
    due = report_line(a, policy, T0 + 50_000)
    assert due is not None and due.status is ReportStatus.DUE
    assert (due.due, due.left) == (T0 + 90_000, 40_000)
    at_due = report_line(a, policy, T0 + 90_000)
    assert at_due is not None and at_due.status is ReportStatus.OVERDUE and at_due.left == 0
    late = report_line(a, policy, T0 + 93_600)
    assert late is not None and late.late and late.left == -3600


def test_the_list_puts_overdue_first_then_due_by_time_then_filed() -> None:
    """The night up to 89,000: C is not filed yet."""
    floor = Floor()
    a = floor.open(at=T0)
    b = floor.open(at=T0 + 100, priority=Priority.P2)
    cc = floor.open(at=T0 + 200)
    d = floor.open(at=T0 + 300, priority=Priority.P3)
    e = floor.open(at=T0 + 400, priority=Priority.P2)
    for number, at in ((a, 3600), (b, 7300), (cc, 1000), (d, 2000), (e, 2400)):
        floor.run("pb2", c.Resolve(incident_id=number), T0 + at)
    floor.run("dm1", c.Reopen(incident_id=e, reason="player called back"), T0 + 3000)
    floor.run("pb2", c.Resolve(incident_id=e), T0 + 5000)
    floor.run("dm1", c.FileReport(incident_id=b, root_cause="card reader fault"), T0 + 10_000)
    state = floor.state
    lines = report_lines(state.incidents.values(), state.policy, T0 + 89_000)
    got = [(line.incident.id, line.status, line.left) for line in lines]
    assert got == [
        (cc, ReportStatus.OVERDUE, -1600),
        (a, ReportStatus.DUE, 1000),
        (e, ReportStatus.DUE, 2400),  # due 91,400: the second resolve's 24 h
        (b, ReportStatus.FILED, None),
    ]
    assert report_counts(state.incidents.values(), state.policy, T0 + 89_000) == ReportCounts(3, 1)


def test_a_filed_report_keeps_who_filed_it_and_whether_it_was_late() -> None:
    floor, ids = _night()
    state = floor.state
    b, cc = state.incidents[ids["B"]], state.incidents[ids["C"]]
    b_report, cc_report = filed_report(b), filed_report(cc)
    assert b_report is not None and cc_report is not None
    assert (b_report.root_cause, b_report.measures, b_report.by) == (
        "card reader fault",
        "reader replaced",
        "dm1",
    )
    on_time = report_line(b, state.policy, T0 + 100_000)
    late = report_line(cc, state.policy, T0 + 100_000)
    assert on_time is not None and not on_time.late and on_time.due == T0 + 93_700
    assert late is not None and late.late and late.due == T0 + 87_400
    assert cc_report.at == T0 + 90_000
    # the filed ones, latest filing first: C (90,000) before B (10,000)
    filed = [
        line.incident.id
        for line in report_lines(state.incidents.values(), state.policy, T0 + 100_000)
        if line.status is ReportStatus.FILED
    ]
    assert filed == [ids["C"], ids["B"]]


def test_a_p3_owes_no_report_and_is_not_listed() -> None:
    floor, ids = _night()
    d = floor.state.incidents[ids["D"]]
    assert report_line(d, floor.state.policy, T0 + 89_000) is None


def test_an_empty_root_cause_is_refused_in_words() -> None:
    floor = Floor()
    number = floor.open(at=T0)
    floor.run("pb2", c.Resolve(incident_id=number), T0 + 60)
    with pytest.raises(Rejected, match="needs its root cause"):
        floor.run("pb2", c.FileReport(incident_id=number, root_cause="   "), T0 + 120)
    assert floor.state.incidents[number].report_due == T0 + 60 + 86_400


def test_an_old_one_text_report_reads_as_its_root_cause() -> None:
    floor = Floor()
    number = floor.open(at=T0)
    floor.run("pb2", c.Resolve(incident_id=number), T0 + 60)
    # a report event stored before root cause and measures were apart
    old = Event(
        seq=99,
        type=EventType.REPORT_FILED,
        at=T0 + 600,
        actor="dm1",
        incident_id=number,
        data={"text": "root cause: worn shoe; measures: new shoes"},
    )
    incident = apply(floor.state, old).incidents[number]
    report = filed_report(incident)
    assert report is not None
    assert report.root_cause == "root cause: worn shoe; measures: new shoes"
    assert (report.measures, report.by, report.at) == ("", "dm1", T0 + 600)
    assert incident.report_due is None
    # and a command queued then, with only `text`, still decides
    queued = c.FileReport.model_validate({"incident_id": number, "text": "dealer error"})
    assert queued.root_cause == "dealer error"
    with pytest.raises(ValidationError):
        c.FileReport.model_validate({"incident_id": number, "cause": "x"})


def test_only_duty_managers_and_admins_open_the_list() -> None:
    assert reports_refusal(Role.DUTY_MANAGER) is None
    assert reports_refusal(Role.ADMIN) is None
    pit_boss = reports_refusal(Role.PIT_BOSS)
    host = reports_refusal(Role.HOST)
    assert pit_boss is not None and "duty managers and admins" in pit_boss
    assert "f)" in pit_boss  # a pit boss files from the incident
    assert host is not None and "f)" not in host


def test_an_incident_stored_with_a_text_report_still_reads_as_filed() -> None:
    floor = Floor()
    number = floor.open(at=T0)
    floor.run("pb2", c.Resolve(incident_id=number), T0 + 60)
    floor.run("dm1", c.FileReport(incident_id=number, root_cause="worn shoe"), T0 + 600)
    # as an older snapshot holds it: the report's text alone, who and when on the timeline
    stored = floor.state.incidents[number].model_dump(mode="json")
    stored["report"] = "worn shoe; shoes replaced"
    older = Incident.model_validate(stored)
    report = filed_report(older)
    assert report is not None
    assert (report.root_cause, report.measures, report.by, report.at, report.was_due) == (
        "worn shoe; shoes replaced",
        "",
        "dm1",
        T0 + 600,
        None,
    )
    line = report_line(older, floor.state.policy, T0 + 700)
    assert line is not None and line.status is ReportStatus.FILED and not line.late
