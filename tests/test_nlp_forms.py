"""Word-form features, the general stakeholder rules, gapped indicator phrases, and tagging in
batches: the machinery behind fast tagging, checked by what a researcher would notice."""

from __future__ import annotations

import gc

import numpy
import pytest
import spacy

from tests.conftest import make_paragraphs
from workbench.nlp import tagging
from workbench.nlp.analysis import Resolver, analyse
from workbench.nlp.forms import FormTable, OrthIndex
from workbench.nlp.gazetteer import default_gazetteer
from workbench.nlp.indicators import CodeSpec
from workbench.nlp.lemmas import lemmatise_word
from workbench.nlp.pipeline import PipelineSpec, get_pipeline

CODES = (
    CodeSpec("risk", ("gå galt", "ske fejl", "risiko")),
    CodeSpec("conflict", ("være imod", "uenig")),
    CodeSpec("trust", ("kende hinanden", "tillid")),
)


@pytest.fixture(scope="module")
def nlp():
    return get_pipeline(PipelineSpec(codes=CODES, code_model=False))  # indicators alone


def mentions(nlp, text: str) -> list[tuple[str, str, str]]:
    result = analyse(nlp(text), Resolver(default_gazetteer()))
    return [(m.surface, m.canonical, m.sector) for m in result.mentions]


def evidence(nlp, text: str) -> list[tuple[str, list[str]]]:
    result = analyse(nlp(text), Resolver(default_gazetteer()))
    return [(s.code, s.evidence) for s in result.suggestions]


# ----------------------------------------------------------------------------- form table
@pytest.mark.parametrize("ranked", [True, False])
def test_every_token_gets_the_id_of_its_form_and_features_are_computed_once(ranked):
    table = FormTable(spacy.blank("da").vocab)
    table._ranked = ranked  # without ranks: the hash table used with word vectors
    calls = []
    table.add_feature("upper", bool, lambda text, lemma: calls.append(text) or text.isupper())
    first = spacy.tokens.Doc(table.vocab, words=["KL", "og", "kommunen", "og", "KL"])
    second = spacy.tokens.Doc(table.vocab, words=["kommunen", "Æblet", "KL"])
    ids1, ids2 = table.ids(first), table.ids(second)
    assert ids1[0] == ids1[4] == ids2[2] and ids1[2] == ids2[0] and ids1[1] == ids1[3]
    assert sorted(calls) == ["KL", "kommunen", "og", "Æblet"]
    assert table["upper"][ids1].tolist() == [True, False, False, False, True]
    assert [table.lemmas[i] for i in ids2] == ["kommune", "æble", "kl"]


def test_a_feature_added_later_covers_the_forms_already_seen():
    vocab = spacy.blank("da").vocab
    table = FormTable(vocab)
    ids = table.ids(spacy.tokens.Doc(vocab, words=["Herning", "Kommune"]))
    table.add_feature("length2", numpy.int64, lambda text, lemma: 2 * len(text))
    assert table["length2"][ids].tolist() == [14, 14]


def test_the_hash_index_finds_many_forms_and_grows():
    rng = numpy.random.default_rng(7)
    keys = numpy.unique(rng.integers(1, 2**63, 5000, dtype=numpy.uint64))
    index = OrthIndex(bits=3)
    index.add(keys[:100].tolist(), list(range(100)))
    index.add(keys[100:].tolist(), list(range(100, len(keys))))
    picked = rng.choice(len(keys), 300)
    assert index.lookup(keys[picked]).tolist() == picked.tolist()
    assert index.lookup(numpy.array([3, 5], dtype=numpy.uint64)).tolist() == [-1, -1]


def test_hyphenated_compounds_lemmatise_by_their_last_part():
    assert lemmatise_word("KOL-patienterne") == "kol-patient"
    assert lemmatise_word("IT-leverandøren") == "it-leverandør"
    assert lemmatise_word("e-mail") == "e-mail"


# ----------------------------------------------------------------------------- stakeholders
@pytest.mark.parametrize("text", [
    "Hendes datter bor i Aarhus.",
    "Du tog toget helt fra Viborg.",
    "Mødet er på Herning Rådhus.",
    "I Odense er mottoet et andet.",
])
def test_a_town_name_used_as_a_place_is_not_the_municipality(nlp, text):
    assert [m for m in mentions(nlp, text) if m[2] == "municipality"] == []


@pytest.mark.parametrize(("text", "surface"), [
    ("Aarhus har valgt at gå med.", "Aarhus"),
    ("Vi talte med Herning om det.", "Herning"),
    ("Når I ringer til Vejle, svarer de.", "Vejle"),
])
def test_a_town_name_as_an_actor_is_the_municipality(nlp, text, surface):
    found = mentions(nlp, text)
    assert (surface, f"{surface} Kommune", "municipality") in found


def test_coordinated_municipalities_with_a_plural_head(nlp):
    found = mentions(nlp, "Demensindsatsen i Syddjurs og Norddjurs Kommuner hænger sammen.")
    assert ("Norddjurs Kommuner", "Norddjurs Kommune", "municipality") in found
    assert not any(s == "Kommuner" for s, _, _ in found)


def test_a_capitalised_adjective_before_kommuner_is_no_name(nlp):
    found = mentions(nlp, "Danske kommuner har travlt.")
    assert [(s, sec) for s, _, sec in found] == [("kommuner", "municipality")]


def test_names_split_by_runs_of_spaces_are_one_mention(nlp):
    found = mentions(nlp, "Et seminar i Randers   Kommune og hos Region  Midtjylland.")
    assert [(c, sec) for _, c, sec in found] == [("Randers Kommune", "municipality"),
                                                 ("Region Midtjylland", "region")]


@pytest.mark.parametrize(("text", "sector"), [
    ("Nabokommunerne er med.", "municipality"),
    ("Hjertepatienterne venter.", "citizen"),
    ("KOL-patienter har mange forløb.", "citizen"),
    ("Lokalpolitikerne sagde ja.", "political"),
    ("Afdelingsoverlægen ringede.", "hospital"),
])
def test_compounds_headed_by_a_generic_term_or_role_have_its_sector(nlp, text, sector):
    assert [sec for _, _, sec in mentions(nlp, text)] == [sector]


def test_a_term_given_inflected_does_not_head_compounds(nlp):
    # "staten" is listed as written: "velfærdsstaten" is an idea, not the state.
    assert mentions(nlp, "Velfærdsstaten er under pres.") == []


# ----------------------------------------------------------------------------- indicators
@pytest.mark.parametrize(("text", "code", "words"), [
    ("Så sker der fejl i doseringen.", "risk", "sker der fejl"),
    ("Og så går det sandsynligvis galt.", "risk", "går det sandsynligvis galt"),
    ("Nu kender vi hinanden.", "trust", "kender vi hinanden"),
    ("Kommunen var helt imod forslaget.", "conflict", "var helt imod"),
    ("Det går\ngalt, når ingen ringer.", "risk", "går\ngalt"),
])
def test_phrase_words_may_have_words_between_them_in_a_clause(nlp, text, code, words):
    assert (code, [words]) in evidence(nlp, text)


@pytest.mark.parametrize("text", [
    "Vi er ikke imod, at private byder ind.",
    "Der sker aldrig fejl her.",
    "Går det, sagde hun, galt?",
    "Så sker der mange andre ting, og fejl er sjældne.",
])
def test_a_negation_or_punctuation_between_phrase_words_blocks_the_phrase(nlp, text):
    assert evidence(nlp, text) == []


# ----------------------------------------------------------------------------- results
def test_results_without_spans_are_the_same_as_with_them(nlp):
    text = ("Herning Kommune og DR var uenige om risikoen. Ring til Anne Kjær på 22 33 44 55 "
            "eller skriv til anne@example.dk.\nPatienterne har tillid til hjemmeplejen.")
    with_spans = analyse(nlp(text), Resolver(default_gazetteer()))
    doc = nlp(text, component_cfg=tagging.no_spans())
    assert "stakeholders" not in doc.spans and "indicators" not in doc.spans
    without = analyse(doc, Resolver(default_gazetteer()))
    assert without == with_spans
    assert {p["kind"] for p in without.personal_data} == {"name", "phone", "email"}


# ----------------------------------------------------------------------------- tagging
def test_an_interrupted_run_leaves_each_document_tagged_or_as_it_was(project, add_doc,
                                                                      monkeypatch):
    for i in range(3):
        add_doc(project, make_paragraphs([f"Kommunen og regionen har tillid nummer {i}."]),
                f"notat {i}")
    monkeypatch.setattr(tagging, "STORE_DOCUMENTS", 1)
    stored = []
    real_store = tagging._store

    def failing_store(*args, **kwargs):
        if stored:
            raise RuntimeError("disk full")
        stored.append(True)
        return real_store(*args, **kwargs)

    monkeypatch.setattr(tagging, "_store", failing_store)
    with pytest.raises(RuntimeError, match="disk full"):
        tagging.run(project)
    assert gc.isenabled()
    tagged = [r[0] for r in project.conn.execute("SELECT document_id FROM tagged_documents")]
    assert len(tagged) == 1
    per_doc = dict(project.conn.execute(
        "SELECT document_id, COUNT(*) FROM mentions GROUP BY document_id").fetchall())
    assert list(per_doc) == tagged
    monkeypatch.setattr(tagging, "_store", real_store)
    assert tagging.run(project)["documents"] == 2
    assert project.conn.execute("SELECT COUNT(*) FROM mentions").fetchone()[0] == 6


def test_tagging_again_after_a_change_replaces_results_without_duplicates(project, add_doc):
    doc_id = add_doc(project, make_paragraphs(["Regionen og kommunen er uenige."]), "notat")
    tagging.run(project)
    before = project.conn.execute("SELECT COUNT(*) FROM mentions").fetchone()[0]
    assert tagging.run(project, force=True)["documents"] == 1
    assert project.conn.execute("SELECT COUNT(*) FROM mentions").fetchone()[0] == before == 2
    lemmas = project.conn.execute(
        "SELECT COUNT(*) FROM segment_lemma_search WHERE segment_lemma_search MATCH 'uenig'"
    ).fetchone()[0]
    assert lemmas == 1
    assert doc_id
