"""The intake template as a form: validated as you type, sent only when whole.

The form builds the same `OpenIncident` the backend validates, and asks
`domain.decide` for a dry run, so the messages next to the fields are the
rules themselves. Card-like numbers are masked before anything is queued,
and the form says so while they are typed.
"""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from pydantic import ValidationError
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalGroup, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from domain import commands as c
from domain.decide import Actor, Rejected, decide
from domain.escalation import LINE_TITLES, TOP_LINE, chain_for, opening_line
from domain.models import (
    KIND_LABELS,
    Chain,
    Channel,
    HelpAnswer,
    IncidentKind,
    Location,
    Player,
    PlayerFlag,
    PlayerIdKind,
    Role,
    Tier,
)
from domain.player_flags import flags_of, has_rg_flag
from domain.privacy import looks_like_card_number, mask_card_numbers, mask_sensitive
from screens.modals import MASK_NOTE, PRIORITY_LABELS, YesNoModal
from screens.player_care import HelpOfferModal
from tui.field_errors import in_words
from tui.floor_screen import FloorScreen
from tui.lock_veil import PLAYER_DETAIL
from tui.messages import CommandRequested
from tui.screen_keys import FINISH_THE_FORM, screen_keys
from tui.widgets.incident_facts import CHANNEL_LABELS, TIER_LABELS, kyc_warning
from tui.widgets.player_flag_text import flags_band

ID_KIND_LABELS = {
    PlayerIdKind.LOYALTY: "loyalty card",
    PlayerIdKind.PSEUDONYM: "pseudonym",
    PlayerIdKind.WALLET: "wallet",
    PlayerIdKind.SESSION: "session ticket",
}
# free-text fields that may carry a pasted card number
TEXT_FIELDS = (
    "reference",
    "pit",
    "spot",
    "game",
    "tx_ref",
    "wallet",
    "desired_outcome",
    "summary",
    "attachments",
)
# where a pydantic error location lands on the form
_LOC_FIELD = {"player": "reference", "location": "spot"}
# how the form labels each field, to name it in a problem
_LABELS = {
    "reference": "player",
    "spot": "location",
    "pit": "pit",
    "tx_ref": "tx ref",
    "desired_outcome": "outcome",
    "attachments": "attached",
}
# every screen key of the app: from inside the form they would throw the draft away.
# The help may open over the form; the app opens no screen over it from there.
_SCREEN_KEYS = screen_keys()
_FIELD_TYPES = (Input, Select, Checkbox)

# an unsaved form, per app and per staff member, kept for the next `n`: a leave by a
# stray key or a lock costs nothing, and the next user of a shared terminal never sees it
_DRAFTS: WeakKeyDictionary[App[Any], tuple[str, dict[str, Any]]] = WeakKeyDictionary()


def escalation_preview(kind: IncidentKind) -> Content:
    """What choosing `kind` does to the ladder: an immediate step, the payments chain."""
    chain = chain_for(kind)
    line = opening_line(kind)
    parts: list[Content] = []
    if line > 1:
        parts.append(
            Content.styled(
                f"escalates at once: opens at L{line} ({LINE_TITLES[chain][line]})", "bold $error"
            )
        )
    if chain is Chain.PAYMENTS:
        steps = " -> ".join(
            f"L{n} {LINE_TITLES[chain][n]}" for n in range(max(line, 2), TOP_LINE + 1)
        )
        parts.append(Content.styled(f"payments chain: {steps}", "bold $warning"))
    if not parts:
        parts.append(Content.styled("main ladder, from L1", "dim"))
    return Content("\n").join(parts)


class NewIncidentScreen(FloorScreen):
    HELP_TITLE = "New incident"
    # the app opens no other screen while this one is in the stack (see `FloorApp.open_screen`)
    LEAVE_ASKS = True
    DEFAULT_CSS = """
    NewIncidentScreen #new-head { height: 1; padding: 0 1; text-style: bold; }
    NewIncidentScreen #new-form { height: 1fr; padding: 0 1; }
    NewIncidentScreen .form-row { height: auto; }
    NewIncidentScreen .form-label { width: 12; color: $foreground 70%; }
    NewIncidentScreen .form-row Input, NewIncidentScreen .form-row Select { width: 1fr; }
    NewIncidentScreen #new-id-kind, NewIncidentScreen #new-tier { width: 20; }
    NewIncidentScreen #new-pit { width: 8; }
    NewIncidentScreen Checkbox { border: none; padding: 0 1; height: 1; width: auto; }
    /* where the typing goes, at a glance and without colour: the row's label reversed,
       the field tinted and bold; the checkbox's own label in a bold, underlined block.
       (The row's own :focus-within rule has Textual restyle the label as focus moves.) */
    NewIncidentScreen .form-row:focus-within { background: $accent 8%; }
    NewIncidentScreen .form-row:focus-within > .form-label {
        color: $accent; text-style: reverse bold;
    }
    NewIncidentScreen .form-row Input:focus,
    NewIncidentScreen .form-row Select:focus > SelectCurrent {
        background-tint: $accent 20%; text-style: bold;
    }
    /* a focused checkbox would get Textual's tall border, which hides it in one line */
    NewIncidentScreen Checkbox:focus { border: none; }
    NewIncidentScreen Checkbox:focus > .toggle--label {
        color: $background; background: $accent; text-style: bold underline;
    }
    NewIncidentScreen .form-note { height: auto; padding-left: 12; }
    NewIncidentScreen .form-error { color: $error; }
    NewIncidentScreen .form-mask { color: $warning; }
    NewIncidentScreen #new-buttons { height: auto; margin-top: 1; padding-left: 12; }
    NewIncidentScreen #new-problems { color: $error; height: auto; padding-left: 12; }
    """
    BINDINGS = [
        Binding("ctrl+s", "submit", "Save", id="new_incident.submit", priority=True),
        Binding("escape", "leave", "Leave", id="new_incident.leave"),
        Binding(_SCREEN_KEYS, "stay", show=False, id="new_incident.stay"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._touched: set[str] = set()
        self._tried = False
        self._sent = False
        self._blank: dict[str, Any] = {}

    def compose_body(self) -> ComposeResult:
        me = self.source.me
        default_channel = Channel.CHAT if me and me.role is Role.HOST else Channel.ON_SITE
        yield Static("New incident: ctrl+s saves, escape leaves without saving", id="new-head")
        with VerticalScroll(id="new-form", classes=PLAYER_DETAIL):
            with self._row("kind"):
                yield Select(
                    [(label, kind) for kind, label in KIND_LABELS.items()],
                    prompt="what happened",
                    id="new-kind",
                    compact=True,
                )
            yield Static(classes="form-note", id="new-escalation")
            yield from self._note("kind")
            with self._row("priority"):
                yield Select(
                    [(label, p) for p, label in PRIORITY_LABELS.items()],
                    prompt="how urgent",
                    id="new-priority",
                    compact=True,
                )
            yield from self._note("priority")
            with self._row("channel"):
                yield Select(
                    [(label, ch) for ch, label in CHANNEL_LABELS.items()],
                    value=default_channel,
                    allow_blank=False,
                    id="new-channel",
                    compact=True,
                )
            with self._row("player"):
                yield Select(
                    [(label, k) for k, label in ID_KIND_LABELS.items()],
                    value=PlayerIdKind.LOYALTY,
                    allow_blank=False,
                    id="new-id-kind",
                    compact=True,
                )
                yield Input(
                    placeholder="VV-2231-4411 / nightowl_77", id="new-reference", compact=True
                )
            yield from self._note("reference")
            with self._row("tier"):
                yield Select(
                    [(label, t) for t, label in TIER_LABELS.items()],
                    value=Tier.STANDARD,
                    allow_blank=False,
                    id="new-tier",
                    compact=True,
                )
                yield Checkbox("silent visit (no public calls)", id="new-silent")
            with self._row("location"):
                yield Input(
                    me.pit if me and me.pit else "", placeholder="pit", id="new-pit", compact=True
                )
                yield Input(placeholder="BJ-07 / HL-1142 / online", id="new-spot", compact=True)
            yield from self._note("pit")
            yield from self._note("spot")
            for field, label, hint in (
                ("game", "game", "blackjack / machine title"),
                ("amount", "amount", "in the reporting currency"),
                ("tx_ref", "tx ref", "transaction reference or tx hash"),
                ("wallet", "wallet", "wallet address (anonymous players)"),
                ("desired_outcome", "outcome", "what the player wants"),
                ("summary", "summary", "what happened"),
                ("attachments", "attached", "names, comma separated (screenshot.png, receipt)"),
            ):
                with self._row(label):
                    yield Input(placeholder=hint, id=f"new-{field}", compact=True)
                yield from self._note(field)
            yield Static(id="new-problems")
            with HorizontalGroup(id="new-buttons"):
                yield Button("Save incident", variant="primary", id="new-save", compact=True)

    def _row(self, label: str) -> HorizontalGroup:
        row = HorizontalGroup(classes="form-row")
        row.compose_add_child(Label(label, classes="form-label"))
        return row

    def _note(self, field: str) -> ComposeResult:
        note = Static(classes="form-note", id=f"note-{field}")
        note.display = False
        yield note

    def on_mount(self) -> None:
        super().on_mount()
        self._blank = self._values()
        self._restore_draft()
        self.query_one("#new-kind", Select).focus()
        self._validate()

    # --- the draft -----------------------------------------------------------------

    def _values(self) -> dict[str, Any]:
        return {w.id: w.value for w in self.query("*") if isinstance(w, _FIELD_TYPES) and w.id}

    def _has_content(self) -> bool:
        return bool(self._blank) and self._values() != self._blank

    def _keep_draft(self) -> None:
        """Kept as it is typed, so however the form is left, nothing typed is lost."""
        me = self.source.me
        if self._sent or me is None:
            return
        if self._has_content():
            _DRAFTS[self.app] = (me.id, self._values())
        else:
            _DRAFTS.pop(self.app, None)

    def _restore_draft(self) -> None:
        me = self.source.me
        kept = _DRAFTS.get(self.app)
        if kept is None or me is None or kept[0] != me.id:
            return
        for widget_id, value in kept[1].items():
            self.query_one(f"#{widget_id}").value = value  # type: ignore[attr-defined]
        self._touched.update(i.removeprefix("new-").replace("-", "_") for i in kept[1])
        self.notify("Your unsaved draft is back: ctrl+s saves it, escape leaves it.", markup=False)

    def action_stay(self) -> None:
        self.notify(FINISH_THE_FORM, severity="warning", markup=False)

    def action_leave(self) -> None:
        if not self._has_content():
            self.app.pop_screen()
            return

        def leave(sure: bool | None) -> None:
            if sure:
                self.app.pop_screen()

        self.app.push_screen(
            YesNoModal(
                "Leave the form?",
                "This incident is not saved. The draft is kept: n brings it back.",
                ok_label="Leave",
            ),
            leave,
        )

    # --- reading the form --------------------------------------------------------

    def _text(self, field: str) -> str:
        return self.query_one(f"#new-{field}", Input).value.strip()

    def _select(self, field: str) -> Any:
        value = self.query_one(f"#new-{field}", Select).value
        return None if value is Select.NULL else value

    def _draft(self) -> tuple[c.OpenIncident | None, dict[str, str]]:
        """The command the form describes (masked), or the errors by field."""
        errors: dict[str, str] = {}
        kind, priority = self._select("kind"), self._select("priority")
        if kind is None:
            errors["kind"] = "choose what happened"
        if priority is None:
            errors["priority"] = "choose a priority"
        if not self._text("reference"):
            errors["reference"] = "who is it about: a loyalty card, pseudonym, wallet or ticket"
        amount: float | None = None
        if raw := self._text("amount").replace(",", ""):
            try:
                amount = float(raw)
            except ValueError:
                errors["amount"] = "a number, like 1500 or 1500.50"
            else:
                if not 0 <= amount <= c.MAX_AMOUNT:  # also refuses "nan" and "inf"
                    errors["amount"] = "an amount of 0 or more, like 1500 or 1500.50"
        if errors:
            return None, errors
        masked = {f: mask_sensitive(self._text(f)) for f in TEXT_FIELDS}
        try:
            command = c.OpenIncident(
                kind=kind,
                priority=priority,
                channel=self._select("channel"),
                player=Player(
                    id_kind=self._select("id-kind"),
                    reference=masked["reference"],
                    tier=self._select("tier"),
                    silent_visit=self.query_one("#new-silent", Checkbox).value,
                ),
                location=Location(pit=masked["pit"] or None, spot=masked["spot"]),
                game=masked["game"],
                amount=amount,
                tx_ref=masked["tx_ref"],
                wallet=masked["wallet"],
                desired_outcome=masked["desired_outcome"],
                summary=masked["summary"],
                attachments=tuple(a.strip() for a in masked["attachments"].split(",") if a.strip()),
            )
        except ValidationError as exc:
            for err in exc.errors():
                loc = [str(p) for p in err["loc"]]
                field = _LOC_FIELD.get(loc[0], loc[0]) if loc else "problems"
                if loc[:2] == ["location", "pit"]:
                    field = "pit"
                errors.setdefault(field, in_words(err, _LABELS.get(field, field)))
            return None, errors
        me = self.source.me
        if me is not None:
            try:
                decide(self.floor, command, Actor(me), self.now)
            except Rejected as exc:
                errors["pit" if "pit" in exc.message else "problems"] = exc.message
                return None, errors
        return command, errors

    # --- as you type ---------------------------------------------------------------

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _changed(self, event: Input.Changed | Select.Changed | Checkbox.Changed) -> None:
        widget_id = event.control.id or ""
        self._touched.add(widget_id.removeprefix("new-").replace("-", "_"))
        if widget_id in ("new-reference", "new-id-kind"):
            self._tier_from_card()
        self._validate()
        if self._blank:  # not while the form is being built or restored
            self._keep_draft()

    def _validate(self) -> c.OpenIncident | None:
        command, errors = self._draft()
        for note in self.query(".form-note"):
            if note.id and note.id.startswith("note-"):
                self._show_note(note.id.removeprefix("note-"), errors)
        kind = self._select("kind")
        preview = self.query_one("#new-escalation", Static)
        preview.display = kind is not None
        if kind is not None:
            preview.update(escalation_preview(kind))
        problems = errors.get("problems", "")
        shown = problems if self._tried else ""
        panel = self.query_one("#new-problems", Static)
        panel.display = bool(shown)
        panel.update(shown)
        return command

    def _card_tier(self) -> Tier | None:
        if self._select("id-kind") is not PlayerIdKind.LOYALTY:
            return None
        return self.floor.policy.tier_for_card(self._text("reference"))

    def _tier_from_card(self) -> None:
        """A card whose format names the tier sets it; the note says so."""
        tier = self._card_tier()
        if tier is not None:
            self.query_one("#new-tier", Select).value = tier

    def _show_note(self, field: str, errors: dict[str, str]) -> None:
        note = self.query_one(f"#note-{field}", Static)
        error = errors.get(field) if (self._tried or field in self._touched) else None
        text = ""
        if error:
            text = error
        elif field in TEXT_FIELDS and looks_like_card_number(self._text(field)):
            text = MASK_NOTE.format(masked=mask_card_numbers(self._text(field)))
        elif field == "amount":
            text = self._kyc_note() or ""
        elif field == "reference" and (flags := self._typed_flags()):
            text = flags_band(flags, self.floor.policy.timezone)
        elif field == "reference" and (tier := self._card_tier()) is not None:
            text = f"tier {TIER_LABELS[tier]}, from the card"
        note.set_class(bool(error), "form-error")
        note.set_class(not error and bool(text), "form-mask")
        note.display = bool(text)
        note.update(text)

    def _typed_flags(self) -> tuple[PlayerFlag, ...]:
        """The flags on the player whose reference is typed, if the floor knows any."""
        reference = self._text("reference")
        return flags_of(self.floor, reference, self.now) if reference else ()

    def _kyc_note(self) -> str | None:
        try:
            amount = float(self._text("amount").replace(",", ""))
            player = Player(id_kind=self._select("id-kind"), reference="-")
        except ValueError:
            return None
        warning = kyc_warning(self._select("kind"), player, amount, self.floor.policy)
        return f"KYC: {warning}" if warning else None

    # --- saving ------------------------------------------------------------------

    @on(Button.Pressed, "#new-save")
    def action_submit(self) -> None:
        self._tried = True
        command = self._validate()
        if command is None:
            self.notify(
                "Fix the marked fields; nothing was sent.", severity="warning", markup=False
            )
            return
        flags = self._typed_flags()
        if has_rg_flag(flags):
            # the seed: support must offer help resources; asked before it is sent

            def send(answer: tuple[HelpAnswer, str] | None) -> None:
                if answer is None:
                    self.notify("Nothing was sent: say whether help was offered.", markup=False)
                    return
                offered, note = answer
                self._send(command.model_copy(update={"help_offer": offered, "help_note": note}))

            self.app.push_screen(HelpOfferModal(command.player.display, flags), send)
            return
        self._send(command)

    def _send(self, command: c.OpenIncident) -> None:
        where = command.location.display
        self.post_message(
            CommandRequested(
                command, done=f"opened {command.priority} {command.kind.label} at {where}"
            )
        )
        self._sent = True
        _DRAFTS.pop(self.app, None)
        self.app.pop_screen()
