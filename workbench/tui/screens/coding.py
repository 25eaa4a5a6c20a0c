"""The coding screen: read a transcript, select a passage, code it with one key.

Left: the transcript (speaker turns, times, coded spans in code colours, suggestions).
Right: the codebook tree with hotkeys and counts, the codings under the cursor, and the queue
of open suggestions. Every change goes through the core (one undoable step each); the screen
only reloads what it shows.
"""

from __future__ import annotations

import re
from typing import Any

from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Static

from workbench.core import codebook, codings, memos, spans, suggestions
from workbench.core.documents import get_document
from workbench.tui import data
from workbench.tui.dialogs.picker import FuzzyPicker, NewName, PickItem
from workbench.tui.dialogs.prompt import TextDialog
from workbench.tui.screens.base import WorkbenchScreen, titled
from workbench.tui.widgets.code_tree import CodeTree
from workbench.tui.widgets.layout import build_blocks
from workbench.tui.widgets.mark_list import MarkList
from workbench.tui.widgets.transcript import CodeLook, CodingMark, SuggestionMark, TranscriptView


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "…"


class CodingScreen(WorkbenchScreen):
    """Where passages get coded."""

    STYLESHEET = "coding.tcss"  # loaded once by the app, see WorkbenchApp.CSS_PATH
    SCREEN_TITLE = "Coding"
    HELP_SUMMARY = ("Read and code a document. Movement keys work in the transcript; a code's "
                    "hotkey codes the selection (or, with nothing selected, the turn).")

    BINDINGS = [
        Binding("enter", "pick_code", "Code…"),
        Binding("ctrl+v", "in_vivo", "In vivo"),
        Binding("delete,backspace", "remove_coding", "Uncode"),
        Binding("ctrl+e", "memo", "Memo"),
        Binding("plus", "accept_suggestion", "Accept"),
        Binding("minus", "reject_suggestion", "Reject"),
        Binding("slash,ctrl+f", "search", "Search"),
        Binding("ctrl+g", "next_match", "Next match", show=False),
        Binding("ctrl+o", "open_document", "Open…"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.document_id: int | None = None
        self.document_name = ""
        self.text = ""
        self.code_rows: list[dict[str, Any]] = []
        self.hotkeys: dict[str, int] = {}
        self._here: list[CodingMark] = []
        self._queue: list[SuggestionMark] = []
        self._pending: tuple[int, int | None, tuple[int, int] | None] | None = None
        self._flash = ""

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        with Horizontal(id="coding-body"):
            with Vertical(id="transcript-pane"):
                yield TranscriptView(id="transcript")
                yield Input(placeholder="Search this document (Enter: next, Esc: close)",
                            id="search-input")
                yield Static("", id="coding-status")
            with Vertical(id="side-pane"):
                yield titled(CodeTree(id="code-tree"), "Codes · hotkey · here·all")
                yield titled(MarkList(id="codings-here", empty="nothing coded here"),
                             "Codings here")
                yield titled(MarkList(id="suggestion-queue", empty="no open suggestions"),
                             "Suggestions")
        yield from self.compose_footer()

    @property
    def view(self) -> TranscriptView:
        """The transcript widget."""
        return self.query_one("#transcript", TranscriptView)

    # ------------------------------------------------------------------ loading
    def load(self) -> None:
        """Reload codes, the open document's codings and suggestions."""
        self._load_codes()
        if self._pending is not None:
            doc_id, offset, selection = self._pending
            self._pending = None
            self._open(doc_id, offset, selection)
        elif self.document_id is not None:
            exists = self.project.conn.execute("SELECT 1 FROM documents WHERE id = ?",
                                               (self.document_id,)).fetchone()
            if exists:
                self.reload_marks()
            else:
                self.document_id = None
                self.view.load("", [], codes={})
        self._update_counts()
        self._update_side()

    def _load_codes(self) -> None:
        self.code_rows = codebook.codebook_tree(self.project)
        self.hotkeys = {row["hotkey"]: row["id"] for row in self.code_rows if row["hotkey"]}
        looks = {row["id"]: CodeLook(row["name"], row["colour"]) for row in self.code_rows}
        totals, here = data.code_counts(self.project, self.document_id)
        for row in self.code_rows:
            row["codings"] = totals.get(row["id"], 0)
        self.query_one("#code-tree", CodeTree).populate(
            self.code_rows, here if self.document_id is not None else None)
        self.view.set_codes(looks)

    def open_document(self, document_id: int, *, offset: int | None = None,
                      selection: tuple[int, int] | None = None) -> None:
        """Show a document, optionally with the cursor at ``offset`` or a span selected."""
        if not self.is_mounted or self.seen_generation != self.wb.generation:
            # The screen reloads on resume; open the document as part of that.
            self._pending = (document_id, offset, selection)
            if self.is_current:
                self.refresh_data()
            return
        self.wb.attempt(self._open, document_id, offset, selection)

    def _open(self, document_id: int, offset: int | None,
              selection: tuple[int, int] | None) -> None:
        doc = get_document(self.project, document_id)
        self.document_id, self.document_name, self.text = doc.id, doc.name, doc.text
        blocks = build_blocks(doc.text, data.segment_rows(self.project, doc.id))
        looks = {row["id"]: CodeLook(row["name"], row["colour"]) for row in self.code_rows}
        project, text = self.project, doc.text
        self.view.load(
            doc.text, blocks, codes=looks,
            codings=data.coding_marks(self.project, doc.id),
            suggestions=data.suggestion_marks(self.project, doc.id),
            sentence_source=lambda: spans.project_sentences(project, doc.id, text),
            cursor=offset if offset is not None else (blocks[0].start if blocks else 0))
        if selection:
            self.view.select(*selection, scroll="center")
        self.view.focus()
        self._update_counts()
        self._update_side()

    def reload_marks(self, *, suggestions: bool = True) -> None:
        """Reload the open document's codings (and suggestions) after a change."""
        if self.document_id is None:
            return
        self.view.set_codings(data.coding_marks(self.project, self.document_id))
        if suggestions:
            self.view.set_suggestions(data.suggestion_marks(self.project, self.document_id))

    def _after_change(self, message: str | None = None, *, suggestions: bool = False) -> None:
        """Show a change made here, and tell the other screens."""
        self.reload_marks(suggestions=suggestions)
        self._update_counts()
        self._update_side()
        self.wb.data_changed(source=self)
        if message:
            self.notify(message, timeout=3)

    def _update_counts(self) -> None:
        totals, here = data.code_counts(self.project, self.document_id)
        self.query_one("#code-tree", CodeTree).update_counts(
            totals, here if self.document_id is not None else None)

    def export_query(self) -> str:
        """A quote query for the codes on the selection (or under the cursor), for export."""
        from workbench.tui.dialogs.export import query_for_codes

        here = {mark.code_id for mark in self._here}
        return query_for_codes(row["name"] for row in self.code_rows if row["id"] in here)

    # ------------------------------------------------------------------ side panels
    def on_transcript_view_cursor_moved(self, event: TranscriptView.CursorMoved) -> None:
        self._update_side()

    def _update_side(self) -> None:
        view = self.view
        codes = {row["id"]: row for row in self.code_rows}
        span = view.selection or (view.cursor, view.cursor + 1)
        self._here = view.codings_at(*span)
        here_list = self.query_one("#codings-here", MarkList)
        items = []
        for mark in self._here:
            row = codes.get(mark.code_id, {"name": "?", "colour": "#888888"})
            label = Text()
            label.append("■ ", style=row["colour"])
            label.append(row["name"], style="bold")
            label.append(f" · {mark.coder}", style="dim")
            if mark.origin != "manual":
                label.append(f" · {mark.origin}", style="dim")
            if mark.memo:
                label.append(f" ✎ {_short(mark.memo, 60)}", style="italic")
            items.append(label)
        here_list.set_items(items, signature=tuple(
            (m.id, m.memo, codes.get(m.code_id, {}).get("name"),
             codes.get(m.code_id, {}).get("colour")) for m in self._here))
        self._queue = sorted(view.suggestions.items, key=lambda s: s.start)
        queue = self.query_one("#suggestion-queue", MarkList)
        signature = (self.document_id, tuple((s.id, s.code_id) for s in self._queue))
        if signature != queue.signature:
            q_items = []
            for sugg in self._queue:
                row = codes.get(sugg.code_id, {"name": "?", "colour": "#888888"})
                label = Text()
                label.append("? ", style=f"bold {row['colour']}")
                label.append(row["name"], style="bold")
                label.append(f" · {sugg.score:.2f}", style="dim")
                if sugg.words:
                    label.append(" · " + ", ".join(sugg.words[:4]), style="italic")
                q_items.append(label)
            queue.set_items(q_items, signature=signature)
        title = f"Suggestions · {len(self._queue)}"
        if queue.border_title != title:
            queue.border_title = title
        self._update_status()

    def flash(self, message: str) -> None:
        """Say what just happened in the status line (cheaper than a notification)."""
        self._flash = message
        self._update_status()

    def _update_status(self) -> None:
        view = self.view
        status = self.query_one("#coding-status", Static)
        if self.document_id is None:
            status.update("No document open · ctrl+o opens one · F2 lists them")
            return
        parts = [f"[b]{escape(self.document_name)}[/b]"]
        block = view.block_at_cursor()
        if block is not None and block.speaker:
            parts.append(escape(block.speaker) + (f" {block.time}" if block.time else ""))
        parts.append(f"{view.cursor}/{len(view.text)}")
        if view.selection:
            s, e = view.selection
            parts.append(f"selected {len(self.text[s:e].split())} words")
        memos_here = [m.memo for m in self._here if m.memo]
        if memos_here:
            parts.append(f"✎ {escape(_short(memos_here[0], 80))}")
        here = view.suggestions_at(view.cursor)
        if here:
            sugg = here[0]
            name = next((r["name"] for r in self.code_rows if r["id"] == sugg.code_id), "?")
            words = ", ".join(sugg.words) or "—"
            parts.append(f"[i]suggests {escape(name)} ({sugg.score:.2f}); evidence: "
                         f"{escape(words)}[/i] · "
                         "+ accept, - reject")
        if view.matches:
            parts.append(f"match {view.current_match + 1}/{len(view.matches)}")
        if self._flash:
            parts.append(f"[b $success]✓ {self._flash}[/]")
            self._flash = ""
        status.update(" · ".join(parts), layout=False)

    def on_mark_list_highlighted(self, event: MarkList.Highlighted) -> None:
        if event.mark_list.id == "suggestion-queue" and 0 <= event.index < len(self._queue):
            # Walking the queue shows each suggestion in the transcript.
            self.view.move_to(self._queue[event.index].start, scroll="center")

    def on_mark_list_chosen(self, event: MarkList.Chosen) -> None:
        event.stop()
        if event.mark_list.id == "suggestion-queue":
            if 0 <= event.index < len(self._queue):
                self.view.move_to(self._queue[event.index].start, scroll="center")
                self.view.focus()
        elif 0 <= event.index < len(self._here):
            mark = self._here[event.index]
            self.view.select(mark.start, mark.end, scroll="center")
            self.view.focus()

    # ------------------------------------------------------------------ coding
    def _target_span(self) -> tuple[int, int] | None:
        """The selection, or with nothing selected the turn under the cursor."""
        if self.document_id is None:
            self.notify("Open a document first (ctrl+o).", severity="warning")
            return None
        if self.view.selection:
            return self.view.selection
        block = self.view.block_at_cursor()
        return (block.start, block.end) if block else None

    def code_with(self, code_id: int) -> None:
        """Apply a code to the selection (or the current turn); one undoable step."""
        span = self._target_span()
        if span is None:
            return
        ok, _ = self.wb.attempt(codings.add_coding, self.project, self.document_id,
                                span[0], span[1], code_id, snap_to="word")
        if ok:
            name = next((r["name"] for r in self.code_rows if r["id"] == code_id), "")
            self._after_change()
            self.flash(f"coded as {name} · ctrl+z undoes")

    def on_transcript_view_key_typed(self, event: TranscriptView.KeyTyped) -> None:
        key = event.character
        code_id = self.hotkeys.get(key)
        if code_id is None and key.lower() != key:
            code_id = self.hotkeys.get(key.lower())
        if code_id is None:
            self.notify(f"No code has the hotkey '{key}'; set one on the Codebook screen (F4).",
                        severity="warning", timeout=3)
            return
        self.code_with(code_id)

    def on_code_tree_code_chosen(self, event: CodeTree.CodeChosen) -> None:
        self.code_with(event.code_id)
        self.view.focus()

    def _code_items(self) -> list[PickItem]:
        items = []
        for row in self.code_rows:
            label = Text()
            label.append("  " * row["depth"])
            label.append("■ ", style=row["colour"])
            label.append(f"{row['hotkey']} " if row["hotkey"] else "  ", style="bold")
            label.append(row["name"])
            extra = " / ".join(x for x in (row.get("label_da"), row.get("label_en"))
                               if x and x != row["name"])
            if extra:
                label.append(f"  {extra}", style="dim")
            search = " ".join(x for x in (row["name"], row.get("label_da") or "",
                                          row.get("label_en") or "") if x)
            items.append(PickItem(row["id"], label, search))
        return items

    def action_pick_code(self) -> None:
        """Choose a code by typing part of its name (or make a new one)."""
        if self._target_span() is None:
            return

        def picked(choice: Any) -> None:
            if choice is None:
                return
            if isinstance(choice, NewName):
                ok, code_id = self.wb.attempt(codebook.add_code, self.project, choice.name)
                if not ok:
                    return
                self._load_codes()
                choice = code_id
            self.code_with(int(choice))

        self.app.push_screen(FuzzyPicker("Code the selection with…", self._code_items(),
                                         allow_new="New code"), picked)

    def action_in_vivo(self) -> None:
        """Make a new code named after the selected words and apply it."""
        if self.document_id is None:
            return
        if not self.view.selection:
            self.notify("Select the words first (shift+→ extends by word, . selects the "
                        "sentence).", severity="warning")
            return
        start, end = self.view.selection
        ok, result = self.wb.attempt(codings.in_vivo, self.project, self.document_id,
                                     start, end)
        if ok:
            self._load_codes()
            code = codebook.get_code(self.project, result[0])
            self._after_change(f"New in-vivo code {code.name}.")

    def _choose_coding(self, purpose: str, then) -> None:
        """Pick one coding under the cursor (asking when there are several)."""
        here_list = self.query_one("#codings-here", MarkList)
        candidates = list(self._here)
        if here_list.has_focus and here_list.highlighted is not None \
                and here_list.highlighted < len(candidates):
            then(candidates[here_list.highlighted])
            return
        if not candidates:
            then(None)
            return
        if len(candidates) == 1:
            then(candidates[0])
            return
        codes = {row["id"]: row for row in self.code_rows}
        items = []
        for mark in candidates:
            row = codes.get(mark.code_id, {"name": "?", "colour": "#888888"})
            label = Text()
            label.append("■ ", style=row["colour"])
            label.append(row["name"], style="bold")
            label.append(f" · {mark.coder} · “{_short(self.text[mark.start:mark.end], 40)}”",
                         style="dim")
            items.append(PickItem(mark, label, f"{row['name']} {mark.coder}"))
        self.app.push_screen(FuzzyPicker(purpose, items),
                             lambda choice: then(choice) if choice is not None else None)

    def action_remove_coding(self) -> None:
        """Remove a coding under the cursor (undoable)."""
        def remove(mark: CodingMark | None) -> None:
            if mark is None:
                self.notify("No coding under the cursor.", severity="warning", timeout=2)
                return
            if self.wb.attempt(codings.remove_coding, self.project, mark.id)[0]:
                self._after_change("Coding removed (ctrl+z undoes).")

        self._choose_coding("Remove which coding?", remove)

    def action_memo(self) -> None:
        """Write a memo on the coding under the cursor (or on the document)."""
        if self.document_id is None:
            return

        def write(mark: CodingMark | None) -> None:
            if mark is None:
                self._document_memo()
                return
            name = next((r["name"] for r in self.code_rows if r["id"] == mark.code_id), "")
            quote = _short(self.text[mark.start:mark.end], 70)

            def save(text: str | None) -> None:
                if text is None:
                    return
                if self.wb.attempt(codings.set_memo, self.project, mark.id, text.strip())[0]:
                    self._after_change("Memo saved on the coding.")

            self.app.push_screen(TextDialog(f"Memo on coding {name}", mark.memo,
                                            hint=f"“{quote}”"), save)

        self._choose_coding("Memo on which coding?", write)

    def _document_memo(self) -> None:
        def save(text: str | None) -> None:
            if text and text.strip():
                if self.wb.attempt(memos.add_memo, self.project, text,
                                   target_type="document", target=self.document_id)[0]:
                    self._after_change("Memo saved on the document.")

        self.app.push_screen(TextDialog(f"Memo on {self.document_name}",
                                        hint="No coding under the cursor: this memo is about "
                                             "the whole document."), save)

    # ------------------------------------------------------------------ suggestions
    def _current_suggestion(self) -> SuggestionMark | None:
        queue = self.query_one("#suggestion-queue", MarkList)
        if queue.has_focus and queue.highlighted is not None \
                and queue.highlighted < len(self._queue):
            return self._queue[queue.highlighted]
        here = self.view.suggestions_at(self.view.cursor)
        if not here and self.view.selection:
            here = self.view.suggestions_at(*self.view.selection)
        if here:
            return here[0]
        self.notify("No suggestion under the cursor; * jumps to the next one.",
                    severity="warning", timeout=3)
        return None

    def action_accept_suggestion(self) -> None:
        """Accept the suggestion under the cursor: it becomes a coding."""
        sugg = self._current_suggestion()
        if sugg is None:
            return
        if self.wb.attempt(suggestions.accept_suggestion, self.project, sugg.id)[0]:
            name = next((r["name"] for r in self.code_rows if r["id"] == sugg.code_id), "")
            self._after_change(f"Accepted: coded as {name}.", suggestions=True)

    def action_reject_suggestion(self) -> None:
        """Reject the suggestion under the cursor."""
        sugg = self._current_suggestion()
        if sugg is None:
            return
        if self.wb.attempt(suggestions.reject_suggestion, self.project, sugg.id)[0]:
            self._after_change("Suggestion rejected.", suggestions=True)

    # ------------------------------------------------------------------ search
    def action_search(self) -> None:
        """Open the search field."""
        if self.document_id is None:
            return
        search = self.query_one("#search-input", Input)
        search.display = True
        search.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "search-input":
            return
        event.stop()
        needle = event.value.strip()
        if not needle:
            self._close_search()
            return
        pattern = re.compile(r"\s+".join(re.escape(p) for p in needle.split()), re.IGNORECASE)
        matches = [m.span() for m in pattern.finditer(self.text)]
        if not matches:
            self.notify(f"'{needle}' does not occur in {self.document_name}.",
                        severity="warning", timeout=3)
            return
        previous = self.view.matches
        self.view.set_matches(matches, self.view.current_match if previous == matches else -1)
        self.action_next_match()

    def action_next_match(self) -> None:
        """Go to the next search match (wrapping around)."""
        view = self.view
        if not view.matches:
            self.action_search()
            return
        after = [i for i, (s, _) in enumerate(view.matches) if s > view.cursor]
        index = after[0] if after else 0
        view.set_matches(view.matches, index)
        view.move_to(view.matches[index][0], scroll="center")
        self._update_status()

    def _close_search(self) -> None:
        search = self.query_one("#search-input", Input)
        search.display = False
        self.view.focus()

    def on_key(self, event) -> None:
        if event.key == "escape" and self.query_one("#search-input", Input).has_focus:
            event.stop()
            self._close_search()

    # ------------------------------------------------------------------ documents
    def action_open_document(self) -> None:
        """Choose a document to open."""
        rows = self.project.rows(
            "SELECT d.id, d.name, d.kind, d.word_count, p.label AS participant "
            "FROM documents d LEFT JOIN participants p ON p.id = d.participant_id "
            "ORDER BY d.name")
        if not rows:
            self.notify("The project has no documents yet; import some on the Project "
                        "screen (F2, then i).", severity="warning")
            return
        items = []
        for row in rows:
            label = Text(row["name"], style="bold")
            label.append(f"  {row['kind'].replace('_', ' ')} · {row['word_count']} words"
                         + (f" · {row['participant']}" if row["participant"] else ""),
                         style="dim")
            items.append(PickItem(row["id"], label, row["name"]))

        def chosen(doc_id: Any) -> None:
            if doc_id is not None:
                self.open_document(int(doc_id))

        self.app.push_screen(FuzzyPicker("Open a document", items, initial=self.document_id),
                             chosen)
