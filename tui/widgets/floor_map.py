"""The floor map: a Line API ScrollView that paints only the lines in view.

Each pit is a heading (its name and what is wrong in it) over rows of cells,
one bank (the tables or machines of one game) after another, as many cells to
a row as the width holds: a narrow terminal scrolls, nothing wraps. A cell is
`P1 BJ-07 ⊘`: its state's code (`domain.floor_map.CellState`), the asset and
the silent-visit mark, coloured from the theme; the cursor also brackets it,
so neither the state nor the cursor rests on colour alone.

The owner hands over a `MapModel` and says which cells changed; a line is
rendered again only when one of its cells, the cursor or the width moved.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from domain.floor_map import SILENT_MARK, Cell, CellState
from tui.floor_map_model import MapLayout, MapLine, MapModel

# each state's look, the one definition the map and its legend share:
# (component class, theme colour variable, text style)
STATE_LOOK: dict[CellState, tuple[str, str, str]] = {
    CellState.CLEAR: ("clear", "map-clear", ""),
    CellState.P4: ("p4", "severity-p4", ""),
    CellState.P3: ("p3", "severity-p3", ""),
    CellState.DOWN: ("down", "timer-amber", "bold"),
    CellState.P2: ("p2", "severity-p2", "bold"),
    CellState.DOWN_OVERDUE: ("overdue", "timer-breached", "bold reverse"),
    CellState.P1: ("p1", "severity-p1", "bold reverse"),
}
SILENT_LOOK = ("silent", "silent-visit", "bold")
STATE_CLASS: dict[CellState, str] = {state: look[0] for state, look in STATE_LOOK.items()}


def content_style(look: tuple[str, str, str]) -> str:
    """The look as a `Content` style: `$severity-p1 bold reverse`."""
    return f"${look[1]} {look[2]}".strip()


def _look_css(look: tuple[str, str, str]) -> str:
    name, colour, style = look
    text_style = f" text-style: {style};" if style else ""
    return f"FloorMap > .floor-map--{name} {{ color: ${colour};{text_style} }}\n"


# what a pit's heading counts, worst first (clear cells are not counted)
HEADING_STATES = (
    CellState.P1,
    CellState.DOWN_OVERDUE,
    CellState.P2,
    CellState.DOWN,
    CellState.P3,
    CellState.P4,
)


class FloorMap(ScrollView, can_focus=True, inherit_bindings=False):
    HELP_TITLE = "On the map"
    COMPONENT_CLASSES = {
        "floor-map--heading",
        "floor-map--label",
        "floor-map--cursor",
        f"floor-map--{SILENT_LOOK[0]}",
        *(f"floor-map--{name}" for name in STATE_CLASS.values()),
    }
    DEFAULT_CSS = """
    FloorMap { height: 1fr; scrollbar-size-vertical: 1; overflow-x: hidden; }
    FloorMap > .floor-map--heading { text-style: bold; background: $panel; }
    FloorMap > .floor-map--label { color: $map-clear; text-style: italic; }
    FloorMap > .floor-map--cursor { background: $block-cursor-blurred-background; }
    FloorMap:focus > .floor-map--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: bold;
    }
    """ + "".join(_look_css(look) for look in (*STATE_LOOK.values(), SILENT_LOOK))
    BINDINGS = [
        Binding("up,k", "move(-1, 0)", "Up", id="map.up", show=False),
        Binding("down,j", "move(1, 0)", "Down", id="map.down", show=False),
        Binding("left,h", "move(0, -1)", "Left", id="map.left", show=False),
        Binding("right,l", "move(0, 1)", "Right", id="map.right", show=False),
        Binding("pageup", "page(-1)", "Page up", id="map.page_up", show=False),
        Binding("pagedown", "page(1)", "Page down", id="map.page_down", show=False),
        Binding("home", "end(0)", "First", id="map.first", show=False),
        Binding("end", "end(-1)", "Last", id="map.last", show=False),
    ]

    # the highlighted asset; watch_cursor repaints the lines it left and reached
    cursor: reactive[str | None] = reactive(None, init=False, repaint=False)

    class Highlighted(Message):
        def __init__(self, floor_map: FloorMap, asset_id: str | None) -> None:
            super().__init__()
            self.floor_map = floor_map
            self.asset_id = asset_id

        @property
        def control(self) -> FloorMap:
            return self.floor_map

    class Chosen(Message):
        """A cell was double-clicked: open what is on it."""

        def __init__(self, asset_id: str) -> None:
            super().__init__()
            self.asset_id = asset_id

    def __init__(self, model: MapModel, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.model = model
        self.grid = MapLayout(model.pits, 80)
        self.empty_text = "No tables or machines in view."
        # line -> (what it was made from, the strip)
        self._strips: dict[int, tuple[tuple[object, ...], Strip]] = {}

    # --- attributes down ------------------------------------------------------------

    def rebuilt(self) -> None:
        """The model was rebuilt (new floor, user or assets): lay out and paint it all."""
        self._relayout()
        if self.cursor not in self.model.cells:
            self.cursor = self.grid.order[0] if self.grid.order else None
        else:
            self._scroll_to_cursor()  # its row may have moved with the new layout
            self._announce()
        self.refresh()

    def cells_changed(self, asset_ids: set[str]) -> None:
        """Repaint the lines showing these cells and their pits' headings."""
        if not asset_ids:
            return
        layout = self.grid
        lines: set[int] = set()
        pits = set()
        for asset_id in asset_ids:
            where = layout.position.get(asset_id)
            if where is not None:
                lines.add(where[0])
                pits.add(layout.lines[where[0]].pit)
        lines |= {n for n, line in enumerate(layout.lines) if line.heading and line.pit in pits}
        top = round(self.scroll_y)
        for line in lines:
            if top <= line < top + self.size.height:
                self.refresh_line(line - top)
        if self.cursor in asset_ids:
            self._announce()

    @property
    def selected(self) -> Cell | None:
        return self.model.cells.get(self.cursor) if self.cursor is not None else None

    def watch_cursor(self, old: str | None, new: str | None) -> None:
        top = round(self.scroll_y)
        self._scroll_to_cursor()
        self._announce()
        if round(self.scroll_y) != top:
            self.refresh()
            return
        for asset_id in (old, new):
            where = self.grid.position.get(asset_id) if asset_id else None
            if where is not None:
                self.refresh_line(where[0] - top)

    def _announce(self) -> None:
        self.post_message(self.Highlighted(self, self.cursor))

    # --- moving ---------------------------------------------------------------------

    def action_move(self, lines: int, columns: int) -> None:
        moved = self.grid.moved(self.cursor, lines=lines, columns=columns)
        if moved is not None:
            self.cursor = moved

    def action_page(self, direction: int) -> None:
        self.action_move(direction * max(1, self.size.height - 2), 0)

    def action_end(self, index: int) -> None:
        order = self.grid.order
        if order:
            self.cursor = order[index]

    def next_red(self) -> str | None:
        """The next red cell after the cursor in reading order, round to the first."""
        order = self.grid.order
        if not order:
            return None
        start = order.index(self.cursor) + 1 if self.cursor in self.grid.position else 0
        cells = self.model.cells
        for step in range(len(order)):
            asset_id = order[(start + step) % len(order)]
            if cells[asset_id].state.is_red:
                return asset_id
        return None

    def _scroll_to_cursor(self) -> None:
        if self.cursor not in self.grid.position:
            return
        line, _ = self.grid.position[self.cursor]
        first = self.grid.first_line_of(self.cursor)
        height = max(1, self.scrollable_content_region.height)
        top = round(self.scroll_y)
        if first < top:
            self.scroll_to(y=first, animate=False)
        elif line >= top + height:
            self.scroll_to(y=line - height + 1, animate=False)

    def on_click(self, event: events.Click) -> None:
        layout = self.grid
        index = round(self.scroll_y) + event.y
        if not 0 <= index < len(layout.lines):
            return
        row = layout.lines[index].asset_ids
        column = (event.x - layout.cell_x(0)) // layout.cell_width
        if event.x >= layout.cell_x(0) and 0 <= column < len(row):
            self.cursor = row[column]
            if event.chain == 2:
                self.post_message(self.Chosen(row[column]))

    def on_resize(self) -> None:
        self._relayout()
        self._scroll_to_cursor()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    def on_focus(self) -> None:
        self._strips.clear()
        self.refresh()

    def on_blur(self) -> None:
        self.on_focus()

    def _relayout(self) -> None:
        width = self.scrollable_content_region.width or self.size.width or 80
        self.grid = MapLayout(self.model.pits, width)
        self._strips.clear()
        self.virtual_size = Size(width, len(self.grid.lines))

    # --- painting -------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        layout = self.grid
        width = self.scrollable_content_region.width
        index = round(self.scroll_y) + y
        if not layout.lines:
            text = Text(" " + self.empty_text, style=self._style("clear")) if y == 0 else Text()
            return self._strip(text, width)
        if index >= len(layout.lines):
            return self._strip(Text(), width)
        line = layout.lines[index]
        cells = self.model.cells
        if line.heading:
            pit = next(p for p in self.model.pits if p.pit == line.pit)
            key: tuple[object, ...] = (
                width,
                tuple(cells[a] for a in pit.asset_ids),
            )
        else:
            column = next((n for n, a in enumerate(line.asset_ids) if a == self.cursor), None)
            key = (width, column, self.has_focus, tuple(cells[a] for a in line.asset_ids))
        kept = self._strips.get(index)
        if kept is not None and _same(kept[0], key):
            return kept[1]
        text = self._heading(line) if line.heading else self._row(line)
        strip = self._strip(text, width)
        self._strips[index] = (key, strip)
        return strip

    def _heading(self, line: MapLine) -> Text:
        pit = next(p for p in self.model.pits if p.pit == line.pit)
        counts = self.model.counts(pit)
        text = Text(style=self._style("heading"))
        text.append(f" Pit {pit.pit}" + (f" · {pit.name}" if pit.name else ""))
        said = [(f"{counts[s]} {s.code}", s) for s in HEADING_STATES if counts[s]]
        silent = self.model.silent_in(pit)
        if not said and not silent:
            text.append("  all clear", style=self._style("clear"))
        for words, state in said:
            text.append("  ")
            text.append(words, style=self._style(STATE_CLASS[state]))
        if silent:
            text.append("  ")
            text.append(f"{silent} {SILENT_MARK}", style=self._style("silent"))
        return text

    def _row(self, line: MapLine) -> Text:
        layout = self.grid
        text = Text()
        label = line.label
        if cell_len(label) > layout.label_width:
            label = label[: layout.label_width - 1] + "…"
        text.append(label.ljust(layout.label_width), self._style("label"))
        text.append(" ")
        for asset_id in line.asset_ids:
            text.append_text(self._cell(self.model.cells[asset_id], asset_id == self.cursor))
        return text

    def _cell(self, cell: Cell, is_cursor: bool) -> Text:
        width = self.grid.id_width
        name = cell.asset.id
        if cell_len(name) > width:
            name = name[: width - 1] + "…"
        # under the cursor its own colours: the code still says the state
        state = Style() if is_cursor else self._style(STATE_CLASS[cell.state])
        text = Text()
        text.append("[" if is_cursor else " ")
        text.append(f"{cell.state.code} {name.ljust(width)}", state)
        text.append(" ")
        text.append(SILENT_MARK if cell.silent else " ", self._style("silent"))
        text.append("]" if is_cursor else " ")
        if is_cursor:
            text.stylize(self._style("cursor"))
        return text

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"floor-map--{name}", partial=True)

    def _strip(self, text: Text, width: int) -> Strip:
        text.truncate(width, pad=True)
        text.end = ""
        return Strip(list(text.render(self.app.console))).apply_style(self.rich_style)


def _same(a: tuple[object, ...], b: tuple[object, ...]) -> bool:
    """Equal keys, comparing cells by identity (a re-made cell is a new object)."""
    if len(a) != len(b):
        return False
    for x, y in zip(a, b, strict=True):
        if isinstance(x, tuple) and isinstance(y, tuple):
            if len(x) != len(y) or any(p is not q for p, q in zip(x, y, strict=True)):
                return False
        elif x != y:
            return False
    return True


__all__ = ["SILENT_LOOK", "STATE_CLASS", "STATE_LOOK", "FloorMap", "content_style"]
