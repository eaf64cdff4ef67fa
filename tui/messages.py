"""App-wide messages: screens ask, the app acts (and does the I/O in workers)."""

from __future__ import annotations

from textual.message import Message

from domain.commands import Command


class CommandRequested(Message):
    """A user asked for a change; the app submits it to the client's outbox."""

    def __init__(self, command: Command, *, done: str = "") -> None:
        super().__init__()
        self.command = command
        self.done = done  # what to tell the user once it is queued ("noted #12")


class PageRequested(Message):
    """Page an on-duty contact (logged as an event, on the incident if given)."""

    def __init__(self, staff_id: str, method: str, incident_id: int | None = None) -> None:
        super().__init__()
        self.staff_id = staff_id
        self.method = method
        self.incident_id = incident_id


class WithdrawRequested(Message):
    """The user takes back a command still waiting to be sent (`source.withdraw`)."""

    def __init__(self, command_id: str) -> None:
        super().__init__()
        self.command_id = command_id


class DismissRequested(Message):
    """The user has read a refused command; the client may forget it (`source.dismiss`)."""

    def __init__(self, command_id: str) -> None:
        super().__init__()
        self.command_id = command_id
