"""The metrics board: the duty manager's figures against their targets, with 14-day charts.

Every figure comes from the server, which computes it from its event log
(`domain.metrics`); this screen asks in a worker and shows the answer. `w`
(or `1`-`4`) picks the window, `t` a tier, `p` a pit, `r` asks again (as it
does every minute while shown). The highlighted row's formula and its last
14 days are spelled out below the table. Offline, the board says it needs
the server, and keeps the figures it last had.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import ListItem, ListView, Static

from api_client.contract import Changes, Link
from api_client.errors import ServerTrouble, ServerUnreachable, SessionEnded
from api_client.metrics import CHART_DAYS
from api_client.rest import HttpError
from domain.metric_windows import WINDOW_LABELS, WindowKind
from domain.metrics import FORMULAS, MetricsBoard
from domain.models import Tier
from domain.permissions import ROLE_LABELS
from screens.digest_modal import DigestModal
from tui.digest_files import write_digest
from tui.floor_screen import FloorScreen
from tui.metrics_text import NO_VALUE, format_amount
from tui.timefmt import format_clock, format_datetime
from tui.widgets.metric_row import COLUMNS, RIGHT_ALIGNED, MetricRow

WIDE = 110  # columns from which the charts are three columns a day, and dated
REFRESH_EVERY = 60.0  # seconds between asking again while the board is shown
WINDOWS = tuple(WindowKind)
TIERS: tuple[Tier | None, ...] = (None, *Tier)
TIER_WORDS = {Tier.STANDARD: "standard", Tier.VIP: "VIP", Tier.VVIP: "VVIP"}
NEEDS_SERVER = (
    "The metrics board needs the server: its figures are computed there, from the"
    " event log. It fills in once the link is back."
)


def _row_id(key: str) -> str:
    return "metric-" + key.replace(".", "-")


class MetricsScreen(FloorScreen):
    HELP_TITLE = "Metrics board"
    DEFAULT_CSS = """
    MetricsScreen #metrics-head { height: 1; padding: 0 1; text-style: bold; }
    MetricsScreen #metrics-columns { height: 1; padding: 0 1; color: $foreground 60%; }
    MetricsScreen #metrics-rows { height: auto; max-height: 1fr; }
    MetricsScreen #metrics-rows > ListItem { padding: 0 1; }
    MetricsScreen #metrics-detail { height: auto; padding: 0 1; color: $foreground 80%; }
    MetricsScreen #metrics-note { height: auto; padding: 0 1; color: $warning; }
    MetricsScreen #metrics-digest { height: auto; padding: 0 1; color: $success; }
    MetricsScreen.-wide MetricRow > Sparkline { width: 42; }  /* three columns a day */
    """
    BINDINGS = [
        Binding("w", "next_window", "Window", id="metrics.window"),
        Binding("t", "next_tier", "Tier", id="metrics.tier"),
        Binding("p", "next_pit", "Pit", id="metrics.pit"),
        Binding("r", "refresh", "Refresh", id="metrics.refresh"),
        # shift+d: a plain `d` is the downtime board, everywhere
        Binding("D", "digest", "Write digest", id="metrics.digest"),
        *(
            Binding(
                str(n),
                f"window('{kind}')",
                WINDOW_LABELS[kind].capitalize(),
                show=False,
                id=f"metrics.window_{n}",
            )
            for n, kind in enumerate(WINDOWS, start=1)
        ),
    ]

    def __init__(self, window: WindowKind = WindowKind.SHIFT) -> None:
        super().__init__()
        self._window = window
        self._tier: Tier | None = None
        self._pit: str | None = None
        self._board: MetricsBoard | None = None
        self._asked_at: float | None = None  # server time of the last ask
        self._asking = False
        self._asks = 0  # the latest ask's number: an older one cancelled must not say "done"
        self._problem = ""
        self._row_keys: dict[str, str] = {}  # list item id -> metric key
        self._board_for: tuple[WindowKind, Tier | None, str | None] | None = None
        self._written = ""  # where the last digest went, said under the board

    def compose_body(self) -> ComposeResult:
        yield Static(id="metrics-head")
        yield Static(id="metrics-columns")
        yield ListView(id="metrics-rows")
        yield Static(id="metrics-detail")
        yield Static(id="metrics-note")
        yield Static(id="metrics-digest")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one(ListView).focus()
        self._show_head()
        self._show_columns()
        self._ask()

    # --- asking the server ----------------------------------------------------------

    def _ask(self) -> None:
        self._asked_at = self.now
        if self.source.status.link is not Link.ONLINE:
            self._show_note(NEEDS_SERVER)
            return
        self._fetch(self._window, self._tier, self._pit)

    @work(exclusive=True, exit_on_error=False, group="metrics")
    async def _fetch(self, window: WindowKind, tier: Tier | None, pit: str | None) -> None:
        self._asks += 1
        mine = self._asks
        self._asking = True
        self._show_head()
        problem = ""
        try:
            board = await self.client.metrics_board(window, tier=tier, pit=pit)
        except SessionEnded as exc:
            problem = exc.message[0].upper() + exc.message[1:]
            if exc.forbidden:
                self.notify(problem, title="Metrics board", severity="warning", markup=False)
        except (ServerUnreachable, ServerTrouble) as exc:
            problem = f"{NEEDS_SERVER} ({exc.message})"
        except HttpError as exc:
            problem = exc.problem.detail
        else:
            if (window, tier, pit) == self._choice:
                self._board, self._board_for = board, (window, tier, pit)
                self._show_board()
        finally:
            if mine == self._asks:
                self._asking = False
        self._show_note(problem)
        self._show_head()

    # --- showing --------------------------------------------------------------------

    @property
    def _choice(self) -> tuple[WindowKind, Tier | None, str | None]:
        return self._window, self._tier, self._pit

    def _filters(self, tier: Tier | None, pit: str | None) -> str:
        tiers = f"{TIER_WORDS[tier]} players" if tier else "all tiers"
        return f"{tiers} · {f'pit {pit}' if pit else 'all pits'}"

    def _show_head(self) -> None:
        tz = self.floor.policy.timezone
        board = self._board
        label = WINDOW_LABELS[self._window]
        if board is not None and self._board_for == self._choice:
            start = board.report.window.start
            since = (
                format_clock(start, tz)
                if self._window in (WindowKind.SHIFT, WindowKind.TODAY)
                else format_datetime(start, tz).rsplit(" ", 1)[0]
            )
            label += f" (since {since})"
        if self._asking:
            state = "asking the server..."
        elif board is not None:
            state = f"as of {format_clock(board.report.window.end, tz)}"
        else:
            state = ""
        head = Content.assemble(
            ("Metrics: ", "bold"),
            (label, "bold"),
            f" · {self._filters(self._tier, self._pit)}",
            (f"  {state}", "dim"),
        )
        self.query_one("#metrics-head", Static).update(head)

    def _show_columns(self) -> None:
        cells = " ".join(
            f"{heading:>{width}}" if name in RIGHT_ALIGNED else f"{heading:<{width}}"
            for name, heading, width in COLUMNS
        )
        days = self._board.daily.days if self._board is not None else ()
        chart = f"last {len(days) or CHART_DAYS} days"
        if days and self.size.width >= WIDE:
            chart += f", {days[0].label} to {days[-1].label}"
        self.query_one("#metrics-columns", Static).update(Content(f"{cells} {chart}"))

    def _show_board(self) -> None:
        board = self._board
        if board is None:
            return
        listing = self.query_one(ListView)
        rows = {row.key: row for row in listing.query(MetricRow)}
        for metric in board.report.metrics:
            row = rows.get(metric.key)
            if row is None:
                row = MetricRow(metric.key)
                listing.append(ListItem(row, id=_row_id(metric.key)))
                self._row_keys[_row_id(metric.key)] = metric.key
            row.show(metric, board.daily.values.get(metric.key, ()))
        if listing.index is None:
            listing.index = 0
        self._show_columns()
        self._show_detail()

    def _show_detail(self) -> None:
        board = self._board
        item = self.query_one(ListView).highlighted_child
        detail = self.query_one("#metrics-detail", Static)
        if board is None or item is None or not item.id:
            detail.update("")
            return
        key = self._row_keys.get(item.id)
        if key is None:
            return
        metric = board.report.metric(key)
        days = board.daily.values.get(key, ())
        values = " ".join(
            NO_VALUE if value is None else format_amount(value, metric.unit) for value in days
        )
        detail.update(
            Content.assemble(
                (f"{metric.label}: ", "bold"),
                FORMULAS.get(metric.key, ""),
                "\n",
                (f"last {len(days)} days: ", "dim"),
                values,
            )
        )

    def _show_note(self, problem: str) -> None:
        self._problem = problem
        notes = [problem] if problem else []
        board = self._board
        shown = self._board_for
        if problem and board is not None and shown is not None and shown != self._choice:
            window, tier, pit = shown
            notes.append(
                f"The figures below are still those for {WINDOW_LABELS[window]},"
                f" {self._filters(tier, pit)}."
            )
        if board is not None and board.report.pruned_before is not None:
            when = format_datetime(board.report.pruned_before, self.floor.policy.timezone)
            notes.append(
                f"The event log before {when} was pruned: these figures leave out what"
                " happened before then."
            )
        self.query_one("#metrics-note", Static).update(Content("\n".join(notes)))

    # --- refresh ----------------------------------------------------------------------

    def on_tick(self, now: float) -> None:
        if self._asking or self._asked_at is None:
            return
        if now - self._asked_at >= REFRESH_EVERY:
            self._ask()

    def on_floor_changed(self, changes: Changes) -> None:
        if not changes.status:
            return
        online = self.source.status.link is Link.ONLINE
        if online and self._problem and not self._asking:
            self._ask()  # the link is back: fill in what could not be had
        elif not online and not self._problem:
            self._show_note(NEEDS_SERVER)

    def on_resize(self) -> None:
        self.set_class(self.size.width >= WIDE, "-wide")
        self._show_columns()

    def on_list_view_highlighted(self, _event: ListView.Highlighted) -> None:
        self._show_detail()

    # --- actions ----------------------------------------------------------------------

    def _changed(self) -> None:
        self._show_head()
        self._ask()

    def action_window(self, kind: str) -> None:
        self._window = WindowKind(kind)
        self._changed()

    def action_next_window(self) -> None:
        self._window = WINDOWS[(WINDOWS.index(self._window) + 1) % len(WINDOWS)]
        self._changed()

    def action_next_tier(self) -> None:
        self._tier = TIERS[(TIERS.index(self._tier) + 1) % len(TIERS)]
        self._changed()

    def action_next_pit(self) -> None:
        floor = self.floor
        pits: list[str | None] = [
            None,
            *sorted(floor.pits or {a.pit for a in floor.assets.values()}),
        ]
        at = pits.index(self._pit) if self._pit in pits else 0
        self._pit = pits[(at + 1) % len(pits)]
        self._changed()

    def action_refresh(self) -> None:
        self._ask()

    # --- the monthly digest -------------------------------------------------------------

    def action_digest(self) -> None:
        if self.source.status.link is not Link.ONLINE:
            self.notify(
                "The digest needs the server: its figures are computed there.",
                title="Digest",
                severity="warning",
                markup=False,
            )
            return

        def chosen(answer: tuple[str, Path] | None) -> None:
            if answer is not None:
                self._show_digest(f"writing the digest of {answer[0]} to {answer[1]}...")
                self._write_digest(*answer)

        self.app.push_screen(DigestModal(self.now, self.floor.policy), chosen)

    @work(exclusive=True, exit_on_error=False, group="digest")
    async def _write_digest(self, month: str, out: Path) -> None:
        """Ask the server for the month, then write the files on a thread: the same
        files `floorline digest` writes (`tui.digest_files`)."""
        me = self.source.me
        made_by = f"{me.name} ({ROLE_LABELS[me.role]})" if me is not None else ""
        try:
            digest = await self.client.digest(month)
            made_at = self.client.now()
            written = await asyncio.to_thread(
                write_digest, digest, out, made_by=made_by, made_at=made_at
            )
        except SessionEnded as exc:
            problem = exc.message
        except (ServerUnreachable, ServerTrouble) as exc:
            problem = f"the digest needs the server ({exc.message})"
        except HttpError as exc:
            problem = exc.problem.detail
        except OSError as exc:
            problem = f"cannot write to {out}: {exc.strerror or exc}"
        except ValueError as exc:  # a path the system cannot take
            problem = f"cannot write to {out}: {exc}"
        else:
            label = digest.report.window.label
            empty = (
                f" No incidents or downtime were recorded in {label}: the files hold zeros."
                if digest.report.events == 0
                else ""
            )
            self.notify(
                f"The digest of {label} is in {out} ({len(written)} files).{empty}",
                title="Digest written",
                timeout=10,
                markup=False,
            )
            names = ", ".join(path.name for path in written[1:])
            self._show_digest(
                f"Digest of {label} written to {out}: {written[0].name}, with {names}.{empty}"
            )
            return
        problem = problem[0].upper() + problem[1:]
        self.notify(problem, title="Digest not written", severity="error", timeout=10, markup=False)
        self._show_digest(f"Digest not written: {problem}", error=True)

    def _show_digest(self, text: str, *, error: bool = False) -> None:
        self._written = text
        box = self.query_one("#metrics-digest", Static)
        box.update(Content.styled(text, "bold $error") if error else Content(text))
