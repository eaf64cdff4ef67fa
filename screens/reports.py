"""Post-incident reports: every P1 and P2 with its report overdue, due, or filed.

The list is the terminal's own floor (`domain.reports` decides due and
overdue), so it works offline too; a report filed offline is sent when the
link is back, like every command. `enter` opens the incident and its
timeline, `f` files the highlighted incident's report. Duty managers and
admins only: anyone else sees why.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.css.query import NoMatches
from textual.widgets import DataTable, Static

from api_client.contract import Changes
from domain import commands as c
from domain.models import Incident
from domain.permissions import role_may, why_not
from domain.reports import (
    ReportLine,
    ReportStatus,
    filed_report,
    report_lines,
    reports_refusal,
)
from screens.modals import ReportModal
from tui.floor_screen import FloorScreen
from tui.lock_veil import PLAYER_DETAIL
from tui.messages import CommandRequested
from tui.timefmt import format_countdown, format_datetime

WIDE = 110  # columns from which the measures get a column of their own
STATUS_STYLE = {
    ReportStatus.OVERDUE: "bold $error",
    ReportStatus.DUE: "$warning",
    ReportStatus.FILED: "$success",
}


class ReportsScreen(FloorScreen):
    HELP_TITLE = "Reports"
    DEFAULT_CSS = """
    ReportsScreen #reports-head { height: 1; padding: 0 1; text-style: bold; }
    ReportsScreen #reports-table { height: 1fr; }
    ReportsScreen #reports-detail {
        height: auto; max-height: 8; padding: 0 1; border-top: solid $foreground 30%;
    }
    ReportsScreen #reports-refused { padding: 1 2; color: $warning; }
    """
    BINDINGS = [
        Binding("enter", "open", "Open", id="reports.open"),
        Binding("f", "file", "File report", id="reports.file"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._shown: list[tuple[int, ReportStatus]] = []
        self._width = 0  # the screen width the columns were made for

    def compose_body(self) -> ComposeResult:
        yield Static(id="reports-head")
        yield DataTable(id="reports-table", cursor_type="row", zebra_stripes=False)
        # the summary, root cause and measures: hidden while the terminal is locked
        yield Static(id="reports-detail", classes=PLAYER_DETAIL)
        yield Static(id="reports-refused")

    def on_mount(self) -> None:
        super().on_mount()
        me = self.source.me
        refusal = reports_refusal(me.role) if me is not None else "sign in first"
        refused = self.query_one("#reports-refused", Static)
        if refusal is not None:
            # the reason in place of the list: never an empty screen
            for widget in ("#reports-head", "#reports-table", "#reports-detail"):
                self.query_one(widget).display = False
            refused.update(refusal[0].upper() + refusal[1:] + ".")
            return
        refused.display = False
        self._columns()
        self._fill()
        self.query_one(DataTable).focus()
        self.watch(self.floor_app, "locked", lambda _: self._fill(), init=False)

    @property
    def _refused(self) -> bool:
        me = self.source.me
        return me is None or reports_refusal(me.role) is not None

    # --- the list -------------------------------------------------------------------

    def _lines(self) -> list[ReportLine]:
        return report_lines(self.floor.incidents.values(), self.floor.policy, self.now)

    def _columns(self) -> None:
        table = self.query_one(DataTable)
        table.clear(columns=True)
        width = self.size.width
        self._width = width
        fixed = [("#", "id", 5), ("P", "priority", 2), ("report", "status", 7)]
        fixed += [("due / filed", "when", 16), ("owner / by", "by", 10)]
        for label, key, cells in fixed:
            table.add_column(label, key=key, width=cells)
        # what is left of the width (each column pads a cell either side, and a
        # scrollbar may come), for the text
        left = max(20, width - sum(cells + 2 for _, _, cells in fixed) - 2)
        if width >= WIDE:
            table.add_column("root cause", key="cause", width=left // 2)
            table.add_column("measures", key="measures", width=left - left // 2 - 2)
        else:
            table.add_column("incident / root cause", key="cause", width=left)

    def _fill(self) -> None:
        try:
            table = self.query_one(DataTable)
        except NoMatches:
            return
        lines = self._lines()
        keep = self.selected
        table.clear()
        wide = "measures" in table.columns
        for line in lines:
            table.add_row(*self._cells(line, wide), key=str(line.incident.id))
        self._shown = [(line.incident.id, line.status) for line in lines]
        if keep is not None and str(keep.id) in table.rows:
            table.move_cursor(row=table.get_row_index(str(keep.id)))
        self._show_head(lines)
        self._show_detail()
        self.refresh_bindings()

    def _cells(self, line: ReportLine, wide: bool) -> list[object]:
        incident = line.incident
        tz = self.floor.policy.timezone
        status = Content.styled(line.status.value, STATUS_STYLE[line.status])
        if line.status is ReportStatus.FILED:
            filed = filed_report(incident)
            at = filed.at if filed is not None else None
            when = Content(format_datetime(at, tz) if at is not None else "filed")
            if line.late:
                when = Content.assemble(when, (" late", "$error"))
            by = self.floor.staff_name(filed.by) if filed is not None and filed.by else "-"
            cause = filed.root_cause if filed is not None else ""
            measures = (filed.measures if filed is not None else "") or "-"
            if self.floor_app.locked:  # what was found may name the player
                cause, measures = "(hidden while locked)", ""
        else:
            when = self._countdown(line)
            by = self.floor.staff_name(incident.owner) if incident.owner else "-"
            cause = f"{incident.kind.replace('_', ' ')} · {incident.location.spot or '-'}"
            if incident.location.pit:
                cause += f" (pit {incident.location.pit})"
            measures = ""
        cells: list[object] = [
            Content(f"#{incident.id}"),
            Content.styled(str(incident.priority), f"$severity-{incident.priority.lower()}"),
            status,
            when,
            Content(by),
            Content(cause),
        ]
        if wide:
            cells.append(Content(measures))
        return cells

    def _countdown(self, line: ReportLine) -> Content:
        left = line.left or 0.0
        if line.status is ReportStatus.OVERDUE:
            return Content.styled(f"late {format_countdown(left)}", "bold $error")
        return Content(f"in {format_countdown(left)}")

    def _show_head(self, lines: list[ReportLine]) -> None:
        overdue = sum(line.status is ReportStatus.OVERDUE for line in lines)
        due = sum(line.status is ReportStatus.DUE for line in lines)
        filed = sum(line.status is ReportStatus.FILED for line in lines)
        after = int(self.floor.policy.report_due_after // 3600)
        head = Content.assemble(
            ("Post-incident reports", "bold"),
            "  ",
            (f"overdue {overdue}", "bold $error" if overdue else "dim"),
            "  ",
            (f"due {due}", "$warning" if due else "dim"),
            "  ",
            (f"filed {filed}", "dim"),
            (f"  · due {after} h after the resolve", "dim"),
        )
        self.query_one("#reports-head", Static).update(head)

    def _show_detail(self) -> None:
        detail = self.query_one("#reports-detail", Static)
        incident = self.selected
        if incident is None:
            empty = "No P1 or P2 has been resolved: no report is owed."
            detail.update(Content.styled(empty, "dim") if not self._shown else "")
            return
        tz = self.floor.policy.timezone
        head = f"#{incident.id} {incident.priority} {incident.kind.replace('_', ' ')}"
        if incident.summary:
            head += f": {incident.summary}"
        parts: list[Content] = [Content.styled(head, "bold")]
        if incident.resolved_at is not None:
            parts.append(Content(f"resolved {format_datetime(incident.resolved_at, tz)}"))
        if (filed := filed_report(incident)) is not None:
            by = self.floor.staff_name(filed.by) if filed.by else "-"
            when = format_datetime(filed.at, tz) if filed.at is not None else ""
            parts.append(Content.assemble(("filed by ", "dim"), f"{by} {when}"))
            parts.append(Content.assemble(("root cause: ", "bold"), filed.root_cause))
            measures = filed.measures or "none given"
            parts.append(Content.assemble(("measures: ", "bold"), measures))
        elif incident.report_due is not None:
            due = format_datetime(incident.report_due, tz)
            parts.append(Content(f"report due by {due}: f to file, enter for the timeline"))
        detail.update(Content("\n").join(parts))

    @property
    def selected(self) -> Incident | None:
        # bindings are checked before the table is mounted and while the screen closes
        try:
            table = self.query_one(DataTable)
        except NoMatches:
            return None
        if not table.row_count or not table.is_valid_row_index(table.cursor_row):
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.floor.incidents.get(int(key)) if key is not None else None

    # --- refresh --------------------------------------------------------------------

    def on_tick(self, now: float) -> None:
        if self._refused:
            return
        lines = self._lines()
        if [(line.incident.id, line.status) for line in lines] != self._shown:
            self._fill()  # one fell overdue: it moves up
            return
        table = self.query_one(DataTable)
        for line in lines:
            if line.status is not ReportStatus.FILED:
                table.update_cell(str(line.incident.id), "when", self._countdown(line))

    def on_floor_changed(self, changes: Changes) -> None:
        if not self._refused and (changes.reset or changes.incidents):
            self._fill()

    def on_resize(self) -> None:
        if self._refused:
            return
        if self.size.width != self._width:
            self._columns()
            self._fill()

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._show_detail()
        self.refresh_bindings()

    def on_data_table_row_selected(self, _event: DataTable.RowSelected) -> None:
        self.action_open()

    # --- actions --------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "file":
            incident = self.selected
            me = self.source.me
            if incident is None or me is None or not role_may(me.role, "file_report"):
                return None  # shown dimmed
            return not incident.report
        if action == "open":
            return self.selected is not None or None
        return True

    def action_open(self) -> None:
        if (incident := self.selected) is not None:
            self.floor_app.action_open_incident(incident.id)

    def action_file(self) -> None:
        incident = self.selected
        me = self.source.me
        if incident is None or me is None:
            return
        if not role_may(me.role, "file_report"):
            self.notify(why_not(me.role, "file_report"), severity="warning", markup=False)
            return
        if incident.report:
            self.notify(f"#{incident.id} has its report already", severity="warning", markup=False)
            return
        number = incident.id

        def filed(answer: tuple[str, str] | None) -> None:
            if answer:
                cause, measures = answer
                command = c.FileReport(incident_id=number, root_cause=cause, measures=measures)
                self.post_message(CommandRequested(command, done=f"report filed on #{number}"))

        self.app.push_screen(ReportModal(f"Report on #{number}"), filed)
