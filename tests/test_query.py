"""The boolean query language over codes: parsing, name lookup, evaluation, error sentences."""

from __future__ import annotations

import re

import pytest

from workbench.core import codebook
from workbench.core.query import (
    And,
    CodeTable,
    Name,
    Not,
    Or,
    evaluate,
    names,
    parse_query,
    resolve,
    to_text,
)
from workbench.errors import InvalidInput, NotFoundError


@pytest.mark.parametrize("query, expected", [
    ("trust", "trust"),
    ("trust AND conflict", "(trust AND conflict)"),
    ("trust and conflict or risk", "((trust AND conflict) OR risk)"),
    ("trust AND (conflict OR risk) AND NOT vision",
     "(trust AND (conflict OR risk) AND NOT vision)"),
    ("NOT NOT trust", "NOT NOT trust"),
    ("trust OR conflict AND risk", "(trust OR (conflict AND risk))"),
    ('"ledelse på tværs" AND tillid', '("ledelse på tværs" AND tillid)'),
    ("ledelse på tværs AND tillid", '("ledelse på tværs" AND tillid)'),
    ("»ledelse på tværs« OR „samarbejde“", '("ledelse på tværs" OR samarbejde)'),
    ("”tillid”", "tillid"),
    ("((trust))", "trust"),
])
def test_parse_reads_precedence_quotes_and_multiword_names(query, expected):
    assert to_text(parse_query(query)) == expected


@pytest.mark.parametrize("query, fragment", [
    ("", "empty"),
    ("   ", "empty"),
    ("trust AND", "ends after AND"),
    ("trust OR NOT", "ends after NOT"),
    ("(trust AND conflict", "never closed"),
    ("trust AND conflict)", "without a matching '('"),
    ("AND trust", "where a code name was expected"),
    ("trust AND AND risk", "where a code name was expected"),
    ("()", "misplaced ')'"),
    ('"ledelse på tværs', "never closed"),
    ('trust AND ""', "empty quotes"),
    ("trust (risk)", "where AND, OR or the end was expected"),
])
def test_malformed_queries_get_one_clear_sentence(query, fragment):
    with pytest.raises(InvalidInput) as info:
        parse_query(query)
    message = str(info.value)
    assert fragment in message
    # One sentence: no full stop followed by a new sentence.
    assert not re.search(r"\.\s+[A-ZÆØÅ]", message) and message.endswith(".")


@pytest.fixture
def codes(project):
    codebook.add_code(project, "trust", label_da="tillid", label_en="trust")
    codebook.add_code(project, "trust-leaders", parent="trust", label_da="tillid mellem ledere")
    codebook.add_code(project, "trust-nurses", parent="trust-leaders", label_da="")
    codebook.add_code(project, "conflict", label_da="konflikt")
    codebook.add_code(project, "risk", label_da="risiko")
    codebook.add_code(project, "vision", label_da="vision")
    codebook.add_code(project, "ledelse på tværs", label_da="Ledelse På Tværs")
    return CodeTable.load(project)


def test_names_resolve_by_name_or_label_in_any_case_with_subcodes(codes):
    ids = {name: cid for cid, name in codes.names.items()}
    tree = resolve(parse_query("TILLID AND NOT Konflikt OR ”LEDELSE PÅ TVÆRS”"), codes)
    assert isinstance(tree, Or)
    first, second = tree.operands
    assert isinstance(first, And) and isinstance(first.operands[1], Not)
    trust = first.operands[0]
    assert trust.code_ids == {ids["trust"], ids["trust-leaders"], ids["trust-nurses"]}
    assert second.code_ids == {ids["ledelse på tværs"]}


def test_positive_and_negative_names_are_told_apart(codes):
    tree = parse_query("trust AND NOT (vision OR NOT risk)")
    assert [(n.text, pos) for n, pos in names(tree)] == [
        ("trust", True), ("vision", False), ("risk", True)]


def test_evaluate_uses_subcodes(codes):
    ids = {name: cid for cid, name in codes.names.items()}
    tree = resolve(parse_query("trust AND (conflict OR risk) AND NOT vision"), codes)
    assert evaluate(tree, {ids["trust-nurses"], ids["risk"]})
    assert not evaluate(tree, {ids["trust-nurses"], ids["risk"], ids["vision"]})
    assert not evaluate(tree, {ids["trust"]})
    assert evaluate(tree, [ids["trust"], ids["conflict"]])


def test_unknown_code_suggests_the_closest_name_or_label(codes):
    with pytest.raises(NotFoundError, match="No code 'tust'.*did you mean 'trust'"):
        resolve(parse_query("tust AND risk"), codes)
    with pytest.raises(NotFoundError, match="did you mean 'tillid'"):
        resolve(parse_query("tilid"), codes)
    with pytest.raises(NotFoundError, match="codebook PROJECT"):
        resolve(parse_query("xyzzy"), codes)


def test_two_codes_without_operator_are_pointed_out(codes):
    with pytest.raises(NotFoundError, match="join them with AND or OR"):
        resolve(parse_query("trust conflict"), codes)


def test_a_label_shared_by_two_codes_asks_for_the_name(project):
    codebook.add_code(project, "a", label_da="samarbejde")
    codebook.add_code(project, "b", label_da="Samarbejde")
    with pytest.raises(NotFoundError, match="several codes"):
        CodeTable.load(project).find("samarbejde")
    assert CodeTable.load(project).names[CodeTable.load(project).find("a")] == "a"


def test_empty_codebook_says_so(project):
    with pytest.raises(NotFoundError, match="codebook is empty"):
        resolve(parse_query("trust"), CodeTable.load(project))


def test_operators_can_be_quoted_as_names():
    tree = parse_query('"and" OR \'not\'')
    assert tree == Or((Name("and"), Name("not")))
