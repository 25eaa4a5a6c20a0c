"""Building the stakeholder network: nodes, typed ties, evidence, units, collapse, filters.

The sample project (``build_sample``) is small enough to know every tie by hand:

Cycle 1, interview with P01 (sundhedschef, Herning Kommune):
  I: Hvordan er forholdet til Hospitalsenheden Vest?           (interviewer: no speaker ties)
  R: S1 "Der er en konflikt mellem Herning Kommune og de praktiserende læger."   coded conflict
     S2 "Men akutteamet og Hospitalsenheden Vest stoler på hinanden."            coded trust
  I: Og regionen?
  R: S3 "Region Midtjylland betaler, og Herning Kommune deltager."               not coded
     S4 "Tirsdag holder vi møde med Region Midtjylland."   ("Tirsdag" is a rejected stakeholder)
Cycle 2, field note: S5 "Herning Kommune og Region Midtjylland er uenige om betalingen."
  coded conflict; S6 "Samarbejdet mellem akutteamet og Hospitalsenheden Vest er godt, og de har
  tillid til hinanden." coded trust.
"""

from __future__ import annotations

import dataclasses

import pytest

from tests.conftest import make_paragraphs, make_transcript
from workbench.core import codebook, relations, stakeholders
from workbench.core.codings import add_coding
from workbench.core.store import new_guid
from workbench.errors import InvalidInput, NotFoundError
from workbench.network.build import build_network
from workbench.network.model import NetworkOptions

S1 = "Der er en konflikt mellem Herning Kommune og de praktiserende læger."
S2 = "Men akutteamet og Hospitalsenheden Vest stoler på hinanden."
S3 = "Region Midtjylland betaler, og Herning Kommune deltager."
S4 = "Tirsdag holder vi møde med Region Midtjylland."
S5 = "Herning Kommune og Region Midtjylland er uenige om betalingen."
S6 = ("Samarbejdet mellem akutteamet og Hospitalsenheden Vest er godt, og de har tillid til "
      "hinanden.")
CASE = "Ældreforløb Vest"

STAKEHOLDERS = {
    "Herning Kommune": ("municipality", "organisation", "confirmed"),
    "Hospitalsenheden Vest": ("hospital", "organisation", "suggested"),
    "Region Midtjylland": ("region", "organisation", "suggested"),
    "almen praksis": ("general_practice", "group", "suggested"),
    "akutteamet": ("municipality", "group", "suggested"),
    "Tirsdag": ("", "organisation", "rejected"),
    "CareLink ApS": ("private_company", "organisation", "suggested"),
}
SURFACES = {"praktiserende læger": "almen praksis"}


def mention_all(project, doc_id, text, ids):
    """Insert a mention row for every occurrence of every stakeholder's surface form."""
    surfaces = {name: name for name in ids} | SURFACES
    for surface, name in surfaces.items():
        start = text.find(surface)
        while start >= 0:
            project.insert("mentions", {"guid": new_guid(), "document_id": doc_id,
                                        "stakeholder_id": ids[name], "start": start,
                                        "end": start + len(surface), "surface": surface})
            start = text.find(surface, start + 1)


def code(project, doc_id, text, sentence, code_name):
    start = text.index(sentence)
    add_coding(project, doc_id, start, start + len(sentence), code_name, coder="anna")


def build_sample(project, add_doc):
    """The sample project described in the module docstring; returns stakeholder ids by name."""
    for name in ("trust", "conflict", "vision"):
        codebook.add_code(project, name)
    ids = {}
    with project.atomic():
        for name, (sector, kind, status) in STAKEHOLDERS.items():
            ids[name] = project.insert("stakeholders", {
                "name": name, "sector": sector, "kind": kind, "status": status})
    interview = make_transcript([
        ("I", "Hvordan er forholdet til Hospitalsenheden Vest?"),
        ("R", f"{S1} {S2}"), ("I", "Og regionen?"), ("R", f"{S3} {S4}")])
    doc1 = add_doc(project, interview, "P01_interview", case=CASE, cycle=1, participant="P01",
                   role="sundhedschef", organisation="Herning Kommune", sector="municipality")
    note = make_paragraphs([f"{S5} {S6}"])
    doc2 = add_doc(project, note, "feltnote_c2", case=CASE, cycle=2, kind="field_note")
    for doc_id, parsed in ((doc1, interview), (doc2, note)):
        with project.atomic():
            mention_all(project, doc_id, parsed.text, ids)
    code(project, doc1, interview.text, S1, "conflict")
    code(project, doc1, interview.text, S2, "trust")
    code(project, doc2, note.text, S5, "conflict")
    code(project, doc2, note.text, S6, "trust")
    return ids


@pytest.fixture
def sample(project, add_doc):
    return project, build_sample(project, add_doc)


def ties_by_label(network):
    """{(label, label, type): tie} with the two labels sorted."""
    out = {}
    for tie in network.ties:
        a, b = sorted((network.nodes[tie.a].label, network.nodes[tie.b].label))
        out[(a, b, tie.type)] = tie
    return out


def weights(network):
    return {k: t.weight for k, t in ties_by_label(network).items()}


EXPECTED = {
    ("Herning Kommune", "almen praksis", "conflict"): 1,
    ("Hospitalsenheden Vest", "akutteamet", "trust"): 2,
    ("Herning Kommune", "Region Midtjylland", "co-mention"): 1,
    ("Herning Kommune", "Region Midtjylland", "conflict"): 1,
    ("Herning Kommune", "P01", "conflict"): 1,
    ("Herning Kommune", "P01", "speaks-about"): 1,
    ("P01", "almen praksis", "conflict"): 1,
    ("P01", "akutteamet", "trust"): 1,
    ("Hospitalsenheden Vest", "P01", "trust"): 1,
    ("P01", "Region Midtjylland", "speaks-about"): 2,
}


def test_the_sample_network_has_exactly_the_ties_in_the_text(sample):
    project, _ = sample
    net = build_network(project)
    assert weights(net) == EXPECTED
    assert net.tie_types == ["trust", "conflict", "co-mention", "speaks-about"]
    assert net.summary()["passages"] == sum(EXPECTED.values())


def test_nodes_carry_sector_kind_mentions_and_cases(sample):
    project, _ = sample
    net = build_network(project)
    nodes = {n.label: n for n in net.nodes.values()}
    assert set(nodes) == {"Herning Kommune", "Hospitalsenheden Vest", "Region Midtjylland",
                          "almen praksis", "akutteamet", "P01"}
    herning = nodes["Herning Kommune"]
    assert (herning.sector, herning.kind, herning.mentions) == ("municipality", "organisation", 3)
    assert herning.cases == {CASE}
    assert len(herning.documents) == 2
    # The interviewer's mention counts as a mention, though it makes no tie.
    assert nodes["Hospitalsenheden Vest"].mentions == 3
    p01 = nodes["P01"]
    assert (p01.kind, p01.sector, p01.role) == ("participant", "municipality", "sundhedschef")
    assert p01.turns == 2


def test_rejected_and_unmentioned_stakeholders_are_left_out(sample):
    project, _ = sample
    net = build_network(project)
    labels = {n.label for n in net.nodes.values()}
    assert "Tirsdag" not in labels
    assert "CareLink ApS" not in labels
    with_isolates = build_network(project, NetworkOptions(isolates=True))
    assert "Tirsdag" not in {n.label for n in with_isolates.nodes.values()}


def test_each_tie_keeps_its_passages_with_quotes(sample):
    project, _ = sample
    net = build_network(project)
    trust = ties_by_label(net)[("Hospitalsenheden Vest", "akutteamet", "trust")]
    quotes = sorted(p.quote for p in trust.passages)
    assert quotes == sorted([S2, S6])
    passage = next(p for p in trust.passages if p.quote == S6)
    assert (passage.document, passage.case, passage.cycle, passage.codes) == (
        "feltnote_c2", CASE, 2, ("trust",))
    doc_text = project.conn.execute("SELECT text FROM documents WHERE name = 'feltnote_c2'"
                                    ).fetchone()[0]
    assert doc_text[passage.start:passage.end] == S6
    speaker = ties_by_label(net)[("P01", "Region Midtjylland", "speaks-about")]
    assert [p.quote for p in speaker.passages] == [S3, S4]
    assert all(p.via == "speaker" and p.speaker == "P01" for p in speaker.passages)
    assert speaker.forward + speaker.backward == 2


def test_the_interviewer_makes_no_speaker_ties(sample):
    project, _ = sample
    net = build_network(project)
    hev = ties_by_label(net)[("Hospitalsenheden Vest", "P01", "trust")]
    assert [p.quote for p in hev.passages] == [S2]


def test_tie_codes_choose_which_codes_type_ties(sample):
    project, _ = sample
    net = build_network(project, NetworkOptions(tie_codes=("trust",)))
    found = weights(net)
    assert ("Herning Kommune", "almen praksis", "co-mention") in found
    assert not any(t == "conflict" for _, _, t in found)
    with pytest.raises(NotFoundError):
        build_network(project, NetworkOptions(tie_codes=("tilid",)))


def test_subcodes_type_ties_as_their_tie_code(sample):
    project, _ = sample
    codebook.add_code(project, "konflikt om betaling", parent="conflict")
    text = project.conn.execute("SELECT text FROM documents WHERE name = 'P01_interview'"
                                ).fetchone()[0]
    code(project, "P01_interview", text, S3, "konflikt om betaling")
    found = weights(build_network(project))
    assert found[("Herning Kommune", "Region Midtjylland", "conflict")] == 2
    assert ("Herning Kommune", "Region Midtjylland", "co-mention") not in found


def test_signs_follow_tie_types(sample):
    project, _ = sample
    net = build_network(project)
    signs = {k: t.sign for k, t in ties_by_label(net).items()}
    assert signs[("Hospitalsenheden Vest", "akutteamet", "trust")] == 1
    assert signs[("Herning Kommune", "almen praksis", "conflict")] == -1
    assert signs[("Herning Kommune", "Region Midtjylland", "co-mention")] == 0
    flipped = build_network(project, NetworkOptions(signs={"trust": -1}))
    assert ties_by_label(flipped)[("Hospitalsenheden Vest", "akutteamet", "trust")].sign == -1


def test_segment_unit_pairs_everyone_in_a_turn(sample):
    project, _ = sample
    net = build_network(project, NetworkOptions(unit="segment", speakers=False))
    found = weights(net)
    # The first answer names Herning Kommune, almen praksis, akutteamet and Hospitalsenheden
    # Vest, and holds a conflict and a trust coding: every pair is both. So is the field note.
    assert found[("akutteamet", "almen praksis", "conflict")] == 1
    assert found[("akutteamet", "almen praksis", "trust")] == 1
    assert found[("Herning Kommune", "akutteamet", "conflict")] == 2
    assert found[("Hospitalsenheden Vest", "akutteamet", "trust")] == 2
    passage = ties_by_label(net)[("akutteamet", "almen praksis", "trust")].passages[0]
    assert passage.quote == f"{S1} {S2}"


def test_window_unit_pairs_mentions_close_together(sample):
    project, _ = sample

    def window(chars):
        return weights(build_network(project, NetworkOptions(unit="window", window=chars,
                                                             speakers=False)))

    # " og " between the names: 4 characters.
    assert window(5) == {("Herning Kommune", "Region Midtjylland", "conflict"): 1,
                         ("Hospitalsenheden Vest", "akutteamet", "trust"): 2}
    # "læger. Men akutteamet": the stretch crosses a conflict and a trust sentence.
    assert window(10) == {("Herning Kommune", "Region Midtjylland", "conflict"): 1,
                          ("Herning Kommune", "almen praksis", "conflict"): 1,
                          ("akutteamet", "almen praksis", "conflict"): 1,
                          ("akutteamet", "almen praksis", "trust"): 1,
                          ("Hospitalsenheden Vest", "akutteamet", "trust"): 2}
    tie = ties_by_label(build_network(project, NetworkOptions(unit="window", window=5)))[
        ("Herning Kommune", "Region Midtjylland", "conflict")]
    assert tie.passages[0].quote == "Herning Kommune og Region Midtjylland"


def test_sentences_from_tagging_are_used_when_present(sample):
    project, _ = sample
    doc_id, text = project.conn.execute(
        "SELECT id, text FROM documents WHERE name = 'P01_interview'").fetchone()
    # Tagging saw the whole first answer as one sentence.
    start = text.index(S1)
    end = text.index(S2) + len(S2)
    project.conn.execute('INSERT INTO sentences (document_id, start, "end") VALUES (?, ?, ?)',
                         (doc_id, start, end))
    found = weights(build_network(project, NetworkOptions(speakers=False)))
    assert ("Herning Kommune", "Hospitalsenheden Vest", "conflict") in found


def test_collapse_to_organisations_uses_homes_relations_and_participants(sample):
    project, ids = sample
    stakeholders.set_home(project, "municipality", "Herning Kommune", case=CASE)
    net = build_network(project, NetworkOptions(collapse="organisations"))
    found = weights(net)
    labels = {n.label for n in net.nodes.values()}
    assert "akutteamet" not in labels and "P01" not in labels
    herning = net.find_node("Herning Kommune")
    assert herning.members == {"Herning Kommune", "akutteamet", "P01"}
    # akutteamet - Hospitalsenheden Vest trust (2) + P01 -> Hospitalsenheden Vest trust (1).
    assert found[("Herning Kommune", "Hospitalsenheden Vest", "trust")] == 3
    # P01 -> Herning Kommune and akutteamet would point at itself: dropped.
    assert not any(a == b for a, b, _ in found)
    stakeholders.set_home(project, "municipality", None, case=CASE)
    relations.add_relation(project, "akutteamet", "Herning Kommune", "part_of")
    again = build_network(project, NetworkOptions(collapse="organisations"))
    assert "akutteamet" in again.find_node("Herning Kommune").members
    assert not any(t.type == "part_of" for t in again.ties)


def test_collapse_to_sectors(sample):
    project, _ = sample
    net = build_network(project, NetworkOptions(collapse="sectors"))
    assert set(net.nodes) == {"sector:municipality", "sector:hospital", "sector:region",
                              "sector:general_practice"}
    found = weights(net)
    assert found[("hospital", "municipality", "trust")] == 3
    assert found[("municipality", "region", "conflict")] == 1


def test_filters_case_cycle_code_sector_and_min_weight(sample):
    project, _ = sample
    cycle2 = weights(build_network(project, NetworkOptions(cycle=2)))
    assert cycle2 == {("Herning Kommune", "Region Midtjylland", "conflict"): 1,
                      ("Hospitalsenheden Vest", "akutteamet", "trust"): 1}
    assert weights(build_network(project, NetworkOptions(case=CASE))) == EXPECTED
    coded = weights(build_network(project, NetworkOptions(code="conflict")))
    assert set(t for _, _, t in coded) == {"conflict"}
    hospital = weights(build_network(project, NetworkOptions(sectors=("hospital",))))
    assert set(hospital) == {("Hospitalsenheden Vest", "akutteamet", "trust"),
                             ("Hospitalsenheden Vest", "P01", "trust")}
    strong = weights(build_network(project, NetworkOptions(min_weight=2)))
    assert strong == {("Hospitalsenheden Vest", "akutteamet", "trust"): 2,
                      ("P01", "Region Midtjylland", "speaks-about"): 2}


def test_bad_options_get_one_clear_sentence(sample):
    project, _ = sample
    with pytest.raises(InvalidInput, match="co-mention unit"):
        build_network(project, NetworkOptions(unit="paragraph"))
    with pytest.raises(NotFoundError, match="No case"):
        build_network(project, NetworkOptions(case="Ung Trivsel"))
    with pytest.raises(NotFoundError, match="No cycle 3"):
        build_network(project, NetworkOptions(cycle=3))
    with pytest.raises(InvalidInput, match="sector"):
        build_network(project, NetworkOptions(sectors=("kommune",)))


def test_merged_stakeholders_follow_the_one_that_stays(sample):
    project, ids = sample
    stakeholders.merge(project, ["akutteamet"], "Herning Kommune")
    found = weights(build_network(project))
    assert found[("Herning Kommune", "Hospitalsenheden Vest", "trust")] == 2
    assert "akutteamet" not in {a for a, _, _ in found} | {b for _, b, _ in found}


def test_relations_added_by_hand_are_ties_of_their_kind(sample):
    project, _ = sample
    relations.add_relation(project, "Region Midtjylland", "Herning Kommune", "funds",
                           memo="Styregruppemødet 23. april: regionen betaler tablets.")
    relations.add_relation(project, "Region Midtjylland", "Herning Kommune", "conflict",
                           memo="P06 om betalingen for 2026")
    net = build_network(project)
    found = ties_by_label(net)
    funds = found[("Herning Kommune", "Region Midtjylland", "funds")]
    assert funds.weight == 1 and funds.passages[0].via == "relation"
    assert "regionen betaler" in funds.passages[0].quote
    region_key = net.find_node("Region Midtjylland").key
    assert funds.passages[0].source == region_key
    conflict = found[("Herning Kommune", "Region Midtjylland", "conflict")]
    assert conflict.weight == 2 and conflict.sign == -1
    without = weights(build_network(project, NetworkOptions(relations=False)))
    assert ("Herning Kommune", "Region Midtjylland", "funds") not in without
    # Relations between stakeholders absent from cycle 1's documents stay out of cycle 1.
    relations.add_relation(project, "CareLink ApS", "Region Midtjylland", "contracts_with")
    cycle1 = weights(build_network(project, NetworkOptions(cycle=1)))
    assert not any(t == "contracts_with" for _, _, t in cycle1)
    assert ("CareLink ApS", "Region Midtjylland", "contracts_with") in weights(
        build_network(project))


def test_options_are_plain_data(sample):
    project, _ = sample
    base = NetworkOptions()
    other = dataclasses.replace(base, cycle=1)
    assert base.cycle is None and other.cycle == 1
    assert build_network(project, other).options.cycle == 1
