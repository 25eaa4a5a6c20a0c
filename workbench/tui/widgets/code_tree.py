"""The codebook as a tree: colour, hotkey, name and counts for each code."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode


def code_label(row: dict[str, Any], here: int | None = None) -> Text:
    """A tree label: colour swatch, hotkey, name, and counts (this document · all)."""
    label = Text()
    label.append("■ ", style=row.get("colour") or "#888888")
    hotkey = row.get("hotkey")
    label.append(f"{hotkey} " if hotkey else "  ", style="bold reverse" if hotkey else "")
    if hotkey:
        label.append(" ")
    label.append(row["name"])
    total = row.get("codings", 0)
    counts = f" {here}·{total}" if here is not None else f" {total}"
    label.append(counts, style="dim")
    return label


class CodeTree(Tree[int]):
    """A tree of codes whose nodes carry code ids; Enter asks for the code to be applied."""

    BINDINGS = [
        Binding("enter", "apply_code", "Code with this", show=False),
        Binding("space", "toggle_node", "Fold/unfold", show=False),
    ]

    class CodeChosen(Message):
        """Enter was pressed on a code."""

        def __init__(self, tree: CodeTree, code_id: int) -> None:
            super().__init__()
            self.tree = tree
            self.code_id = code_id

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("Codes", id=id, classes=classes)
        self.show_root = False
        self.guide_depth = 2
        self._code_nodes: dict[int, TreeNode[int]] = {}
        self._code_rows: dict[int, dict[str, Any]] = {}

    def populate(self, rows: Sequence[dict[str, Any]],
                 here: dict[int, int] | None = None) -> None:
        """Rebuild the tree from ``codebook_tree`` rows, keeping the highlighted code."""
        keep = self.current_code_id
        self.clear()
        self._code_nodes, self._code_rows = {}, {}
        for row in rows:
            parent = self._code_nodes.get(row["parent_id"], self.root) \
                if row["parent_id"] is not None else self.root
            node = parent.add(code_label(row, None if here is None else here.get(row["id"], 0)),
                              data=row["id"], expand=True, allow_expand=False)
            if parent is not self.root:
                parent.allow_expand = True
            self._code_nodes[row["id"]] = node
            self._code_rows[row["id"]] = dict(row)
        if keep is not None:
            self.select_code(keep)

    def update_counts(self, totals: dict[int, int], here: dict[int, int] | None) -> None:
        """Change the counts shown without rebuilding the tree."""
        for code_id, node in self._code_nodes.items():
            row = self._code_rows[code_id]
            row["codings"] = totals.get(code_id, 0)
            node.set_label(code_label(row, None if here is None else here.get(code_id, 0)))

    @property
    def current_code_id(self) -> int | None:
        """The id of the highlighted code."""
        node = self.cursor_node
        return node.data if node is not None and node.data is not None else None

    def select_code(self, code_id: int) -> None:
        """Move the highlight to a code."""
        node = self._code_nodes.get(code_id)
        if node is not None:
            self.move_cursor(node)

    def action_apply_code(self) -> None:
        """Ask for the highlighted code to be applied to the selection."""
        if self.current_code_id is not None:
            self.post_message(self.CodeChosen(self, self.current_code_id))
