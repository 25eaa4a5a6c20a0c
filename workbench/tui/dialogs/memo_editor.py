"""Writing or editing a memo, reflection, member check, trial action or journal entry."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, TextArea

from workbench.core.models import MEMO_KINDS

NO_CYCLE = -1


class MemoEditor(ModalScreen[dict[str, Any] | None]):
    """Kind, cycle, title and text; dismisses with those values."""

    STYLESHEET = "dialogs.tcss"  # loaded once by the app, see WorkbenchApp.CSS_PATH

    BINDINGS = [
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, *, cycles: Sequence[int], kind: str = "memo", cycle: int | None = None,
                 title: str = "", text: str = "", heading: str = "New memo",
                 about: str = "") -> None:
        super().__init__()
        self.cycles = list(cycles)
        self.kind = kind
        self.cycle = cycle
        self.memo_title = title
        self.text = text
        self.heading = heading
        self.about = about

    def compose(self) -> ComposeResult:
        with Vertical(id="memo-box", classes="dialog-box"):
            yield Label(self.heading + (f" · {self.about}" if self.about else ""),
                        classes="dialog-title")
            with Horizontal(id="memo-fields"):
                yield Select([(k.replace("_", " "), k) for k in MEMO_KINDS], value=self.kind,
                             allow_blank=False, id="memo-kind")
                yield Select([("no cycle", NO_CYCLE)] + [(f"cycle {n}", n) for n in self.cycles],
                             value=self.cycle if self.cycle in self.cycles else NO_CYCLE,
                             allow_blank=False, id="memo-cycle")
            yield Input(self.memo_title, placeholder="Title (optional)", id="memo-title")
            yield TextArea(self.text, id="memo-text", soft_wrap=True)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="memo-save")
                yield Button("Cancel (esc)", id="memo-cancel")

    def on_mount(self) -> None:
        self.query_one("#memo-text", TextArea).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "memo-save":
            self.action_save()
        else:
            self.action_cancel()

    def action_save(self) -> None:
        """Close with the memo's fields."""
        cycle = self.query_one("#memo-cycle", Select).value
        self.dismiss({
            "kind": self.query_one("#memo-kind", Select).value,
            "cycle": None if cycle in (NO_CYCLE, Select.BLANK) else int(cycle),
            "title": self.query_one("#memo-title", Input).value.strip(),
            "text": self.query_one("#memo-text", TextArea).text,
        })

    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)
