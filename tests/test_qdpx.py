"""REFI-QDA projects: export valid against the XSD, round trip, foreign files, unsafe archives."""

from __future__ import annotations

import re
import stat
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.test_quotes import build_sample
from workbench.cli import main
from workbench.core.store import Project
from workbench.errors import InvalidInput
from workbench.exporters.qdc import local
from workbench.exporters.qdpx_export import export_qdpx
from workbench.exporters.qdpx_import import import_qdpx
from workbench.exporters.registry import PROJECT_FORMATS
from workbench.exporters.safe_zip import Limits

NS = "{urn:QDA-XML:project:1.0}"


@pytest.fixture
def sample(project):
    build_sample(project)
    return project


def new_project(path: Path) -> Project:
    Project.create(path).close()
    return Project.open(path, coder="anna")


def read_qdpx(path: Path) -> tuple[str, dict[str, bytes]]:
    with zipfile.ZipFile(path) as archive:
        qde = archive.read("project.qde").decode("utf-8")
        sources = {n: archive.read(n) for n in archive.namelist() if n != "project.qde"}
    return qde, sources


def without_creation_time(qde: str) -> str:
    return re.sub(r'(<Project [^>]*?) creationDateTime="[^"]*"', r"\1", qde)


def schema_errors(xml: bytes, xsd: Path) -> list[str]:
    """The XSD's complaints about a document (empty when it validates)."""
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(xsd)))
    schema.validate(etree.fromstring(xml))
    return [str(error) for error in schema.error_log]


# ---------------------------------------------------------------------------------- export


def test_export_validates_against_the_project_schema(sample, tmp_path, shared_dir):
    export_qdpx(sample, tmp_path / "p.qdpx")
    qde, _ = read_qdpx(tmp_path / "p.qdpx")
    assert schema_errors(qde.encode("utf-8"), shared_dir / "refi" / "Project.xsd") == []


def test_codebook_export_validates_against_the_codebook_schema(sample, tmp_path, shared_dir):
    PROJECT_FORMATS.for_path(tmp_path / "c.qdc").writer(sample, tmp_path / "c.qdc")
    assert schema_errors((tmp_path / "c.qdc").read_bytes(),
                         shared_dir / "refi" / "Codebook.xsd") == []


def test_export_holds_the_project(sample, tmp_path):
    import xml.etree.ElementTree as ET

    summary = export_qdpx(sample, tmp_path / "p.qdpx")
    assert (summary.sources, summary.codings, summary.users) == (3, 8, 2)
    qde, files = read_qdpx(tmp_path / "p.qdpx")
    root = ET.fromstring(qde)
    assert [local(c.tag) for c in root] == ["Users", "CodeBook", "Variables", "Cases",
                                            "Sources", "Notes", "NoteRef"]
    assert sorted(u.get("name") for u in root.iter(f"{NS}User")) == ["anna", "bo"]
    conflict = next(c for c in root.iter(f"{NS}Code") if c.get("name") == "conflict")
    assert conflict.get("color") == "#c62828"
    assert [c.get("name") for c in conflict.findall(f"{NS}Code")] == ["economy"]
    trust = next(c for c in root.iter(f"{NS}Code") if c.get("name") == "trust")
    assert "Udsagn om tillid" in trust.find(f"{NS}Description").text
    assert trust.find(f"{NS}NoteRef") is not None  # the memo on the code
    # Every source is plain UTF-8 with \n, named by its guid, referenced as internal://.
    sources = list(root.iter(f"{NS}TextSource"))
    for source in sources:
        name = source.get("plainTextPath").removeprefix("internal://")
        assert name == f"{source.get('guid')}.txt"
        data = files[f"sources/{name}"]
        assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data
    # Each selection's offsets are code points into the source (an emoji precedes one).
    texts = {r["guid"]: r["text"] for r in sample.rows("SELECT guid, text FROM documents")}
    quoted = {(r["guid"], r["start"], r["end"]) for r in sample.rows(
        'SELECT d.guid, k.start, k."end" FROM codings k JOIN documents d ON d.id = k.document_id')}
    for source in sources:
        text = files[f"sources/{source.get('guid')}.txt"].decode("utf-8")
        assert text == texts[source.get("guid")]
        for selection in source.iter(f"{NS}PlainTextSelection"):
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            assert (source.get("guid"), start, end) in quoted
    vision = next(s for s in root.iter(f"{NS}PlainTextSelection")
                  if s.get("name").startswith("Visionen"))
    p03 = next(s for s in sources if s.get("name") == "Interview P03")
    p03_text = files[f"sources/{p03.get('guid')}.txt"].decode("utf-8")
    assert p03_text[int(vision.get("startPosition")):int(vision.get("endPosition"))] == \
        "Visionen er »fælles ansvar« for de ældre 😀 i hele kommunen."
    # Participants are cases with their attributes as variables; no real name by default.
    variables = {v.get("guid"): v.get("name") for v in root.iter(f"{NS}Variable")}
    cases = {c.get("name"): c for c in root.iter(f"{NS}Case")}
    values = {variables[v.find(f"{NS}VariableRef").get("targetGUID")]: v[1].text
              for v in cases["P03"].findall(f"{NS}VariableValue")}
    assert values == {"case_type": "participant", "role": "ledende overlæge",
                      "organisation": "Hospitalsenheden Vest", "sector": "hospital",
                      "case": "Ældreforløb Vest"}
    assert len(cases["Ældreforløb Vest"].findall(f"{NS}SourceRef")) == 3
    assert "Mette Jensen" not in qde.replace("Mette Jensen: ", "").replace(
        "Mette Jensen = P03", "")  # the name is only in the transcript's own speaker labels
    notes = {n.findtext(f"{NS}PlainTextContent"): n for n in root.iter(f"{NS}Note")}
    assert notes["P05 vil læse sine citater."].findtext(f"{NS}Description") == \
        "kind: member_check\nabout: participant P05"
    assert "Tillid trods konflikt." in notes  # a coding's own memo


def test_real_names_only_when_asked(sample, tmp_path):
    export_qdpx(sample, tmp_path / "with.qdpx", include_real_names=True)
    qde, _ = read_qdpx(tmp_path / "with.qdpx")
    assert "<TextValue>Mette Jensen</TextValue>" in qde
    export_qdpx(sample, tmp_path / "without.qdpx")
    assert "<TextValue>Mette Jensen</TextValue>" not in read_qdpx(tmp_path / "without.qdpx")[0]


def test_guids_and_bytes_are_stable_across_exports(sample, tmp_path):
    export_qdpx(sample, tmp_path / "a.qdpx")
    export_qdpx(sample, tmp_path / "b.qdpx")
    (qa, fa), (qb, fb) = read_qdpx(tmp_path / "a.qdpx"), read_qdpx(tmp_path / "b.qdpx")
    assert without_creation_time(qa) == without_creation_time(qb) and fa == fb


# ---------------------------------------------------------------------------- round trip


def _codings(project: Project) -> set[tuple]:
    return {tuple(r.values()) for r in project.rows(
        'SELECT d.guid, k.guid, k.start, k."end", c.guid, k.coder, k.memo, k.created_at '
        "FROM codings k JOIN documents d ON d.id = k.document_id "
        "JOIN codes c ON c.id = k.code_id")}


def _memos(project: Project) -> set[tuple]:
    return {tuple(r.values()) for r in project.rows(
        "SELECT m.guid, m.title, m.text, m.kind, m.target_type, cy.number, m.author "
        "FROM memos m LEFT JOIN cycles cy ON cy.id = m.cycle_id")}


def test_round_trip_gives_the_same_project(sample, tmp_path):
    export_qdpx(sample, tmp_path / "first.qdpx")
    copy = new_project(tmp_path / "copy.wbp")
    summary = import_qdpx(copy, tmp_path / "first.qdpx")
    assert summary.warnings == []
    assert (summary.documents, summary.codings, summary.participants) == (3, 8, 2)
    export_qdpx(copy, tmp_path / "second.qdpx")
    (q1, f1), (q2, f2) = read_qdpx(tmp_path / "first.qdpx"), read_qdpx(tmp_path / "second.qdpx")
    assert without_creation_time(q1) == without_creation_time(q2)
    assert f1 == f2
    assert _codings(copy) == _codings(sample)
    assert _memos(copy) == _memos(sample)
    people = "SELECT label, role, organisation, sector FROM participants ORDER BY label"
    assert copy.rows(people) == sample.rows(people)
    turns = ("SELECT d.name, s.start, s.speaker, p.label FROM segments s JOIN documents d "
             "ON d.id = s.document_id LEFT JOIN participants p ON p.id = s.participant_id "
             "WHERE s.speaker IS NOT NULL ORDER BY d.name, s.start")
    assert copy.rows(turns) == sample.rows(turns)
    docs = "SELECT guid, name, kind, date, text FROM documents ORDER BY name"
    assert copy.rows(docs) == sample.rows(docs)


# ---------------------------------------------------------------------- other programs

FOREIGN_QDE = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Fremmed projekt" origin="{origin}"
         creatingUserGUID="{{AAAAAAAA-0000-4000-8000-000000000001}}">
  <Users><User guid="{{AAAAAAAA-0000-4000-8000-000000000001}}" name="Sofie"/></Users>
  <CodeBook><Codes>
    <Code guid="BBBBBBBB-0000-4000-8000-000000000001" name="Tillid" isCodable="true"
          color="#F00082"><Description>om tillid</Description>
      <Code guid="BBBBBBBB-0000-4000-8000-000000000002" name="Tillid" isCodable="true"/>
    </Code>
  </Codes></CodeBook>
  <Variables>
    <Variable guid="CCCCCCCC-0000-4000-8000-000000000001" name="alder" typeOfVariable="Integer"/>
  </Variables>
  <Cases>
    <Case guid="DDDDDDDD-0000-4000-8000-000000000001" name="Borger A">
      <VariableValue><VariableRef targetGUID="CCCCCCCC-0000-4000-8000-000000000001"/>
        <IntegerValue>81</IntegerValue></VariableValue>
      <SourceRef targetGUID="EEEEEEEE-0000-4000-8000-000000000001"/>
    </Case>
  </Cases>
  <Sources>
    <TextSource guid="EEEEEEEE-0000-4000-8000-000000000001" name="Samtale med borger"
        plainTextPath="internal://EEEEEEEE-0000-4000-8000-000000000001.TXT">
      <PlainTextSelection guid="FFFFFFFF-0000-4000-8000-000000000001" startPosition="{start}"
          endPosition="{end}" creatingUser="AAAAAAAA-0000-4000-8000-000000000001">
        <Description>Et centralt sted.</Description>
        <Coding guid="FFFFFFFF-0000-4000-8000-000000000002"
                creatingUser="AAAAAAAA-0000-4000-8000-000000000001">
          <CodeRef targetGUID="BBBBBBBB-0000-4000-8000-000000000002"/>
        </Coding>
        <Coding guid="FFFFFFFF-0000-4000-8000-000000000003">
          <CodeRef targetGUID="99999999-0000-4000-8000-000000000009"/>
        </Coding>
      </PlainTextSelection>
      <NoteRef targetGUID="12121212-0000-4000-8000-000000000001"/>
    </TextSource>
    <PDFSource guid="EEEEEEEE-0000-4000-8000-000000000002" name="rapport.pdf"
               path="internal://EEEEEEEE-0000-4000-8000-000000000002.pdf"/>
    <AudioSource guid="EEEEEEEE-0000-4000-8000-000000000003" name="lyd.m4a"
                 path="relative:///lyd.m4a"/>
  </Sources>
  <Notes>
    <Note guid="12121212-0000-4000-8000-000000000001" name="Om samtalen">
      <PlainTextContent>Borgeren var træt.</PlainTextContent></Note>
  </Notes>
  <Links><Link guid="13131313-0000-4000-8000-000000000001"/></Links>
  <Sets><Set guid="14141414-0000-4000-8000-000000000001" name="S"/></Sets>
  <Graphs><Graph guid="15151515-0000-4000-8000-000000000001"/></Graphs>
  <Description>Et projekt om ældre borgere.</Description>
</Project>
"""
# Decomposed "å" (a + ring) and CRLF, as macOS and Windows programs write them.
FOREIGN_TEXT = "Første linje.\r\nJeg ha\u030aber, at vi stoler på hinanden.\r\nSlut.\r\n"


def make_archive(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def foreign_archive(path: Path, origin: str, crlf_as: int) -> Path:
    """A project as another program exports it; offsets count CRLF as ``crlf_as`` chars."""
    counted = FOREIGN_TEXT.replace("\r\n", "\n" if crlf_as == 1 else "\r\n")
    start = counted.index("Jeg")
    end = counted.index("hinanden.") + len("hinanden.")
    qde = FOREIGN_QDE.format(origin=origin, start=start, end=end)
    return make_archive(path, {
        "project.qde": qde.encode("utf-8"),
        "Sources/EEEEEEEE-0000-4000-8000-000000000001.TXT":
            b"\xef\xbb\xbf" + FOREIGN_TEXT.encode("utf-8"),
        "Sources/EEEEEEEE-0000-4000-8000-000000000002.pdf": b"%PDF-1.4 not really",
    })


@pytest.mark.parametrize(("origin", "crlf_as"), [("NVivo 14", 2), ("ATLAS.ti 23", 1)])
def test_import_from_another_program(project, tmp_path, origin, crlf_as):
    summary = import_qdpx(project, foreign_archive(tmp_path / "f.qdpx", origin, crlf_as))
    doc = project.rows("SELECT * FROM documents")[0]
    assert doc["text"] == "Første linje.\nJeg håber, at vi stoler på hinanden.\nSlut.\n"
    assert doc["guid"] == "eeeeeeee-0000-4000-8000-000000000001"
    coding = project.rows('SELECT k.start, k."end", c.name, k.coder FROM codings k '
                          "JOIN codes c ON c.id = k.code_id")
    assert len(coding) == 1
    start, end, code, coder = coding[0].values()
    assert doc["text"][start:end] == "Jeg håber, at vi stoler på hinanden."
    assert code == "Tillid (2)" and coder == "Sofie"  # same name as its parent: renamed
    case = project.rows("SELECT name, attributes FROM cases")[0]
    assert case["name"] == "Borger A" and '"alder": "81"' in case["attributes"]
    assert doc["case_id"] is not None
    notes = {r["text"]: r["target_type"] for r in project.rows("SELECT * FROM memos")}
    assert notes == {"Borgeren var træt.": "document", "Et centralt sted.": "coding"}
    assert project.setting("project_name") == "Fremmed projekt"
    assert project.setting("project_description") == "Et projekt om ældre borgere."
    assert project.setting("default_coder") == "Sofie"
    warnings = " ".join(summary.warnings)
    for named in ("1 PDF source", "1 audio source", "1 Link", "1 Set", "1 Graph",
                  "Coding whose code is not in the codebook", "Tillid (2)"):
        assert named in warnings


def test_atlas_sample_imports(project, shared_dir):
    summary = import_qdpx(project, shared_dir / "refi" / "atlas-sample.qdpx")
    assert summary.users == 2 and summary.codes == 3
    names = {c["name"]: c["parent_id"] for c in project.rows("SELECT * FROM codes")}
    assert names["Commits"] is None and names["2022-05-10T02:05:59Z 19e4dce"] is not None
    coders = {r["name"] for r in project.rows("SELECT name FROM coders")}
    assert coders == {"Enric Llagostera", "ATLAS.ti"}


def test_import_refuses_a_project_with_documents(sample, tmp_path):
    export_qdpx(sample, tmp_path / "p.qdpx")
    with pytest.raises(InvalidInput, match="already has 3 document"):
        import_qdpx(sample, tmp_path / "p.qdpx")


# ---------------------------------------------------------------------- unsafe archives

MINIMAL_QDE = b'<Project xmlns="urn:QDA-XML:project:1.0" name="x"/>'
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE Project [<!ENTITY a "hahahahahahahaha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&c;"/>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE Project [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&secret;"/>"""


def _symlink_archive(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", MINIMAL_QDE)
        link = zipfile.ZipInfo("sources/link.txt")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    return path


def _bomb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", MINIMAL_QDE)
        archive.writestr("sources/zeros.txt", b"\0" * (20 * 1024 * 1024))
    return path


UNSAFE = {
    "path escaping the folder": (lambda p: make_archive(p, {
        "project.qde": MINIMAL_QDE, "sources/../../evil.txt": b"x"}), "leads out of"),
    "absolute path": (lambda p: make_archive(p, {
        "project.qde": MINIMAL_QDE, "/etc/evil.txt": b"x"}), "absolute path"),
    "windows drive": (lambda p: make_archive(p, {
        "project.qde": MINIMAL_QDE, "C:\\evil.txt": b"x"}), "absolute path"),
    "symbolic link": (_symlink_archive, "symbolic link"),
    "entity expansion": (lambda p: make_archive(p, {"project.qde": LAUGHS}), "entities"),
    "external entity": (lambda p: make_archive(p, {"project.qde": EXTERNAL}), "entities"),
    "zip bomb": (_bomb, "zip bomb"),
    "not a zip": (lambda p: (p.write_bytes(b"just text"), p)[1], "not a readable zip"),
}


@pytest.mark.parametrize("case", sorted(UNSAFE))
def test_unsafe_archives_are_refused(project, tmp_path, case):
    build, message = UNSAFE[case]
    archive = build(tmp_path / "bad.qdpx")
    with pytest.raises(InvalidInput, match=message):
        import_qdpx(project, archive)
    assert project.rows("SELECT * FROM documents") == []
    assert not (tmp_path.parent / "evil.txt").exists()


def test_size_and_count_limits(project, tmp_path):
    archive = make_archive(tmp_path / "big.qdpx", {
        "project.qde": MINIMAL_QDE.replace(b"/>", b">" + b" " * 5000 + b"</Project>")})
    with pytest.raises(InvalidInput, match="more than the 1,000 allowed"):
        import_qdpx(project, archive, limits=Limits(max_member_bytes=1000))
    many = make_archive(tmp_path / "many.qdpx", {
        "project.qde": MINIMAL_QDE, **{f"sources/{n}.txt": b"x" for n in range(12)}})
    with pytest.raises(InvalidInput, match="13 files, more than the 10 allowed"):
        import_qdpx(project, many, limits=Limits(max_entries=10))


# ---------------------------------------------------------------------------------- CLI


def test_cli_export_and_import(sample, tmp_path):
    runner = CliRunner()
    out = tmp_path / "p.qdpx"
    result = runner.invoke(main, ["export", str(sample.path), "--format", "qdpx", str(out)])
    assert result.exit_code == 0, result.output
    assert "3 documents, 8 codings" in result.output
    result = runner.invoke(main, ["export", str(sample.path), str(tmp_path / "q.qdpx")])
    assert result.exit_code == 0, result.output
    target = tmp_path / "new.wbp"
    result = runner.invoke(main, ["import-qdpx", str(out), str(target)])
    assert result.exit_code == 0, result.output
    assert "(new): 3 documents, 8 codings" in result.output
    result = runner.invoke(main, ["import-qdpx", str(out), str(target)])
    assert result.exit_code == 1 and "already has 3 document" in result.output
    bad = make_archive(tmp_path / "bad.qdpx", {"project.qde": LAUGHS})
    result = runner.invoke(main, ["import-qdpx", str(bad), str(tmp_path / "never.wbp")])
    assert result.exit_code == 1 and "refused" in result.output
    assert not (tmp_path / "never.wbp").exists()
    result = runner.invoke(main, ["export", str(sample.path), str(tmp_path / "p.zip")])
    assert result.exit_code == 1 and "give --format" in result.output
