"""Build the Danish pipeline: tokenizer, lemmas, sentences, stakeholders, indicators, personal data.

Without a trained model the pipeline is ``spacy.blank("da")`` plus workbench's own components:

* ``wb_lemmatizer``: the spacy-lookups-data table with a lower-case fallback.
* ``wb_sentences``: sentences end at . ! ? and at line breaks (speaker turns).
* ``wb_stakeholders``: gazetteer names, generic actor terms, role nouns and patterns for names
  the gazetteer does not know; writes ``doc.spans["stakeholders"]`` and ``doc.ents``.
* ``wb_indicators``: code indicator lemmas with exclusions; writes ``doc.spans["indicators"]``.
* ``wb_personal_data``: e-mail, phone, CPR and person names; writes ``doc.spans["personal_data"]``.

The tokenizer remembers up to ``TOKENIZER_CACHE_CHUNKS`` distinct chunks of text instead of
spaCy's 10,000, so that a large project's less frequent words are split only once.

The model-free pipeline's vocabulary does not compute the lexical attributes workbench never
reads (``shape_``, ``prefix_``, ``suffix_``, ``like_num``, ``like_url``, ``like_email``): spaCy
computes them in Python for every new word form, which is a good part of tokenizing a large
text. Tokens of that pipeline leave them unset.

A trained pipeline (``da_core_news_sm`` ... ``_trf``, a DaCy package) is used instead of the blank
one when the project setting ``spacy_model`` or the environment variable
``WORKBENCH_SPACY_MODEL`` names it; its PER/ORG/LOC entities are merged with ours. Nothing is ever
downloaded: a model that is not installed is an error that says how to install it.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy
import spacy
from spacy.attrs import (
    LEMMA,
    LIKE_EMAIL,
    LIKE_NUM,
    LIKE_URL,
    PREFIX,
    SENT_START,
    SHAPE,
    SUFFIX,
)
from spacy.language import Language
from spacy.tokens import Doc

from workbench import __version__
from workbench.errors import WorkbenchError
from workbench.nlp import code_model as code_model_mod
from workbench.nlp import indicators as indicators_mod
from workbench.nlp import personal_data as personal_mod
from workbench.nlp import stakeholder_ruler as ruler_mod
from workbench.nlp.forms import SENT_STARTS_KEY, forms_for
from workbench.nlp.gazetteer import Gazetteer, default_gazetteer
from workbench.nlp.indicators import CodeSpec
from workbench.nlp.textkeeping import TextKeepingTokenizer

MODEL_ENV = "WORKBENCH_SPACY_MODEL"
# Lexical attributes nothing in workbench reads (a trained model's features may: kept there).
UNUSED_LEXICAL_ATTRIBUTES = frozenset({SHAPE, PREFIX, SUFFIX, LIKE_NUM, LIKE_URL, LIKE_EMAIL})
MODEL_SETTING = "spacy_model"
BLANK = "blank"
# Whitespace-delimited chunks the tokenizer remembers (spaCy's default is 10,000). Past that
# limit every chunk not remembered goes through the prefix, suffix and infix expressions again;
# a 1M-word project has about 70,000 distinct chunks, so the default makes tokenizing a third
# slower. A chunk costs about 200 bytes: at most about 40 MB per pipeline.
TOKENIZER_CACHE_CHUNKS = 200_000


class LookupLemmatizer:
    """Sets ``token.lemma_`` from the lookup table: as written, then lower case, then itself.

    Lemmas are lower case. The lemma depends only on the word form, so the form table computes
    it once per form and the whole doc gets its lemmas in one array write.
    """

    def __init__(self, nlp: Language):
        self.forms = forms_for(nlp.vocab)

    def __call__(self, doc: Doc) -> Doc:
        if len(doc):
            ids = self.forms.ids(doc)
            doc.from_array([LEMMA], self.forms["lemma"][ids].reshape(-1, 1))
        return doc


class SentenceSplitter:
    """Sentence starts after . ! ? (and … ; and closing quotes or brackets that follow them)
    and after every line break (speaker turns, list items, headings).

    What each word form is (word, sentence end, line break, ...) is a form feature, so a doc
    costs a few array operations. The start tokens are also kept in ``doc.user_data`` for
    :func:`workbench.nlp.analysis.sentences`.
    """

    FINAL = frozenset({".", "!", "?", "…", "..", "...", "?!", "!?", "!!", "??", ";"})
    WORD, END, BREAK, SPACE, TRAILING = 0, 1, 2, 3, 4

    def __init__(self, nlp: Language):
        self.forms = forms_for(nlp.vocab)
        self.forms.add_feature("sent_kind", numpy.int8, self._kind)

    def _kind(self, text: str, lemma: str) -> int:
        if text in self.FINAL:
            return self.END
        if text.isspace():
            return self.BREAK if "\n" in text else self.SPACE
        if not (text.isalnum() or any(ch.isalnum() for ch in text)):
            return self.TRAILING  # quotes, brackets, dashes: stay with what went before
        return self.WORD

    def __call__(self, doc: Doc) -> Doc:
        n = len(doc)
        if not n:
            return doc
        kinds = self.forms["sent_kind"][self.forms.ids(doc)]
        # A word starts a sentence when the last word, sentence end or line break before it
        # (quotes, brackets and spaces do not count) was a sentence end or a line break.
        relevant = numpy.nonzero(kinds <= self.BREAK)[0]
        rel_kinds = kinds[relevant]
        after_end = numpy.zeros(len(relevant), dtype=bool)
        after_end[1:] = rel_kinds[:-1] != self.WORD
        first = relevant[after_end & (rel_kinds == self.WORD)]
        starts = numpy.full(n, -1, dtype=numpy.int64)
        starts[first] = 1
        starts[0] = 1
        doc.from_array([SENT_START], starts.astype(numpy.uint64).reshape(-1, 1))
        doc.user_data[SENT_STARTS_KEY] = numpy.union1d(first, [0])
        return doc


@Language.factory("wb_lemmatizer")
def _make_lemmatizer(nlp: Language, name: str) -> LookupLemmatizer:
    return LookupLemmatizer(nlp)


@Language.factory("wb_sentences")
def _make_sentences(nlp: Language, name: str) -> SentenceSplitter:
    return SentenceSplitter(nlp)


@Language.factory("wb_stakeholders")
def _make_stakeholders(nlp: Language, name: str) -> ruler_mod.StakeholderRuler:
    return ruler_mod.StakeholderRuler(nlp)


@Language.factory("wb_indicators")
def _make_indicators(nlp: Language, name: str) -> indicators_mod.IndicatorMatcher:
    return indicators_mod.IndicatorMatcher(nlp)


@Language.factory("wb_code_model")
def _make_code_model(nlp: Language, name: str) -> code_model_mod.CodeModelScorer:
    return code_model_mod.CodeModelScorer(nlp)


@Language.factory("wb_personal_data")
def _make_personal_data(nlp: Language, name: str) -> personal_mod.PersonalDataFinder:
    return personal_mod.PersonalDataFinder(nlp)


@dataclass
class PipelineSpec:
    """Everything that decides what the pipeline finds; its fingerprint is the pipeline id.

    Known names are left out of the id on purpose: importing a transcript with a new speaker
    must not make every document stale (``workbench tag --force`` applies new names to all).
    ``home`` (which stakeholder "regionen" means) is in it, so changing it re-tags.
    """

    gazetteer: Gazetteer = field(default_factory=default_gazetteer)
    codes: Sequence[CodeSpec] = ()
    model: str | None = None
    # Score sentences with the lemma model shipped for the default codes (see code_model).
    code_model: bool = True
    known_names: Sequence[str] = ()
    home: dict = field(default_factory=dict)

    def pipeline_id(self) -> str:
        """A stable id: changes whenever the model, gazetteer, codes or known names change."""
        blob = json.dumps({
            "workbench": __version__,
            "spacy": spacy.__version__,
            "model": self.model or BLANK,
            "gazetteer": self.gazetteer.fingerprint(),
            "codes": [c.as_dict() for c in self.codes],
            "code_model": self._code_model_fingerprint(),
            "home": self.home,
        }, ensure_ascii=False, sort_keys=True)
        digest = hashlib.sha256(blob.encode("utf-8")).hexdigest()[:12]
        return f"{self.model or BLANK}:{digest}"

    def _code_model_fingerprint(self) -> str | None:
        if not self.code_model:
            return None
        model = code_model_mod.shipped_model()
        return model.fingerprint if {c.name for c in self.codes} & set(model.codes) else None


def resolve_model_name(setting: str | None = None, override: str | None = None) -> str | None:
    """The trained pipeline to use: ``override`` (CLI), else the env variable, else the setting.

    ``"blank"`` or an empty value means the model-free pipeline.
    """
    for value in (override, os.environ.get(MODEL_ENV), setting):
        if value:
            value = value.strip()
            return None if value.lower() in (BLANK, "none", "") else value
    return None


def _install_hint(name: str) -> str:
    if "dacy" in name.lower():
        how = f"install the DaCy model package '{name}' with pip"
    else:
        how = f"run 'python -m spacy download {name}' (or pip install the {name} wheel)"
    return (f"The spaCy model '{name}' is not installed; {how} in workbench's environment, "
            f"or unset {MODEL_ENV} and the project setting '{MODEL_SETTING}' to use the "
            "built-in pipeline. workbench never downloads models itself.")


def load_model(name: str) -> Language:
    """Load an installed trained pipeline (package name or folder), never downloading.

    Raises:
        WorkbenchError: the model is not installed.
    """
    is_path = os.path.sep in name or os.path.isdir(name)
    if not is_path and not spacy.util.is_package(name):
        raise WorkbenchError(_install_hint(name))
    try:
        nlp = spacy.load(name)
    except (OSError, ImportError) as exc:
        raise WorkbenchError(_install_hint(name)) from exc
    if nlp.lang != "da":
        raise WorkbenchError(f"The spaCy model '{name}' is for language '{nlp.lang}', not "
                             "Danish; choose a Danish model (da_core_news_sm, DaCy).")
    return nlp


def build_pipeline(spec: PipelineSpec | None = None) -> Language:
    """Build the pipeline for ``spec`` (a fresh blank Danish pipeline when no model is named).

    Raises:
        WorkbenchError: the named model is not installed.
    """
    spec = spec or PipelineSpec()
    if spec.model:
        nlp = load_model(spec.model)
        # Our lemmas replace the model's so that indicators and search behave the same way.
        for pipe in ("lemmatizer", "trainable_lemmatizer"):
            if pipe in nlp.pipe_names:
                nlp.disable_pipe(pipe)
        first = nlp.pipe_names[0] if nlp.pipe_names else None
        nlp.add_pipe("wb_lemmatizer", before=first) if first else nlp.add_pipe("wb_lemmatizer")
        if not nlp.has_pipe("parser") and not nlp.has_pipe("senter"):
            nlp.add_pipe("wb_sentences")
    else:
        nlp = spacy.blank("da")
        nlp.vocab.lex_attr_getters = {
            attr: getter for attr, getter in nlp.vocab.lex_attr_getters.items()
            if attr not in UNUSED_LEXICAL_ATTRIBUTES}
        nlp.add_pipe("wb_lemmatizer")
        nlp.add_pipe("wb_sentences")
    # "A/S." at the end of a sentence would otherwise split into "A", "/", "S.".
    for suffix in ("A/S", "ApS", "I/S", "K/S", "P/S"):
        nlp.tokenizer.add_special_case(f"{suffix}.", [{"ORTH": suffix}, {"ORTH": "."}])
        nlp.tokenizer.add_special_case(f"{suffix},", [{"ORTH": suffix}, {"ORTH": ","}])
    nlp.tokenizer.max_cache_size = max(nlp.tokenizer.max_cache_size, TOKENIZER_CACHE_CHUNKS)
    nlp.tokenizer = TextKeepingTokenizer(nlp.tokenizer)
    ruler = nlp.add_pipe("wb_stakeholders")
    ruler.configure(spec.gazetteer, merge_model_entities=bool(spec.model))
    matcher = nlp.add_pipe("wb_indicators")
    matcher.configure(spec.codes)
    scorer = nlp.add_pipe("wb_code_model")
    scorer.configure([c.name for c in spec.codes], enabled=spec.code_model)
    finder = nlp.add_pipe("wb_personal_data")
    finder.configure(spec.known_names)
    nlp.meta["workbench_pipeline_id"] = spec.pipeline_id()
    return nlp


_CACHE: dict[str, Language] = {}


def get_pipeline(spec: PipelineSpec) -> Language:
    """Build the pipeline for ``spec``, reusing one built earlier in this process."""
    key = spec.pipeline_id()
    nlp = _CACHE.get(key)
    if nlp is None:
        if len(_CACHE) >= 3:
            _CACHE.pop(next(iter(_CACHE)))
        nlp = _CACHE[key] = build_pipeline(spec)
    return nlp


_LEMMA_NLP: list[Language] = []


def lemmatiser():
    """A light function text -> [(start, end, lemma), ...] for word tokens (no matchers).

    Used by keyword autocoding so that "konflikt" also finds "konflikterne".
    """
    if not _LEMMA_NLP:
        nlp = spacy.blank("da")
        nlp.add_pipe("wb_lemmatizer")
        _LEMMA_NLP.append(nlp)
    nlp = _LEMMA_NLP[0]

    def run(text: str) -> list[tuple[int, int, str]]:
        doc = nlp(text)
        return [(t.idx, t.idx + len(t.text), t.lemma_) for t in doc
                if not t.is_space and not t.is_punct]

    return run
