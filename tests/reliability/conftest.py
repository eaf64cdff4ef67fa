"""Fixtures for the reliability and security suite: every case states its figure.

A case calls `figure("drops survived", 50)`: the number goes into the JUnit
XML (`record_property`), into the case's captured output (shown with `-rA`),
and into a "reliability figures" section at the end of the run.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

Figure = Callable[[str, object], None]


@pytest.fixture
def figure(
    request: pytest.FixtureRequest, record_property: Callable[[str, object], None]
) -> Figure:
    def note(name: str, value: object) -> None:
        record_property(name, value)
        print(f"FIGURE {request.node.name}: {name} = {value}")

    return note


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    # read off the test reports, which carry the properties back from xdist workers too
    figures = [
        (report.nodeid.rsplit("::", 1)[-1], name, value)
        for outcome in ("passed", "failed")
        for report in terminalreporter.stats.get(outcome, ())
        if getattr(report, "when", None) == "call"
        for name, value in report.user_properties
    ]
    if not figures:
        return
    terminalreporter.section("reliability figures")
    for case, name, value in figures:
        terminalreporter.write_line(f"{case}: {name} = {value}")
