"""Assisted coding: learning codes from a researcher's codings, suggesting, deciding, retraining."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner

from tests.conftest import CODEBOOKS, make_paragraphs
from workbench.analysis import active_learning
from workbench.analysis import suggestions as sg
from workbench.analysis.features import LemmaTerms, Lemmatiser
from workbench.analysis.model_store import list_models
from workbench.cli import main
from workbench.core import codebook, codings
from workbench.core import suggestions as core
from workbench.core.store import new_guid, now

# Passages written for these tests (not from the evaluation set in bench/data).
TRUST = [
    "Vi stoler på hinanden nu, og det gør, at jeg bare ringer direkte til afdelingen.",
    "Der er kommet en tillid mellem sygeplejerskerne, som ikke var der før.",
    "Jeg har tillid til, at de gør, hvad de siger, når de siger det.",
    "Vi kender hinanden så godt nu, at vi stoler på hinandens vurdering.",
    "Hun er ærlig over for os, og derfor har vi tillid til hende.",
    "Tilliden mellem kommunen og lægerne er vokset, efter vi begyndte at mødes.",
    "Man kan stole på, at hjemmeplejen ringer, hvis der er noget.",
    "Vi har en åben dialog, og vi stoler på, at ingen bruger det imod os.",
    "Lægen har tillid til vores sygeplejersker og lytter til dem.",
    "Det handler om tillid: vi ved, at de andre holder, hvad de lover.",
    "Efter et år stoler vi på hinanden, også når det brænder på.",
    "Relationen er bygget på tillid og ærlighed fra begge sider.",
]
CONFLICT = [
    "Der var stor uenighed om, hvem der skulle betale for tabletterne.",
    "Regionen og kommunen har været i strid om pengene i flere måneder.",
    "Det endte i et skænderi om ansvaret, og ingen ville give sig.",
    "Lægerne er sure over, at kommunen bestemmer det hele uden at spørge.",
    "Uenigheden om budgettet har skabt dårlig stemning i styregruppen.",
    "De var dybt uenige om visitationen og talte ikke sammen bagefter.",
    "Striden om nattevagterne blussede op igen på mødet i går.",
    "Der er konflikt om, hvem der ejer planen, og det er ikke løst.",
    "Sygehuset og hjemmeplejen skændes om udskrivelserne hver uge.",
    "Vi er uenige med regionen om pengene, og det sinker det hele.",
    "Kampen om ressourcerne har gjort folk sure på hinanden.",
    "Konflikten mellem afdelingerne handler i bund og grund om penge.",
]
NEUTRAL = [
    "Mødet ligger hver tirsdag klokken ni i kantinen på rådhuset.",
    "Projektet har to medarbejdere og en koordinator på halv tid.",
    "Borgerne får en folder med telefonnumre, når de kommer hjem.",
    "Evalueringen består af interviews og et spørgeskema i efteråret.",
    "Hjemmeplejen kører ud til borgerne i fire distrikter.",
    "Vi har skrevet referatet og sendt det rundt til alle.",
    "Den nye tablet har et stort tastatur og en enkel skærm.",
    "Sygeplejersken målte blodtrykket og skrev det i journalen.",
    "Kurset for personalet ligger i uge 38 på sundhedscentret.",
    "Der er parkering bag bygningen og en busstation lige ved siden af.",
    "Ansøgningen skal afleveres inden udgangen af marts.",
    "Vi bruger det samme skema til alle besøg i første måned.",
    "Han har arbejdet i hjemmeplejen i otte år og kender området.",
    "Rapporten bliver trykt i 200 eksemplarer og sendt til udvalget.",
]
VISION = [
    "Vores vision er ét samlet forløb, hvor borgeren kun fortæller sin historie én gang.",
    "Drømmen er et fælles sundhedshus, hvor alle faggrupper sidder sammen.",
]
HELD_BACK = [
    "Jeg har stor tillid til sygeplejerskerne, og vi stoler på hinanden.",
    "Der var igen uenighed og strid om pengene mellem regionen og kommunen.",
    "Frokosten står klar i kantinen klokken tolv.",
]


def _code_paragraphs(project, doc_id: int, labels: list[str | None]) -> None:
    segments = project.rows('SELECT start, "end" FROM segments WHERE document_id = ? '
                            "ORDER BY start", (doc_id,))
    for segment, label in zip(segments, labels, strict=True):
        if label:
            codings.add_coding(project, doc_id, segment["start"], segment["end"], label)


@pytest.fixture
def coded(project, add_doc):
    """A project with the default codebook, three coded documents (trust and conflict with
    12 coded paragraphs each, vision with two) and one document nobody has coded."""
    codebook.load_codebook(project, codebook.read_yaml(CODEBOOKS / "default.yaml"))
    items = [(t, "trust") for t in TRUST] + [(t, "conflict") for t in CONFLICT] + \
        [(t, None) for t in NEUTRAL] + [(t, "vision") for t in VISION]
    for part in range(3):
        chunk = items[part::3]
        doc_id = add_doc(project, make_paragraphs([t for t, _ in chunk]), f"interview {part}")
        _code_paragraphs(project, doc_id, [label for _, label in chunk])
    add_doc(project, make_paragraphs(HELD_BACK), "ukodet interview")
    return project


def _model_suggestions(project, code: str | None = None) -> list[dict]:
    return [r for r in core.list_suggestions(project, status=None, code=code)
            if r["origin"] == "model"]


# ------------------------------------------------------------------------------- learning
def test_training_suggests_the_code_of_a_held_back_passage(coded):
    run = sg.suggest(coded, top=None)
    rows = _model_suggestions(coded)
    trust = [r for r in rows if r["text"] == HELD_BACK[0]]
    conflict = [r for r in rows if r["text"] == HELD_BACK[1]]
    assert [r["code"] for r in trust] == ["trust"]
    assert [r["code"] for r in conflict] == ["conflict"]
    assert not [r for r in rows if r["text"] == HELD_BACK[2]]
    # Evidence: the lemmas that weighed most, present in the passage.
    lemmas = core.evidence_words(trust[0]["evidence"])
    assert "tillid" in lemmas or "stole" in lemmas
    assert trust[0]["score"] >= run.training.model.codes[
        codebook.get_code(coded, "trust").guid].threshold
    # Only passages nobody has read are suggested.
    assert {r["document"] for r in rows} == {"ukodet interview"}


def test_a_suggestion_is_traced_to_its_model_codebook_and_training_data(coded):
    sg.suggest(coded)
    row = _model_suggestions(coded, "trust")[0]
    model_id = coded.conn.execute("SELECT model_id FROM suggestions WHERE id = ?",
                                  (row["id"],)).fetchone()[0]
    model = next(m for m in list_models(coded) if m["id"] == model_id)
    assert model["codebook_version"] and model["training_fingerprint"]
    assert model["unit"] == "segment"
    trust = next(c for c in model["codes"] if c["name"] == "trust")
    assert trust["positives"] == len(TRUST) and trust["negatives"] >= len(NEUTRAL)
    assert trust["trained_in"] == model_id and trust["examples"]


def test_a_code_with_two_examples_cannot_learn_yet_and_says_how_many_more(coded):
    training = sg.train(coded)
    vision = training.model.codes[codebook.get_code(coded, "vision").guid]
    assert vision.status == "too_few" and vision.positives == 2
    assert vision.needed == {"positives": sg.MIN_POSITIVES - 2, "negatives": 0}
    note = sg.note(vision)
    assert "cannot learn yet" in note and f"{sg.MIN_POSITIVES - 2} more coded passage" in note
    assert not _model_suggestions(coded, "vision")
    report = sg.evaluate(coded)
    row = next(r for r in report["codes"] if r["code"] == "vision")
    assert row["model"] is None and row["needed"]["positives"] == sg.MIN_POSITIVES - 2


def test_evaluation_reports_cross_validated_precision_recall_and_f1(coded):
    report = sg.evaluate(coded)
    trust = next(r for r in report["codes"] if r["code"] == "trust")
    metrics = trust["model"]
    assert metrics["folds"] == 5
    assert metrics["tp"] + metrics["fn"] == len(TRUST)
    assert 0.0 <= metrics["precision"] <= 1.0 and metrics["f1"] > 0.5
    assert report["macro"]["codes"] == 2


# ------------------------------------------------------------------------- deciding
def test_accepting_makes_a_coding_and_a_positive_example_for_the_next_training(coded):
    before = sg.train(coded)
    trust_guid = codebook.get_code(coded, "trust").guid
    sg.suggest(coded)
    row = next(r for r in _model_suggestions(coded, "trust") if r["text"] == HELD_BACK[0])
    coding_id = core.accept_suggestion(coded, row["id"])
    coding = codings.get_coding(coded, coding_id)
    assert coding.origin == "suggestion" and coded.get_row("suggestions", row["id"])[
        "status"] == "accepted"
    after = sg.train(coded)
    assert after.model.codes[trust_guid].positives == before.model.codes[trust_guid].positives + 1
    # Only the code whose examples changed is retrained; the rest keep their weights.
    assert after.retrained == ["trust"] and "conflict" in after.reused
    # Undo takes back the coding and the decision in one step.
    from workbench.core import history

    history.undo(coded)
    assert coded.get_row("suggestions", row["id"])["status"] == "open"
    assert not coded.conn.execute("SELECT 1 FROM codings WHERE id = ?", (coding_id,)).fetchone()


def test_rejecting_is_remembered_and_becomes_a_negative_example(coded):
    before = sg.train(coded)
    conflict_guid = codebook.get_code(coded, "conflict").guid
    sg.suggest(coded)
    row = next(r for r in _model_suggestions(coded, "conflict") if r["text"] == HELD_BACK[1])
    core.reject_suggestion(coded, row["id"], coder="bo")
    stored = coded.get_row("suggestions", row["id"])
    assert stored["status"] == "rejected" and stored["decided_by"] == "bo"
    after = sg.train(coded)
    old, new = before.model.codes[conflict_guid], after.model.codes[conflict_guid]
    assert new.negatives == old.negatives + 1 and new.positives == old.positives
    assert after.retrained == ["conflict"]
    # The rejected passage is not suggested again, and the decision is kept.
    sg.suggest(coded)
    same = [r for r in _model_suggestions(coded, "conflict") if r["text"] == HELD_BACK[1]]
    assert [r["status"] for r in same] == ["rejected"]


def test_training_is_incremental_and_train_forces_it(coded):
    first = sg.train(coded)
    assert first.saved and set(first.retrained) == {"trust", "conflict"}
    again = sg.train(coded)
    assert not again.saved and again.model.id == first.model.id
    forced = sg.train(coded, force=True)
    assert forced.saved and set(forced.retrained) == {"trust", "conflict"}
    # Only the newest model keeps weights; the older rows stay for tracing.
    models = list_models(coded)
    assert [m["has_weights"] for m in models] == [1, 0]


def test_open_suggestions_keep_their_ids_between_runs(coded):
    sg.suggest(coded)
    first = {r["id"]: (r["start"], r["code"]) for r in _model_suggestions(coded)}
    coded.set_setting(sg.STATE_SETTING, None)  # make it predict again
    sg.suggest(coded)
    second = {r["id"]: (r["start"], r["code"]) for r in _model_suggestions(coded)}
    assert first == second


# ------------------------------------------------------------------------ ordering
def test_uncertainty_queue_puts_the_passages_nearest_the_threshold_first():
    passage = np.array([0, 0, 1, 2, 3])
    probability = np.array([0.9, 0.45, 0.1, 0.62, 0.3])
    order = active_learning.uncertainty_queue(passage, probability)
    # 0.45 (passage 0), 0.62 (2), 0.3 (3), 0.1 (1): each passage once, by its closest code.
    assert order.tolist() == [1, 3, 4, 2]
    assert active_learning.uncertainty_queue(passage, probability, top=2).tolist() == [1, 3]
    # Around a threshold of 0.3 the passage at 0.3 is the most uncertain.
    shifted = active_learning.uncertainty_queue(passage, probability, threshold=0.3)
    assert shifted.tolist() == [4, 1, 2, 3]


def test_suggest_in_uncertainty_order_lists_model_suggestions_by_margin(coded):
    run = sg.suggest(coded, order="uncertainty", top=3)
    assert run.rows and all(r["origin"] == "model" for r in run.rows)
    models = {c.code_id: c.threshold for c in run.training.model.trained()}
    margins = [abs(r["score"] - models[r["code_id"]]) for r in run.rows]
    assert margins == sorted(margins)
    assert len({(r["document_id"], r["start"]) for r in run.rows}) == len(run.rows)


# ----------------------------------------------------------------- merging and units
def _tag_by_hand(project, doc_id: int, text: str, code: str, words: list[str]) -> int:
    """An indicator suggestion as tagging would store it (without running spaCy)."""
    start = project.get_row("documents", doc_id)["text"].index(text)
    project.conn.execute("INSERT OR REPLACE INTO tagged_documents VALUES (?, ?, ?, ?)",
                         (doc_id, "x", "test", now()))
    return project.insert("suggestions", {
        "document_id": doc_id, "start": start, "end": start + len(text),
        "code_id": codebook.get_code(project, code).id, "origin": "indicator", "score": 0.5,
        "evidence": json.dumps(words, ensure_ascii=False), "status": "open",
        "created_at": now(), "guid": new_guid()})


def test_model_and_indicator_suggestions_are_merged_and_labelled_by_origin(coded):
    doc_id = coded.conn.execute("SELECT id FROM documents WHERE name = 'ukodet interview'"
                                ).fetchone()[0]
    indicator_id = _tag_by_hand(coded, doc_id, HELD_BACK[0], "trust", ["tillid"])
    run = sg.suggest(coded, top=None)
    origins = {r["origin"] for r in run.rows}
    assert origins == {"model", "indicator"}
    model_row = next(r for r in run.rows if r["origin"] == "model" and r["code"] == "trust")
    assert model_row["agrees"] == [indicator_id]
    assert sg.suggest(coded, origin="indicator").rows[0]["id"] == indicator_id
    only_model = sg.suggest(coded, origin="model", code="trust").rows
    assert {r["origin"] for r in only_model} == {"model"}
    assert [r["agrees"] for r in only_model if r["text"] == HELD_BACK[0]] == [[indicator_id]]


def test_indicator_hits_become_features_of_a_tagged_project(coded):
    doc_id = coded.conn.execute("SELECT id FROM documents WHERE name = 'ukodet interview'"
                                ).fetchone()[0]
    _tag_by_hand(coded, doc_id, HELD_BACK[0], "trust", ["tillid"])
    training = sg.train(coded)
    trust = codebook.get_code(coded, "trust").guid
    assert trust in training.passages.indicator_codes
    assert training.passages.indicator_hits[trust].sum() == 1
    assert training.model.space.indicator_codes == training.passages.indicator_codes


def test_sentence_unit_learns_and_suggests_sentences(coded):
    coded.set_setting("suggestion_unit", "sentence")
    run = sg.suggest(coded, top=None)
    assert run.training.model.unit == "sentence"
    texts = {r["text"] for r in _model_suggestions(coded)}
    assert HELD_BACK[0] in texts


# --------------------------------------------------------------------------- features
def test_lemma_features_drop_stop_words_but_keep_meaningful_pairs():
    lemmatise = Lemmatiser()
    text = lemmatise("Kommunerne stolede ikke på hinanden i 2024.")
    assert text == "kommune stole ikke på hinanden i 2024"
    terms = LemmaTerms(frozenset({"ikke", "på", "i", "hinanden"}))(text)
    assert "kommune" in terms and "stole" in terms and "ikke" not in terms
    assert "stole ikke" in terms and "hinanden i" not in terms  # two stop words
    assert not any("2024" in t for t in terms)


def test_danish_text_from_a_cp1252_crlf_file_gets_suggestions_at_the_right_offsets(
        coded, tmp_path):
    source = tmp_path / "møde med regionen.txt"
    body = ("Vi har fået stor tillid til sygeplejerskerne i Århus, og vi stoler på hinanden.\r\n"
            "\r\n»Der var uenighed og strid om pengene«, sagde hun.\r\n")
    source.write_bytes(body.encode("cp1252"))
    result = CliRunner().invoke(main, ["import", str(coded.path), str(source)])
    assert result.exit_code == 0, result.output
    sg.suggest(coded)
    rows = [r for r in _model_suggestions(coded) if r["document"].startswith("møde")]
    assert {r["code"] for r in rows} >= {"trust"}
    for row in rows:
        text = coded.conn.execute("SELECT text FROM documents WHERE id = ?",
                                  (row["document_id"],)).fetchone()[0]
        assert text[row["start"]:row["end"]] == row["text"] and "\r" not in row["text"]


def test_importing_the_module_loads_neither_sklearn_nor_spacy_nor_textual():
    code = ("import sys, workbench.analysis.suggestions, workbench.cli.suggest_cmds; "
            "print(','.join(m for m in ('sklearn', 'spacy', 'textual') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == ""


# -------------------------------------------------------------------------------- CLI
def test_cli_suggest_eval_and_decisions(coded):
    path = str(coded.path)
    runner = CliRunner()
    result = runner.invoke(main, ["suggest", path, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["model"]["unit"] == "segment" and data["suggestions"]
    assert any("cannot learn yet" in n for n in data["notes"])
    table = runner.invoke(main, ["suggest", path, "--code", "trust", "--top", "5"])
    assert table.exit_code == 0 and "trust" in table.output and "F1" in table.output
    evaluation = runner.invoke(main, ["suggest-eval", path])
    assert evaluation.exit_code == 0
    assert "needs 8 more coded" in evaluation.output and "conflict" in evaluation.output
    ids = [s["id"] for s in data["suggestions"] if s["origin"] == "model"]
    accepted = runner.invoke(main, ["suggestion", "accept", path, str(ids[0]), "--coder", "åse"])
    assert accepted.exit_code == 0 and f"Accepted suggestion {ids[0]}" in accepted.output
    again = runner.invoke(main, ["suggestion", "reject", path, str(ids[0]), "999999"])
    assert again.exit_code == 1
    assert "already accepted" in again.stderr and "No suggestion 999999" in again.stderr


def test_cli_unit_option_is_remembered(coded):
    result = CliRunner().invoke(main, ["suggest", str(coded.path), "--unit", "sentence",
                                       "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["model"]["unit"] == "sentence"
    assert coded.setting("suggestion_unit") == "sentence"


def test_a_project_without_codes_gets_one_clear_sentence(project, add_doc):
    add_doc(project, make_paragraphs(["Ingen koder her."]), "doc")
    result = CliRunner().invoke(main, ["suggest", str(project.path)])
    assert result.exit_code == 1
    assert "has no codes" in result.stderr and "codebook import" in result.stderr


def test_model_weights_are_stored_without_pickle(coded):
    sg.train(coded)
    data = coded.conn.execute("SELECT data FROM models WHERE data IS NOT NULL").fetchone()[0]
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        assert "word_vocab" in archive.files and archive["word_vocab"].dtype.kind == "U"


def test_an_uncoded_project_says_what_each_code_needs(project, add_doc):
    codebook.load_codebook(project, codebook.read_yaml(CODEBOOKS / "default.yaml"))
    add_doc(project, make_paragraphs(NEUTRAL), "ukodet")
    result = CliRunner().invoke(main, ["suggest", str(project.path)])
    assert result.exit_code == 0, result.output
    assert "No model yet" in result.output
    assert result.output.count("cannot learn yet") == 4
    assert not list_models(project)


def test_passages_without_words_get_one_clear_sentence(project, add_doc):
    codebook.load_codebook(project, codebook.read_yaml(CODEBOOKS / "default.yaml"))
    numbers = [f"{n} {n + 1} {n + 2}" for n in range(0, 60, 3)]
    doc_id = add_doc(project, make_paragraphs(numbers), "tal")
    _code_paragraphs(project, doc_id, ["risk" if i % 2 else None for i in range(len(numbers))])
    result = CliRunner().invoke(main, ["suggest", str(project.path)])
    assert result.exit_code == 1
    assert "no words to learn from" in result.stderr
