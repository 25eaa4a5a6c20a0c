"""Pseudonymised quote sets: no original left in any format, and the same pseudonym each time."""

from __future__ import annotations

import html
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.test_quotes import ORIGINALS, build_sample
from workbench.cli import main
from workbench.exporters import pseudonymise
from workbench.exporters.quotes import build_quote_set, write_quote_set

FORMATS = ("md", "tex", "docx", "csv", "xlsx", "json")
QUERY = "trust OR conflict OR vision"


@pytest.fixture
def sample(project):
    build_sample(project)
    return project


def readable_text(path: Path) -> str:
    """Everything a reader of the file could see: its text, or every member of a zip."""
    data = path.read_bytes()
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            data = b"".join(archive.read(name) for name in archive.namelist())
    text = data.decode("utf-8", errors="replace")
    # XML and LaTeX escapes must not hide an original from the search.
    return html.unescape(text).replace("\\_", "_").replace("\\", "")


def test_pseudonyms_replace_every_kind(sample):
    pseudo = pseudonymise.for_project(sample, ["Gødstrup"])
    text = ("Mette Jensen og Mettes chef talte med Birthe Lund, Birthe og Karen Holm på "
            "Gødstrup; skriv til METTE.JENSEN@herning.dk, ring +45 20304050 eller 22 33 44 55, "
            "CPR 0102031234.")
    result = pseudo.apply(text)
    assert result == ("P03 og P03s chef talte med P05, P05 og [navn 1] på [navn 2]; skriv "
                      "til [e-mail 1], ring [telefon 1] eller [telefon 2], CPR [cpr-nummer].")
    assert pseudo.apply("Mettesen og Birthesdag") == "Mettesen og Birthesdag"  # other words


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_original_is_left_in_any_format(sample, tmp_path, fmt):
    pseudo = pseudonymise.for_project(sample)
    quote_set = build_quote_set(sample, QUERY, context=400, pseudonymiser=pseudo,
                                template="({label}, {speaker}, {document}, {role})")
    path = tmp_path / f"quotes.{fmt}"
    write_quote_set(quote_set, path)
    text = readable_text(path)
    assert "P03" in text and "[e-mail 1]" in text  # the search reads the file right
    for original in ORIGINALS:
        assert original not in text, f"{original!r} left in the {fmt} file"
    plain = build_quote_set(sample, QUERY, context=400)
    write_quote_set(plain, tmp_path / f"plain.{fmt}")
    assert "Karen Holm" in readable_text(tmp_path / f"plain.{fmt}")  # they were there


def test_pseudonyms_are_stable_across_exports(sample):
    first = pseudonymise.for_project(sample, ["Ole Hansen"])
    assert first.apply("Ole Hansen og Karen Holm") == "[navn 2] og [navn 1]"
    # A new export with more names: the old ones keep their numbers.
    second = pseudonymise.for_project(sample, ["Anne Kjær", "Ole Hansen"])
    assert second.apply("Karen Holm, Ole Hansen, Anne Kjær") == \
        "[navn 1], [navn 2], [navn 3]"
    assert sample.setting(pseudonymise.SETTING)["name"]["Anne Kjær"] == "[navn 3]"


def test_word_shared_by_two_participants_gets_a_numbered_pseudonym(sample):
    sample.conn.execute("UPDATE participants SET real_name = 'Birthe Jensen' WHERE label = 'P05'")
    pseudo = pseudonymise.for_project(sample)
    assert pseudo.apply("Birthe Jensen") == "P05"
    assert pseudo.apply("Jensen") not in ("P03", "P05", "Jensen")


def test_names_file_and_cli(sample, tmp_path):
    names = tmp_path / "navne.txt"
    names.write_text("# folk der nævnes\nGødstrup\n\nHerning  Kommune\n", encoding="utf-8")
    assert pseudonymise.read_names_file(names) == ["Gødstrup", "Herning  Kommune"]
    out = tmp_path / "q.md"
    result = CliRunner().invoke(main, [
        "quotes", str(sample.path), "-q", QUERY, "--pseudonymise", "--names", str(names),
        "--name", "hjemmeplejen", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "pseudonymised (" in result.output
    text = readable_text(out)
    assert "Herning Kommune" not in text and "hjemmeplejen" not in text
    assert "Karen Holm" not in text and "[cpr-nummer]" in text


def test_listing_names_without_pseudonymise_is_refused(sample, tmp_path):
    result = CliRunner().invoke(main, ["quotes", str(sample.path), "-q", "trust", "--name",
                                       "X", "--out", str(tmp_path / "q.md")])
    assert result.exit_code == 1 and "add --pseudonymise" in result.output
