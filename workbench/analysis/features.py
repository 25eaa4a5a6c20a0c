"""Features for assisted coding: the lemma text of a passage and a TF-IDF space over it.

A passage is described by the lemmas of its words (from the NLP layer: the lemma words that
tagging stores per segment, or the same lookup lemmas computed on the fly), as

* lemma unigrams without stop words ("tillid", "kommune", "aftale"),
* lemma bigrams, unless both words are stop words ("stole på", "ikke enig", "kende hinanden":
  the small words carry meaning in such pairs, so they are kept inside bigrams),
* optionally character n-grams (4 and 5 letters) of the content lemmas, which let Danish
  compounds share evidence with their parts ("tillidsrelation" with "tillid"),
* one column per code with indicators: 1 when tagging's indicator matching (the codebook's
  indicator lemmas with their exclusions) suggested that code in the passage. The codebook's
  knowledge then joins what is learnt from the codings, and each code's model learns from her
  codings how far to trust each code's indicators.

The word and character blocks are weighted by TF-IDF (sublinear term frequency) and
normalised. The space is fitted
on every passage of the project, coded or not: IDF needs no labels, and a space that only
changes when the documents change lets the per-code models be retrained one at a time.

A fitted space is stored as plain numpy arrays (vocabularies, IDF weights and the stop words it
was fitted with), so predicting needs neither spaCy nor pickled objects.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

import numpy as np

from workbench.errors import InvalidInput

CHAR_NGRAMS = (4, 5)
MIN_DF = 2  # a feature must occur in two passages; one-off words only add noise


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """Danish stop words as the NLP layer's pipeline knows them, plus their lemmas.

    The list is the Danish pipeline's own (spaCy's Danish defaults); lemmatising it too makes
    "blev" and its lemma "blive" both stop words, since features are built from lemmas.
    """
    from workbench.nlp import pipeline
    from workbench.nlp.lemmas import lemmatise_word

    # The NLP layer builds its light lemma pipeline here (a blank Danish spaCy pipeline); its
    # language defaults hold the stop words. Reading them through that pipeline keeps spaCy
    # inside workbench.nlp.
    pipeline.lemmatiser()
    words = set(pipeline._LEMMA_NLP[0].Defaults.stop_words)
    return frozenset(words | {lemmatise_word(w) for w in words})


class Lemmatiser:
    """Lemma text of passages not lemmatised by tagging, with the NLP layer's lookup lemmas.

    The words are the ones SQLite's unicode61 tokenizer (and so tagging's stored lemma text)
    sees; each word form is lemmatised once and remembered.
    """

    def __init__(self) -> None:
        from workbench.nlp.lemmas import WORD_RE, lemma_table, lemmatise_word

        self._words = WORD_RE.findall
        self._lemmatise = lemmatise_word
        self._table = lemma_table()
        self._cache: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        """The passage's words as lower-case lemmas separated by single spaces."""
        cache = self._cache
        out = []
        for word in self._words(text):
            lemma = cache.get(word)
            if lemma is None:
                lemma = cache[word] = self._lemmatise(word, self._table)
            out.append(lemma)
        return " ".join(out)


class LemmaTerms:
    """Analyzer: lemma text -> unigram and bigram features (see the module docstring)."""

    def __init__(self, stop: frozenset[str] | set[str]):
        self.stop = stop

    def content(self, lemma_text: str) -> list[str]:
        """The content lemmas of a passage: no stop words, numbers or single letters."""
        stop = self.stop
        return [w for w in lemma_text.split() if len(w) > 1 and not w.isdigit() and w not in stop]

    def __call__(self, lemma_text: str) -> list[str]:
        stop = self.stop
        words = [w for w in lemma_text.split() if not w.isdigit()]
        terms = [w for w in words if len(w) > 1 and w not in stop]
        terms.extend(f"{a} {b}" for a, b in zip(words, words[1:], strict=False)
                     if not (a in stop and b in stop))
        return terms


class FeatureSpace:
    """Word (and optionally character) TF-IDF features over passages' lemma text."""

    def __init__(self, stop: frozenset[str], word_vectorizer, char_vectorizer=None,
                 indicator_codes: Sequence[str] = ()):
        self.stop = stop
        self.terms = LemmaTerms(stop)
        self.word = word_vectorizer
        self.char = char_vectorizer
        self.indicator_codes = list(indicator_codes)

    # --------------------------------------------------------------------- building
    @staticmethod
    def _word_vectorizer(terms: LemmaTerms, vocabulary: Sequence[str] | None = None):
        from sklearn.feature_extraction.text import TfidfVectorizer

        return TfidfVectorizer(analyzer=terms, min_df=MIN_DF, sublinear_tf=True,
                               dtype=np.float32, vocabulary=vocabulary)

    def _char_input(self, lemma_texts: Sequence[str]) -> list[str]:
        content = self.terms.content
        return [" ".join(content(t)) for t in lemma_texts]

    @staticmethod
    def _char_vectorizer(vocabulary: Sequence[str] | None = None):
        from sklearn.feature_extraction.text import TfidfVectorizer

        return TfidfVectorizer(analyzer="char_wb", ngram_range=CHAR_NGRAMS, min_df=MIN_DF,
                               sublinear_tf=True, dtype=np.float32, lowercase=False,
                               vocabulary=vocabulary)

    @classmethod
    def fit(cls, lemma_texts: Sequence[str], *, char_ngrams: bool = False,
            indicator_codes: Sequence[str] = (), stop: frozenset[str] | None = None
            ) -> FeatureSpace:
        """Fit the vocabularies and IDF weights on the passages' lemma texts.

        Args:
            indicator_codes: the codes (guids) whose indicator hits become columns.
            stop: stop words (default: the NLP layer's, see :func:`stop_words`).
        """
        return cls.fit_transform(lemma_texts, char_ngrams=char_ngrams,
                                 indicator_codes=indicator_codes, stop=stop)[0]

    @classmethod
    def fit_transform(cls, lemma_texts: Sequence[str], *, char_ngrams: bool = False,
                      indicator_codes: Sequence[str] = (),
                      indicator_hits: Mapping[str, np.ndarray] | None = None,
                      stop: frozenset[str] | None = None):
        """Fit a space (see :meth:`fit`) and return it with the passages' features, reading
        the passages once."""
        from scipy import sparse

        stop = stop_words() if stop is None else stop
        space = cls(stop, None, indicator_codes=indicator_codes)
        min_df = MIN_DF if len(lemma_texts) >= 4 * MIN_DF else 1  # tiny projects keep all
        space.word = cls._word_vectorizer(space.terms)
        space.word.min_df = min_df
        try:
            blocks = [space.word.fit_transform(lemma_texts)]
        except ValueError as exc:  # scikit-learn's "empty vocabulary"
            raise InvalidInput("The passages hold no words to learn from (only numbers, "
                               "stop words or words that occur once); import or code "
                               "documents with running text.") from exc
        if char_ngrams:
            space.char = cls._char_vectorizer()
            space.char.min_df = min_df
            blocks.append(space.char.fit_transform(space._char_input(lemma_texts)))
        if space.indicator_codes:
            blocks.append(space._indicator_columns(len(lemma_texts), indicator_hits))
        X = blocks[0].tocsr() if len(blocks) == 1 else \
            sparse.hstack(blocks, format="csr", dtype=np.float32)
        return space, X

    # --------------------------------------------------------------------- using
    @property
    def n_word_features(self) -> int:
        """How many features are lemma unigrams and bigrams (they come first)."""
        return len(self.word.vocabulary_)

    @property
    def n_features(self) -> int:
        """All features."""
        return self.n_word_features + (len(self.char.vocabulary_) if self.char else 0) \
            + len(self.indicator_codes)

    def word_names(self) -> np.ndarray:
        """The lemma features' names, by column (computed once)."""
        names = self.__dict__.get("_word_names")
        if names is None:
            names = self.__dict__["_word_names"] = self.word.get_feature_names_out()
        return names

    def transform(self, lemma_texts: Sequence[str],
                  indicator_hits: Mapping[str, np.ndarray] | None = None):
        """A sparse (passages x features) float32 matrix, rows L2-normalised per block.

        Args:
            indicator_hits: code guid -> boolean array over the passages (codes the space
                has no column for are ignored; a missing code's column stays 0).
        """
        from scipy import sparse

        blocks = [self.word.transform(lemma_texts)]
        if self.char is not None:
            blocks.append(self.char.transform(self._char_input(lemma_texts)))
        if self.indicator_codes:
            blocks.append(self._indicator_columns(len(lemma_texts), indicator_hits))
        if len(blocks) == 1:
            return blocks[0].tocsr()
        return sparse.hstack(blocks, format="csr", dtype=np.float32)

    def _indicator_columns(self, n: int, indicator_hits: Mapping[str, np.ndarray] | None):
        from scipy import sparse

        hits = indicator_hits or {}
        columns = np.zeros((n, len(self.indicator_codes)), dtype=np.float32)
        for j, guid in enumerate(self.indicator_codes):
            if guid in hits:
                columns[:, j] = hits[guid]
        return sparse.csr_matrix(columns)

    # --------------------------------------------------------------------- storing
    def to_arrays(self) -> dict[str, np.ndarray]:
        """The fitted space as plain arrays (strings as unicode arrays, never objects)."""
        arrays = {
            "stop": np.array(sorted(self.stop), dtype=str),
            "word_vocab": np.array(self.word.get_feature_names_out(), dtype=str),
            "word_idf": self.word.idf_.astype(np.float64),
            "indicator_codes": np.array(self.indicator_codes, dtype=str),
        }
        if self.char is not None:
            arrays["char_vocab"] = np.array(self.char.get_feature_names_out(), dtype=str)
            arrays["char_idf"] = self.char.idf_.astype(np.float64)
        return arrays

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> FeatureSpace:
        """Rebuild a fitted space from :meth:`to_arrays`."""
        stop = frozenset(arrays["stop"].tolist())
        space = cls(stop, None, indicator_codes=arrays["indicator_codes"].tolist())
        space.word = cls._word_vectorizer(space.terms, arrays["word_vocab"].tolist())
        space.word.idf_ = arrays["word_idf"]
        if "char_vocab" in arrays:
            space.char = cls._char_vectorizer(arrays["char_vocab"].tolist())
            space.char.idf_ = arrays["char_idf"]
        return space
