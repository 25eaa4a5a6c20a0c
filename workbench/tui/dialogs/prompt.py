"""Asking for one line (a name, a colour, a hotkey) or a longer text (a memo)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static, TextArea


class PromptDialog(ModalScreen[str | None]):
    """One line of input; Enter saves, Escape cancels."""

    STYLESHEET = "dialogs.tcss"  # loaded once by the app, see WorkbenchApp.CSS_PATH

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, value: str = "", *, hint: str = "",
                 placeholder: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.hint = hint
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-box", classes="dialog-box"):
            yield Label(self.title_text, classes="dialog-title")
            if self.hint:
                yield Static(self.hint, classes="dialog-hint")
            yield Input(self.value, placeholder=self.placeholder, id="prompt-input")

    def on_mount(self) -> None:
        self.query_one("#prompt-input", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        """Close without an answer."""
        self.dismiss(None)


class TextDialog(ModalScreen[str | None]):
    """A longer text (a memo); ctrl+s saves, Escape cancels."""

    STYLESHEET = "dialogs.tcss"  # loaded once by the app, see WorkbenchApp.CSS_PATH

    BINDINGS = [
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, title: str, value: str = "", *, hint: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(id="text-box", classes="dialog-box"):
            yield Label(self.title_text, classes="dialog-title")
            if self.hint:
                yield Static(self.hint, classes="dialog-hint")
            yield TextArea(self.value, id="text-area", soft_wrap=True)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="text-save")
                yield Button("Cancel (esc)", id="text-cancel")

    def on_mount(self) -> None:
        area = self.query_one("#text-area", TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "text-save":
            self.action_save()
        else:
            self.action_cancel()

    def action_save(self) -> None:
        """Close with the text."""
        self.dismiss(self.query_one("#text-area", TextArea).text)

    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)
