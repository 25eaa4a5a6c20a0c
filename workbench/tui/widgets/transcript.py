"""The transcript view: a document drawn line by line, with codings, suggestions and a cursor.

Only the visible lines are rendered (Textual's Line API on a ScrollView), so a 20,000-word
interview opens and scrolls as fast as a short one. The widget owns reading and selecting:
moving by line, word, sentence, paragraph, turn, coding and suggestion, searching, and
selecting with the keyboard or a mouse drag. Coding itself is the screen's job: the widget
posts messages and the screen calls the core.

Coded text gets the background colour of its innermost code; text under two or more codes is
also underlined, and the margin on the right draws one coloured bar per coding, in lanes, so
overlapping codings stay readable. Open suggestions are shown in italics in their code's
colour with the evidence words bold, and a "?" in the margin.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.cache import LRUCache
from textual.color import Color
from textual.events import Click, MouseDown, MouseMove, MouseUp, Resize
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from workbench.core.documents import INTERVIEWER_LABELS
from workbench.core.suggestions import evidence_spans
from workbench.tui.widgets.layout import Block, Layout, Line

_WORD = re.compile(r"\w+(?:[-'’]\w+)*")
# Characters that do not take exactly one cell (East Asian wide, emoji, combining, zero width).
_NOT_ONE_CELL = re.compile("[\u0300-\u036f\u1100-\u115f\u200b-\u200f\u2e80-\ua4cf"
                           "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60"
                           "\uffe0-\uffe6\U0001f000-\U0001faff]")
_OVERLAP = Style(underline=True)
_SUGGESTED = Style(italic=True)
_EVIDENCE = Style(bold=True, underline=True)
_REVERSE = Style(reverse=True)
_BOLD = Style(bold=True)


@dataclass(frozen=True, slots=True)
class CodingMark:
    """A coding as the view draws it."""

    id: int
    start: int
    end: int
    code_id: int
    coder: str = ""
    memo: str = ""
    origin: str = "manual"


@dataclass(frozen=True, slots=True)
class SuggestionMark:
    """An open suggestion as the view draws it: its evidence as stored, and as words."""

    id: int
    start: int
    end: int
    code_id: int
    score: float = 1.0
    evidence: tuple = ()
    words: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CodeLook:
    """What the view needs to know about a code: name and colour."""

    name: str
    colour: str


class _Spans:
    """Intervals sorted by start, with a fast "which overlap [a, b)" query."""

    def __init__(self, items: Sequence, start: Callable = lambda i: i.start,
                 end: Callable = lambda i: i.end) -> None:
        self.items = sorted(items, key=lambda i: (start(i), -end(i)))
        self._start, self._end = start, end
        self.starts = [start(i) for i in self.items]
        self.longest = max((end(i) - start(i) for i in self.items), default=0)

    def overlapping(self, a: int, b: int) -> list:
        """Items with start < b and end > a (an empty range [a, a) asks about point a)."""
        b = max(b, a + 1)
        lo = bisect.bisect_left(self.starts, a - self.longest)
        hi = bisect.bisect_left(self.starts, b)
        end = self._end
        return [item for item in self.items[lo:hi] if end(item) > a]

    def __len__(self) -> int:
        return len(self.items)


class TranscriptView(ScrollView, can_focus=True):
    """A document with speaker turns, coded spans, suggestions, a cursor and a selection."""

    ALLOW_SELECT = False  # a drag selects a passage to code, not screen text to copy

    COMPONENT_CLASSES = {
        "transcript--speaker", "transcript--interviewer", "transcript--time",
        "transcript--gap", "transcript--heading", "transcript--match",
        "transcript--current-match", "transcript--cursor-marker", "transcript--margin",
        "transcript--placeholder",
    }

    DEFAULT_CSS = """
    TranscriptView {
        background: $surface;
        color: $foreground;
        scrollbar-size-vertical: 1;
        /* Always the same text width: lines are wrapped, never scrolled sideways, and the
           scroll bar does not come and go with the document's length. */
        overflow-y: scroll;
        overflow-x: hidden;
    }
    TranscriptView > .transcript--speaker { color: $accent; text-style: bold; }
    TranscriptView > .transcript--interviewer { color: $text-muted; text-style: bold; }
    TranscriptView > .transcript--time { color: $text-muted; }
    TranscriptView > .transcript--gap { color: $text-muted; text-style: italic; }
    TranscriptView > .transcript--heading { text-style: bold underline; }
    TranscriptView > .transcript--match { background: $warning 40%; }
    TranscriptView > .transcript--current-match { background: $warning; color: $background; }
    TranscriptView > .transcript--cursor-marker { color: $accent; }
    TranscriptView > .transcript--margin { color: $text-muted; }
    TranscriptView > .transcript--placeholder { color: $text-muted; text-style: italic; }
    """

    BINDINGS = [
        Binding("up", "cursor_up", "Line up", show=False),
        Binding("down", "cursor_down", "Line down", show=False),
        Binding("left", "cursor_left", "Character left", show=False),
        Binding("right", "cursor_right", "Character right", show=False),
        Binding("ctrl+left", "word_left", "Word left", show=False),
        Binding("ctrl+right", "word_right", "Word right", show=False),
        Binding("home", "line_start", "Start of line", show=False),
        Binding("end", "line_end", "End of line", show=False),
        Binding("ctrl+home", "document_start", "Start of document", show=False),
        Binding("ctrl+end", "document_end", "End of document", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("[", "previous_block", "Previous turn", show=False),
        Binding("]", "next_block", "Next turn", show=False),
        Binding("(", "previous_sentence", "Previous sentence", show=False),
        Binding(")", "next_sentence", "Next sentence", show=False),
        Binding("{", "previous_paragraph", "Previous paragraph", show=False),
        Binding("}", "next_paragraph", "Next paragraph", show=False),
        Binding("<", "previous_coding", "Previous coding", show=False),
        Binding(">", "next_coding", "Next coding", show=False),
        Binding("ctrl+n", "next_uncoded", "Next uncoded turn", show=False),
        Binding("*", "next_suggestion", "Next suggestion", show=False),
        Binding("space", "select_block", "Select turn"),
        Binding(".", "select_sentence", "Select sentence", show=False),
        Binding("shift+right", "extend_word_right", "Extend by word", show=False),
        Binding("shift+left", "extend_word_left", "Shrink/extend word left", show=False),
        Binding("shift+down", "extend_sentence_down", "Extend by sentence", show=False),
        Binding("shift+up", "extend_sentence_up", "Extend sentence up", show=False),
        Binding("escape", "clear_selection", "Clear selection", show=False),
    ]

    class CursorMoved(Message):
        """The cursor or the selection changed."""

        def __init__(self, view: TranscriptView, offset: int,
                     selection: tuple[int, int] | None) -> None:
            super().__init__()
            self.view = view
            self.offset = offset
            self.selection = selection

    class KeyTyped(Message):
        """A printable key the view does not use (the screen maps code hotkeys)."""

        def __init__(self, character: str) -> None:
            super().__init__()
            self.character = character

    def __init__(self, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.text = ""
        self.blocks: list[Block] = []
        self.layout_: Layout | None = None
        self.codes: dict[int, CodeLook] = {}
        self.codings = _Spans([])
        self.suggestions = _Spans([])
        self.matches: list[tuple[int, int]] = []
        self.current_match = -1
        self.cursor = 0
        self.anchor: int | None = None
        self.placeholder = "No document is open."
        self._sentences: list[tuple[int, int]] | None = None
        self.sentence_source: Callable[[], list[tuple[int, int]]] | None = None
        self._lanes: dict[int, int] = {}
        self._lane_count = 1
        self._labels_by_row: dict[int, list[CodingMark]] = {}
        self._goal_column: int | None = None
        self._cache: LRUCache[tuple, Strip] = LRUCache(512)
        self._colour_cache: dict[Any, Any] = {}
        self._style_cache: dict[str, Style] = {}
        self._evidence_cache: dict[int, list[tuple[int, int]]] = {}
        self._exact = True
        self.gutter_width = 11
        self.lane_columns = 3
        self.label_width = 0
        self.margin_width = 5
        self._content_width = 80
        self._drawn: tuple[int, tuple[int, int] | None] = (0, None)
        self._dragging = False
        self._interviewers: set[str] = set()

    # ------------------------------------------------------------------ loading
    def load(self, text: str, blocks: list[Block], *, codes: dict[int, CodeLook],
             codings: Sequence[CodingMark] = (), suggestions: Sequence[SuggestionMark] = (),
             sentence_source: Callable[[], list[tuple[int, int]]] | None = None,
             cursor: int = 0) -> None:
        """Show a document; offsets in codings and suggestions point into ``text``."""
        self.text = text
        self._exact = _NOT_ONE_CELL.search(text) is None
        self.blocks = blocks
        self.codes = dict(codes)
        self.sentence_source = sentence_source
        self._sentences = None
        self._interviewers = {b.speaker for b in blocks
                              if b.speaker and b.speaker.strip().lower() in INTERVIEWER_LABELS}
        self.matches, self.current_match = [], -1
        self.anchor = None
        self.cursor = max(0, min(cursor, len(text)))
        self._set_codings(codings)
        self.suggestions = _Spans(suggestions)
        self._evidence_cache = {}
        self._relayout()
        self._changed(scroll="center", dirty=None)

    def set_codes(self, codes: dict[int, CodeLook]) -> None:
        """New code names or colours (after a codebook change)."""
        if codes == self.codes:
            return
        self.codes = dict(codes)
        self._colour_cache.clear()
        self._labels_by_row = self._row_labels()
        self._changed(dirty=None, scroll=None)

    def set_codings(self, codings: Sequence[CodingMark]) -> None:
        """Replace the codings drawn (after a change in the project).

        Only the lines of codings that came, went or moved to another lane are redrawn.
        """
        before = {m.id: (m.start, m.end, m.code_id, self._lanes.get(m.id))
                  for m in self.codings.items}
        self._set_codings(codings)
        after = {m.id: (m.start, m.end, m.code_id, self._lanes.get(m.id))
                 for m in self.codings.items}
        changed = set(before.items()) ^ set(after.items())
        self._changed(moved=False, scroll=None, dirty=[(s, e) for _, (s, e, *_) in changed])

    def set_suggestions(self, suggestions: Sequence[SuggestionMark]) -> None:
        """Replace the open suggestions drawn."""
        before = {(s.id, s.start, s.end, s.code_id) for s in self.suggestions.items}
        self.suggestions = _Spans(suggestions)
        after = {(s.id, s.start, s.end, s.code_id) for s in self.suggestions.items}
        self._evidence_cache = {}
        self._changed(moved=False, scroll=None,
                      dirty=[(s, e) for _, s, e, _ in before ^ after])

    def _set_codings(self, codings: Sequence[CodingMark]) -> None:
        self.codings = _Spans(codings)
        # Greedy interval colouring: overlapping codings get different lanes in the margin.
        lane_ends: list[int] = []
        lanes: dict[int, int] = {}
        for mark in self.codings.items:
            for lane, end in enumerate(lane_ends):
                if end <= mark.start:
                    lane_ends[lane] = mark.end
                    lanes[mark.id] = lane
                    break
            else:
                lanes[mark.id] = len(lane_ends)
                lane_ends.append(mark.end)
        self._lanes = lanes
        self._lane_count = max(1, len(lane_ends))
        self._labels_by_row = self._row_labels()

    def _row_labels(self) -> dict[int, list[CodingMark]]:
        if self.layout_ is None:
            return {}
        out: dict[int, list[CodingMark]] = {}
        for mark in self.codings.items:
            out.setdefault(self.layout_.row_of(mark.start), []).append(mark)
        return out

    # ------------------------------------------------------------------ geometry
    def _update_geometry(self) -> None:
        """Work out the columns from the width (once per resize, not per line drawn)."""
        width = self.scrollable_content_region.width or self.size.width or 80
        wide = width >= 110
        self.gutter_width = 15 if wide else 11
        self.lane_columns = 5 if wide else 3
        self.label_width = 18 if wide else 0
        labels = self.label_width
        self.margin_width = 1 + self.lane_columns + 1 + (labels + 1 if labels else 0)
        self._content_width = width

    def _text_width(self) -> int:
        return max(10, self._content_width - self.gutter_width - self.margin_width)

    def _relayout(self) -> None:
        self._update_geometry()
        self.layout_ = Layout(self.text, self.blocks, self._text_width())
        self._labels_by_row = self._row_labels()
        self.virtual_size = Size(0, len(self.layout_))

    def on_resize(self, event: Resize) -> None:
        self._update_geometry()
        if self.layout_ is not None and self.layout_.width != self._text_width():
            self._relayout()
            self._changed(scroll="center", moved=False, dirty=None)

    # ------------------------------------------------------------------ state changes
    def _changed(self, *, scroll: str | None = "nearest", moved: bool = True,
                 dirty: Sequence[tuple[int, int]] | None = ()) -> None:
        """Redraw after a change and tell the screen the cursor may have moved.

        Args:
            scroll: bring the cursor into view: "nearest", "center", or None (stay).
            moved: post CursorMoved.
            dirty: document spans whose lines changed; None redraws everything. The lines
                of the cursor and of the selection, before and after, are always redrawn.
        """
        layout = self.layout_
        selection = self.selection
        if dirty is None or layout is None or not layout.lines:
            self._cache.clear()
            self.refresh()
        else:
            spans = list(dirty)
            old_cursor, old_selection = self._drawn
            spans.append((old_cursor, old_cursor))
            spans.append((self.cursor, self.cursor))
            if old_selection != selection:
                spans.extend(s for s in (old_selection, selection) if s)
            self._redraw_spans(spans)
        self._drawn = (self.cursor, selection)
        if scroll and layout is not None:
            self._scroll_to_cursor(scroll)
        if moved:
            self.post_message(self.CursorMoved(self, self.cursor, selection))

    def _redraw_spans(self, spans: Sequence[tuple[int, int]]) -> None:
        """Forget the lines showing these document spans, and redraw the visible ones."""
        layout = self.layout_
        assert layout is not None
        top = int(self.scroll_y)
        bottom = top + max(1, self.scrollable_content_region.height) - 1
        rows: set[int] = set()
        for start, end in spans:
            rows.update(range(layout.row_of(start), layout.row_of(max(start, end - 1)) + 1))
        width = self._content_width
        for row in rows:
            # Off-screen lines are forgotten too: a scroll may bring them into view.
            self._cache.discard((row, width))
        for row in sorted(rows):
            if top <= row <= bottom:
                self.refresh_line(row)

    def _scroll_to_cursor(self, how: str) -> None:
        if self.layout_ is None:
            return
        row = self.layout_.row_of(self.cursor)
        height = max(1, self.scrollable_content_region.height)
        top = int(self.scroll_y)
        if how == "center" and not top <= row < top + height:
            self.scroll_to(y=max(0, row - height // 3), animate=False)
        elif row < top:
            self.scroll_to(y=row, animate=False)
        elif row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False)

    @property
    def selection(self) -> tuple[int, int] | None:
        """The selected span (start, end), or None."""
        if self.anchor is None or self.anchor == self.cursor:
            return None
        return (min(self.anchor, self.cursor), max(self.anchor, self.cursor))

    def move_to(self, offset: int, *, keep_selection: bool = False, scroll: str = "nearest",
                keep_goal: bool = False) -> None:
        """Put the cursor at ``offset`` (clearing the selection unless asked not to)."""
        self.cursor = max(0, min(offset, len(self.text)))
        if not keep_selection:
            self.anchor = None
        if not keep_goal:
            self._goal_column = None
        self._changed(scroll=scroll)

    def select(self, start: int, end: int, *, scroll: str = "nearest") -> None:
        """Select [start, end) with the cursor at the end."""
        self.anchor = max(0, min(start, len(self.text)))
        self.cursor = max(0, min(end, len(self.text)))
        self._goal_column = None
        self._changed(scroll=scroll)

    def set_matches(self, matches: list[tuple[int, int]], current: int = -1) -> None:
        """Highlight search matches; ``current`` is the index of the one at the cursor."""
        old = self.matches
        self.matches = matches
        self.current_match = current
        spans = old + matches
        self._changed(moved=False, scroll=None, dirty=None if len(spans) > 200 else spans)

    # ------------------------------------------------------------------ lookups
    def sentences(self) -> list[tuple[int, int]]:
        """Sentence spans (loaded on first use)."""
        if self._sentences is None:
            self._sentences = self.sentence_source() if self.sentence_source else []
        return self._sentences

    def block_at_cursor(self) -> Block | None:
        """The turn or paragraph the cursor is in."""
        if self.layout_ is None or not self.blocks:
            return None
        return self.blocks[self.layout_.block_at(self.cursor)]

    def codings_at(self, start: int, end: int | None = None) -> list[CodingMark]:
        """Codings overlapping [start, end) (at one offset when end is None)."""
        return self.codings.overlapping(start, start + 1 if end is None else end)

    def suggestions_at(self, start: int, end: int | None = None) -> list[SuggestionMark]:
        """Open suggestions overlapping [start, end) (at one offset when end is None)."""
        return self.suggestions.overlapping(start, start + 1 if end is None else end)

    # ------------------------------------------------------------------ rendering
    def notify_style_update(self) -> None:
        super().notify_style_update()
        # A theme or CSS change: every cached style and line is stale.
        self._style_cache.clear()
        self._colour_cache.clear()
        self._cache.clear()

    def _style(self, name: str) -> Style:
        style = self._style_cache.get(name)
        if style is None:
            if name == "base":
                style = self.rich_style
            else:
                # Resolved against this widget's background, so "auto" and alpha colours work.
                style = self._style("base") + self.get_component_rich_style(name)
            self._style_cache[name] = style
        return style

    def _background(self) -> Color:
        background = self._colour_cache.get("__background__")
        if background is None:
            background = self.background_colors[1]
            self._colour_cache["__background__"] = background
        return background  # type: ignore[return-value]

    def _code_style(self, code_id: int, kind: str) -> Style:
        look = self.codes.get(code_id)
        colour = look.colour if look else "#888888"
        key = (colour, kind)
        style = self._colour_cache.get(key)
        if style is None:
            background = self._background()
            try:
                parsed = Color.parse(colour)
            except Exception:  # an unreadable colour falls back to grey, never crashes
                parsed = Color.parse("#888888")
            dark = background.brightness < 0.5
            if kind == "background":
                mix = background.blend(parsed, 0.55 if dark else 0.4)
                style = Style(bgcolor=mix.rich_color, color=mix.get_contrast_text().rich_color)
            else:
                bright = parsed
                if dark and parsed.brightness < 0.45:
                    bright = parsed.lighten(0.25)
                elif not dark:
                    bright = parsed.darken(0.1)
                style = Style(color=bright.rich_color)
            self._colour_cache[key] = style
        return style  # type: ignore[return-value]

    def _evidence(self, sugg: SuggestionMark) -> list[tuple[int, int]]:
        spans = self._evidence_cache.get(sugg.id)
        if spans is None:
            spans = evidence_spans(self.text, sugg.start, sugg.end, list(sugg.evidence))
            self._evidence_cache[sugg.id] = spans
        return spans

    def render_line(self, y: int) -> Strip:
        row = int(self.scroll_y) + y
        width = self._content_width
        key = (row, width)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        strip = self._render_row(row, width)
        self._cache[key] = strip
        return strip

    def _render_row(self, row: int, width: int) -> Strip:
        base = self._style("base")
        layout = self.layout_
        if layout is None or not layout.lines or row >= len(layout.lines):
            if row == 1 and (layout is None or not layout.lines):
                return Strip([Segment("  " + self.placeholder,
                                      self._style("transcript--placeholder"))]
                             ).adjust_cell_length(width, base)
            return Strip.blank(width, base)
        line = layout.lines[row]
        cursor_row = layout.row_of(self.cursor)
        segments = self._gutter(line, row == cursor_row, base)
        text_width = layout.width
        if line.block < 0:
            segments.append(Segment(" " * text_width, base))
            segments.extend(self._margin(line, row, base, blank=True))
        else:
            start, end = line.start, layout.visible_end(line)
            segments.extend(self._text_segments(line, start, end, row == cursor_row, base))
            used = end - start + (1 if row == cursor_row and self.cursor >= end
                                  and self.selection is None else 0)
            if used < text_width:
                segments.append(Segment(" " * (text_width - used), base))
            segments.extend(self._margin(line, row, base))
        total = self.gutter_width + text_width + self.margin_width
        if self._exact and total == width:
            return Strip(segments, width)
        return Strip(segments).adjust_cell_length(width, base)

    def _gutter(self, line: Line, is_cursor_row: bool, base: Style) -> list[Segment]:
        width = self.gutter_width
        marker = Segment("▌" if is_cursor_row else " ", self._style("transcript--cursor-marker"))
        label, style = "", base
        if line.block >= 0:
            block = self.blocks[line.block]
            if block.kind == "turn" and line.row == 0 and block.speaker:
                label = block.speaker
                style = self._style("transcript--interviewer" if block.speaker
                                    in self._interviewers else "transcript--speaker")
            elif block.kind == "turn" and line.row == 1 and block.time:
                label, style = block.time, self._style("transcript--time")
            elif block.kind == "heading" and line.row == 0:
                label, style = "§", self._style("transcript--heading")
            elif block.kind == "quote" and line.row == 0:
                label, style = "”", self._style("transcript--time")
        room = width - 2
        if len(label) > room:
            label = label[:room - 1] + "…"
        return [marker, Segment(label.ljust(room), style), Segment(" ", base)]

    def _text_segments(self, line: Line, start: int, end: int, is_cursor_row: bool,
                       base: Style) -> list[Segment]:
        text = self.text
        block = self.blocks[line.block]
        block_style = base
        if block.kind == "gap":
            block_style = self._style("transcript--gap")
        elif block.kind == "heading":
            block_style = self._style("transcript--heading")
        selection = self.selection
        cursor = self.cursor if is_cursor_row and selection is None else None
        codings = self.codings.overlapping(start, end) if end > start else []
        suggestions = self.suggestions.overlapping(start, end) if end > start else []
        matches = self._matches_in(start, end)
        if not codings and not suggestions and not matches and cursor is None and (
                selection is None or selection[1] <= start or selection[0] >= end):
            # Most lines: plain text, one segment.
            return [Segment(text[start:end].replace("\t", " "), block_style)] \
                if end > start else []
        evidence = [span for s in suggestions for span in self._evidence(s)]
        cuts = {start, end}
        for item in codings:
            cuts.update((item.start, item.end))
        for item in suggestions:
            cuts.update((item.start, item.end))
        for a, b in evidence:
            cuts.update((a, b))
        for _, (a, b) in matches:
            cuts.update((a, b))
        if selection:
            cuts.update(selection)
        if cursor is not None:
            cuts.update((cursor, cursor + 1))
        points = sorted(c for c in cuts if start <= c <= end)
        segments: list[Segment] = []
        for a, b in zip(points, points[1:], strict=False):
            style = block_style
            covering = [c for c in codings if c.start <= a < c.end]
            if covering:
                inner = min(covering, key=lambda c: (c.end - c.start, c.id))
                style = style + self._code_style(inner.code_id, "background")
                if len({c.code_id for c in covering}) > 1:
                    style = style + _OVERLAP
            else:
                open_here = [s for s in suggestions if s.start <= a < s.end]
                if open_here:
                    style = style + self._code_style(open_here[0].code_id, "foreground") \
                        + _SUGGESTED
            if evidence and any(s <= a < e for s, e in evidence):
                style = style + _EVIDENCE
            for index, (s, e) in matches:
                if s <= a < e:
                    style = style + self._style(
                        "transcript--current-match" if index == self.current_match
                        else "transcript--match")
            if selection and selection[0] <= a < selection[1]:
                style = style + _REVERSE
            if cursor is not None and a == cursor:
                style = style + _REVERSE
            segments.append(Segment(text[a:b].replace("\t", " "), style))
        if cursor is not None and cursor >= end:
            segments.append(Segment(" ", base + _REVERSE))
        return segments

    def _matches_in(self, start: int, end: int) -> list[tuple[int, tuple[int, int]]]:
        if not self.matches:
            return []
        lo = bisect.bisect_left(self.matches, (start - 200, 0))
        out = []
        for index in range(lo, len(self.matches)):
            s, e = self.matches[index]
            if s >= end:
                break
            if e > start:
                out.append((index, (s, e)))
        return out

    def _margin(self, line: Line, row: int, base: Style, blank: bool = False) -> list[Segment]:
        segments = [Segment(" ", base)]
        lanes = self.lane_columns
        if blank:
            # Between two blocks, a bar continues only where a coding spans the gap.
            here = [c for c in self.codings.overlapping(line.start - 1, line.start + 1)
                    if c.start < line.start < c.end]
        else:
            here = self.codings.overlapping(line.start, max(line.end, line.start + 1))
        cells = [Segment(" ", base)] * lanes
        for mark in here:
            lane = self._lanes.get(mark.id, 0)
            if lane >= lanes:
                cells[-1] = Segment("+", self._style("transcript--margin"))
                continue
            cells[lane] = Segment("┃", base + self._code_style(mark.code_id, "foreground"))
        segments.extend(cells)
        sugg = [] if blank else self.suggestions.overlapping(line.start,
                                                             max(line.end, line.start + 1))
        if sugg:
            segments.append(Segment("?", base + self._code_style(sugg[0].code_id, "foreground")
                                    + _BOLD))
        else:
            segments.append(Segment(" ", base))
        if self.label_width:
            segments.append(Segment(" ", base))
            label, style = "", base
            starting = [] if blank else self._labels_by_row.get(row, [])
            if starting:
                first = starting[0]
                look = self.codes.get(first.code_id)
                label = look.name if look else "?"
                style = base + self._code_style(first.code_id, "foreground")
                if len(starting) > 1:
                    label = f"{label} +{len(starting) - 1}"
            elif sugg and sugg[0].start >= line.start:
                look = self.codes.get(sugg[0].code_id)
                label = look.name if look else "?"
                style = base + self._code_style(sugg[0].code_id, "foreground") + _SUGGESTED
            room = self.label_width
            if len(label) > room:
                label = label[:room - 1] + "…"
            segments.append(Segment(label.ljust(room), style))
        return segments

    # ------------------------------------------------------------------ keys: moving
    def _row_col(self) -> tuple[int, int]:
        assert self.layout_ is not None
        row = self.layout_.row_of(self.cursor)
        return row, self.cursor - self.layout_.lines[row].start

    def _vertical(self, rows: int, *, extend: bool = False) -> None:
        if self.layout_ is None or not self.layout_.lines:
            return
        row, column = self._row_col()
        if self._goal_column is None:
            self._goal_column = column
        step = 1 if rows > 0 else -1
        for _ in range(abs(rows)):
            row = self.layout_.next_text_row(row, step)
        goal = self._goal_column
        self.cursor = self.layout_.offset_at(row, goal)
        if not extend:
            self.anchor = None
        self._changed()

    def action_cursor_up(self) -> None:
        """Move up one line."""
        self._vertical(-1)

    def action_cursor_down(self) -> None:
        """Move down one line."""
        self._vertical(1)

    def action_page_up(self) -> None:
        """Move up one screen."""
        self._vertical(-max(1, self.scrollable_content_region.height - 1))

    def action_page_down(self) -> None:
        """Move down one screen."""
        self._vertical(max(1, self.scrollable_content_region.height - 1))

    def _horizontal(self, delta: int) -> None:
        if self.layout_ is None or not self.layout_.lines:
            return
        row, column = self._row_col()
        line = self.layout_.lines[row]
        end = self.layout_.visible_end(line)
        target = self.cursor + delta
        if target > end:
            next_row = self.layout_.next_text_row(row, 1)
            target = self.layout_.lines[next_row].start if next_row != row else end
        elif target < line.start:
            prev_row = self.layout_.next_text_row(row, -1)
            target = (self.layout_.visible_end(self.layout_.lines[prev_row])
                      if prev_row != row else line.start)
        self.move_to(target)

    def action_cursor_left(self) -> None:
        """Move one character left."""
        self._horizontal(-1)

    def action_cursor_right(self) -> None:
        """Move one character right."""
        self._horizontal(1)

    def _word_end_after(self, offset: int) -> int:
        match = _WORD.search(self.text, offset)
        return match.end() if match else len(self.text)

    def _word_start_before(self, offset: int) -> int:
        starts = [m.start() for m in _WORD.finditer(self.text, max(0, offset - 200), offset)
                  if m.start() < offset]
        return starts[-1] if starts else max(0, offset - 200) if offset > 200 else 0

    def action_word_left(self) -> None:
        """Move to the start of the previous word."""
        self.move_to(self._word_start_before(self.cursor))

    def action_word_right(self) -> None:
        """Move to the start of the next word."""
        match = _WORD.search(self.text, self._word_end_after(self.cursor))
        self.move_to(match.start() if match else len(self.text))

    def action_line_start(self) -> None:
        """Move to the start of the line."""
        if self.layout_ and self.layout_.lines:
            self.move_to(self.layout_.lines[self._row_col()[0]].start)

    def action_line_end(self) -> None:
        """Move to the end of the line."""
        if self.layout_ and self.layout_.lines:
            self.move_to(self.layout_.visible_end(self.layout_.lines[self._row_col()[0]]))

    def action_document_start(self) -> None:
        """Move to the start of the document."""
        self.move_to(self.blocks[0].start if self.blocks else 0, scroll="center")

    def action_document_end(self) -> None:
        """Move to the end of the document."""
        self.move_to(self.blocks[-1].start if self.blocks else len(self.text), scroll="center")

    def _jump(self, starts: list[int], forward: bool, what: str) -> bool:
        """Move to the next/previous of sorted ``starts``; tell the user when there is none."""
        if forward:
            i = bisect.bisect_right(starts, self.cursor)
            target = starts[i] if i < len(starts) else None
        else:
            i = bisect.bisect_left(starts, self.cursor) - 1
            target = starts[i] if i >= 0 else None
        if target is None:
            self.notify(f"No {'next' if forward else 'previous'} {what}.", timeout=2)
            return False
        self.move_to(target, scroll="center")
        return True

    def action_previous_block(self) -> None:
        """Move to the start of the previous turn or paragraph."""
        self._jump([b.start for b in self.blocks], False, "turn")

    def action_next_block(self) -> None:
        """Move to the start of the next turn or paragraph."""
        self._jump([b.start for b in self.blocks], True, "turn")

    def action_previous_sentence(self) -> None:
        """Move to the start of the previous sentence."""
        self._jump([s for s, _ in self.sentences()], False, "sentence")

    def action_next_sentence(self) -> None:
        """Move to the start of the next sentence."""
        self._jump([s for s, _ in self.sentences()], True, "sentence")

    def _paragraph_starts(self) -> list[int]:
        starts = []
        for block in self.blocks:
            starts.append(block.start)
            pos = self.text.find("\n", block.start, block.end)
            while pos != -1:
                nxt = pos + 1
                while nxt < block.end and self.text[nxt].isspace():
                    nxt += 1
                if nxt < block.end:
                    starts.append(nxt)
                pos = self.text.find("\n", nxt, block.end)
        return sorted(set(starts))

    def action_previous_paragraph(self) -> None:
        """Move to the start of the previous paragraph."""
        self._jump(self._paragraph_starts(), False, "paragraph")

    def action_next_paragraph(self) -> None:
        """Move to the start of the next paragraph."""
        self._jump(self._paragraph_starts(), True, "paragraph")

    def action_previous_coding(self) -> None:
        """Move to the start of the previous coding."""
        self._jump(sorted({c.start for c in self.codings.items}), False, "coding")

    def action_next_coding(self) -> None:
        """Move to the start of the next coding."""
        self._jump(sorted({c.start for c in self.codings.items}), True, "coding")

    def action_next_uncoded(self) -> None:
        """Move to the next turn (or paragraph) that has no coding."""
        current = self.layout_.block_at(self.cursor) if self.layout_ else -1
        for block in self.blocks[current + 1:]:
            if block.kind != "gap" and not self.codings.overlapping(block.start, block.end):
                self.move_to(block.start, scroll="center")
                return
        self.notify("No uncoded turn after the cursor.", timeout=2)

    def action_next_suggestion(self) -> None:
        """Move to the next open suggestion (wrapping to the first)."""
        starts = sorted({s.start for s in self.suggestions.items})
        if not starts:
            self.notify("This document has no open suggestions.", timeout=2)
            return
        i = bisect.bisect_right(starts, self.cursor)
        self.move_to(starts[i] if i < len(starts) else starts[0], scroll="center")

    # ------------------------------------------------------------------ keys: selecting
    def action_select_block(self) -> None:
        """Select the whole turn (or paragraph) under the cursor."""
        block = self.block_at_cursor()
        if block is not None:
            self.select(block.start, block.end)

    def _sentence_at(self, offset: int) -> tuple[int, int] | None:
        sentences = self.sentences()
        starts = [s for s, _ in sentences]
        i = bisect.bisect_right(starts, offset) - 1
        if 0 <= i < len(sentences):
            return sentences[i]
        return sentences[0] if sentences else None

    def action_select_sentence(self) -> None:
        """Select the sentence under the cursor."""
        span = self._sentence_at(self.cursor)
        if span:
            self.select(*span)

    def _start_extending(self, start: int) -> None:
        if self.anchor is None or self.anchor == self.cursor:
            self.anchor = start

    def action_extend_word_right(self) -> None:
        """Extend the selection to the end of the next word."""
        match = _WORD.search(self.text, self.cursor)
        if self.anchor is None or self.anchor == self.cursor:
            # Start from the beginning of the word the cursor is in, not from mid-word.
            start = self.cursor
            for m in _WORD.finditer(self.text, max(0, self.cursor - 60), self.cursor + 1):
                if m.start() <= self.cursor < m.end():
                    start = m.start()
            self.anchor = start
        self.cursor = match.end() if match else len(self.text)
        self._changed()

    def action_extend_word_left(self) -> None:
        """Move the selection's end back to the start of the previous word."""
        self._start_extending(self.cursor)
        self.cursor = self._word_start_before(self.cursor)
        self._changed()

    def action_extend_sentence_down(self) -> None:
        """Extend the selection to the end of the next sentence."""
        sentences = self.sentences()
        if not sentences:
            return
        if self.anchor is None or self.anchor == self.cursor:
            span = self._sentence_at(self.cursor)
            if span:
                self.select(*span)
            return
        ends = [e for _, e in sentences]
        i = bisect.bisect_right(ends, self.cursor)
        if i < len(ends):
            self.cursor = ends[i]
            self._changed()

    def action_extend_sentence_up(self) -> None:
        """Move the selection's end back to the start of the previous sentence."""
        sentences = self.sentences()
        if not sentences:
            return
        self._start_extending(self.cursor)
        starts = [s for s, _ in sentences]
        i = bisect.bisect_left(starts, self.cursor) - 1
        if i >= 0:
            self.cursor = starts[i]
            self._changed()

    def action_clear_selection(self) -> None:
        """Clear the selection and the search highlights."""
        if self.selection is None and self.matches:
            self.set_matches([])
        self.anchor = None
        self._changed(scroll=None)

    # ------------------------------------------------------------------ mouse and keys
    def _offset_at(self, x: int, y: int) -> int:
        if self.layout_ is None:
            return 0
        row = int(self.scroll_y) + y
        return self.layout_.offset_at(row, x - self.gutter_width)

    def on_mouse_down(self, event: MouseDown) -> None:
        if self.layout_ is None or event.button != 1:
            return
        self.focus()
        offset = self._offset_at(event.x, event.y)
        self.anchor = offset
        self.cursor = offset
        self._dragging = True
        self.capture_mouse()
        self._changed(scroll=None)

    def on_mouse_move(self, event: MouseMove) -> None:
        if self._dragging and self.layout_ is not None:
            offset = self._offset_at(event.x, event.y)
            if offset != self.cursor:
                self.cursor = offset
                self._changed(scroll="nearest")

    def on_mouse_up(self, event: MouseUp) -> None:
        if self._dragging:
            self._dragging = False
            self.release_mouse()
            self._changed(scroll=None)

    def on_click(self, event: Click) -> None:
        """A double click selects the sentence, a triple click the turn."""
        if self.layout_ is None or event.chain < 2:
            return
        offset = self._offset_at(event.x, event.y)
        if event.chain == 2:
            span = self._sentence_at(offset)
            if span:
                self.select(*span)
        else:
            self.cursor = offset
            self.action_select_block()

    def on_key(self, event) -> None:
        character = event.character
        if character and len(character) == 1 and character.isalnum() and event.is_printable:
            event.stop()
            event.prevent_default()
            self.post_message(self.KeyTyped(character))
