"""`workbench network`: summary, --ties with quotes, --stats, --compare, --out, --json, errors;
and comparing cycles in the core."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.test_network_build import S1, S5, build_sample
from workbench.cli import main
from workbench.cli.network_cmds import parse_signs
from workbench.errors import InvalidInput, NotFoundError
from workbench.network.compare import compare_cycles


@pytest.fixture
def sample_path(project, add_doc):
    build_sample(project, add_doc)
    return str(project.path)


def run(*args):
    result = CliRunner().invoke(main, ["network", *args])
    return result


def test_summary_lists_types_and_strongest_ties(sample_path):
    result = run(sample_path)
    assert result.exit_code == 0, result.output
    assert "6 nodes, 10 ties, 12 passages" in result.output
    assert "trust: 3 ties, 4 passages, sign +" in result.output
    assert "P01 (sundhedschef, Herning Kommune)" in result.output


def test_ties_show_evidence_quotes_for_one_stakeholder(sample_path):
    result = run(sample_path, "--ties", "--stakeholder", "almen", "--quotes", "0")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("almen praksis — ")
    assert f"“{S1}”" in result.output
    assert "P01_interview" in result.output and "P01 speaking" in result.output
    only_conflict = run(sample_path, "--ties", "--type", "conflict", "--json")
    ties = json.loads(only_conflict.output)["ties"]
    assert {t["type"] for t in ties} == {"conflict"}
    assert any(e["quote"] == S5 for t in ties for e in t["evidence"])


def test_unknown_stakeholder_in_ties_is_one_sentence(sample_path):
    result = run(sample_path, "--ties", "--stakeholder", "Gødstrup")
    assert result.exit_code == 1
    assert "error: 'Gødstrup' has no ties in this network" in result.output


def test_stats_print_readably_and_as_json(sample_path):
    result = run(sample_path, "--stats")
    assert result.exit_code == 0, result.output
    for expected in ("Stakeholders by weighted degree", "betweenness", "Communities (louvain",
                     "Sector by sector, trust", "Structural balance", "2 signed triangles"):
        assert expected in result.output
    data = json.loads(run(sample_path, "--stats", "--json").output)["stats"]
    p01 = next(n for n in data["nodes"] if n["label"] == "P01")
    assert p01["betweenness"] == pytest.approx(0.65)
    assert data["balance"]["share_balanced"] == 0.5


def test_compare_cycles(sample_path):
    result = run(sample_path, "--compare", "1", "2")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("cycle 1 → cycle 2:")
    assert "Herning Kommune — Region Midtjylland: co-mention 1 → conflict 1" in result.output
    data = json.loads(run(sample_path, "--compare", "1", "cyklus 2", "--json").output)
    assert data["summary"] == {"gained": 0, "lost": 6, "changed": 1, "kept": 1}
    bad = run(sample_path, "--compare", "1", "5")
    assert bad.exit_code == 1 and "No cycle 5" in bad.output


def test_compare_in_the_core(project, add_doc):
    build_sample(project, add_doc)
    result = compare_cycles(project, 1, 2)
    changed = result["changed"][0]
    assert (changed["a_label"], changed["b_label"]) in {
        ("Herning Kommune", "Region Midtjylland"), ("Region Midtjylland", "Herning Kommune")}
    assert changed["before"] == {"co-mention": 1} and changed["after"] == {"conflict": 1}
    kept = result["kept"][0]
    assert kept["before"] == {"trust": 1} == kept["after"]
    assert result["nodes_lost"] == ["P01", "almen praksis"]
    with pytest.raises(NotFoundError):
        compare_cycles(project, 1, 9)


def test_out_writes_files_and_reports(sample_path, tmp_path):
    target = tmp_path / "netværk.graphml"
    result = run(sample_path, "--out", str(target), "--collapse", "organisations")
    assert result.exit_code == 0, result.output
    assert target.exists() and "Wrote" in result.output
    bad = run(sample_path, "--out", str(tmp_path / "net.txt"))
    assert bad.exit_code == 1 and "Cannot tell the network format" in bad.output
    dot = run(sample_path, "--out", str(tmp_path / "net.txt"), "--format", "dot")
    assert dot.exit_code == 0 and (tmp_path / "net.txt").read_text().startswith("graph")


def test_options_reach_the_build(sample_path):
    data = json.loads(run(sample_path, "--json", "--tie-codes", "trust", "--min-weight", "2",
                          "--no-speakers").output)
    # Without conflict as a tie code, the field note's conflict passage is a co-mention.
    assert sorted((*sorted((t["a_label"], t["b_label"])), t["type"], t["weight"])
                  for t in data["ties"]) == [
        ("Herning Kommune", "Region Midtjylland", "co-mention", 2),
        ("Hospitalsenheden Vest", "akutteamet", "trust", 2)]
    bad = run(sample_path, "--case", "Ung Trivsel")
    assert bad.exit_code == 1 and "No case 'Ung Trivsel'" in bad.output
    bad_sign = run(sample_path, "--sign", "trust=meget")
    assert bad_sign.exit_code == 1 and "is not a tie sign" in bad_sign.output


def test_parse_signs():
    assert parse_signs(("trust=+1,conflict=-1", "tillid=1", "vision=0", "konflikt=−1")) == {
        "trust": 1, "conflict": -1, "tillid": 1, "vision": 0, "konflikt": -1}
    with pytest.raises(InvalidInput):
        parse_signs(("trust",))
