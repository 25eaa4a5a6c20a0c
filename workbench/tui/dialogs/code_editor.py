"""Editing a code: name, labels, colour, hotkey, definition, when to use, example, indicators."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, TextArea

from workbench.core.models import Code

SHORT_FIELDS = (("name", "Name"), ("label_da", "Label (Danish)"),
                ("label_en", "Label (English)"), ("colour", "Colour (#rrggbb or red, blue …)"),
                ("hotkey", "Hotkey (1-9 or a letter)"))
LONG_FIELDS = (("definition", "Definition"), ("when_to_use", "When to use"),
               ("when_not_to_use", "When not to use"), ("example", "Example"))


class CodeEditor(ModalScreen[dict[str, Any] | None]):
    """A form for one code (new or existing); dismisses with the changed fields."""

    STYLESHEET = "dialogs.tcss"  # loaded once by the app, see WorkbenchApp.CSS_PATH

    BINDINGS = [
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, code: Code | None = None, *, title: str | None = None) -> None:
        super().__init__()
        self.code = code
        self.title_text = title or (f"Edit code '{code.name}'" if code else "New code")

    def _value(self, name: str) -> str:
        if self.code is None:
            return ""
        value = getattr(self.code, name)
        if name == "indicators":
            return ", ".join(value)
        return "" if value is None else str(value)

    def compose(self) -> ComposeResult:
        with Vertical(id="code-editor-box", classes="dialog-box"):
            yield Label(self.title_text, classes="dialog-title")
            with VerticalScroll(id="code-editor-form"):
                for name, label in SHORT_FIELDS:
                    yield Label(label, classes="field-label")
                    yield Input(self._value(name), id=f"code-{name.replace('_', '-')}")
                for name, label in LONG_FIELDS:
                    yield Label(label, classes="field-label")
                    yield TextArea(self._value(name), id=f"code-{name.replace('_', '-')}",
                                   soft_wrap=True, classes="field-long")
                yield Label("Indicator words (comma-separated lemmas)", classes="field-label")
                yield Input(self._value("indicators"), id="code-indicators")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="code-save")
                yield Button("Cancel (esc)", id="code-cancel")

    def on_mount(self) -> None:
        self.query_one("#code-name", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "code-save":
            self.action_save()
        else:
            self.action_cancel()

    def action_save(self) -> None:
        """Close with the fields that differ from the code's current values."""
        fields: dict[str, Any] = {}
        for name, _ in SHORT_FIELDS:
            fields[name] = self.query_one(f"#code-{name.replace('_', '-')}", Input).value.strip()
        for name, _ in LONG_FIELDS:
            fields[name] = self.query_one(f"#code-{name.replace('_', '-')}", TextArea).text
        raw = self.query_one("#code-indicators", Input).value
        fields["indicators"] = [w.strip() for w in raw.split(",") if w.strip()]
        if fields["hotkey"] == "":
            fields["hotkey"] = None
        if self.code is not None:
            current = {name: getattr(self.code, name) for name in fields}
            current["indicators"] = list(current["indicators"])
            fields = {k: v for k, v in fields.items() if v != current[k]
                      and not (v in ("", None) and current[k] in ("", None))}
        else:
            fields = {k: v for k, v in fields.items() if v not in ("", None, [])}
        self.dismiss(fields)

    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)
