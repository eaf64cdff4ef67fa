"""Which month's digest to write, and where: asked from the metrics board (`D`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from platformdirs import user_documents_dir
from textual.app import ComposeResult
from textual.widgets import Input, Label

from domain.metric_windows import MonthError, month_window
from domain.policy import Policy
from screens.modals import DialogModal


def default_month(now: float, policy: Policy) -> str:
    """The month before this one on the floor's clock: the one a digest is usually for."""
    today = datetime.fromtimestamp(now, ZoneInfo(policy.timezone)).date()
    return f"{today.replace(day=1) - timedelta(days=1):%Y-%m}"


def default_folder() -> Path:
    return Path(user_documents_dir()) / "floorline"


class DigestModal(DialogModal):
    """Returns (month, folder) once the month is one the server will take."""

    title_text = "Write the monthly digest"
    ok_label = "Write"

    def __init__(self, now: float, policy: Policy, folder: Path | None = None) -> None:
        super().__init__()
        self.now = now
        self.policy = policy
        self.folder = folder or default_folder()

    def compose_fields(self) -> ComposeResult:
        yield Label("Month (YYYY-MM), up to this one", classes="field-label")
        yield Input(default_month(self.now, self.policy), max_length=7, id="dialog-month")
        yield Label("Folder for the Markdown and CSV files", classes="field-label")
        yield Input(str(self.folder), max_length=1000, id="dialog-folder")

    def answer(self) -> tuple[str, Path] | None:
        month = self.query_one("#dialog-month", Input).value.strip()
        folder = self.query_one("#dialog-folder", Input).value.strip()
        try:
            month_window(month, self.now, self.policy)
        except MonthError as exc:
            self.hint(str(exc), error=True)
            self.query_one("#dialog-month", Input).focus()
            return None
        if not folder:
            self.hint("name a folder to write the files in", error=True)
            return None
        if "\0" in folder:
            self.hint("a folder name cannot hold a NUL character", error=True)
            return None
        try:
            return month, Path(folder).expanduser()
        except RuntimeError:  # ~name of nobody on this machine
            self.hint(f"{folder.split('/', 1)[0]} is no user's home on this machine", error=True)
            return None
