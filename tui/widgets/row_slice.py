"""A vertical slice of a Line API parent's lines, painted as a widget of its own.

Textual rewrites a changed line from the left edge of the widget that paints
it, whatever the changed cells. A slice docked over the part of a row that
changes often lets a repaint of that part start there instead of at the
row's first column. The parent paints the slice's cells (the slice asks it);
where the slice sits is set by the parent as an offset from its right edge.

The lines a slice keeps show the columns of the parent it was painted over.
A layout that moves it without resizing it keeps those lines and shows them
at the new place. That happens when the parent's scrollbar comes or goes:
Textual places the parent's children before it updates the parent's
scrollbars, so a slice is painted once where it was and moved a frame later.
So a slice repaints itself whole whenever it finds itself over other columns.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.geometry import Region, Spacing
from textual.strip import Strip
from textual.widget import Widget

# (the slice, line, first column, end column in the parent's content) -> that part of the line
PaintSlice = Callable[["RowSlice", int, int, int], Strip]


class RowSlice(Widget):
    DEFAULT_CSS = """
    RowSlice { dock: right; width: 0; height: 100%; }
    """

    def __init__(self, paint: PaintSlice, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._paint = paint
        self.placed: tuple[int, int] = (0, 0)  # (width, columns right of it)
        self._x: int | None = None  # the parent column the kept lines were painted from

    def place(self, width: int, right: int) -> None:
        """Cover `width` columns ending `right` columns short of the parent's right edge."""
        if (width, right) != self.placed:
            self.placed = (width, right)
            self.styles.width = width
            self.styles.margin = Spacing(0, right, 0, 0)

    @property
    def parent_x(self) -> int:
        """Where this slice starts in the parent's content."""
        parent = self.parent
        if not isinstance(parent, Widget):
            return 0
        return self.region.x - parent.scrollable_content_region.x

    def repaint(self, regions: tuple[Region, ...]) -> None:
        """Repaint what of the parent's `regions` (its own coordinates) falls on this slice."""
        if not regions:
            self.refresh()
            return
        x = self.parent_x
        own = self.size.region
        mine = [r.translate((-x, 0)).intersection(own) for r in regions]
        mine = [r for r in mine if r]
        if mine:
            self.refresh(*mine)

    def render_lines(self, crop: Region) -> list[Strip]:
        x = self.parent_x  # once per paint, not per line
        if x != self._x:
            # moved over other columns: every kept line shows the wrong part of its row.
            # Dropping them repaints this crop now; the refresh brings the rest of the
            # slice (outside a partial crop) to the screen on the next frame.
            self._x = x
            self.refresh()
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        x = self.parent_x if self._x is None else self._x
        return self._paint(self, y, x, x + self.size.width)
