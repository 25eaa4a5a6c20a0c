"""A fuzzy picker: type a few letters, pick with the arrows and Enter.

Used to choose a code to apply, a document to open, a parent or merge target, a stakeholder,
or one of several codings under the cursor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.fuzzy import Matcher
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option


@dataclass(frozen=True)
class PickItem:
    """One choice: the value returned, the label shown, the text matched against."""

    value: Any
    label: Text | str
    search: str


@dataclass(frozen=True)
class NewName:
    """Returned when the user asks for a new item named as typed."""

    name: str


class FuzzyPicker(ModalScreen[Any]):
    """Pick one item by fuzzy search; dismisses with its value, a NewName, or None."""

    STYLESHEET = "dialogs.tcss"  # loaded once by the app, see WorkbenchApp.CSS_PATH

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "move(1)", "Next", show=False),
        Binding("up", "move(-1)", "Previous", show=False),
        Binding("pagedown", "move(8)", "Page down", show=False),
        Binding("pageup", "move(-8)", "Page up", show=False),
    ]

    def __init__(self, title: str, items: Sequence[PickItem], *, allow_new: str | None = None,
                 placeholder: str = "Type to filter…", initial: Any = None) -> None:
        """Set up the picker.

        Args:
            title: shown above the list.
            items: the choices.
            allow_new: when given (e.g. "New code"), typing a name that matches nothing
                offers "<allow_new> “name”", which returns NewName(name).
            placeholder: the search field's hint.
            initial: the value to highlight first.
        """
        super().__init__()
        self.title_text = title
        self.items = list(items)
        self.allow_new = allow_new
        self.placeholder = placeholder
        self.initial = initial
        self._shown: list[Any] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-box", classes="dialog-box"):
            yield Label(self.title_text, classes="dialog-title")
            yield Input(placeholder=self.placeholder, id="picker-input")
            yield OptionList(id="picker-list")

    def on_mount(self) -> None:
        self._fill("")
        if self.initial is not None and self.initial in self._shown:
            self.query_one("#picker-list", OptionList).highlighted = \
                self._shown.index(self.initial)
        self.query_one("#picker-input", Input).focus()

    def _fill(self, query: str) -> None:
        options: list[Option] = []
        self._shown = []
        query = query.strip()
        if query:
            matcher = Matcher(query)
            scored = [(matcher.match(item.search), n, item) for n, item in enumerate(self.items)]
            ranked = [item for score, _, item in sorted(scored, key=lambda t: (-t[0], t[1]))
                      if score > 0]
        else:
            ranked = self.items
        for item in ranked:
            options.append(Option(item.label))
            self._shown.append(item.value)
        exact = any(item.search.casefold() == query.casefold() for item in self.items)
        if self.allow_new and query and not exact:
            options.append(Option(Text.assemble((f"＋ {self.allow_new} ", "bold"),
                                                f"“{query}”")))
            self._shown.append(NewName(query))
        option_list = self.query_one("#picker-list", OptionList)
        option_list.set_options(options)
        if options:
            option_list.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        option_list = self.query_one("#picker-list", OptionList)
        index = option_list.highlighted
        if index is not None and 0 <= index < len(self._shown):
            self.dismiss(self._shown[index])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self._shown[event.option_index])

    def action_move(self, step: int) -> None:
        """Move the highlight while typing."""
        option_list = self.query_one("#picker-list", OptionList)
        if not self._shown:
            return
        current = option_list.highlighted or 0
        option_list.highlighted = max(0, min(len(self._shown) - 1, current + step))

    def action_cancel(self) -> None:
        """Close without choosing."""
        self.dismiss(None)
