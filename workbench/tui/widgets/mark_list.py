"""A short list of one-line items that redraws without re-laying out the screen.

The codings under the cursor change with every key press while coding; an OptionList would
ask for a layout of the whole screen each time its content changes, which costs more than the
coding itself. This list has a fixed height, draws what fits and says how many more there are.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.segment import Segment
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget


class MarkList(Widget, can_focus=True):
    """One-line items with a highlight; Enter selects, arrows move."""

    COMPONENT_CLASSES = {"mark-list--highlight", "mark-list--empty"}

    DEFAULT_CSS = """
    MarkList {
        height: 5;
        background: $surface;
    }
    MarkList > .mark-list--highlight { background: $accent 30%; }
    MarkList:focus > .mark-list--highlight { background: $accent 60%; }
    MarkList > .mark-list--empty { color: $text-muted; text-style: italic; }
    """

    BINDINGS = [
        Binding("up", "move(-1)", "Previous", show=False),
        Binding("down", "move(1)", "Next", show=False),
        Binding("pageup", "move(-5)", "Page up", show=False),
        Binding("pagedown", "move(5)", "Page down", show=False),
        Binding("enter", "choose", "Go to", show=False),
    ]

    class Highlighted(Message):
        """The highlight moved to another item (by keyboard)."""

        def __init__(self, mark_list: MarkList, index: int) -> None:
            super().__init__()
            self.mark_list = mark_list
            self.index = index

        @property
        def control(self) -> MarkList:
            """The list the item is in."""
            return self.mark_list

    class Chosen(Message):
        """Enter (or a click) on an item."""

        def __init__(self, mark_list: MarkList, index: int) -> None:
            super().__init__()
            self.mark_list = mark_list
            self.index = index

        @property
        def control(self) -> MarkList:
            """The list the item is in."""
            return self.mark_list

    def __init__(self, *, empty: str = "", id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.items: list[Text] = []
        self.highlighted = 0
        self.empty = empty
        self.signature: tuple | None = None

    def set_items(self, items: Sequence[Text], signature: tuple | None = None) -> None:
        """Show new items (nothing is redrawn when ``signature`` is unchanged)."""
        signature = signature if signature is not None else tuple(t.plain for t in items)
        if signature == self.signature:
            return
        self.signature = signature
        self.items = list(items)
        self.highlighted = min(self.highlighted, max(0, len(self.items) - 1))
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if not self.items:
            if y == 0 and self.empty:
                style = base + self.get_component_rich_style("mark-list--empty")
                return Strip([Segment(" " + self.empty, style)]).adjust_cell_length(width, base)
            return Strip.blank(width, base)
        height = self.size.height
        first = max(0, self.highlighted - height + 1) if len(self.items) > height else 0
        index = first + y
        more = len(self.items) - (first + height)
        if y == height - 1 and more > 0:
            text = Text(f" … {more + 1} more (↑↓)", style="dim")
        elif index < len(self.items):
            text = Text(" ") + self.items[index]
        else:
            return Strip.blank(width, base)
        text.truncate(width, overflow="ellipsis")
        strip = Strip(list(text.render(self.app.console)), text.cell_len)
        style = base
        if index == self.highlighted and (self.has_focus or len(self.items) > 1):
            style = base + self.get_component_rich_style("mark-list--highlight")
        return strip.apply_style(style).adjust_cell_length(width, style)

    def action_move(self, step: int) -> None:
        """Move the highlight."""
        if self.items:
            before = self.highlighted
            self.highlighted = max(0, min(len(self.items) - 1, self.highlighted + step))
            self.refresh()
            if self.highlighted != before:
                self.post_message(self.Highlighted(self, self.highlighted))

    def action_choose(self) -> None:
        """Select the highlighted item."""
        if self.items:
            self.post_message(self.Chosen(self, self.highlighted))

    def on_click(self, event) -> None:
        height = self.size.height
        first = max(0, self.highlighted - height + 1) if len(self.items) > height else 0
        index = first + event.y
        if 0 <= index < len(self.items):
            self.highlighted = index
            self.refresh()
            self.post_message(self.Chosen(self, index))
