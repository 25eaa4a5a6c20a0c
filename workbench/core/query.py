"""Boolean queries over codes: parsing, resolving code names, and evaluating against code sets.

Grammar (operators in any letter case; ``NOT`` binds tightest, then ``AND``, then ``OR``)::

    query  := or
    or     := and ("OR" and)*
    and    := not ("AND" not)*
    not    := "NOT" not | atom
    atom   := name | "(" or ")"
    name   := a quoted name ("ledelse på tværs", »ledelse på tværs«, 'x')
            | bare words; neighbouring bare words join into one name (ledelse på tværs)

A name matches a code by its name, else its Danish label, else its English label, compared
without regard to letter case; a code stands for itself and all its sub-codes.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from workbench.core.store import Project
from workbench.errors import InvalidInput, NotFoundError

OPERATORS = {"and", "or", "not"}
# Opening quote mark -> the marks that may close it (Danish typography uses „…“, ”…”, »…«).
_QUOTES = {'"': '"', "'": "'", "„": "“”", "“": "”“", "”": "”", "»": "«", "«": "»",
           "‘": "’", "’": "’"}


# --------------------------------------------------------------------------------- syntax tree


@dataclass(frozen=True)
class Name:
    """A code named in the query; ``code_ids`` holds the code and its sub-codes once resolved."""

    text: str
    code_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Not:
    """Negation of a sub-expression."""

    operand: Node


@dataclass(frozen=True)
class And:
    """All operands must hold."""

    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    """At least one operand must hold."""

    operands: tuple[Node, ...]


Node = Name | Not | And | Or


# ------------------------------------------------------------------------------------ tokenizer


@dataclass(frozen=True)
class _Token:
    kind: str  # "word", "quoted", "op", "(", ")"
    text: str
    pos: int


def _tokens(query: str) -> Iterator[_Token]:
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            yield _Token(ch, ch, i)
            i += 1
        elif ch in _QUOTES:
            closers = _QUOTES[ch]
            j = i + 1
            while j < n and query[j] not in closers:
                j += 1
            if j >= n:
                raise InvalidInput(
                    f"The query has a quote mark {ch} at position {i + 1} that is never "
                    "closed; close the quoted code name.")
            name = " ".join(query[i + 1:j].split())
            if not name:
                raise InvalidInput(f"The query has empty quotes at position {i + 1}; "
                                   "put a code name between them.")
            yield _Token("quoted", name, i)
            i = j + 1
        else:
            j = i
            while j < n and not query[j].isspace() and query[j] not in "()" \
                    and query[j] not in _QUOTES:
                j += 1
            word = query[i:j]
            yield _Token("op" if word.lower() in OPERATORS else "word", word, i)
            i = j


# --------------------------------------------------------------------------------------- parser


class _Parser:
    def __init__(self, query: str):
        self.query = query
        self.tokens = list(_tokens(query))
        self.i = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def is_op(self, name: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "op" and token.text.lower() == name

    def parse(self) -> Node:
        if not self.tokens:
            raise InvalidInput("The query is empty; name at least one code, "
                               "e.g. 'trust AND conflict'.")
        node = self.parse_or()
        token = self.peek()
        if token is not None:
            if token.kind == ")":
                raise InvalidInput(f"The query has a ')' at position {token.pos + 1} without "
                                   "a matching '('; remove it or add the '('.")
            raise InvalidInput(f"The query has '{token.text}' at position {token.pos + 1} "
                               "where AND, OR or the end was expected; join the codes with "
                               "AND or OR.")
        return node

    def parse_or(self) -> Node:
        operands = [self.parse_and()]
        while self.is_op("or"):
            self.i += 1
            operands.append(self.parse_and())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def parse_and(self) -> Node:
        operands = [self.parse_not()]
        while self.is_op("and"):
            self.i += 1
            operands.append(self.parse_not())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def parse_not(self) -> Node:
        if self.is_op("not"):
            self.i += 1
            return Not(self.parse_not())
        return self.parse_atom()

    def parse_atom(self) -> Node:
        token = self.peek()
        if token is None:
            last = self.tokens[-1]
            if last.kind == "op":
                raise InvalidInput(f"The query ends after {last.text.upper()}; "
                                   "add a code after it.")
            raise InvalidInput("The query ends before every '(' is closed; add the missing ')'.")
        if token.kind == "(":
            self.i += 1
            node = self.parse_or()
            closing = self.peek()
            if closing is None or closing.kind != ")":
                raise InvalidInput(f"The '(' at position {token.pos + 1} is never closed; "
                                   "add the missing ')'.")
            self.i += 1
            return node
        if token.kind == ")":
            raise InvalidInput(f"The query has an empty or misplaced ')' at position "
                               f"{token.pos + 1}; put a code before it.")
        if token.kind == "op":
            raise InvalidInput(f"The query has {token.text.upper()} at position {token.pos + 1} "
                               "where a code name was expected; put a code before it.")
        if token.kind == "quoted":
            self.i += 1
            return Name(token.text)
        words = [token.text]
        self.i += 1
        while (nxt := self.peek()) is not None and nxt.kind == "word":
            words.append(nxt.text)
            self.i += 1
        return Name(" ".join(words))


def parse_query(query: str) -> Node:
    """Parse a boolean query over code names into a syntax tree (names not yet resolved).

    Raises:
        InvalidInput: the query is empty or malformed (one sentence says where and what to do).
    """
    return _Parser(query).parse()


# ------------------------------------------------------------------------------ code lookups


@dataclass
class CodeTable:
    """The codebook in memory: names, labels and the parent tree, for name lookups.

    Lookups compare with ``str.casefold`` because SQLite's NOCASE folds only ASCII letters,
    and Danish names carry æ, ø and å.
    """

    names: dict[int, str]
    parents: dict[int, int | None]
    labels_da: dict[int, str] = field(default_factory=dict)
    labels_en: dict[int, str] = field(default_factory=dict)

    @classmethod
    def load(cls, project: Project) -> CodeTable:
        """Read every code's id, name, labels and parent from the project."""
        rows = project.conn.execute(
            "SELECT id, name, parent_id, label_da, label_en FROM codes").fetchall()
        return cls(names={r[0]: r[1] for r in rows}, parents={r[0]: r[2] for r in rows},
                   labels_da={r[0]: r[3] or "" for r in rows},
                   labels_en={r[0]: r[4] or "" for r in rows})

    def find(self, name: str) -> int:
        """Return the id of the code called ``name`` (by name, Danish label or English label).

        Raises:
            NotFoundError: no such code (the closest name is suggested) or the label is shared.
        """
        key = " ".join(name.split()).casefold()
        if key.isdigit() and int(key) in self.names:
            return int(key)
        for table in (self.names, self.labels_da, self.labels_en):
            ids = [cid for cid, text in table.items() if text and text.casefold() == key]
            if len(ids) == 1:
                return ids[0]
            if len(ids) > 1:
                listed = ", ".join(sorted(self.names[i] for i in ids))
                raise NotFoundError(f"'{name}' is the label of several codes ({listed}); "
                                    "use the code's name instead.")
        raise NotFoundError(self.unknown_message(name))

    def unknown_message(self, name: str) -> str:
        """The sentence for a name that is not in the codebook, with the closest suggestion."""
        if not self.names:
            return (f"No code '{name}': the codebook is empty; add codes first "
                    "(workbench init --codebook, or 'workbench codebook import').")
        candidates: dict[str, str] = {}
        for cid, code_name in self.names.items():
            for text in (code_name, self.labels_da.get(cid), self.labels_en.get(cid)):
                if text:
                    candidates.setdefault(text.casefold(), text)
        close = difflib.get_close_matches(name.casefold(), list(candidates), n=1, cutoff=0.6)
        hint = (f"did you mean '{candidates[close[0]]}'?" if close
                else "see 'workbench codebook PROJECT' for the codes.")
        return f"No code '{name}' in the codebook; {hint}"

    def children(self) -> dict[int, list[int]]:
        """Map each code id to its direct sub-codes."""
        kids: dict[int, list[int]] = {cid: [] for cid in self.names}
        for cid, parent in self.parents.items():
            if parent is not None and parent in kids:
                kids[parent].append(cid)
        return kids

    def subtree(self, code_id: int) -> frozenset[int]:
        """The code and all its sub-codes, at any depth."""
        kids = self.children()
        seen, stack = set(), [code_id]
        while stack:
            cid = stack.pop()
            if cid not in seen:
                seen.add(cid)
                stack.extend(kids.get(cid, ()))
        return frozenset(seen)


def resolve(node: Node, codes: CodeTable) -> Node:
    """Return the tree with every name resolved to its code and sub-code ids.

    Raises:
        NotFoundError: a name is not in the codebook (the closest name is suggested).
    """
    if isinstance(node, Name):
        try:
            return Name(node.text, codes.subtree(codes.find(node.text)))
        except NotFoundError:
            words = node.text.split()
            if len(words) > 1 and all(_known(codes, w) for w in words):
                raise NotFoundError(
                    f"'{node.text}' reads as one code name, but each word is a code; "
                    "join them with AND or OR.") from None
            raise
    if isinstance(node, Not):
        return Not(resolve(node.operand, codes))
    if isinstance(node, And):
        return And(tuple(resolve(n, codes) for n in node.operands))
    return Or(tuple(resolve(n, codes) for n in node.operands))


def _known(codes: CodeTable, name: str) -> bool:
    try:
        codes.find(name)
    except NotFoundError:
        return False
    return True


def names(node: Node, *, positive: bool = True) -> Iterator[tuple[Name, bool]]:
    """Yield every name in the tree with whether it is named positively (under no or two NOTs)."""
    if isinstance(node, Name):
        yield node, positive
    elif isinstance(node, Not):
        yield from names(node.operand, positive=not positive)
    else:
        for operand in node.operands:
            yield from names(operand, positive=positive)


def evaluate(node: Node, code_ids: Iterable[int] | set[int] | frozenset[int]) -> bool:
    """Whether a set of applied code ids satisfies the (resolved) query."""
    present = code_ids if isinstance(code_ids, (set, frozenset)) else set(code_ids)
    if isinstance(node, Name):
        return not node.code_ids.isdisjoint(present)
    if isinstance(node, Not):
        return not evaluate(node.operand, present)
    if isinstance(node, And):
        return all(evaluate(n, present) for n in node.operands)
    return any(evaluate(n, present) for n in node.operands)


def to_text(node: Node) -> str:
    """Write the tree back as a fully parenthesised query (for messages and tests)."""
    if isinstance(node, Name):
        return f'"{node.text}"' if " " in node.text or node.text.lower() in OPERATORS \
            else node.text
    if isinstance(node, Not):
        return f"NOT {to_text(node.operand)}"
    joiner = " AND " if isinstance(node, And) else " OR "
    return "(" + joiner.join(to_text(n) for n in node.operands) + ")"
