"""Word forms seen by a pipeline: a dense id per distinct form, and features computed per form.

Everything workbench's components want to know about a token (its lemma, whether it ends a
sentence, can be part of a name, is an indicator word, holds digits, is a first name ...)
depends only on how the word is written. The form table computes each such feature once per
distinct word form, when the form is first seen, and keeps it in a numpy array indexed by the
form's id. A component then reads a feature for a whole doc with one array index
(``table["lemma"][table.ids(doc)]``) instead of a Python loop over the tokens.

A doc's form ids are computed once and kept in ``doc.user_data``; every component reuses them.
When the vocabulary has no word vectors (the built-in pipeline, small trained models), a form's
id is kept in its lexeme's ``rank`` (which spaCy uses only for vector rows), so a doc's ids are
one array read; otherwise they come from a vectorised look-up in a hash table of the forms.
The table lives in the vocabulary's ``cfg`` dict: one table per vocabulary, for its lifetime.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy
from spacy.attrs import ID, IDX, ORTH
from spacy.tokens import Doc
from spacy.vocab import Vocab

from workbench.nlp.lemmas import lemma_table, lemmatise_word

FORM_IDS_KEY = "wb_form_ids"
IDX_KEY = "wb_token_idx"
SENT_STARTS_KEY = "wb_sentence_starts"  # token indices, set by the sentence splitter

# compute(text, lemma) -> the feature's value (or a tuple of a group's values) for one form
Compute = Callable[[str, str], Any]
# compute(texts, lemmas) -> one column of values per feature of the group, for many forms
ComputeColumns = Callable[[list[str], list[str]], list]


class OrthIndex:
    """Form ids by word-form hash: an open-addressing hash table (linear probing) in numpy
    arrays, so a whole doc's tokens are looked up with a few array operations."""

    def __init__(self, bits: int = 14):
        self._allocate(bits)
        self.count = 0

    def _allocate(self, bits: int) -> None:
        self.bits, self.mask = bits, (1 << bits) - 1
        self.keys = numpy.zeros(1 << bits, dtype=numpy.uint64)
        self.values = numpy.full(1 << bits, -1, dtype=numpy.int64)  # -1: empty slot

    def lookup(self, orths: numpy.ndarray) -> numpy.ndarray:
        """The id of each hash, -1 where it is not in the table."""
        found = numpy.full(len(orths), -1, dtype=numpy.int64)
        pending = numpy.arange(len(orths))
        slots = (orths & numpy.uint64(self.mask)).astype(numpy.int64)
        keys = orths
        while len(pending):
            values = self.values[slots]
            hit = (values >= 0) & (self.keys[slots] == keys)
            found[pending[hit]] = values[hit]
            probe = ~hit & (values >= 0)  # occupied by another form: try the next slot
            pending, keys = pending[probe], keys[probe]
            slots = (slots[probe] + 1) & self.mask
        return found

    def add(self, orths: list[int], ids: list[int]) -> None:
        """Add new hashes (not in the table yet) with their ids."""
        if 2 * (self.count + len(orths)) > len(self.keys):
            old = self.values >= 0
            old_keys, old_values = self.keys[old].tolist(), self.values[old].tolist()
            bits = self.bits
            while 2 * (self.count + len(orths)) > (1 << bits):
                bits += 1
            self._allocate(bits)
            self.count = 0
            self.add(old_keys, old_values)
        keys, values, mask = self.keys, self.values, self.mask
        for orth, form_id in zip(orths, ids, strict=True):
            slot = orth & mask
            while values[slot] >= 0:
                slot = (slot + 1) & mask
            keys[slot] = orth
            values[slot] = form_id
        self.count += len(orths)


@dataclass
class _Feature:
    name: str
    dtype: Any
    values: numpy.ndarray


@dataclass
class _Group:
    """Features computed by one function (which returns a tuple when there are several), or
    by one function over many forms at once that returns a column per feature."""

    features: list[_Feature]
    compute: Compute | ComputeColumns
    columns: bool = False

    def fill(self, texts: list[str], lemmas: list[str], start: int) -> None:
        end = start + len(texts)
        if self.columns:
            for feature, column in zip(self.features, self.compute(texts, lemmas), strict=True):
                feature.values[start:end] = _column(column, feature.dtype)
            return
        values = [self.compute(t, lem) for t, lem in zip(texts, lemmas, strict=True)]
        if len(self.features) == 1:
            feature = self.features[0]
            feature.values[start:end] = _column(values, feature.dtype)
            return
        dtypes = [f.dtype for f in self.features]
        if values and object not in dtypes:
            # All numbers: one conversion to a 2-D array, then a column per feature.
            block = numpy.array(values, dtype=numpy.uint64 if numpy.uint64 in dtypes
                                else numpy.int64)
            for j, feature in enumerate(self.features):
                feature.values[start:end] = block[:, j]
            return
        columns = list(zip(*values, strict=True)) if values else [()] * len(self.features)
        for feature, column in zip(self.features, columns, strict=True):
            feature.values[start:end] = _column(column, feature.dtype)


class FormTable:
    """Dense ids and per-form features for the word forms of one vocabulary.

    Built-in features: ``lemma`` (the lemma's string hash), ``length`` (code points),
    ``space`` (white space only) and ``word`` (holds a letter or digit). Components add their
    own with :meth:`add_feature`. ``texts`` and ``lemmas`` hold each form's text and lower-case
    lemma by id.
    """

    def __init__(self, vocab: Vocab):
        self.vocab = vocab
        self.strings = vocab.strings
        self.table = lemma_table()
        self.size = 0
        self.capacity = 0
        self.texts: list[str] = []
        self.lemmas: list[str] = []
        # Ranks are vector rows; without vectors they are free to hold the form ids.
        self._ranked = vocab.vectors.shape[0] == 0
        self._index = OrthIndex()
        self._features: dict[str, _Feature] = {}
        self._groups: dict[tuple[str, ...], _Group] = {}
        self._add_group([("lemma", numpy.uint64), ("length", numpy.int64),
                         ("space", bool), ("word", bool)], self._basic, columns=True)

    def _basic(self, texts: list[str], lemmas: list[str]) -> list:
        add = self.strings.add
        space = list(map(str.isspace, texts))
        return ([add(lemma) for lemma in lemmas], list(map(len, texts)), space,
                [not blank and _has_alnum(t) for t, blank in zip(texts, space, strict=True)])

    def add_feature(self, name: str, dtype: Any, compute: Compute) -> None:
        """Add (or replace) a feature, computing it for every form seen so far."""
        self.add_features([(name, dtype)], compute)

    def add_features(self, specs: list[tuple[str, Any]], compute: Compute) -> None:
        """Add (or replace) features computed together: ``compute`` returns a tuple of their
        values, in the order of ``specs``."""
        self._add_group(specs, compute)

    def _add_group(self, specs: list[tuple[str, Any]], compute: Compute | ComputeColumns,
                   columns: bool = False) -> None:
        names = tuple(name for name, _ in specs)
        for key in [k for k in self._groups if set(k) & set(names)]:
            del self._groups[key]
        features = [_Feature(name, dtype, numpy.zeros(self.capacity, dtype=dtype))
                    for name, dtype in specs]
        group = self._groups[names] = _Group(features, compute, columns)
        for feature in features:
            self._features[feature.name] = feature
        if self.size:
            group.fill(self.texts, self.lemmas, 0)

    def __getitem__(self, name: str) -> numpy.ndarray:
        """A feature's values by form id (index it with :meth:`ids`)."""
        return self._features[name].values

    def ids(self, doc: Doc) -> numpy.ndarray:
        """The form id of every token of ``doc`` (computed once per doc)."""
        cached = doc.user_data.get(FORM_IDS_KEY)
        if cached is not None and len(cached) == len(doc):
            return cached
        if self._ranked:
            ids = doc.to_array(ID).astype(numpy.int64)  # an unset rank reads as -1
            new = ids < 0
            if new.any():
                self._register(numpy.unique(doc.to_array(ORTH)[new]))
                ids[new] = doc.to_array(ID)[new].astype(numpy.int64)
        else:
            orths = doc.to_array(ORTH)
            ids = self._index.lookup(orths)
            new = ids < 0
            if new.any():
                self._register(numpy.unique(orths[new]))
                ids[new] = self._index.lookup(orths[new])
        doc.user_data[FORM_IDS_KEY] = ids
        return ids

    def _register(self, orths: numpy.ndarray) -> None:
        """Give new (sorted, distinct) forms their ids and compute their features."""
        count, start = len(orths), self.size
        texts = [self.strings[o] for o in orths.tolist()]
        # Most forms are in the lemma table as written: look those up here, the rest (other
        # cases, compounds) the long way.
        table = self.table
        found = map(table.get, texts)
        lemmas = [lemmatise_word(t, table) if lemma is None else lemma.lower()
                  for t, lemma in zip(texts, found, strict=True)]
        if start + count > self.capacity:
            self.capacity = max(1024, 2 * (start + count))
            for feature in self._features.values():
                grown = numpy.zeros(self.capacity, dtype=feature.dtype)
                grown[:start] = feature.values[:start]
                feature.values = grown
        for group in self._groups.values():
            group.fill(texts, lemmas, start)
        self.texts.extend(texts)
        self.lemmas.extend(lemmas)
        new_ids = list(range(start, start + count))
        if self._ranked:
            vocab = self.vocab
            for orth, form_id in zip(orths.tolist(), new_ids, strict=True):
                vocab[orth].rank = form_id
        else:
            self._index.add(orths.tolist(), new_ids)
        self.size += count


def _has_alnum(text: str) -> bool:
    return text.isalnum() or any(c.isalnum() for c in text)


def _column(values, dtype: Any) -> numpy.ndarray:
    if dtype is object:
        # Object features hold strings, sets or None (never tuples or lists, which numpy
        # would read as rows of a 2-D array).
        column = numpy.empty(len(values), dtype=object)
        column[:] = values
        return column
    return numpy.array(values, dtype=dtype)


def token_idx(doc: Doc) -> numpy.ndarray:
    """Each token's character offset (read once per doc)."""
    cached = doc.user_data.get(IDX_KEY)
    if cached is None or len(cached) != len(doc):
        cached = doc.user_data[IDX_KEY] = doc.to_array(IDX).astype(numpy.int64)
    return cached


_TABLE_KEY = "workbench_form_table"


def forms_for(vocab: Vocab) -> FormTable:
    """The form table of a vocabulary (made when first asked for)."""
    table = vocab.cfg.get(_TABLE_KEY)
    if table is None:
        table = vocab.cfg[_TABLE_KEY] = FormTable(vocab)
    return table
