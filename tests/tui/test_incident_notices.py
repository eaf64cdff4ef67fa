"""What an incident still owes is worded for the viewer: a key only for who may press it."""

from __future__ import annotations

from domain.models import Role
from domain.sla import compensation_due
from tui.widgets.incident_notices import notices_content


def test_prompts_name_only_what_the_viewer_may_do(static_floor) -> None:
    floor = static_floor("dm1")
    state, now = floor.state, floor.now()
    owed = next(
        i
        for i in state.incidents.values()
        if compensation_due(i, state.policy) and not i.compensation and i.report_due
    )

    def words(role: Role) -> str:
        return str(notices_content(owed, state.policy, (), (), now, role=role))

    manager = words(Role.DUTY_MANAGER)
    assert "(record it with k before closing)" in manager and ": f to file" in manager
    pit_boss = words(Role.PIT_BOSS)
    assert "with k" not in pit_boss
    assert "(a host, duty manager or admin records it before closing)" in pit_boss
    assert ": f to file" in pit_boss  # floor leads file reports
    host = words(Role.HOST)
    assert "record it with k" in host and "f to file" not in host
    assert "files it" in host
