"""What the floor keeps about covers and contacts: who stands in for a line, and
which ways to reach people were last shown to work.

Plain records folded by `domain.cover`; the rules that read them live there too.
"""

from __future__ import annotations

from pydantic import Field

from domain.models import Chain, Contact, Frozen


class Cover(Frozen):
    """Someone answering one line of one chain instead of its scheduled people.

    Active from `starts_at` until `ends_at` (ended early: `ends_at` moved to then);
    nothing expires it but the clock. `contact` is a way to reach them given with
    the cover, for someone with none on the roster (or a pager for the night).
    """

    chain: Chain
    line: int = Field(ge=1, le=4)
    staff_id: str
    starts_at: float
    ends_at: float
    reason: str
    contact: Contact | None = None
    set_by: str
    set_at: float
    ended_by: str | None = None  # who ended it early, if anyone

    def active(self, now: float) -> bool:
        return self.starts_at <= now < self.ends_at


class ContactCheck(Frozen):
    """A way to reach someone was shown to work (a test page answered), and when.

    Keyed by (staff_id, method, value): a roster reload that keeps the contact
    keeps its check; a changed number starts unconfirmed.
    """

    staff_id: str
    method: str
    value: str
    confirmed_at: float
    confirmed_by: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.staff_id, self.method, self.value)
