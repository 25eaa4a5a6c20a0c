"""The query screen: boolean retrieval over codes, with filters, for the whole project.

At the top, one line takes the query (``tillid AND (konflikt OR risiko) AND NOT vision``) and,
after it, filters as ``key=value`` words (``cycle=2 sector=municipality within=segment``);
Enter runs it. Below, the count and the hits: document, speaker (role, sector), codes, and the
quote in its context. Enter or o opens a hit on the coding screen with the passage selected.

The query runs in a thread worker with a connection of its own, kept for the life of the
screen: the core keeps each code's codings as arrays on the connection between queries (see
``workbench.core.coding_index``), so the second broad query is much quicker than the first.
The list draws only the hits in view, so 5,000 hits scroll as lightly as five.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.cache import LRUCache
from textual.events import Click, Resize
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from workbench.core import codebook
from workbench.core.retrieval import WITHIN, Hit
from workbench.core.store import Project
from workbench.errors import InvalidInput, WorkbenchError
from workbench.tui.screens.base import WorkbenchScreen

# The filters a query line may carry, as ``key=value`` words (the options of
# ``workbench retrieve``); a key given twice means either value.
FILTER_KEYS = ("within", "case", "cycle", "kind", "sector", "role", "participant", "coder",
               "document")
HISTORY_SIZE = 50

_QUOTED = re.compile(r"\"[^\"]*\"|»[^«]*«|„[^“”]*[“”]|“[^”]*”|”[^”]*”|'[^']*'")
_FILTER = re.compile(r"(?P<key>[^\s=()\"'»«„“”]+)=(?P<value>\"[^\"]*\"|»[^«]*«|„[^“”]*[“”]"
                     r"|“[^”]*”|'[^']*'|[^\s)]*)")
_NEWLINES = re.compile(r"[ \t]*\n\s*")
_SPACES = re.compile(r"[ \t\r\f\v]+")


# ------------------------------------------------------------------------------ the request
@dataclass(frozen=True)
class QueryRequest:
    """One query line, split into the boolean query and its filters.

    Attributes:
        line: the line as typed (what the history keeps).
        query: the boolean query over codes.
        within: "overlap" or "segment".
        filters: (key, values) for the other filters, in the order first given.
    """

    line: str
    query: str
    within: str = "overlap"
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def retrieve_options(self) -> dict[str, Any]:
        """Keyword arguments for :func:`workbench.core.retrieval.retrieve`."""
        return {"within": self.within, **{key: values for key, values in self.filters}}

    def describe(self) -> str:
        """The filters in words, for the count line ("overlap · cycle 2 · sector region")."""
        parts = [self.within]
        parts += [f"{key} {' or '.join(values)}" for key, values in self.filters]
        return " · ".join(parts)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] in "\"'»„“”" and value[-1] in "\"'«“”":
        return value[1:-1].strip()
    return value


def parse_request(line: str) -> QueryRequest:
    """Split a query line into the boolean query and its ``key=value`` filters.

    Quoted code names are left alone, so a code named ``"a=b"`` stays part of the query.
    Values with spaces are quoted: ``case="Sammen om Ældre"``.

    Raises:
        InvalidInput: an unknown filter key, a filter without a value, a bad ``within``, or no
            query left once the filters are taken out.
    """
    query_parts: list[str] = []
    found: dict[str, list[str]] = {}
    at, n = 0, len(line)
    while at < n:
        quoted = _QUOTED.match(line, at)
        if quoted:
            query_parts.append(quoted.group())
            at = quoted.end()
            continue
        word_start = at == 0 or line[at - 1].isspace() or line[at - 1] == "("
        matched = _FILTER.match(line, at) if word_start else None
        if matched:
            key = matched.group("key").casefold()
            value = _unquote(matched.group("value"))
            if key not in FILTER_KEYS:
                raise InvalidInput(f"'{matched.group('key')}=' is not a filter; use "
                                   f"{', '.join(k + '=' for k in FILTER_KEYS)}.")
            if not value:
                raise InvalidInput(f"The filter '{key}=' has no value; write it as e.g. "
                                   f"{_example(key)}.")
            found.setdefault(key, []).append(value)
            query_parts.append(" ")
            at = matched.end()
            continue
        query_parts.append(line[at])
        at += 1
    within_values = found.pop("within", ["overlap"])
    within = within_values[-1].casefold()
    if within not in WITHIN:
        raise InvalidInput(f"'within={within_values[-1]}' is not a way to combine codes; use "
                           "within=overlap or within=segment.")
    query = " ".join("".join(query_parts).split())
    if not query:
        raise InvalidInput("The line holds filters but no query over codes; start it with "
                           "one, e.g. 'tillid AND konflikt cycle=2'.")
    filters = tuple((key, tuple(values)) for key, values in found.items())
    return QueryRequest(line.strip(), query, within, filters)


def _example(key: str) -> str:
    return {"within": "within=segment", "case": 'case="Sammen om Ældre"', "cycle": "cycle=2",
            "kind": "kind=interview", "sector": "sector=municipality",
            "role": "role=overlæge", "participant": "participant=P03", "coder": "coder=anna",
            "document": "document=P01"}[key]


def toggled_within(line: str) -> str:
    """The line with ``within=segment`` added, or any ``within=`` filter taken out."""
    kept = [word for word in line.split(" ") if not word.casefold().startswith("within=")]
    if len(kept) != len(line.split(" ")):
        return " ".join(w for w in kept if w)
    return f"{line.rstrip()} within=segment"


class QueryDone(Message):
    """A query worker finished: ``hits`` when it ran, else ``error`` (one sentence)."""

    def __init__(self, serial: int, request: QueryRequest, hits: list[Hit] | None = None,
                 error: str = "") -> None:
        super().__init__()
        self.serial = serial
        self.request = request
        self.hits = hits
        self.error = error


class QueryConnection:
    """The screen's own connection for queries, used by one worker thread at a time.

    The core keeps what it read (codings per code, segments, texts) on the connection, so
    keeping one connection for the session is what makes repeated queries quick. The lock
    makes a newer query wait for an older one still running (a thread cannot be stopped).
    """

    def __init__(self, path: Path, coder: str | None) -> None:
        self.path = path
        self.coder = coder
        self.lock = threading.Lock()
        self._project: Project | None = None

    def project(self) -> Project:
        """The connection, opened on first use (call with the lock held)."""
        if self._project is None:
            self._project = Project.open(self.path, coder=self.coder)
        return self._project

    def close(self) -> None:
        """Close the connection unless a query is still using it."""
        if self.lock.acquire(blocking=False):
            try:
                if self._project is not None:
                    self._project.close()
                    self._project = None
            finally:
                self.lock.release()


# ------------------------------------------------------------------------------ the hit list
def _flat(text: str) -> str:
    """One line: a line break becomes ¶ (a turn or paragraph ends), runs of spaces one."""
    return _SPACES.sub(" ", _NEWLINES.sub(" ¶ ", text))


def _wrap(text: Text, width: int, most: int, console: Any) -> list[Text]:
    """The first ``most`` lines of ``text`` wrapped at spaces to ``width`` cells.

    Greedy wrapping on the plain string is several times quicker than Rich's, which matters
    when a page of hits is drawn; text with characters wider than one cell goes to Rich.
    """
    plain = text.plain
    if cell_len(plain) != len(plain):
        return list(text.wrap(console, width, overflow="fold"))[:most]
    cuts: list[int] = []
    at, end = 0, len(plain)
    while end - at > width and len(cuts) < most:
        space = plain.rfind(" ", at, at + width + 1)
        cut = space + 1 if space > at else at + width  # a word longer than a line is folded
        cuts.append(cut)
        at = cut
    return list(text.divide(cuts))[:most]


class HitList(ScrollView, can_focus=True):
    """The hits, each a heading line and a few lines of quote in context; only the hits in
    view are drawn."""

    COMPONENT_CLASSES = {"hit-list--heading", "hit-list--heading-row", "hit-list--number",
                         "hit-list--who", "hit-list--quote", "hit-list--context",
                         "hit-list--marker", "hit-list--highlight", "hit-list--empty"}

    DEFAULT_CSS = """
    HitList {
        background: $surface;
        color: $foreground;
        scrollbar-size-vertical: 1;
        overflow-y: scroll;
        overflow-x: hidden;
    }
    HitList > .hit-list--heading { text-style: bold; }
    HitList > .hit-list--heading-row { background: $boost; }
    HitList > .hit-list--number { color: $text-muted; }
    HitList > .hit-list--who { color: $text-accent; }
    HitList > .hit-list--quote { color: $foreground; }
    HitList > .hit-list--context { color: $text-muted; }
    HitList > .hit-list--marker { color: $accent; }
    HitList > .hit-list--highlight { background: $accent 25%; }
    HitList:focus > .hit-list--highlight { background: $accent 50%; }
    HitList > .hit-list--empty { color: $text-muted; text-style: italic; }
    """

    BINDINGS = [
        Binding("up", "move(-1)", "Previous hit", show=False),
        Binding("down", "move(1)", "Next hit", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "edge(-1)", "First hit", show=False),
        Binding("end", "edge(1)", "Last hit", show=False),
    ]

    class Chosen(Message):
        """A hit was chosen with the mouse (a click on the highlighted hit)."""

        def __init__(self, hit_list: HitList, index: int) -> None:
            super().__init__()
            self.hit_list = hit_list
            self.index = index

        @property
        def control(self) -> HitList:
            """The list the hit is in."""
            return self.hit_list

    class LeftTop(Message):
        """Up was pressed on the first hit (the screen moves to the query line)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.hits: Sequence[Hit] = ()
        self.highlighted = 0
        self.text_lines = 2
        self.colours: dict[str, str] = {}
        self.placeholder = ""
        self._cache: LRUCache[tuple[int, int, int], list[Strip]] = LRUCache(256)
        self._styles: dict[str, Style] = {}

    # ------------------------------------------------------------------ content
    @property
    def item_height(self) -> int:
        """Lines per hit: the heading and the quote lines."""
        return 1 + self.text_lines

    def set_hits(self, hits: Sequence[Hit], *, highlighted: int = 0,
                 placeholder: str = "") -> None:
        """Show new hits (highlighting one) or, with none, the placeholder."""
        self.hits = hits
        self.placeholder = placeholder
        self.highlighted = max(0, min(highlighted, len(hits) - 1))
        self._cache.clear()
        self.virtual_size = Size(0, len(hits) * self.item_height)
        self.refresh()
        self.call_after_refresh(self._scroll_to_highlight, True)

    def set_colours(self, colours: dict[str, str]) -> None:
        """Code colours by code name (for the marks before code names)."""
        if colours != self.colours:
            self.colours = dict(colours)
            self._cache.clear()
            self.refresh()

    @property
    def current(self) -> Hit | None:
        """The highlighted hit."""
        return self.hits[self.highlighted] if self.hits else None

    def on_resize(self, event: Resize) -> None:
        lines = 3 if self.size.height >= 30 else 2
        if lines != self.text_lines:
            self.text_lines = lines
            self.virtual_size = Size(0, len(self.hits) * self.item_height)
        self._cache.clear()
        self._styles.clear()
        self._scroll_to_highlight()

    # ------------------------------------------------------------------ drawing
    def notify_style_update(self) -> None:
        super().notify_style_update()
        # A theme or CSS change: every kept style and drawn hit is stale.
        self._styles.clear()
        self._cache.clear()

    def _style(self, name: str) -> Style:
        """A component's style; a text style keeps no background, so that the heading row's
        or the highlight's shows through it."""
        style = self._styles.get(name)
        if style is None and name == "base":
            style = self._styles[name] = self.rich_style  # worked out anew on each call
        if style is None:
            style = self.get_component_rich_style(f"hit-list--{name}")
            if name not in ("heading-row", "highlight", "empty"):
                style = Style(color=style.color, bold=style.bold, italic=style.italic,
                              underline=style.underline)
            self._styles[name] = style
        return style

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width or self.size.width
        base = self._style("base")
        if not self.hits:
            if y == 1 and self.placeholder:
                text = Text("  " + self.placeholder, style=self._style("empty"))
                text.truncate(width, overflow="ellipsis")
                return Strip(list(text.render(self.app.console))).adjust_cell_length(
                    width, base)
            return Strip.blank(width, base)
        row = int(self.scroll_y) + y
        index, line = divmod(row, self.item_height)
        if index >= len(self.hits):
            return Strip.blank(width, base)
        key = (index, width, self.text_lines)
        lines = self._cache.get(key)
        if lines is None:
            lines = self._cache[key] = self._render_hit(index, width - 2)
        mine = index == self.highlighted
        marker = self._style("marker")
        if line == 0:
            # The heading row has a background of its own, the highlight's when highlighted;
            # its cached segments have none, so it shows through.
            row = base + self._style("highlight" if mine else "heading-row")
            segment = Segment("▌ " if mine else "  ", marker if mine else None)
            return Strip([segment, *lines[0]], width).apply_style(row)
        return Strip([Segment("▌ " if mine else "  ", base + marker if mine else base),
                      *lines[line]], width)

    def _render_hit(self, index: int, width: int) -> list[Strip]:
        """The hit's lines (heading, then quote in context), ``width`` cells each."""
        hit = self.hits[index]
        base = self._style("base")
        console = self.app.console
        heading = self._heading(index, hit, width)
        lines = [Strip(list(heading.render(console))).adjust_cell_length(width)]
        body_width = max(10, width - 2)
        body = self._body(hit, body_width)
        wrapped = _wrap(body, body_width, self.text_lines + 1, console)
        shown = wrapped[:self.text_lines]
        if len(wrapped) > self.text_lines and shown:
            last = shown[-1]
            last.rstrip()
            if last.cell_len > body_width - 2:
                # Make room for the ellipsis at a space rather than inside a word.
                space = last.plain.rfind(" ", 0, body_width - 1)
                last.truncate(space if space > body_width // 2 else body_width - 2)
                last.rstrip()
            last.append(" …", style=self._style("context"))
        for part in shown:
            part.rstrip()
            segments = [Segment("  ", base), *part.render(console)]
            lines.append(Strip(segments).adjust_cell_length(width, base).apply_style(base))
        while len(lines) < self.item_height:
            lines.append(Strip.blank(width, base))
        return lines

    def _heading(self, index: int, hit: Hit, width: int) -> Text:
        """Number, document and speaker on the left, the codes on the right."""
        left = Text(no_wrap=True, end="")
        left.append(f"{index + 1:>{len(str(len(self.hits)))}} ", style=self._style("number"))
        left.append(hit.document, style=self._style("heading"))
        who = hit.who_speaks()
        if who:
            left.append(" · ")
            left.append(who, style=self._style("who"))
        right = Text(no_wrap=True, end="")
        for name in hit.codes:
            if right:
                right.append(" ")
            right.append("■ ", style=self.colours.get(name, ""))
            right.append(name)
        if left.cell_len + 2 + right.cell_len > width:
            room_left = max(min(left.cell_len, width // 2), width - right.cell_len - 2)
            left.truncate(room_left, overflow="ellipsis")
            right.truncate(max(0, width - left.cell_len - 2), overflow="ellipsis")
        gap = max(1, width - left.cell_len - right.cell_len)
        return left + Text(" " * gap) + right

    def _body(self, hit: Hit, width: int) -> Text:
        """The quote, bright, in its context, dimmed; the context before it is cut so that
        the quote starts on the first line when it would not fit otherwise."""
        context = self._style("context")
        before, quote, after = _flat(hit.before), _flat(hit.text), _flat(hit.after)
        room = width * self.text_lines
        cut = hit.more_before
        if len(before) + len(quote) > room - 4 and len(before) > width // 3:
            keep = before[-(width // 3):]
            space = keep.find(" ")
            before = keep[space + 1:] if 0 <= space < len(keep) - 1 else keep
            cut = True
        # What cannot be shown is not laid out (a quote may be a whole page).
        most = room + width
        quote = quote[:most]
        after = after[:max(0, most - len(before) - len(quote))]
        body = Text(end="")
        if cut:
            body.append("… ", style=context)
        body.append(before.lstrip(), style=context)
        body.append(quote, style=self._style("quote"))
        body.append(after.rstrip(), style=context)
        if hit.more_after:
            body.append(" …", style=context)
        return body

    # ------------------------------------------------------------------ moving
    def _scroll_to_highlight(self, top: bool = False) -> None:
        if not self.hits:
            self.scroll_to(y=0, animate=False)
            return
        height = max(1, self.scrollable_content_region.height)
        first = self.highlighted * self.item_height
        last = first + self.item_height - 1
        y = int(self.scroll_y)
        if top and not y <= first <= last < y + height:
            self.scroll_to(y=max(0, first - self.item_height), animate=False)
        elif first < y:
            self.scroll_to(y=first, animate=False)
        elif last >= y + height:
            self.scroll_to(y=last - height + 1, animate=False)

    def move_to(self, index: int) -> None:
        """Highlight a hit and bring it into view."""
        if not self.hits:
            return
        index = max(0, min(index, len(self.hits) - 1))
        if index != self.highlighted:
            self.highlighted = index
            self.refresh()
        self._scroll_to_highlight()

    def action_move(self, step: int) -> None:
        """Move the highlight by ``step`` hits."""
        if step < 0 and self.highlighted == 0:
            self.post_message(self.LeftTop())
            return
        self.move_to(self.highlighted + step)

    def action_page(self, direction: int) -> None:
        """Move the highlight by a screenful of hits."""
        per_page = max(1, self.scrollable_content_region.height // self.item_height)
        self.move_to(self.highlighted + direction * per_page)

    def action_edge(self, direction: int) -> None:
        """Highlight the first or the last hit."""
        self.move_to(0 if direction < 0 else len(self.hits) - 1)

    def on_click(self, event: Click) -> None:
        if not self.hits:
            return
        index = (int(self.scroll_y) + event.y) // self.item_height
        if not 0 <= index < len(self.hits):
            return
        if index == self.highlighted:
            self.post_message(self.Chosen(self, index))
        else:
            self.move_to(index)


# ------------------------------------------------------------------------------ the query line
class QueryInput(Input):
    """The query line; up and down bring back the queries run before in this session."""

    BINDINGS = [
        Binding("up", "history(-1)", "Earlier query", show=False),
        Binding("down", "history(1)", "Later query", show=False),
    ]

    class LeftBottom(Message):
        """Down was pressed past the newest query (the screen moves to the hits)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.history: list[str] = []
        self.position = 0
        self.draft = ""

    def remember(self, line: str) -> None:
        """Add a line to the history (once, as the newest) and start after it."""
        line = line.strip()
        if line:
            if line in self.history:
                self.history.remove(line)
            self.history.append(line)
            del self.history[:-HISTORY_SIZE]
        self.position = len(self.history)
        self.draft = ""

    def action_history(self, step: int) -> None:
        """Show the previous (step -1) or next (step 1) query of the session."""
        if self.position == len(self.history):
            self.draft = self.value
        target = self.position + step
        if target > len(self.history):
            self.post_message(self.LeftBottom())
            return
        if target < 0:
            return
        self.position = target
        self.value = self.history[target] if target < len(self.history) else self.draft
        self.cursor_position = len(self.value)


# ------------------------------------------------------------------------------ the screen
HINT = ("Type a query over codes and press Enter, e.g. tillid AND konflikt, "
        "trust AND NOT vision, \"ledelse på tværs\" cycle=2.")


class QueryScreen(WorkbenchScreen):
    """Find the coded passages whose codes satisfy a boolean query."""

    STYLESHEET = "query.tcss"  # loaded once by the app, see WorkbenchApp.CSS_PATH
    SCREEN_TITLE = "Query"
    HELP_SUMMARY = (
        "Boolean retrieval over codes: AND, OR, NOT, brackets, quoted names (\"ledelse på "
        "tværs\"); a code includes its sub-codes. Filters follow the query as key=value: "
        "within=segment (same turn or paragraph, not overlapping text), case=, cycle=, kind=, "
        "sector=, role=, participant=, coder=, document= (quote values with spaces; a key "
        "twice means either). Enter runs it; ↑/↓ in the query line bring back earlier "
        "queries, ↓ past the newest moves to the hits; ↑↓, page keys, home and end move "
        "in the hits.")

    BINDINGS = [
        Binding("enter,o", "open_hit", "Open"),
        Binding("slash,ctrl+l", "focus_query", "Query"),
        Binding("w", "toggle_within", "Overlap/segment"),
        Binding("x", "app.export", "Export…"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.request: QueryRequest | None = None
        self.hits: list[Hit] = []
        self.running = False
        self._serial = 0
        self._started = 0.0
        self._focus_hits = False
        # The hit highlighted when the query runs again: (document id, start, index).
        self._keep: tuple[int, int, int] | None = None
        self._connection: QueryConnection | None = None

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        query_input = QueryInput(placeholder="tillid AND (konflikt OR risiko) cycle=2",
                                 id="query-input")
        query_input.border_title = "Query"
        yield query_input
        yield Static(HINT, id="query-status", markup=False)
        yield HitList(id="query-hits")
        yield from self.compose_footer()

    @property
    def hit_list(self) -> HitList:
        """The list of hits."""
        return self.query_one("#query-hits", HitList)

    @property
    def query_input(self) -> QueryInput:
        """The query line."""
        return self.query_one("#query-input", QueryInput)

    def on_mount(self) -> None:
        self._connection = QueryConnection(self.project.path, self.project.coder)
        self._warm_up(self._connection)
        self._update_help_line()
        self.query_input.focus()

    def on_unmount(self) -> None:
        if self._connection is not None:
            self._connection.close()

    def on_resize(self) -> None:
        # WorkbenchScreen.on_resize runs too (Textual calls the handlers of every base class).
        self._update_help_line()

    def _update_help_line(self) -> None:
        width = self.app.size.width
        if width >= 140:
            line = ("Enter runs · ↑↓ earlier queries · filters: within=segment case=… cycle=2 "
                    "kind=… sector=… role=… participant=… coder=… document=…")
        elif width >= 100:
            line = "Enter runs · ↑↓ history · filters: within=segment cycle=2 sector=… coder=…"
        else:
            line = "Enter runs · ↑↓ history · key=value filters (F1)"
        self.query_input.border_subtitle = line

    # ------------------------------------------------------------------ loading
    def load(self) -> None:
        """Reload the code colours and run the current query again (the project changed)."""
        self.hit_list.set_colours({code.name: code.colour for code in
                                   codebook.list_codes(self.project) if code.colour})
        if self.request is not None:
            current = self.hit_list.current
            self._keep = ((current.document_id, current.start, self.hit_list.highlighted)
                          if current else None)
            self._run(self.request, quietly=True)

    @work(thread=True, group="query-warm-up")
    def _warm_up(self, connection: QueryConnection) -> None:
        """Load numpy and open the query connection before the first query needs them."""
        from workbench.core.retrieval import load_arrays

        with connection.lock:
            load_arrays()
            try:
                connection.project()
            except (WorkbenchError, sqlite3.Error):
                pass  # the first query reports it

    def _run(self, request: QueryRequest, *, quietly: bool = False) -> None:
        """Start the query in a worker (``quietly``: the old count stays until it is done)."""
        assert self._connection is not None
        self._serial += 1
        self._started = time.perf_counter()
        self.running = True
        if not quietly:
            self._status(Text("Searching …", style="dim"))
        self._query_worker(self._connection, request, self._serial)

    @work(thread=True, exclusive=True, group="query")
    def _query_worker(self, connection: QueryConnection, request: QueryRequest,
                      serial: int) -> None:
        """Run the query with the screen's connection; only posts a message."""
        from workbench.core.retrieval import retrieve

        worker = get_current_worker()
        with connection.lock:
            if worker.is_cancelled:
                return
            try:
                hits = retrieve(connection.project(), request.query,
                                **request.retrieve_options())
            except WorkbenchError as exc:
                self.post_message(QueryDone(serial, request, error=str(exc)))
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                self.post_message(QueryDone(serial, request, error=(
                    "The project file is busy (another program is writing to it); press "
                    "Enter to run the query again in a moment.")))
                return
        if not worker.is_cancelled:
            self.post_message(QueryDone(serial, request, hits))

    def on_query_done(self, message: QueryDone) -> None:
        if message.serial != self._serial:
            return  # a newer query is on its way
        self.running = False
        keep, self._keep = self._keep, None
        focus_hits, self._focus_hits = self._focus_hits, False
        if message.hits is None:
            self.hits = []
            self.hit_list.set_hits([], placeholder="No passages: the query needs fixing "
                                                   "(see the line above).")
            self._status(Text(f"✗ {message.error}", style="bold red"))
            return
        self.hits = message.hits
        index = 0
        if keep is not None:
            # The same passage if it is still there, else the same place in the list.
            index = next((i for i, h in enumerate(self.hits)
                          if (h.document_id, h.start) == keep[:2]), keep[2])
        self.hit_list.set_hits(self.hits, highlighted=index,
                               placeholder=f"No passages match {message.request.query}.")
        elapsed = time.perf_counter() - self._started
        self._status(self._count_line(message.request, elapsed))
        if focus_hits and self.hits and self.query_input.has_focus \
                and self.query_input.value.strip() == message.request.line:
            self.hit_list.focus()

    def _count_line(self, request: QueryRequest, seconds: float) -> Text:
        count = len(self.hits)
        documents = len({h.document_id for h in self.hits})
        line = Text()
        line.append(f"{count:,} passage{'' if count == 1 else 's'}", style="bold")
        line.append(f" in {documents:,} document{'' if documents == 1 else 's'}")
        line.append(f" · {seconds * 1000:,.0f} ms", style="dim")
        line.append(f" · {request.describe()}", style="dim")
        line.append(f" · {request.query}", style="dim italic")
        return line

    def _status(self, text: Text) -> None:
        status = self.query_one("#query-status", Static)
        text.no_wrap = True
        text.overflow = "ellipsis"
        status.update(text)

    # ------------------------------------------------------------------ running queries
    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "query-input":
            return
        event.stop()
        self.run_line(event.value)

    def run_line(self, line: str, *, focus_hits: bool = True) -> None:
        """Run a query line (query and filters); errors go to the status line."""
        if not line.strip():
            self._status(Text(HINT, style="dim"))
            return
        self.query_input.remember(line)
        try:
            request = parse_request(line)
        except WorkbenchError as exc:
            self._serial += 1  # a query still running is no longer wanted
            self.request = None
            self.hits = []
            self.hit_list.set_hits([], placeholder="No passages: the query needs fixing "
                                                   "(see the line above).")
            self._status(Text(f"✗ {exc}", style="bold red"))
            return
        self.request = request
        self._focus_hits = focus_hits
        self._keep = None
        self._run(request)

    # ------------------------------------------------------------------ actions
    def action_focus_query(self) -> None:
        """Go to the query line."""
        self.query_input.focus()
        self.query_input.cursor_position = len(self.query_input.value)

    def action_open_hit(self) -> None:
        """Open the highlighted passage on the coding screen, selected."""
        hit = self.hit_list.current
        if hit is None:
            self.notify("No passage to open; run a query first.", severity="warning",
                        timeout=3)
            return
        self.wb.open_document(hit.document_id, selection=(hit.start, hit.end))

    def action_toggle_within(self) -> None:
        """Switch between overlapping codes and codes in the same turn or paragraph."""
        # The query of the hits shown, not a half-typed line that was never run.
        line = self.request.line if self.request is not None else self.query_input.value
        if not line.strip():
            return
        self.query_input.value = toggled_within(line)
        self.run_line(self.query_input.value, focus_hits=False)

    def on_hit_list_chosen(self, event: HitList.Chosen) -> None:
        event.stop()
        self.action_open_hit()

    def on_hit_list_left_top(self, event: HitList.LeftTop) -> None:
        event.stop()
        self.action_focus_query()

    def on_query_input_left_bottom(self, event: QueryInput.LeftBottom) -> None:
        event.stop()
        if self.hits:
            self.hit_list.focus()

    def export_query(self) -> str:
        """The query line of the hits shown, filters and all, for the export dialog."""
        return self.request.line if self.request is not None else ""
