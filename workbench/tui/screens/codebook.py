"""The codebook screen: the code tree and everything about the highlighted code.

Every edit is one undoable core step (ctrl+z takes it back). Merging and deleting ask first,
and say how many codings they touch.
"""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static, Tree

from workbench.core import codebook
from workbench.tui.dialogs.code_editor import CodeEditor
from workbench.tui.dialogs.confirm import ConfirmDialog
from workbench.tui.dialogs.picker import FuzzyPicker, PickItem
from workbench.tui.dialogs.prompt import PromptDialog
from workbench.tui.screens.base import WorkbenchScreen, titled
from workbench.tui.widgets.code_tree import CodeTree

TOP_LEVEL = -1


class CodebookScreen(WorkbenchScreen):
    """Edit the tree of codes: add, rename, move, merge, colour, hotkey, definitions."""

    STYLESHEET = "codebook.tcss"  # loaded once by the app, see WorkbenchApp.CSS_PATH
    SCREEN_TITLE = "Codebook"
    HELP_SUMMARY = "The codes, their definitions and hotkeys. Enter edits the highlighted code."

    BINDINGS = [
        Binding("a", "add_code", "Add sub-code"),
        Binding("t", "add_top_code", "Add top code", show=False),
        Binding("e", "edit_code", "Edit"),
        Binding("r", "rename_code", "Rename"),
        Binding("m", "move_code", "Move"),
        Binding("g", "merge_code", "Merge"),
        Binding("c", "colour_code", "Colour", show=False),
        Binding("h", "hotkey_code", "Hotkey", show=False),
        Binding("d,delete", "delete_code", "Delete"),
    ]

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        with Horizontal(id="codebook-body"):
            yield titled(CodeTree(id="codebook-tree"), "Codes · hotkey · codings")
            with titled(VerticalScroll(id="code-details"), "Code"):
                yield Static("", id="code-detail-text")
        yield from self.compose_footer()

    @property
    def tree(self) -> CodeTree:
        """The code tree widget."""
        return self.query_one("#codebook-tree", CodeTree)

    def load(self) -> None:
        """Reload the tree and the details."""
        rows = codebook.codebook_tree(self.project)
        self.tree.populate(rows)
        if self.tree.current_code_id is None and rows:
            self.tree.select_code(rows[0]["id"])
        self._show_details()
        if not rows:
            self.query_one("#code-detail-text", Static).update(
                "The codebook is empty. Press [b]t[/b] to add a code, or load a codebook "
                "with 'workbench codebook load'.")

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted) -> None:
        self._show_details()

    def _show_details(self) -> None:
        code_id = self.tree.current_code_id
        if code_id is None:
            return
        ok, code = self.wb.attempt(codebook.get_code, self.project, code_id)
        if not ok:
            return
        counts = self.project.conn.execute(
            "SELECT COUNT(*), COUNT(DISTINCT document_id), COUNT(DISTINCT coder) FROM codings "
            "WHERE code_id = ?", (code_id,)).fetchone()
        parent = ""
        if code.parent_id:
            parent = codebook.get_code(self.project, code.parent_id).name
        lines = [f"[b][{code.colour}]■[/][/b] [b]{escape(code.name)}[/b]"
                 + (f"   hotkey [reverse] {escape(code.hotkey)} [/reverse]" if code.hotkey
                    else "   [dim]no hotkey[/dim]")]
        labels = " / ".join(escape(x) for x in (code.label_da, code.label_en) if x)
        if labels:
            lines.append(f"[dim]{labels}[/dim]")
        lines.append(f"[dim]under {escape(parent)}[/dim]" if parent else "[dim]top level[/dim]")
        lines.append(f"{counts[0]} codings in {counts[1]} documents by {counts[2]} coders")
        for title, value in (("Definition", code.definition), ("When to use", code.when_to_use),
                             ("When not to use", code.when_not_to_use),
                             ("Example", code.example)):
            lines.append("")
            lines.append(f"[b]{title}[/b]")
            lines.append(escape(value) if value else "[dim]—[/dim]")
        if code.indicators:
            lines.append("")
            lines.append("[b]Indicator words[/b]")
            lines.append(escape(", ".join(code.indicators)))
        self.query_one("#code-detail-text", Static).update("\n".join(lines))
        self.query_one("#code-details").border_title = code.name

    # ------------------------------------------------------------------ helpers
    def _current(self) -> Any:
        code_id = self.tree.current_code_id
        if code_id is None:
            self.notify("The codebook is empty; press t to add a code.", severity="warning")
            return None
        ok, code = self.wb.attempt(codebook.get_code, self.project, code_id)
        return code if ok else None

    def _changed(self, message: str, select: int | None = None) -> None:
        self.wb.data_changed(source=self)
        self.load()
        if select is not None:
            self.tree.select_code(select)
        self.notify(message, timeout=3)

    def _code_items(self, exclude: set[int], top: bool = False) -> list[PickItem]:
        items = [PickItem(TOP_LEVEL, "(top level)", "top level")] if top else []
        for row in codebook.codebook_tree(self.project):
            if row["id"] in exclude:
                continue
            items.append(PickItem(row["id"], "  " * row["depth"] + row["name"], row["name"]))
        return items

    # ------------------------------------------------------------------ actions
    def _add(self, parent: int | None) -> None:
        def save(fields: dict[str, Any] | None) -> None:
            if not fields:
                return
            name = fields.pop("name", "")
            ok, code_id = self.wb.attempt(codebook.add_code, self.project, name,
                                          parent=parent, **fields)
            if ok:
                self._changed(f"Added code {name}.", select=code_id)

        parent_name = codebook.get_code(self.project, parent).name if parent else None
        self.app.push_screen(CodeEditor(title=f"New code under {parent_name}" if parent_name
                                        else "New top-level code"), save)

    def action_add_code(self) -> None:
        """Add a code under the highlighted one."""
        self._add(self.tree.current_code_id)

    def action_add_top_code(self) -> None:
        """Add a code at the top level."""
        self._add(None)

    def on_code_tree_code_chosen(self, event: CodeTree.CodeChosen) -> None:
        event.stop()
        self.action_edit_code()

    def action_edit_code(self) -> None:
        """Edit every field of the highlighted code."""
        code = self._current()
        if code is None:
            return

        def save(fields: dict[str, Any] | None) -> None:
            if fields:
                ok, _ = self.wb.attempt(codebook.update_code, self.project, code.id, **fields)
                if ok:
                    self._changed(f"Saved {fields.get('name', code.name)}.", select=code.id)

        self.app.push_screen(CodeEditor(code), save)

    def _prompt_field(self, title: str, field: str, hint: str = "") -> None:
        code = self._current()
        if code is None:
            return

        def save(value: str | None) -> None:
            if value is None:
                return
            ok, _ = self.wb.attempt(codebook.update_code, self.project, code.id,
                                    **{field: value.strip() or None})
            if ok:
                self._changed(f"Changed the {field} of {code.name}.", select=code.id)

        current = getattr(code, field) or ""
        self.app.push_screen(PromptDialog(f"{title} '{code.name}'", current, hint=hint), save)

    def action_rename_code(self) -> None:
        """Rename the highlighted code (its codings stay)."""
        self._prompt_field("Rename", "name")

    def action_colour_code(self) -> None:
        """Change the colour of the highlighted code."""
        self._prompt_field("Colour of", "colour",
                           hint="A hex colour like #2e7d32, or red, green, blue, orange, "
                                "purple, teal, brown, grey, pink, yellow.")

    def action_hotkey_code(self) -> None:
        """Set or clear the hotkey of the highlighted code."""
        self._prompt_field("Hotkey for", "hotkey",
                           hint="One digit 1-9 or one letter; empty clears it. On the coding "
                                "screen this key codes the selection.")

    def action_move_code(self) -> None:
        """Move the highlighted code under another (or to the top level)."""
        code = self._current()
        if code is None:
            return
        exclude = set(codebook.descendants(self.project, code.id))

        def moved(target: Any) -> None:
            if target is None:
                return
            parent = None if target == TOP_LEVEL else target
            ok, _ = self.wb.attempt(codebook.move_code, self.project, code.id, parent)
            if ok:
                self._changed(f"Moved {code.name}.", select=code.id)

        self.app.push_screen(FuzzyPicker(f"Move '{code.name}' under…",
                                         self._code_items(exclude, top=True)), moved)

    def action_merge_code(self) -> None:
        """Merge the highlighted code into another (asks first)."""
        code = self._current()
        if code is None:
            return
        exclude = set(codebook.descendants(self.project, code.id))

        def chosen(target: Any) -> None:
            if target is None:
                return
            other = codebook.get_code(self.project, target)
            count = self.project.conn.execute("SELECT COUNT(*) FROM codings WHERE code_id = ?",
                                              (code.id,)).fetchone()[0]

            def confirmed(yes: bool | None) -> None:
                if yes:
                    ok, moved = self.wb.attempt(codebook.merge_codes, self.project, code.id,
                                                other.id)
                    if ok:
                        self._changed(f"Merged {code.name} into {other.name} ({moved} codings "
                                      "moved).", select=other.id)

            self.app.push_screen(ConfirmDialog(
                "Merge codes?",
                f"'{code.name}' and its {count} codings, sub-codes and memos go into "
                f"'{other.name}', and '{code.name}' is removed. ctrl+z undoes it.",
                confirm_label="Merge"), confirmed)

        self.app.push_screen(FuzzyPicker(f"Merge '{code.name}' into…",
                                         self._code_items(exclude)), chosen)

    def action_delete_code(self) -> None:
        """Delete the highlighted code and its sub-codes (asks first)."""
        code = self._current()
        if code is None:
            return
        ids = codebook.descendants(self.project, code.id)
        marks = ",".join("?" * len(ids))
        count = self.project.conn.execute(
            f"SELECT COUNT(*) FROM codings WHERE code_id IN ({marks})", ids).fetchone()[0]
        subs = len(ids) - 1

        def confirmed(yes: bool | None) -> None:
            if yes:
                ok, _ = self.wb.attempt(codebook.delete_code, self.project, code.id, force=True)
                if ok:
                    self._changed(f"Deleted {code.name} (ctrl+z undoes).")

        what = f"'{code.name}'"
        if subs:
            what += f" with {subs} sub-code(s)"
        self.app.push_screen(ConfirmDialog(
            "Delete code?",
            f"Delete {what} and its {count} coding(s)? ctrl+z undoes it.",
            confirm_label="Delete"), confirmed)
